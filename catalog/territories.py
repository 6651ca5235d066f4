"""The territories of each jurisdiction and their official codes.

Two levels per country, called ``department`` and ``municipality`` in the code whatever
the country names them:

* Guatemala (``GT``): 22 departamentos and 340 municipios, INE codes. A department is
  two digits (``01`` Guatemala … ``22`` Jutiapa); a municipality its department's code
  plus two digits (``0101`` Guatemala, ``1601`` Cobán).
* Chile (``CL``): 16 regiones and 346 comunas, Código Único Territorial (SUBDERE). A
  region is two digits (``13`` Metropolitana), a comuna five (``13101`` Santiago).
* Paraguay (``PY``): 17 departamentos and the capital (``00`` Asunción), INE codes of
  two digits, and 263 distritos, four digits: the department's code, then the district's
  number (``1101`` Areguá; Asunción's own district is ``0000``).

Where each list comes from, and how it was checked: ``catalog/data/TERRITORIES-SOURCE.txt``.

The lists live in ``catalog/data/<country>_territories.csv`` so they can be corrected
without touching code (new municipalities are created by law every few years).

Codes repeat between countries (``13`` is Huehuetenango and Santiago's region), so
wherever territories of several countries meet (site pages, coverage, indicators) a
territory is named by its *key*: the bare code for Guatemala, the default jurisdiction
(``0101``), and ``<country>-<code>`` elsewhere (``CL-13101``, ``PY-11``). Every function
below takes a key, or a bare code with ``country=``; what it returns is in the same form
as what it was given. Without ``country`` a bare code is Guatemalan, so callers written
for Guatemala keep working unchanged.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).parent / "data"
DEFAULT_COUNTRY = "GT"
DEPARTMENT = "departamento"  # the value of ``nivel`` in Guatemala's file
MUNICIPALITY = "municipio"
LEVELS = ("department", "municipality")


@dataclass(frozen=True)
class Country:
    """How one country's file names its levels, and how long their codes are."""

    file: str
    first: str  # ``nivel`` of the first level (and the name of the parent column)
    second: str  # ``nivel`` of the second level
    digits: tuple[int, int]  # length of a first- and a second-level code
    names: dict[str, dict[str, str]]  # level -> language -> plural name of the level
    examples: tuple[str, str]  # a well-known code of each level, for messages
    singular: dict[str, dict[str, str]]  # level -> language -> name of one, capitalised


COUNTRIES: dict[str, Country] = {
    "GT": Country(
        "gt_territories.csv",
        DEPARTMENT,
        MUNICIPALITY,
        (2, 4),
        {
            "department": {"es": "departamentos", "en": "departments"},
            "municipality": {"es": "municipios", "en": "municipalities"},
        },
        ("01", "0101"),
        {
            "department": {"es": "Departamento", "en": "Department"},
            "municipality": {"es": "Municipio", "en": "Municipality"},
        },
    ),
    "CL": Country(
        "cl_territories.csv",
        "region",
        "comuna",
        (2, 5),
        {
            "department": {"es": "regiones", "en": "regions"},
            "municipality": {"es": "comunas", "en": "communes"},
        },
        ("13", "13101"),
        {
            "department": {"es": "Región", "en": "Region"},
            "municipality": {"es": "Comuna", "en": "Commune"},
        },
    ),
    "PY": Country(
        "py_territories.csv",
        "departamento",
        "distrito",
        (2, 4),
        {
            "department": {"es": "departamentos", "en": "departments"},
            "municipality": {"es": "distritos", "en": "districts"},
        },
        ("11", "1101"),
        {
            "department": {"es": "Departamento", "en": "Department"},
            "municipality": {"es": "Distrito", "en": "District"},
        },
    ),
}
DATA = FOLDER / COUNTRIES["GT"].file  # Guatemala's list (read by the benchmarks and tests)


NAMES = {"GT": "Guatemala", "CL": "Chile", "PY": "Paraguay"}


def country_name(country: str) -> str:
    """The name of a country whose territories ship (``Chile``), else its code."""
    return NAMES.get(country.upper(), country)


def countries() -> list[str]:
    """The countries whose territory codes ship with the catalogue (``GT``, ``CL``, ``PY``)."""
    return list(COUNTRIES)


def key(code: str, country: str | None = None) -> str:
    """The key of a bare ``code`` of ``country``: ``0101`` in Guatemala, ``CL-13101``."""
    country = (country or DEFAULT_COUNTRY).upper()
    return code if country == DEFAULT_COUNTRY else f"{country}-{code}"


def split(value: str, country: str | None = None) -> tuple[str, str]:
    """``(country, bare code)`` of a key (``CL-13101``) or of a bare code of ``country``."""
    if country is None and len(value) > 3 and value[2] == "-" and value[:2] in COUNTRIES:
        return value[:2], value[3:]
    return (country or DEFAULT_COUNTRY).upper(), value


@lru_cache(maxsize=8)
def _rows(country: str) -> tuple[dict[str, str], ...]:
    spec = COUNTRIES[country]
    with (FOLDER / spec.file).open(encoding="utf-8", newline="") as fh:
        rows = []
        for row in csv.DictReader(fh):
            level = "department" if row["nivel"] == spec.first else "municipality"
            parent = (row.get(spec.first) or "") if level == "municipality" else ""
            rows.append(
                {"code": row["codigo"], "name": row["nombre"], "level": level, "parent": parent}
            )
        return tuple(rows)


@lru_cache(maxsize=8)
def _by_code(country: str) -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in _rows(country)}


def _row(code: object, country: str | None) -> tuple[str, dict[str, str] | None]:
    """The country and the row of a key or bare code (None when unknown)."""
    if not isinstance(code, str):
        return DEFAULT_COUNTRY, None
    where, bare = split(code, country)
    if where not in COUNTRIES:
        return where, None
    return where, _by_code(where).get(bare)


def _qualified(code: str, country: str | None) -> bool:
    return country is None and split(code)[0] != DEFAULT_COUNTRY


def departments(country: str | None = None) -> list[dict[str, str]]:
    """Every first-level territory as ``{"code", "name"}``, in official order; ``code``
    is the key (the bare code in Guatemala, ``CL-13`` in Chile)."""
    where = (country or DEFAULT_COUNTRY).upper()
    return [
        {"code": key(r["code"], where), "name": r["name"]}
        for r in _rows(where)
        if r["level"] == "department"
    ]


def municipalities(
    department: str | None = None, country: str | None = None
) -> list[dict[str, str]]:
    """Second-level territories as ``{"code", "name", "department"}`` (keys), all of
    ``country`` or one department's (``department`` as a key, or bare with ``country``)."""
    where = (country or DEFAULT_COUNTRY).upper()
    if department is not None:
        where, department = split(department, country)
    return [
        {"code": key(r["code"], where), "name": r["name"], "department": key(r["parent"], where)}
        for r in _rows(where)
        if r["level"] == "municipality" and department in (None, r["parent"])
    ]


def name(code: str, country: str | None = None) -> str | None:
    """The name of a department or municipality, or None for an unknown code."""
    return (_row(code, country)[1] or {}).get("name")


def level(code: object, country: str | None = None) -> str | None:
    """``department``, ``municipality`` or None for an unknown code."""
    return (_row(code, country)[1] or {}).get("level")


def is_department(code: object, country: str | None = None) -> bool:
    return level(code, country) == "department"


def is_municipality(code: object, country: str | None = None) -> bool:
    return level(code, country) == "municipality"


def department_of(code: str, country: str | None = None) -> str | None:
    """The department a municipality belongs to (None if not a municipality), as a key
    when ``code`` is one, bare when ``country`` is given."""
    where, row = _row(code, country)
    if row is None or row["level"] != "municipality":
        return None
    return key(row["parent"], where) if _qualified(code, country) else row["parent"]


def country_of(code: str) -> str:
    """The country of a key: ``CL`` for ``CL-13101``, ``GT`` for ``0101``."""
    return split(code)[0]


def level_name(country: str, which: str, lang: str = "es") -> str:
    """What ``country`` calls a level, plural: ``comunas`` for Chile's municipalities."""
    spec = COUNTRIES.get(country.upper(), COUNTRIES[DEFAULT_COUNTRY])
    return spec.names[which]["en" if lang == "en" else "es"]


def level_label(country: str, which: str, lang: str = "es") -> str:
    """What ``country`` calls one territory of a level: ``Comuna``, ``Región``."""
    spec = COUNTRIES.get(country.upper(), COUNTRIES[DEFAULT_COUNTRY])
    return spec.singular[which]["en" if lang == "en" else "es"]


def example(country: str, which: str) -> str:
    """A well-known code of the level and its name, for messages: ``13101 (Santiago)``
    for a Chilean comuna; empty when the level's list does not ship."""
    spec = COUNTRIES.get(country.upper())
    if spec is None:
        return ""
    code = spec.examples[LEVELS.index(which)]
    found = _by_code(country.upper()).get(code)
    return f"{code} ({found['name']})" if found and found["level"] == which else ""


def digits(country: str, which: str) -> int:
    """How many digits a code of the level has in ``country``."""
    spec = COUNTRIES.get(country.upper(), COUNTRIES[DEFAULT_COUNTRY])
    return spec.digits[LEVELS.index(which)]


def dataset_country(package: object, publisher: object = None) -> str:
    """The country of a dataset's territory codes: its ``spatial.country``, else its
    publisher's ``jurisdiction.country`` (a publisher's YAML as a dict), else Guatemala.
    Only the countries in ``COUNTRIES`` have codes to check against."""
    for holder, field in ((package, "spatial"), (publisher, "jurisdiction")):
        where = holder.get(field) if isinstance(holder, dict) else None
        code = where.get("country") if isinstance(where, dict) else None
        if isinstance(code, str) and len(code) == 2 and code.isalpha():
            return code.upper()
    return DEFAULT_COUNTRY
