"""The checks of catalogue metadata: publishers' files and datasets' descriptors.

A dataset's ``datapackage.json`` is a Frictionless Data Package plus the properties a
portal needs (docs/architecture.md, "Content model"). Frictionless ignores those, so
they are checked here; every problem is a blocking ``metadata-error`` finding whose
``params["property"]`` names the property, and whose hint says how to fix it.

Codes are checked against the controlled vocabularies (``catalog.vocabularies``) and
the jurisdiction profiles (``catalog.jurisdictions``), which are read there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from catalog import territories
from catalog.content import (
    DatasetRef,
    inside,
    is_slug,
    publisher_files,
    read_json,
    read_text,
    read_yaml,
)
from catalog.errors import ContentError
from catalog.findings import Finding
from catalog.i18n import _
from catalog.indicators import declaration as indicator_declarations
from catalog.jurisdictions import COUNTRY, DEFAULT_JURISDICTION, jurisdictions, obligation
from catalog.vocabularies import codes, entry

ERROR = "metadata-error"
TERRITORY_LEVELS = ("department", "municipality")

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

# How to fix a missing or empty property, by property: the hint of its finding.
HINTS = {
    "name": _('Set "name" to the dataset folder\'s name, e.g. "bono-social".'),
    "title": _('Add a "title" in Spanish, e.g. "Cobertura del Bono Social por municipio".'),
    "publisher": _('Set "publisher" to the slug of the publisher folder, e.g. "mides".'),
    "keywords": _(
        'Add "keywords": words a citizen would search for, e.g. "educación", "matrícula".'
    ),
    "themes": _('Add "themes" with codes from catalog/vocabularies/themes.yaml, e.g. SOCI.'),
    "licenses": _(
        'Add "licenses" with a licence name from catalog/vocabularies/licenses.yaml, '
        "e.g. CC-BY-4.0."
    ),
    "frequency": _(
        'Add "frequency" with a code from catalog/vocabularies/frequencies.yaml, e.g. annual.'
    ),
    "contactPoint": _(
        'Add "contactPoint" with the "name" and "email" of the unit that answers questions.'
    ),
    "contactPoint.name": _(
        'Give the name of the unit that answers questions, e.g. "Unidad de Información Pública".'
    ),
    "contactPoint.email": _(
        "Give the e-mail of the unit that answers questions, e.g. datos@institucion.gob.gt."
    ),
    "version": _('Add "version": the version of the data, e.g. "1.0.0" or "2024-03-01".'),
    "changeNote": _(
        'Write "changeNote" as text saying what changed in this version, '
        'e.g. "Datos de junio; corregido el monto de Cobán", or leave it out.'
    ),
    "issued": _('Add "issued": the date the dataset was first published, as YYYY-MM-DD.'),
    "modified": _('Add "modified": the date of the last change to the data, as YYYY-MM-DD.'),
    "temporal.start": _('Give "temporal.start", the first day the data covers, as YYYY-MM-DD.'),
    "kind": _('Add "kind", a code from catalog/vocabularies/publisher_kinds.yaml, e.g. ministry.'),
    "jurisdiction": _('Add "jurisdiction" with at least "country", e.g. GT.'),
    "jurisdiction.country": _('Give "jurisdiction.country", an ISO country code such as GT.'),
    "email": _("Give the e-mail of the public information unit (Unidad de Información Pública)."),
    "duties": _(
        'Write "duties" as a list of codes from catalog/vocabularies/publisher_duties.yaml, '
        "e.g. [subsidy-programmes]."
    ),
}
GENERIC_HINT = _("See the content model in docs/architecture.md.")

# Every other finding: key -> (what is wrong, how to fix it).
MESSAGES = {
    "missing": (_('Required property "{property}" is missing.'), None),
    "empty": (_('Property "{property}" is empty.'), None),
    "not-text": (_('Property "{property}" must be a text (found: {actual}).'), None),
    "not-list": (_('Property "{property}" must be a list (found: {actual}).'), None),
    "not-object": (_('Property "{property}" must be an object (found: {actual}).'), None),
    "empty-list": (_('Property "{property}" must list at least one item.'), None),
    "descriptor": (
        _("The descriptor must be a JSON object (found: {actual})."),
        _("Write datapackage.json as one JSON object, between curly braces."),
    ),
    "name-slug": (
        _('The dataset name "{value}" is not a valid slug.'),
        _('Use lowercase letters, digits, "-" and "_" only, e.g. "bono-social".'),
    ),
    "name-folder": (
        _('The dataset name "{value}" does not match its folder "{folder}".'),
        _('Set "name" to "{folder}" or rename the folder.'),
    ),
    "publisher-folder": (
        _('The publisher "{value}" does not match the parent folder "{folder}".'),
        _('Set "publisher" to "{folder}" or move the dataset to datasets/{value}/.'),
    ),
    "publisher-unknown": (
        _('Publisher "{value}" is not described in publishers/{value}.yaml.'),
        _("Add publishers/{value}.yaml (see docs/publishing.md) or fix the slug."),
    ),
    "publisher-invalid": (
        _('The file publishers/{value}.yaml of publisher "{value}" is not valid.'),
        _("Fix it: it must be a YAML mapping with name, kind, jurisdiction and email."),
    ),
    "description": (
        _('The dataset has neither a "description" nor a README.md.'),
        _('Add a one- or two-sentence "description" and the long form in README.md (Markdown).'),
    ),
    "keyword": (_("Every keyword must be a non-empty text; {value} is not."), None),
    "code": (
        _('Unknown value "{value}" in "{property}".'),
        _("Use codes from catalog/vocabularies/{vocabulary}.yaml: {allowed}."),
    ),
    "license": (
        _('Licence {index} is not one of the catalogue\'s licences: "{value}".'),
        _('Give each licence a "name" from catalog/vocabularies/licenses.yaml: {allowed}.'),
    ),
    "frequency": (
        _('Unknown update frequency "{value}".'),
        _("Use one of: {allowed}."),
    ),
    "email": (_('"{value}" is not a valid e-mail address ({property}).'), None),
    "date": (
        _('Property "{property}" is not an ISO date: "{value}".'),
        _("Write dates as YYYY-MM-DD, e.g. 2024-03-01."),
    ),
    "issued-after-modified": (
        _('"issued" ({issued}) is after "modified" ({modified}).'),
        _("A dataset is modified on or after the day it is first issued: fix one of the dates."),
    ),
    "temporal-object": (
        _('Property "{property}" must be an object (found: {actual}).'),
        _('Give "temporal" a "start" and, if the data has one, an "end" date.'),
    ),
    "temporal-order": (
        _("The temporal coverage starts ({start}) after it ends ({end})."),
        _('Fix "temporal.start" or "temporal.end".'),
    ),
    "spatial-object": (
        _('Property "{property}" must be an object (found: {actual}).'),
        _('Give "spatial" a "country" and, where they apply, "departments" and "municipalities".'),
    ),
    "country": (
        _('"{value}" is not an ISO country code ({property}).'),
        _("Use a two-letter ISO 3166-1 code such as GT, CL or PY."),
    ),
    "department": (
        _('"{value}" is not an INE department code ({property}).'),
        _("Department codes are two digits as text, from 01 (Guatemala) to 22 (Jutiapa)."),
    ),
    "municipality": (
        _('"{value}" is not an INE municipality code ({property}).'),
        _(
            "Municipality codes are four digits as text: the department code, then the "
            "municipality's number, e.g. 0101 (Guatemala) or 1601 (Cobán)."
        ),
    ),
    "territory-code": (
        _('"{value}" is not a code of the {levels} of {country} ({property}).'),
        _(
            "Codes of the {levels} of {country} have {digits} digits, written as text, "
            "e.g. {example}; the list is catalog/data/{file}."
        ),
    ),
    "obligation": (
        _('Unknown active-transparency obligation "{value}".'),
        _("Use an identifier from a profile in catalog/jurisdictions/, e.g. GT-LAIP-10.4."),
    ),
    "source": (
        _('Source {index} needs a "title".'),
        _('Give every source a "title" and, if it is online, a "path" with its address.'),
    ),
    "territory-level": (
        _('Field "{field}" of resource "{resource}" has territory "{value}".'),
        _('Use "department" or "municipality", or remove "territory".'),
    ),
    "territory-type": (
        _('Field "{field}" of resource "{resource}" holds INE codes but has type "{value}".'),
        _('Declare it "type": "string": INE codes keep their leading zero (01, 0101).'),
    ),
    "publisher-mapping": (
        _("A publisher file must be a YAML mapping of key: value lines (found: {actual})."),
        _(
            "Describe the publisher with name, kind, jurisdiction and email; "
            "see docs/publishing.md."
        ),
    ),
    "slug": (
        _('The publisher slug "{value}" is not valid.'),
        _('Name the file with lowercase letters, digits, "-" and "_", e.g. publishers/mides.yaml.'),
    ),
    "kind": (_('Unknown publisher kind "{value}".'), _("Use one of: {allowed}.")),
    "duty": (
        _('Unknown duty "{value}" in "duties".'),
        _("Use codes from catalog/vocabularies/publisher_duties.yaml: {allowed}."),
    ),
    "jurisdiction-country": (
        _('There is no jurisdiction profile for country "{value}".'),
        _("Use a country with a profile in catalog/jurisdictions/: {allowed}."),
    ),
    "local-code": (
        _('A publisher of kind "{kind}" needs "{property}".'),
        _('Give its INE code, e.g. department "09" and municipality "0901" for Quetzaltenango.'),
    ),
    "municipality-department": (
        _("Municipality {value} is not in department {department}."),
        _("The first two digits of a municipality code are its department's code."),
    ),
    "website": (
        _('"{value}" is not a web address ({property}).'),
        _("Write the full address, starting with https://."),
    ),
    "parent-slug": (
        _('The parent body "{value}" is not another publisher\'s slug.'),
        _('Use the slug of another file in publishers/ (without .yaml), or remove "parent".'),
    ),
    "parent-unknown": (
        _('The parent body "{value}" is not described in publishers/{value}.yaml.'),
        _('Add publishers/{value}.yaml or fix "parent".'),
    ),
}

# ---------------------------------------------------------------- findings


def _error(key: str, prop: str, **params: object) -> Finding:
    """A blocking metadata finding; ``params["property"]`` names the property at fault."""
    text, hint = MESSAGES[key]
    if hint is None:
        hint = HINTS.get(prop, GENERIC_HINT)
    return Finding(type=ERROR, text=text, hint=hint, params={"property": prop, **params})


def _kind_of(value: object) -> str:
    """The JSON name of a value's type, as shown in messages (it is the same in every language)."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _text(obj: dict[str, Any], prop: str, path: str | None = None) -> list[Finding]:
    """A required non-empty text property."""
    path = path or prop
    value = obj.get(prop)
    if value is None:
        return [_error("missing", path)]
    if not isinstance(value, str):
        return [_error("not-text", path, actual=_kind_of(value))]
    return [] if value.strip() else [_error("empty", path)]


def _list(obj: dict[str, Any], prop: str) -> tuple[list[Any], list[Finding]]:
    """A required non-empty list property: the list, or the findings why not."""
    value = obj.get(prop)
    if value is None:
        return [], [_error("missing", prop)]
    if not isinstance(value, list):
        return [], [_error("not-list", prop, actual=_kind_of(value))]
    return value, [] if value else [_error("empty-list", prop)]


def _allowed(name: str) -> str:
    return ", ".join(codes(name))


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace(" ", "T")).date()
    except ValueError:
        return None


def _date(obj: dict[str, Any], prop: str, path: str, required: bool) -> tuple[date | None, list]:
    if obj.get(prop) is None:
        return None, [_error("missing", path)] if required else []
    parsed = _parse_date(obj[prop])
    return parsed, [] if parsed else [_error("date", path, value=str(obj[prop]))]


# ---------------------------------------------------------------- dataset checks
# Each check takes (descriptor, ref, root) and returns its findings.


def _check_name(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    problems = _text(d, "name")
    if problems:
        return problems
    if not is_slug(d["name"]):
        return [_error("name-slug", "name", value=d["name"])]
    if d["name"] != ref.name:
        return [_error("name-folder", "name", value=d["name"], folder=ref.name)]
    return []


def _check_publisher(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    problems = _text(d, "publisher")
    if problems:
        return problems
    if d["publisher"] != ref.publisher:
        return [_error("publisher-folder", "publisher", value=d["publisher"], folder=ref.publisher)]
    if root is None:  # validated outside a content tree: nothing to look the publisher up in
        return []
    return _publisher_exists(root, d["publisher"])


def _publisher_exists(root: Path, slug: str) -> list[Finding]:
    path = root / "publishers" / f"{slug}.yaml"
    if not is_slug(slug) or not path.is_file():
        return [_error("publisher-unknown", "publisher", value=slug)]
    try:
        data = read_yaml(path)
    except ContentError:
        data = None
    return [] if isinstance(data, dict) else [_error("publisher-invalid", "publisher", value=slug)]


def _check_title(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    return _text(d, "title")


def _has_readme(folder: Path) -> bool:
    try:
        return bool(read_text(folder / "README.md").strip())
    except ContentError:
        return False


def _check_description(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    value = d.get("description")
    if value is not None and not isinstance(value, str):
        return _text(d, "description")
    if (value or "").strip() or _has_readme(ref.folder):
        return []
    return [_error("description", "description")]


def _check_keywords(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    values, problems = _list(d, "keywords")
    bad = [v for v in values if not isinstance(v, str) or not v.strip()]
    return problems + [_error("keyword", "keywords", value=repr(v)) for v in bad]


def _check_themes(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    values, problems = _list(d, "themes")
    known = codes("themes")
    return problems + [
        _error("code", "themes", value=str(v), vocabulary="themes", allowed=_allowed("themes"))
        for v in values
        if v not in known
    ]


def _check_licenses(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    values, problems = _list(d, "licenses")
    known = codes("licenses")
    for index, value in enumerate(values, start=1):
        # A Data Package licence is an object with a "name", never a bare string.
        name = value.get("name") if isinstance(value, dict) else None
        if name not in known:
            shown = name if isinstance(value, dict) else value
            problems.append(
                _error(
                    "license",
                    "licenses",
                    index=index,
                    value=str(shown),
                    allowed=_allowed("licenses"),
                )
            )
    return problems


def _check_frequency(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    problems = _text(d, "frequency")
    if problems or d["frequency"] in codes("frequencies"):
        return problems
    return [_error("frequency", "frequency", value=d["frequency"], allowed=_allowed("frequencies"))]


def _check_contact(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    contact = d.get("contactPoint")
    if contact is None:
        return [_error("missing", "contactPoint")]
    if not isinstance(contact, dict):
        return [_error("not-object", "contactPoint", actual=_kind_of(contact))]
    problems = _text(contact, "name", "contactPoint.name")
    problems += _email(contact, "email", "contactPoint.email")
    return problems


def _email(obj: dict[str, Any], prop: str, path: str) -> list[Finding]:
    problems = _text(obj, prop, path)
    if not problems and not EMAIL.match(obj[prop].strip()):
        problems.append(_error("email", path, value=obj[prop]))
    return problems


def _check_version(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    return _text(d, "version")


def _check_change_note(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    """Optional: what changed in this version, shown in the dataset's list of versions."""
    return _text(d, "changeNote") if "changeNote" in d else []


def _check_dates(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    issued, problems = _date(d, "issued", "issued", required=True)
    modified, more = _date(d, "modified", "modified", required=True)
    if issued and modified and issued > modified:
        more.append(
            _error(
                "issued-after-modified",
                "modified",
                issued=issued.isoformat(),
                modified=modified.isoformat(),
            )
        )
    return problems + more


def _check_temporal(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    temporal = d.get("temporal")
    if temporal is None:
        return []
    if not isinstance(temporal, dict):
        return [_error("temporal-object", "temporal", actual=_kind_of(temporal))]
    start, problems = _date(temporal, "start", "temporal.start", required=True)
    end, more = _date(temporal, "end", "temporal.end", required=False)
    if start and end and start > end:
        more.append(
            _error("temporal-order", "temporal", start=start.isoformat(), end=end.isoformat())
        )
    return problems + more


def _check_spatial(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    spatial = d.get("spatial")
    if spatial is None:
        return []
    if not isinstance(spatial, dict):
        return [_error("spatial-object", "spatial", actual=_kind_of(spatial))]
    country = spatial.get("country")
    if country is None:  # the publisher's country, as the privacy gate reads it
        country = _publisher_country(root, d.get("publisher")) or DEFAULT_JURISDICTION
    if not isinstance(country, str) or not COUNTRY.match(country):
        return [_error("country", "spatial.country", value=str(country))]
    if country not in territories.countries():  # no code list of that country ships
        return []
    return _territory_codes(spatial, "departments", "department", country) + (
        _territory_codes(spatial, "municipalities", "municipality", country)
    )


def _publisher_country(root: Path | None, slug: object) -> str | None:
    """The ``jurisdiction.country`` of a publisher's file under ``root``, if it says one."""
    if root is None or not isinstance(slug, str) or not is_slug(slug):
        return None
    try:
        data = read_yaml(root / "publishers" / f"{slug}.yaml")
    except (ContentError, OSError):
        return None
    where = data.get("jurisdiction") if isinstance(data, dict) else None
    country = where.get("country") if isinstance(where, dict) else None
    return country.upper() if isinstance(country, str) else None


def _territory_codes(spatial: dict[str, Any], key: str, level: str, country: str) -> list[Finding]:
    values, prop = spatial.get(key), f"spatial.{key}"
    if values is None:
        return []
    if not isinstance(values, list):
        return [_error("not-list", prop, actual=_kind_of(values))]
    return [
        _code_error(level, prop, str(v), country)
        for v in values
        if territories.level(v, country) != level
    ]


def _code_error(level: str, prop: str, value: str, country: str) -> Finding:
    """An unknown territory code: Guatemala's messages name INE codes; other countries'
    say what their codes look like and where the list is."""
    if country == DEFAULT_JURISDICTION:
        return _error(level, prop, value=value)
    return _error(
        "territory-code",
        prop,
        value=value,
        country=country,
        levels=territories.level_name(country, level),
        digits=territories.digits(country, level),
        example=territories.example(country, level),
        file=territories.COUNTRIES[country].file,
    )


def _check_obligations(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    values = d.get("obligations")
    if values is None:
        return []
    if not isinstance(values, list):
        return [_error("not-list", "obligations", actual=_kind_of(values))]
    return [_error("obligation", "obligations", value=str(v)) for v in values if not obligation(v)]


def _check_sources(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    values = d.get("sources")
    if values is None:
        return []
    if not isinstance(values, list):
        return [_error("not-list", "sources", actual=_kind_of(values))]
    return [
        _error("source", "sources", index=index)
        for index, value in enumerate(values, start=1)
        if not isinstance(value, dict) or _text(value, "title")
    ]


def _schema_of(resource: dict[str, Any], folder: Path) -> dict[str, Any] | None:
    schema = resource.get("schema")
    if isinstance(schema, str):  # a schema in its own file; the validator reports bad ones
        path = inside(folder, schema)
        try:
            schema = read_json(path) if path else None
        except ContentError:
            return None
    return schema if isinstance(schema, dict) else None


def _check_territory_fields(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list:
    problems: list[Finding] = []
    resources = d.get("resources")
    for resource in resources if isinstance(resources, list) else []:
        schema = _schema_of(resource, ref.folder) if isinstance(resource, dict) else None
        fields = schema.get("fields") if schema else None
        for field in fields if isinstance(fields, list) else []:
            if isinstance(field, dict) and "territory" in field:
                problems += _territory_field(field, str(resource.get("name")))
    return problems


def _territory_field(field: dict[str, Any], resource: str) -> list[Finding]:
    level, name = field["territory"], str(field.get("name"))
    if level not in TERRITORY_LEVELS:
        return [
            _error("territory-level", "territory", field=name, resource=resource, value=str(level))
        ]
    if field.get("type", "string") != "string":
        return [
            _error(
                "territory-type",
                "territory",
                field=name,
                resource=resource,
                value=str(field.get("type")),
            )
        ]
    return []


def _check_populations(d: dict[str, Any], ref: DatasetRef, root: Path | None) -> list:
    """A rate per population names a population dataset the content root has (a warning:
    catalog/indicators/declaration.py)."""
    if root is None or not isinstance(d.get("indicators"), list):
        return []
    resources = d.get("resources")
    package = {  # schemas in their own files read in, as the declarations name their fields
        **d,
        "resources": [
            {**r, "schema": _schema_of(r, ref.folder)} if isinstance(r, dict) else r
            for r in (resources if isinstance(resources, list) else [])
        ],
    }
    return indicator_declarations.population_findings(
        package, indicator_declarations.population_in_content(root), ref.id
    )


DATASET_CHECKS: tuple[Callable[[dict[str, Any], DatasetRef, Path | None], list[Finding]], ...] = (
    _check_name,
    _check_publisher,
    _check_title,
    _check_description,
    _check_keywords,
    _check_themes,
    _check_licenses,
    _check_frequency,
    _check_contact,
    _check_version,
    _check_change_note,
    _check_dates,
    _check_temporal,
    _check_spatial,
    _check_obligations,
    _check_sources,
    _check_territory_fields,
    _check_populations,
)


def _descriptor_file(ref: DatasetRef, root: Path | None) -> str:
    if root is not None:
        try:
            return ref.descriptor_path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(ref.descriptor_path)


def check_dataset(descriptor: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    """Findings about the catalogue metadata of one dataset's descriptor.

    ``root`` is the content root (the folder with ``publishers/`` and ``datasets/``);
    when it is None the publisher is not looked up.
    """
    if isinstance(descriptor, dict):
        problems = [p for check in DATASET_CHECKS for p in check(descriptor, ref, root)]
    else:
        problems = [_error("descriptor", "descriptor", actual=_kind_of(descriptor))]
    file = _descriptor_file(ref, root)
    for problem in problems:
        problem.dataset, problem.file = ref.id, file
    return problems


# ---------------------------------------------------------------- publishers


def load_publishers(root: Path) -> dict[str, dict[str, Any]]:
    """Every publisher under ``root/publishers``, by slug (the file name).

    Raises ContentError, with the file and the fix, for a file that is not valid YAML
    or not a mapping; ``check_publishers`` reports the same as findings instead.
    """
    publishers: dict[str, dict[str, Any]] = {}
    for path in publisher_files(root):
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise ContentError(
                _("{path} must be a YAML mapping of key: value lines (found: {actual})."),
                _(
                    "Describe the publisher with name, kind, jurisdiction and email; "
                    "see docs/publishing.md."
                ),
                path=str(path),
                actual=_kind_of(data),
            )
        publishers[path.stem] = data
    return publishers


def check_publisher(data: Any, slug: str) -> list[Finding]:
    """Findings about one publisher's description (the content of ``publishers/<slug>.yaml``)."""
    if isinstance(data, dict):
        problems = _publisher_problems(data, slug)
    else:
        problems = [_error("publisher-mapping", "publisher", actual=_kind_of(data))]
    for problem in problems:
        problem.file = f"publishers/{slug}.yaml"
        problem.params.setdefault("publisher", slug)
    return problems


def _publisher_problems(data: dict[str, Any], slug: str) -> list[Finding]:
    problems = [] if is_slug(slug) else [_error("slug", "slug", value=slug)]
    problems += _text(data, "name") + _check_kind(data) + _check_jurisdiction(data)
    problems += _email(data, "email", "email")
    for prop in ("acronym", "description"):  # optional, but not empty when given
        problems += _text(data, prop) if prop in data else []
    problems += _check_website(data) + _check_parent(data, slug) + _check_duties(data)
    return problems


def _check_duties(data: dict[str, Any]) -> list[Finding]:
    """Optional duty traits (active transparency): a list of publisher_duties codes."""
    values = data.get("duties")
    if values is None:
        return []
    if not isinstance(values, list):
        return [_error("not-list", "duties", actual=_kind_of(values))]
    allowed = codes("publisher_duties")
    return [
        _error("duty", "duties", value=str(v), allowed=", ".join(allowed))
        for v in values
        if v not in allowed
    ]


def _check_kind(data: dict[str, Any]) -> list[Finding]:
    problems = _text(data, "kind")
    if problems or data["kind"] in codes("publisher_kinds"):
        return problems
    return [_error("kind", "kind", value=data["kind"], allowed=_allowed("publisher_kinds"))]


def _check_jurisdiction(data: dict[str, Any]) -> list[Finding]:
    where = data.get("jurisdiction")
    if where is None:
        return [_error("missing", "jurisdiction")]
    if not isinstance(where, dict):
        return [_error("not-object", "jurisdiction", actual=_kind_of(where))]
    country = where.get("country")
    if country is None:
        return [_error("missing", "jurisdiction.country")]
    if country not in jurisdictions():
        return [
            _error(
                "jurisdiction-country",
                "jurisdiction.country",
                value=str(country),
                allowed=", ".join(jurisdictions()),
            )
        ]
    if country == "GT":
        return _local_codes(where, data.get("kind"))
    return _foreign_codes(where, str(country)) if country in territories.countries() else []


def _foreign_codes(where: dict[str, Any], country: str) -> list[Finding]:
    """The territory codes a Chilean or Paraguayan publisher gives must be real."""
    problems = []
    for level in ("department", "municipality"):
        value = where.get(level)
        if value is None or territories.level(value, country) == level:
            continue
        problems.append(_code_error(level, f"jurisdiction.{level}", str(value), country))
    department, municipality = where.get("department"), where.get("municipality")
    if problems or municipality is None or department is None:
        return problems
    if territories.department_of(municipality, country) != department:
        problems.append(
            _error(
                "municipality-department",
                "jurisdiction.municipality",
                value=str(municipality),
                department=str(department),
            )
        )
    return problems


def _local_codes(where: dict[str, Any], kind: object) -> list[Finding]:
    """A local government names its territory; codes given by anyone must be real."""
    scope = (entry("publisher_kinds", kind) or {}).get("scope") if isinstance(kind, str) else None
    needed = {"department": ["department"], "municipality": ["department", "municipality"]}
    problems = [
        _error("local-code", f"jurisdiction.{key}", kind=str(kind))
        for key in (needed.get(scope, []) if isinstance(scope, str) else [])
        if where.get(key) is None
    ]
    department, municipality = where.get("department"), where.get("municipality")
    if department is not None and not territories.is_department(department):
        problems.append(_error("department", "jurisdiction.department", value=str(department)))
    if municipality is not None and not territories.is_municipality(municipality):
        problems.append(
            _error("municipality", "jurisdiction.municipality", value=str(municipality))
        )
    elif municipality is not None and territories.department_of(municipality) != department:
        problems.append(
            _error(
                "municipality-department",
                "jurisdiction.municipality",
                value=str(municipality),
                department=str(department),
            )
        )
    return problems


def _check_website(data: dict[str, Any]) -> list[Finding]:
    value = data.get("website")
    if value is None or (isinstance(value, str) and URL.match(value)):
        return []
    return [_error("website", "website", value=str(value))]


def _check_parent(data: dict[str, Any], slug: str) -> list[Finding]:
    value = data.get("parent")
    if value is None or (is_slug(value) and value != slug):
        return []
    return [_error("parent-slug", "parent", value=str(value))]


def check_publishers(root: Path) -> list[Finding]:
    """Findings about every publisher file under ``root``; never raises for bad content."""
    problems: list[Finding] = []
    slugs = {path.stem for path in publisher_files(root)}
    for path in publisher_files(root):
        try:
            data = read_yaml(path)
        except ContentError as exc:
            problems.append(
                Finding(
                    type=ERROR,
                    text=exc.text,
                    hint=exc.hint,
                    params={"property": "publisher", **exc.params},
                    file=f"publishers/{path.name}",
                )
            )
            continue
        problems += check_publisher(data, path.stem)
        parent = data.get("parent") if isinstance(data, dict) else None
        if is_slug(parent) and parent != path.stem and parent not in slugs:
            problem = _error("parent-unknown", "parent", value=parent, publisher=path.stem)
            problem.file = f"publishers/{path.name}"
            problems.append(problem)
    return problems
