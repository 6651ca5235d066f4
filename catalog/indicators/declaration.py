"""An indicator as a dataset declares it: the ``indicators`` list of its datapackage.json.

``check_package`` checks every declaration against the dataset's own resources and
fields (findings of type ``indicator-error``, worded in Spanish or English);
``declared`` returns the declarations that passed, normalised, for the computation.
See docs/indicators.md for the format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from catalog.content import is_slug, read_json
from catalog.errors import ContentError
from catalog.findings import Finding
from catalog.i18n import _

FINDING = "indicator-error"
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LEVELS = ("department", "municipality")
POLARITIES = ("higher-better", "lower-better")
KINDS = ("sex", "age", "area", "people", "other")
AGGREGATES = ("mean", "sum")
LANGS = ("es", "en")
NUMERIC = ("integer", "number")


class Indicator(TypedDict):
    """A checked declaration, with every optional part filled in."""

    id: str
    dataset: str
    name: dict[str, str]
    definition: dict[str, str]
    unit: dict[str, str]
    theme: str
    resource: str
    filter: dict[str, list[Any]]
    computation: dict[str, Any]
    kind: str  # value | ratio | population
    polarity: str
    territory: dict[str, str]
    period: str
    disaggregations: list[dict[str, str]]
    baseline: dict[str, Any] | None
    target: dict[str, Any] | None
    source: str
    method: str


def _finding(dataset: str | None, where: str, text: str, hint: str, /, **params: object) -> Finding:
    return Finding(
        type=FINDING,
        dataset=dataset,
        fieldName=where,
        text=text,
        hint=hint,
        params={"where": where, **params},
    )


def _texts(value: Any) -> dict[str, str] | None:
    """``"texto"`` or ``{"es": ..., "en": ...}`` as both languages (None if neither)."""
    if isinstance(value, str) and value.strip():
        return {"es": value, "en": value}
    if isinstance(value, dict):
        found = {k: v for k, v in value.items() if k in LANGS and isinstance(v, str) and v.strip()}
        if found:
            first = found.get("es") or next(iter(found.values()))
            return {lang: found.get(lang, first) for lang in LANGS}
    return None


def _fields(package: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{resource name: {field name: field}}`` of the package's inline schemas."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for resource in package.get("resources") or []:
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            continue
        schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
        fields = schema.get("fields") if isinstance(schema, dict) else None
        out[resource["name"]] = {
            f["name"]: f
            for f in fields or []
            if isinstance(f, dict) and isinstance(f.get("name"), str)
        }
    return out


def _goal(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    number, year = value.get("value"), value.get("year")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
        return None
    return {"value": float(number), "year": year, "note": str(value.get("note") or "")}


class _Check:
    """Checks one declaration, collecting findings; ``result`` is None when any failed."""

    def __init__(self, dataset: str | None, where: str, fields: dict[str, dict[str, Any]]):
        self.dataset = dataset
        self.where = where
        self.fields = fields
        self.findings: list[Finding] = []

    def fail(self, at: str, text: str, hint: str, /, **params: object) -> None:
        self.findings.append(_finding(self.dataset, f"{self.where}.{at}", text, hint, **params))

    def field(self, part: str, name: Any, numeric: bool = False) -> str | None:
        if not isinstance(name, str) or name not in self.fields:
            self.fail(
                part,
                _("The indicator names a field that the resource does not have: {value}."),
                _("Use one of the resource's fields: {allowed}."),
                value=name,
                allowed=", ".join(self.fields) or "-",
            )
            return None
        if numeric and self.fields[name].get("type") not in NUMERIC:
            self.fail(
                part,
                _("The field {value} is not numeric, so the indicator cannot compute with it."),
                _("Use a field of type integer or number."),
                value=name,
            )
            return None
        return name


def _filter(check: _Check, part: str, value: Any) -> dict[str, list[Any]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.fail(
            part,
            _("The filter must be an object of field names and lists of values."),
            _("Write it as {example}."),
            example='{"vacuna": ["SPR"]}',
        )
        return {}
    out = {}
    for name, values in value.items():
        if check.field(f"{part}.{name}", name) is None:
            continue
        out[name] = values if isinstance(values, list) else [values]
    return out


def _computation(check: _Check, value: Any) -> tuple[str, dict[str, Any]]:
    example = '{"numerator": "casos", "denominator": "poblacion", "scale": 100}'
    if not isinstance(value, dict):
        check.fail(
            "computation",
            _("The indicator does not say how it is computed."),
            _(
                'Give "computation": a value field, numerator and denominator fields, or a numerator with "per" and "population", as in {example}.'
            ),
            example=example,
        )
        return "", {}
    if "value" in value:
        aggregate = value.get("aggregate", "mean")
        if aggregate not in AGGREGATES:
            check.fail(
                "computation.aggregate",
                _("Unknown aggregate {value}."),
                _("Use one of: {allowed}."),
                value=aggregate,
                allowed=", ".join(AGGREGATES),
            )
        field = check.field("computation.value", value.get("value"), numeric=True)
        return "value", {"value": field, "aggregate": aggregate}
    numerator = check.field("computation.numerator", value.get("numerator"), numeric=True)
    if "denominator" in value:
        denominator = check.field("computation.denominator", value.get("denominator"), True)
        scale = value.get("scale", 1)
        if not isinstance(scale, int | float) or isinstance(scale, bool) or scale <= 0:
            check.fail(
                "computation.scale",
                _("The scale must be a positive number (100 for a percentage)."),
                _("Fix the value of {where}."),
            )
            scale = 1
        return "ratio", {"numerator": numerator, "denominator": denominator, "scale": scale}
    per, population = value.get("per"), value.get("population")
    if not isinstance(per, int | float) or isinstance(per, bool) or per <= 0:
        check.fail(
            "computation.per",
            _(
                'A rate needs a denominator field, or "per" (1000 for per 1,000 inhabitants) and a population.'
            ),
            _("Add one of them, as in {example}."),
            example=example,
        )
        return "", {}
    ok = (
        isinstance(population, dict)
        and isinstance(population.get("dataset"), str)
        and "/" in population["dataset"]
        and isinstance(population.get("resource"), str)
        and isinstance(population.get("field", "personas"), str)
    )
    if not ok:
        check.fail(
            "computation.population",
            _("The population of a rate must name its dataset, resource and field."),
            _("Write it as {example}."),
            example='{"dataset": "ine/proyecciones-poblacion", "resource": "poblacion", "field": "personas"}',
        )
        return "", {}
    assert isinstance(population, dict)
    wanted = population.get("filter") or {}
    return "population", {
        "numerator": numerator,
        "per": per,
        "population": {
            "dataset": population["dataset"],
            "resource": population["resource"],
            "field": population.get("field", "personas"),
            "period": population.get("period", "anio"),
            "filter": {
                k: v if isinstance(v, list) else [v]
                for k, v in (wanted.items() if isinstance(wanted, dict) else [])
            },
        },
    }


def _one(
    dataset: str | None,
    index: int,
    raw: Any,
    package: dict[str, Any],
    resources: dict[str, dict[str, dict[str, Any]]],
    seen: set[str],
) -> tuple[Indicator | None, list[Finding]]:
    where = f"indicators[{index}]"
    if not isinstance(raw, dict):
        finding = _finding(
            dataset,
            where,
            _("Each indicator must be an object."),
            _("See docs/indicators.md for its properties."),
        )
        return None, [finding]
    ident = raw.get("id")
    if isinstance(ident, str) and ID.match(ident):
        where = f"indicators[{ident}]"
    resource = raw.get("resource")
    if resource is None and len(resources) == 1:
        resource = next(iter(resources))
    check = _Check(dataset, where, resources.get(resource, {}) if isinstance(resource, str) else {})
    if not isinstance(ident, str) or not ID.match(ident):
        check.fail(
            "id",
            _("The indicator id {value} is not valid."),
            _("Use lower-case letters, digits and hyphens (up to 64), unique in the catalogue."),
            value=ident,
        )
    elif ident in seen:
        check.fail(
            "id", _("Two indicators have the id {value}."), _("Give each its own id."), value=ident
        )
    if not isinstance(resource, str) or resource not in resources:
        check.fail(
            "resource",
            _("The indicator names a resource the dataset does not have: {value}."),
            _("Use one of: {allowed}."),
            value=resource,
            allowed=", ".join(resources) or "-",
        )
        return None, check.findings
    texts = {}
    for part in ("name", "definition", "unit"):
        texts[part] = _texts(raw.get(part))
        if texts[part] is None:
            check.fail(
                part,
                _("The indicator has no {part}."),
                _("Give it as text, or in both languages as {example}."),
                part=part,
                example='{"es": "...", "en": "..."}',
            )
    polarity = raw.get("polarity")
    if polarity not in POLARITIES:
        check.fail(
            "polarity",
            _("Unknown polarity {value}."),
            _("Use one of: {allowed}."),
            value=polarity,
            allowed=", ".join(POLARITIES),
        )
    territory = raw.get("territory")
    level = territory.get("level") if isinstance(territory, dict) else None
    place = check.field(
        "territory.field", territory.get("field") if isinstance(territory, dict) else None
    )
    if level not in LEVELS:
        check.fail(
            "territory.level",
            _("Unknown territorial level {value}."),
            _("Use one of: {allowed}."),
            value=level,
            allowed=", ".join(LEVELS),
        )
    period = check.field("period", raw.get("period"))
    kind, computation = _computation(check, raw.get("computation"))
    wanted = _filter(check, "filter", raw.get("filter"))
    groups = []
    for n, item in enumerate(raw.get("disaggregations") or []):
        part = f"disaggregations[{n}]"
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            check.fail(
                part,
                _("A disaggregation needs a field and a kind."),
                _("Use a kind among: {allowed}."),
                allowed=", ".join(KINDS),
            )
            continue
        name = check.field(f"{part}.field", item.get("field"))
        if name:
            group = {"field": name, "kind": str(item["kind"])}
            if isinstance(item.get("population"), str):
                group["population"] = item["population"]
            groups.append(group)
    baseline, target = raw.get("baseline"), raw.get("target")
    for part, value in (("baseline", baseline), ("target", target)):
        if value is not None and _goal(value) is None:
            check.fail(
                part,
                _("The {part} needs a number and a year."),
                _("Write it as {example}."),
                part=part,
                example='{"value": 95, "year": 2030}',
            )
    if check.findings:
        return None, check.findings
    assert isinstance(ident, str) and isinstance(territory, dict) and place and period
    seen.add(ident)
    themes = package.get("themes") or []
    theme = raw.get("theme") if isinstance(raw.get("theme"), str) else None
    return (
        Indicator(
            id=ident,
            dataset=dataset or "",
            name=texts["name"] or {},
            definition=texts["definition"] or {},
            unit=texts["unit"] or {},
            theme=theme or (str(themes[0]) if themes else "SOCI"),
            resource=resource,
            filter=wanted,
            computation=computation,
            kind=kind,
            polarity=str(polarity),
            territory={"field": place, "level": str(level)},
            period=period,
            disaggregations=groups,
            baseline=_goal(baseline),
            target=_goal(target),
            source=str(raw.get("source") or ""),
            method=str(raw.get("method") or ""),
        ),
        [],
    )


def _dataset_id(package: dict[str, Any]) -> str | None:
    publisher, name = package.get("publisher"), package.get("name")
    if isinstance(publisher, str) and isinstance(name, str):
        return f"{publisher}/{name}"
    return None


def parse(
    package: dict[str, Any], dataset: str | None = None
) -> tuple[list[Indicator], list[Finding]]:
    """The valid declarations of ``package`` and the findings about the others."""
    raw = package.get("indicators")
    dataset = dataset or _dataset_id(package)
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        finding = _finding(
            dataset,
            "indicators",
            _("The indicators property must be a list."),
            _("See docs/indicators.md for its properties."),
        )
        return [], [finding]
    resources = _fields(package)
    found: list[Indicator] = []
    findings: list[Finding] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        indicator, problems = _one(dataset, index, item, package, resources, seen)
        findings += problems
        if indicator is not None:
            found.append(indicator)
    return found, findings


def check_package(package: dict[str, Any]) -> list[Finding]:
    """Findings about the ``indicators`` a descriptor declares (none when it declares none)."""
    return parse(package)[1]


def declared(package: dict[str, Any], dataset: str | None = None) -> list[Indicator]:
    """The declarations of ``package`` that pass the checks."""
    return parse(package, dataset)[0]


def population_findings(
    package: dict[str, Any],
    resources_of: Callable[[str], list[str] | None],
    dataset: str | None = None,
) -> list[Finding]:
    """Warnings about rates per population whose population is not in the catalogue.

    ``resources_of(dataset id)`` gives the resource names of a dataset of the catalogue,
    or None when there is no such dataset: the content root's descriptors
    (``population_in_content``) when ``catalog validate`` or ``catalog build`` knows the
    root. Not blocking: the indicator has no values until the population is published.
    """
    found = []
    for indicator in declared(package, dataset):
        if indicator["kind"] != "population":
            continue
        spec = indicator["computation"]["population"]
        where = f"indicators[{indicator['id']}].computation.population"
        resources = resources_of(spec["dataset"])
        if resources is None:
            finding = _finding(
                indicator["dataset"] or dataset,
                where,
                _(
                    "Indicator {id} is a rate per population of dataset {value}, which is "
                    "not in the catalogue."
                ),
                _(
                    "Publish the population dataset {value} (datasets/{value}/), or name "
                    "the dataset id (publisher/name) of one the catalogue has."
                ),
                id=indicator["id"],
                value=spec["dataset"],
            )
        elif spec["resource"] not in resources:
            finding = _finding(
                indicator["dataset"] or dataset,
                where,
                _(
                    "Indicator {id} divides by resource {resource} of dataset {value}, "
                    "which has no such resource."
                ),
                _("Use one of its resources: {allowed}."),
                id=indicator["id"],
                value=spec["dataset"],
                resource=spec["resource"],
                allowed=", ".join(resources) or "-",
            )
        else:
            continue
        finding.blocking = False
        found.append(finding)
    return found


def population_in_content(root: Path) -> Callable[[str], list[str] | None]:
    """``resources_of`` over the datasets of a content root (``datasets/<pub>/<name>/``)."""

    def resources_of(ident: str) -> list[str] | None:
        publisher, _sep, name = ident.partition("/")
        if not is_slug(publisher) or not is_slug(name):
            return None
        path = root / "datasets" / publisher / name / "datapackage.json"
        try:
            descriptor = read_json(path) if path.is_file() else None
        except ContentError:
            descriptor = None
        if not isinstance(descriptor, dict):
            return None
        return _names(descriptor.get("resources"))

    return resources_of


def _names(resources: object) -> list[str]:
    items = resources if isinstance(resources, list) else []
    return [r["name"] for r in items if isinstance(r, dict) and isinstance(r.get("name"), str)]
