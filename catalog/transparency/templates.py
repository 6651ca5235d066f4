"""Table Schema templates of the structured active-transparency items, and conformance.

A profile's dataset item may name a ``template``: a Frictionless Table Schema in
``catalog/jurisdictions/templates/<code>/<name>.json`` with the columns the item must
have, as that country's portals name them. A dataset that cites the item
(``obligations`` in its ``datapackage.json``) must conform to it:

- every template field is a field of one of the dataset's resources: the resource
  that holds the most of them is the one checked, and named in each finding; names
  match exactly (case-sensitive);
- with a compatible type: the same, or ``integer`` where the template asks ``number``;
- with constraints at least as strict where they matter: ``required``, ``enum`` (a
  subset), ``minimum`` and ``maximum`` (inside the template's), ``pattern`` (the same,
  or an ``enum`` whose values all match it).

Columns beyond the template's are welcome. Each problem is a blocking
``template-error`` finding that names the dataset, the obligation, the field, what
is wrong and the fix. A cited item that does not bind the dataset's publisher (an
item of another country, or one limited to a duty the publisher does not declare)
is a notice (``obligation-not-applicable``): it counts for nothing in compliance.

Reads only descriptors (no rows), so it costs nothing beside the row checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from catalog import urls
from catalog.findings import Finding
from catalog.i18n import _
from catalog.jurisdictions import FOLDER
from catalog.transparency.obligations import Obligation, find

ERROR = "template-error"
NOT_BINDING = "obligation-not-applicable"  # a notice, not an error
TEMPLATES = FOLDER / "templates"
COMPATIBLE = {"number": ("number", "integer")}  # template type -> dataset types that meet it


@cache
def _load(code: str, name: str) -> dict[str, Any] | None:
    path = TEMPLATES / code.lower() / f"{name}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def template_of(obligation: Obligation) -> dict[str, Any] | None:
    """The Table Schema template of an item (a copy), or None when it has none."""
    if obligation.template is None:
        return None
    found = _load(obligation.jurisdiction, obligation.template)
    return json.loads(json.dumps(found)) if found is not None else None


def template_for(identifier: str) -> dict[str, Any] | None:
    """The template of an item by id (``GT-LAIP-10.4``), or None (unknown item, or none)."""
    item = find(identifier)
    return template_of(item) if item is not None else None


def template_path(obligation: Obligation) -> Path | None:
    """Where an item's template file is (None: the item names none)."""
    if obligation.template is None:
        return None
    return TEMPLATES / obligation.jurisdiction.lower() / f"{obligation.template}.json"


def api_url(identifier: str) -> str:
    """The API address that serves an item's template (catalog/api/templates.py)."""
    return urls.absolute(f"/api/v1/transparency/templates/{identifier}")


# ------------------------------------------------------------------ conformance


def check_package(
    package: Mapping[str, Any], publisher: Mapping[str, Any] | None = None
) -> list[Finding]:
    """Findings of a dataset's conformance to the templates of the items it cites.

    ``package`` is the descriptor with its schemas inline (validate.py's ``_resolve``);
    ``publisher`` the publisher's YAML when known (for the applicability notice)."""
    cited = package.get("obligations")
    if not isinstance(cited, list):
        return []  # metadata.py reports a malformed list
    findings: list[Finding] = []
    for identifier in dict.fromkeys(c for c in cited if isinstance(c, str)):
        item = find(identifier)
        if item is None:
            continue  # metadata.py reports an unknown item
        if publisher is not None:
            findings += _applicability(item, publisher, package)
        template = template_of(item)
        if template is not None:
            findings += _conformance(item, template, package)
    return findings


def _applicability(
    item: Obligation, publisher: Mapping[str, Any], package: Mapping[str, Any]
) -> list[Finding]:
    country = _country(publisher)
    if country == item.jurisdiction and item.applies_to_publisher(publisher):
        return []
    if country != item.jurisdiction:
        text = _(
            "Dataset {dataset} cites {obligation}, an item of {code}, but its publisher answers to {country}."
        )
        hint = _("Cite the items of the {country} profile, or remove {obligation}.")
    else:
        text = _(
            "Dataset {dataset} cites {obligation}, which does not apply to its publisher: "
            "it binds {applies_to}."
        )
        hint = _(
            'If the publisher has that duty, declare it in publishers/{publisher}.yaml ("duties"); '
            "otherwise remove {obligation}. Until then it counts for nothing in compliance."
        )
    finding = Finding(
        type=NOT_BINDING,
        text=text,
        hint=hint,
        params={
            "dataset": _dataset(package),
            "obligation": item.id,
            "code": item.jurisdiction,
            "country": country,
            "applies_to": ", ".join(item.applies_to),
            "publisher": str(package.get("publisher") or ""),
        },
        blocking=False,
    )
    return [finding]


def _country(publisher: Mapping[str, Any]) -> str:
    place = publisher.get("jurisdiction")
    country = place.get("country") if isinstance(place, dict) else None
    return str(country).upper() if isinstance(country, str) and country else "GT"


def _dataset(package: Mapping[str, Any]) -> str:
    return f"{package.get('publisher') or '?'}/{package.get('name') or '?'}"


def _fields_of(resource: Any) -> list[dict[str, Any]]:
    schema = resource.get("schema") if isinstance(resource, dict) else None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def _conformance(
    item: Obligation, template: dict[str, Any], package: Mapping[str, Any]
) -> list[Finding]:
    wanted = [f for f in template.get("fields") or [] if isinstance(f, dict) and f.get("name")]
    resources = [r for r in package.get("resources") or [] if _fields_of(r)]
    base = {
        "dataset": _dataset(package),
        "obligation": item.id,
        "template": str(template.get("name") or item.template),
        "url": api_url(item.id),
    }
    if not resources:
        return [
            _finding(
                _(
                    "Dataset {dataset} cites {obligation} but has no table with a Table Schema "
                    'to check against the template "{template}".'
                ),
                _(
                    "Add a resource with a schema holding the template's fields ({fields}; "
                    "template: {url}), or remove {obligation} from obligations."
                ),
                None,
                None,
                {**base, "fields": ", ".join(str(f["name"]) for f in wanted)},
            )
        ]
    names = {str(f["name"]) for f in wanted}

    def held(resource: Any) -> int:
        return len(names & {str(f.get("name")) for f in _fields_of(resource)})

    checked = max(resources, key=held)  # the first of the best, in the package's order
    resource = str(checked.get("name") or "?")
    have = {str(f.get("name")): f for f in _fields_of(checked)}
    findings: list[Finding] = []
    for want in wanted:
        name = str(want["name"])
        params = {**base, "resource": resource, "field": name}
        found = have.get(name)
        if found is None:
            findings.append(_missing(want, have, params))
        else:
            findings += _field_problems(want, found, params)
    return findings


def _finding(
    text: str, hint: str, resource: str | None, field: str | None, params: dict[str, Any]
) -> Finding:
    return Finding(
        type=ERROR, resource=resource, fieldName=field, text=text, hint=hint, params=params
    )


def _missing(want: dict[str, Any], have: dict[str, Any], params: dict[str, Any]) -> Finding:
    text = _(
        'Dataset {dataset} cites {obligation}, but resource "{resource}" has no field '
        '"{field}" of the template "{template}".'
    )
    alike = next((n for n in have if n.lower() == str(want["name"]).lower()), None)
    if alike is not None:
        hint = _('Rename the field "{actual}" to "{field}": names are case-sensitive.')
        params = {**params, "actual": alike}
    else:
        hint = _(
            'Add a field "{field}" of type {type} to resource "{resource}" (template: {url}), '
            "or remove {obligation} from obligations."
        )
        params = {**params, "type": str(want.get("type") or "string")}
    return _finding(text, hint, params["resource"], params["field"], params)


def _field_problems(
    want: dict[str, Any], found: dict[str, Any], params: dict[str, Any]
) -> list[Finding]:
    resource, field = params["resource"], params["field"]
    kind = str(want.get("type") or "string")
    actual = str(found.get("type") or "string")
    if actual not in COMPATIBLE.get(kind, (kind,)):
        return [
            _finding(
                _(
                    'Field "{field}" of resource "{resource}" has type {actual}; the template '
                    '"{template}" of {obligation} asks for {type}.'
                ),
                _('Declare "type": "{type}" for "{field}" and write its values as {type}.'),
                resource,
                field,
                {**params, "actual": actual, "type": kind},
            )
        ]
    return [
        _finding(text, hint, resource, field, {**params, **extra})
        for text, hint, extra in _weaker(want, found)
    ]


def _weaker(want: dict[str, Any], found: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The template's constraints the dataset's field does not keep as strictly."""
    need = want.get("constraints") if isinstance(want.get("constraints"), dict) else {}
    has = found.get("constraints") if isinstance(found.get("constraints"), dict) else {}
    assert isinstance(need, dict) and isinstance(has, dict)
    problems: list[tuple[str, str, dict[str, Any]]] = []
    if need.get("required") is True and has.get("required") is not True:
        problems.append(
            (
                _(
                    'Field "{field}" of resource "{resource}" may be empty; the template '
                    '"{template}" of {obligation} requires it.'
                ),
                _('Add "constraints": {{"required": true}} to "{field}" and fill it in every row.'),
                {},
            )
        )
    enum = need.get("enum")
    if isinstance(enum, list):
        own = has.get("enum")
        if not isinstance(own, list) or not set(map(str, own)) <= set(map(str, enum)):
            problems.append(
                (
                    _(
                        'Field "{field}" of resource "{resource}" allows values outside the '
                        'template "{template}" of {obligation}: {allowed}.'
                    ),
                    _('Declare "enum" for "{field}" with values among: {allowed}.'),
                    {"allowed": ", ".join(map(str, enum))},
                )
            )
    for bound, tighter in (("minimum", lambda a, b: a >= b), ("maximum", lambda a, b: a <= b)):
        limit, own_limit = need.get(bound), has.get(bound)
        if not _number(limit):
            continue
        if not _number(own_limit) or not tighter(own_limit, limit):
            problems.append(
                (
                    _(
                        'Field "{field}" of resource "{resource}" lacks the {bound} {limit} of '
                        'the template "{template}" of {obligation}.'
                    ),
                    _('Declare "{bound}": {limit} (or a stricter one) for "{field}".'),
                    {"bound": bound, "limit": limit},
                )
            )
    pattern = need.get("pattern")
    if isinstance(pattern, str) and not _keeps_pattern(pattern, has):
        problems.append(
            (
                _(
                    'Field "{field}" of resource "{resource}" does not keep the pattern '
                    '{pattern} of the template "{template}" of {obligation}.'
                ),
                _('Declare "pattern": "{pattern}" for "{field}".'),
                {"pattern": pattern},
            )
        )
    return problems


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _keeps_pattern(pattern: str, has: dict[str, Any]) -> bool:
    if has.get("pattern") == pattern:
        return True
    own = has.get("enum")
    if not isinstance(own, list) or not own:
        return False
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return all(compiled.fullmatch(str(v)) for v in own)


def publisher_of(package: Mapping[str, Any], root: Path | None) -> dict[str, Any] | None:
    """The YAML of a dataset's publisher under the content root, when it can be read."""
    from catalog.content import is_slug, read_yaml
    from catalog.errors import ContentError

    slug = package.get("publisher")
    if root is None or not is_slug(slug):
        return None
    path = root / "publishers" / f"{slug}.yaml"
    try:
        data = read_yaml(path) if path.is_file() else None
    except ContentError:
        return None
    return data if isinstance(data, dict) else None
