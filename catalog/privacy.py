"""The privacy gate: what a resource must not publish, and how to fix it.

Run on every tabular resource by ``catalog.validate``:

1. direct identifiers found by content (``catalog.identifiers``), whatever the
   column is called: ``privacy-direct-identifier``, one finding per column;
2. k-anonymity over the declared ``privacy.quasiIdentifiers``: the smallest
   groups of rows sharing a combination, ``privacy-k-anonymity``;
3. small cells in the declared ``privacy.countFields``: ``privacy-small-cell``;
4. declared ``privacy.publicPersonalData`` is exempt from (1) and reported as a
   notice (``privacy-public-personal-data``, not blocking);
5. mistakes in the ``privacy`` property itself: ``privacy-declaration``.

Every personal value a finding quotes goes through ``mask`` first. The rules,
for publishers, are in ``docs/privacy.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from catalog import identifiers as ids
from catalog.findings import Finding
from catalog.i18n import _
from catalog.identifiers import ColumnContext, Hit, mask, scan_column

__all__ = [
    "check_resource",
    "mask",
    "mask_data_errors",
    "publisher_country",
    "read_declaration",
    "use_jurisdiction",
    "Declaration",
]

DEFAULT_COUNTRY = "GT"
# The publisher's country while ``catalog validate`` checks its datasets.
_COUNTRY: contextvars.ContextVar[str | None] = contextvars.ContextVar("country", default=None)
DOCUMENTS = {"GT": "DPI (CUI)", "CL": "RUN/RUT", "PY": "cédula de identidad"}

DEFAULT_K = 5
DEFAULT_MIN_CELL_SIZE = 5
MAX_GROUP_FINDINGS = 10  # the smallest groups; the rest in one summary finding
MAX_CELL_FINDINGS = 20  # per count field; the rest in one summary finding
PRIVACY_KEYS = ("quasiIdentifiers", "k", "countFields", "minCellSize", "publicPersonalData")
NUMERIC_TYPES = frozenset({"integer", "number", "year"})
SHOWN_LENGTH = 40  # longest non-personal value quoted in a message

DIRECT_TEXT = {
    "email": _(
        'Column "{field}" holds e-mail addresses: {count} of {total} values, '
        "the first in row {row} ({value})."
    ),
    "phone": _(
        'Column "{field}" holds phone numbers: {count} of {total} values, '
        "the first in row {row} ({value})."
    ),
    "cui": _(
        'Column "{field}" holds Guatemalan CUI/DPI numbers with a valid check digit: '
        "{count} of {total} values, the first in row {row} ({value})."
    ),
    "rut": _(
        'Column "{field}" holds Chilean RUT/RUN numbers with a valid check digit: '
        "{count} of {total} values, the first in row {row} ({value})."
    ),
    "cedula": _(
        'Column "{field}" holds Paraguayan cédula numbers: {count} of {total} values, '
        "the first in row {row} ({value})."
    ),
    "name": _(
        'Column "{field}" holds what look like personal names: {count} of {total} values, '
        "the first in row {row} ({value})."
    ),
    "idnumber": _(
        'Column "{field}" is named as an identity document and holds {document} numbers: '
        "{count} of {total} values, the first in row {row} ({value})."
    ),
    "nit": _(
        'Column "{field}" holds Guatemalan NIT tax numbers of people (valid check digit): '
        "{count} of {total} values, the first in row {row} ({value})."
    ),
    "ruc": _(
        'Column "{field}" holds Paraguayan RUC numbers of people (a cédula and its check '
        "digit): {count} of {total} values, the first in row {row} ({value})."
    ),
    "address": _(
        'Column "{field}" holds home addresses: {count} of {total} values, the first in '
        "row {row} ({value})."
    ),
    "coordinates": _(
        'Column "{field}" holds the exact location of homes (coordinates with 4 or more '
        "decimals): {count} of {total} values, the first in row {row} ({value})."
    ),
    "birthdate": _(
        'Column "{field}" holds what look like exact birth dates: {count} of {total} '
        "values, the first in row {row} ({value})."
    ),
}
NAME_PARTS_TEXT = _(
    'Column "{field}" holds part of personal names ({parts} are the given names and '
    "surnames in separate columns): the first in row {row} ({value})."
)
COORDINATES_HINT = _(
    "Round the coordinates to 2 decimals (about 1 km) or publish the municipality or "
    "community instead; exact points of homes identify the people living there."
)
ADDRESS_HINT = _(
    "Remove the address or publish only the municipality, zone or community. If the rows "
    "are facilities (schools, health centres), add their name or code column so that the "
    "table says so."
)
MICRODATA_TEXT = _(
    "The table looks like microdata (one row per person: {columns}) and declares no "
    "privacy.quasiIdentifiers, so nobody checked that a person cannot be singled out."
)
MICRODATA_HINT = _(
    'Declare the quasi-identifiers and k in the resource, e.g. "privacy": '
    '{{"quasiIdentifiers": [{example}], "k": 5}}, and generalise them (age ranges, '
    "department) until every combination is shared by at least k rows."
)
AGGREGATE_TEXT = _(
    "The table counts people ({counts}) by {columns} and declares no privacy.countFields "
    "or quasiIdentifiers, so its small cells were not checked."
)
AGGREGATE_HINT = _(
    'Declare them in the resource, e.g. "privacy": {{"quasiIdentifiers": [{example}], '
    '"countFields": [{counts}], "minCellSize": 5, "k": 5}}, then suppress or merge the '
    "small cells."
)
DIRECT_HINT = _(
    "Remove the column before publishing, or replace each value with a code that cannot be "
    "traced back to the person. If a law orders it published, declare the field in "
    "privacy.publicPersonalData with its legal basis."
)
BIRTHDATE_HINT = _(
    "Publish the year of birth or an age range instead of the exact date, or remove the "
    "column. Dates that are not birth dates can be published at month or year precision."
)
K_HINT = _(
    "Generalise a quasi-identifier (age ranges instead of ages, department instead of "
    "municipality), merge small groups, or suppress these rows, until every combination is "
    "shared by at least {k} rows."
)
K_AGGREGATED_HINT = _(
    "Each row is an aggregate cell, so a combination's size is the sum of its count "
    "({field}). Generalise a quasi-identifier, merge small groups, or suppress these rows, "
    "until every combination counts at least {k} people."
)
K_MICRODATA_TEXT = _(
    "Only {size} row(s) share the quasi-identifier values {group}: fewer than "
    "k = {k}, so the people in them can be singled out."
)
K_AGGREGATED_TEXT = _(
    "The quasi-identifier values {group} count only {size} people ({field}): fewer than "
    "k = {k}, so the people in them can be singled out."
)
SMALL_CELL_HINT = _(
    "Aggregate with neighbouring rows, raise the level (department instead of municipality, "
    "wider age ranges), or suppress the count with a missing value (an empty cell)."
)


@dataclass
class Declaration:
    """The ``privacy`` property of a resource, checked; a rule that is wrong is off."""

    quasi_identifiers: list[str] = field(default_factory=list)
    k: int = DEFAULT_K
    count_fields: list[str] = field(default_factory=list)
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    public: dict[str, str] = field(default_factory=dict)  # field -> legal basis
    # field -> the kinds of personal data declared public ("kind" in the entry); by
    # default the kind the column mostly holds (names of officials, say).
    public_kinds: dict[str, set[str]] = field(default_factory=dict)
    declared: bool = False  # the resource has a privacy property at all


def _short(value: object, limit: int = SHOWN_LENGTH) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 2


# --- The privacy property -----------------------------------------------------------


def read_declaration(
    privacy: object, is_field: Callable[[str], bool]
) -> tuple[Declaration, list[Finding]]:
    """The declared rules, and a blocking ``privacy-declaration`` finding per mistake."""
    declaration, problems = Declaration(), []

    def problem(text: str, hint: str, **params: object) -> None:
        params = {key: _short(value, 60) for key, value in params.items()}
        problems.append(Finding(type="privacy-declaration", text=text, hint=hint, params=params))

    if privacy is None:
        return declaration, problems
    declaration.declared = True
    if not isinstance(privacy, dict):
        problem(
            text=_("The privacy property must be an object."),
            hint=_(
                "Write it as a JSON object with quasiIdentifiers, k, countFields, minCellSize "
                "and publicPersonalData."
            ),
        )
        return declaration, problems
    for key in privacy:
        if key not in PRIVACY_KEYS:
            problem(
                text=_('Unknown property "{key}" in privacy.'),
                hint=_(
                    "Use quasiIdentifiers, k, countFields, minCellSize or publicPersonalData; "
                    "check the spelling (a misspelt rule is not applied)."
                ),
                key=key,
            )
    declaration.quasi_identifiers = _field_list(privacy, "quasiIdentifiers", is_field, problem)
    declaration.count_fields = _field_list(privacy, "countFields", is_field, problem)
    declaration.k = _count(privacy, "k", DEFAULT_K, problem)
    declaration.min_cell_size = _count(privacy, "minCellSize", DEFAULT_MIN_CELL_SIZE, problem)
    declaration.public, declaration.public_kinds = _public_data(
        privacy.get("publicPersonalData"), is_field, problem
    )
    return declaration, problems


def _field_list(privacy: dict, key: str, is_field: Callable[[str], bool], problem) -> list[str]:
    names = privacy.get(key)
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        problem(
            text=_("privacy.{key} must be a list of field names."),
            hint=_('Write it as a JSON list of strings, e.g. ["departamento", "sexo"].'),
            key=key,
        )
        return []
    unknown = [n for n in names if not is_field(n)]
    for name in unknown:
        problem(
            text=_('privacy.{key} names "{field}", which is not a field of this resource.'),
            hint=_("Use the name of a field of the Table Schema, exactly as written there."),
            key=key,
            field=name,
        )
    return [] if unknown else list(dict.fromkeys(names))


def _count(privacy: dict, key: str, default: int, problem) -> int:
    value = privacy.get(key, default)
    if _is_count(value):
        return value
    problem(
        text=_("privacy.{key} must be a whole number of at least 2, not {value}."),
        hint=_("Set it to 5 (the default) or more."),
        key=key,
        value=value,
    )
    return default


def _public_data(
    entries: object, is_field: Callable[[str], bool], problem
) -> tuple[dict[str, str], dict[str, set[str]]]:
    public: dict[str, str] = {}
    public_kinds: dict[str, set[str]] = {}
    if entries is None:
        return public, public_kinds
    for entry in entries if isinstance(entries, list) else [entries]:
        name = entry.get("field") if isinstance(entry, dict) else None
        basis = entry.get("legalBasis") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            problem(
                text=_(
                    "Each entry of privacy.publicPersonalData must be an object with field "
                    "and legalBasis."
                ),
                hint=_(
                    'Write it as an object with "field" (a field name) and "legalBasis" '
                    "(the law that orders it published)."
                ),
            )
        elif not is_field(name):
            problem(
                text=_('privacy.{key} names "{field}", which is not a field of this resource.'),
                hint=_("Use the name of a field of the Table Schema, exactly as written there."),
                key="publicPersonalData",
                field=name,
            )
        elif isinstance(basis, str) and basis.strip() and not cites_legal_text(basis):
            problem(
                text=_(
                    'privacy.publicPersonalData declares "{field}" with the legal basis '
                    '"{basis}", which cites no law and article.'
                ),
                hint=_(
                    "Cite the legal text that orders it published: the law, decree or "
                    'agreement, its number and the article, e.g. "Decreto 57-2008, art. 10, '
                    'num. 4" or "Ley 20.285, art. 7, letra d". "N/A" or "pendiente" is no '
                    "legal basis: without one, the column cannot be published."
                ),
                field=name,
                basis=basis,
            )
        elif not isinstance(basis, str) or not basis.strip():
            problem(
                text=_('privacy.publicPersonalData declares "{field}" without a legal basis.'),
                hint=_(
                    'Add "legalBasis": the law and article that order it published, e.g. '
                    '"Decreto 57-2008, art. 10, num. 4". Without one, the column cannot be '
                    "published."
                ),
                field=name,
            )
        else:
            public[name] = basis.strip()
            kinds = entry.get("kind", entry.get("kinds")) if isinstance(entry, dict) else None
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if isinstance(kinds, list):
                public_kinds[name] = {str(k) for k in kinds}
    return public, public_kinds


LEGAL_TEXT = re.compile(
    r"\b(?:ley|leyes|decreto|decretos|dto|acuerdo|acuerdos|reglamento|resolucion|codigo|"
    r"constitucion|dfl|d\.f\.l|law|decree|act)\b"
)
ARTICLE = re.compile(
    r"\b(?:art|arts|articulo|articulos|numeral|num|inciso|literal|letra|lit|parrafo|"
    r"article|section|sec)\b|§"
)


def cites_legal_text(basis: str) -> bool:
    """A citation of a legal text: a law, decree or agreement, a number and an article."""
    text = ids.normalize_word(basis[:500])
    return bool(LEGAL_TEXT.search(text) and re.search(r"\d", text) and ARTICLE.search(text))


# --- The resource -------------------------------------------------------------------


class _Resource:
    """One resource's frame, its fields and how to place a finding in it."""

    def __init__(self, frame: object, resource: dict[str, Any], dataset_id: str, rows: object):
        self.frame = _as_text(frame)
        self.descriptor = resource
        self.dataset = dataset_id
        self.name = resource.get("name") if isinstance(resource.get("name"), str) else None
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        self.fields = [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []
        self.columns = _field_columns(self.fields, self.frame.columns)
        self.names = {column: name for name, column in self.columns.items()}
        self.rows = (
            rows.cast(pl.Int64, strict=False)
            if isinstance(rows, pl.Series) and rows.len() == self.frame.height
            else None
        )

    def is_field(self, name: str) -> bool:
        return self.column(name) is not None

    def column(self, name: str) -> str | None:
        """The frame column of a field, by field name (or header label)."""
        if name in self.columns:
            return self.columns[name]
        return name if name in self.frame.columns else None

    def field_of(self, column: str) -> dict[str, Any]:
        name = self.names.get(column, column)
        return next((f for f in self.fields if f.get("name") == name), {})

    def row(self, index: int | None) -> int | None:
        if index is None:
            return None
        number = self.rows[index] if self.rows is not None else None
        return int(number) if number is not None else index + 2

    def finding(self, type: str, column: str | None = None, **kwargs: Any) -> Finding:
        name = self.names.get(column, column) if column is not None else None
        return Finding(
            type=type, dataset=self.dataset, resource=self.name, fieldName=name, **kwargs
        )


def _as_text(frame: object) -> pl.DataFrame:
    """The frame with every column as strings; a column that cannot be read is left out."""
    if not isinstance(frame, pl.DataFrame):
        return pl.DataFrame()
    columns = []
    for series in frame.get_columns():
        try:
            text = series if series.dtype == pl.Utf8 else series.cast(pl.Utf8, strict=False)
        except (pl.exceptions.PolarsError, TypeError, ValueError):
            continue  # nested or binary junk: nothing a person's identifier could hide in as text
        columns.append(text)
    return pl.DataFrame(columns, height=frame.height) if columns else pl.DataFrame()


def _field_columns(fields: list[dict[str, Any]], columns: list[str]) -> dict[str, str]:
    """Field name -> frame column: by name, else by position as Frictionless pairs them."""
    mapping: dict[str, str] = {}
    for position, descriptor in enumerate(fields):
        name = descriptor.get("name")
        if not isinstance(name, str):
            continue
        if name in columns:
            mapping[name] = name
        elif position < len(columns) and columns[position] not in _fields_named(fields):
            mapping[name] = columns[position]
    return mapping


def _fields_named(fields: list[dict[str, Any]]) -> set[str]:
    return {f["name"] for f in fields if isinstance(f.get("name"), str)}


# --- The gate -----------------------------------------------------------------------


def publisher_country(root: Path | None, slug: object) -> str:
    """The ``jurisdiction.country`` of a publisher's YAML under ``root``; GT by default."""
    from catalog.content import is_slug, read_yaml
    from catalog.errors import ContentError

    if root is None or not is_slug(slug):
        return DEFAULT_COUNTRY
    path = root / "publishers" / f"{slug}.yaml"
    try:
        data = read_yaml(path) if path.is_file() else None
    except ContentError:
        return DEFAULT_COUNTRY
    jurisdiction = data.get("jurisdiction") if isinstance(data, dict) else None
    country = jurisdiction.get("country") if isinstance(jurisdiction, dict) else None
    if isinstance(country, str) and country.upper() in ids.COUNTRIES:
        return country.upper()
    return DEFAULT_COUNTRY


@contextlib.contextmanager
def use_jurisdiction(country: str | None) -> Iterator[None]:
    """Check resources by the rules of ``country`` (the publisher's) within the block."""
    token = _COUNTRY.set(country)
    try:
        yield
    finally:
        _COUNTRY.reset(token)


class _Meaning:
    """What each column and the whole table are about, by their labels and content."""

    def __init__(self, target: _Resource, declaration: Declaration):
        self.kinds = {c: _column_kinds(target, c) for c in target.frame.columns}
        every = set().union(*self.kinds.values()) if self.kinds else set()
        # A table of facilities: a column naming or coding them, the resource's own
        # name or title ("establecimientos_salud"), or names that are facilities'.
        about = " ".join(str(target.descriptor.get(k, "")) for k in ("name", "title"))[:300]
        self.facility = (
            "facility" in every
            or "facility" in ids.header_kinds(about)
            or any(
                _bare_name_header(target.names.get(c, c))
                and ids.names_facilities(_sample(target.frame.get_column(c), 500))
                for c, k in self.kinds.items()
                if k & {"given", "surname"}
            )
        )
        # A person's role ("beneficiario", "jefe_hogar") makes rows people or households
        # when the column codes them (codigo_beneficiario, id_hogar; or a value per row),
        # names a household, or holds names; "responsable" holding "Ministerio de
        # Cultura" row after row does not.
        roles = [
            c
            for c, k in self.kinds.items()
            if "person_role" in k and not k & {"facility", "company", "count"}
        ]
        self.household = any(
            "code" in self.kinds[c]
            or ids.names_a_household(target.names.get(c, c))
            or _one_per_row(target.frame.get_column(c))
            or _holds_names(target.frame.get_column(c))
            for c in roles
        )
        # An e-mail column counts by its content (a person's address, not "info@").
        person_columns = {"identity", "birth", "person_attr"}
        self.person_rows = bool(every & person_columns)
        # "nombre" names a station, a product or a programme as often as a person: a
        # name column makes the table about people only when its values are names. In
        # a table of facilities a bare "nombre" is the facility's, unless the table
        # also gives posts or pay (a payroll lists the office each person works in).
        staff = any("staff" in k and "facility" not in k for k in self.kinds.values())
        named = [
            c
            for c, k in self.kinds.items()
            if k & {"given", "surname"}
            and not (self.facility and not staff and _bare_name_header(target.names.get(c, c)))
        ]
        self.person = (
            bool(every & person_columns)
            or self.household
            or any(_holds_names(target.frame.get_column(c)) for c in named)
        )
        self.declaration = declaration


def _sample(series: pl.Series, size: int) -> list[str]:
    return ids.sample_values(pl.DataFrame({"v": series}), size=size).to_list()


def _bare_name_header(label: str) -> bool:
    """``nombre`` and nothing else: in a table of schools, the school's name."""
    return ids.header_tokens(label)[1] <= {"nombre", "nombres", "name"}


def _one_per_row(series: pl.Series) -> bool:
    """A different value in (nearly) every row: an identifier of the row's person."""
    sample = ids.sample_values(pl.DataFrame({"v": series}), size=2000)
    return sample.len() >= 20 and sample.n_unique() >= 0.9 * sample.len()


def _holds_names(series: pl.Series) -> bool:
    """Some of the values are listed given names or surnames, few are places or bodies."""
    sample = ids.sample_values(pl.DataFrame({"v": series}), size=500)
    known, pairs, blocked = ids.name_list_share(sample.to_list())
    return (known >= 0.5 or pairs >= 0.2) and blocked <= 0.2


def _column_kinds(target: _Resource, column: str) -> frozenset[str]:
    descriptor = target.field_of(column)
    name = descriptor.get("name")
    header = column if not isinstance(name, str) or name == column else f"{column} {name}"
    return ids.header_kinds(header)


def check_resource(
    frame: pl.DataFrame,
    resource: dict[str, Any],
    dataset_id: str,
    row_numbers: pl.Series | None = None,
    *,
    country: str | None = None,
) -> list[Finding]:
    """Privacy findings for one resource's rows (raw cell strings, one column per label).

    ``row_numbers`` gives the Frictionless row number of each frame row (the header
    is row 1); without it the first frame row is row 2. ``country`` is the
    publisher's (``use_jurisdiction`` sets it for a whole validation); without
    either, the identifiers of every known country are looked for.
    """
    resource = resource if isinstance(resource, dict) else {}
    country = country or _COUNTRY.get()
    target = _Resource(frame, resource, dataset_id, row_numbers)
    declaration, findings = read_declaration(target.descriptor.get("privacy"), target.is_field)
    for finding in findings:
        finding.dataset, finding.resource = target.dataset, target.name
    meaning = _Meaning(target, declaration)
    hits: dict[str, list[Hit]] = {}
    columns = target.frame.columns
    if target.frame.height >= PARALLEL_ROWS and len(columns) > 1:
        # The columns of a large table are scanned side by side (polars works without the GIL).
        scanned = _scan_pool().map(
            lambda column: _scan(target, column, meaning, country, meaning.person), columns
        )
        hits = dict(zip(columns, scanned, strict=True))
    else:
        for column in columns:
            hits[column] = _scan(target, column, meaning, country, meaning.person)
    hits = _repeated_phone_columns(meaning, hits)
    if not meaning.person and any(h.kind in ids.PERSON_KINDS for v in hits.values() for h in v):
        # Found by content: the table is about people after all; the rules that depend
        # on it (dates of birth, tax numbers, addresses, coordinates) look again.
        meaning.person = True
        for column in target.frame.columns:
            kinds = meaning.kinds[column]
            if kinds & {"date", "tax", "address", "coordinate", "birth", "freetext"}:
                again = _scan(target, column, meaning, country, True)
                known = {h.kind for h in hits[column]}
                hits[column] += [h for h in again if h.kind not in known]
    hits = _name_parts(target, meaning, hits)
    public = {target.column(name): name for name in declaration.public}
    for column, found in hits.items():
        shown = _not_public(found, public.get(column), declaration)
        findings += [_direct_finding(target, column, hit, country) for hit in shown]
    findings += [
        target.finding(
            "privacy-public-personal-data",
            target.column(name),
            text=_('Column "{field}" holds personal data published under {legalBasis}.'),
            hint=_("Allowed: the law orders it published. Publish only what that basis covers."),
            params={"field": _short(name, 60), "legalBasis": _short(basis, 200)},
            blocking=False,
        )
        for name, basis in declaration.public.items()
    ]
    findings += _undeclared(target, meaning, declaration)
    findings += _k_anonymity(target, declaration, hits)
    for name in declaration.count_fields:
        findings += _small_cells(target, name, declaration.min_cell_size)
    return findings


REPEATED_PHONE_COLUMNS = 3
PARALLEL_ROWS = 20_000  # tables at least this long have their columns scanned in parallel
_POOL: ThreadPoolExecutor | None = None


def _scan_pool() -> ThreadPoolExecutor:
    """The threads that scan the columns of a large table (made once)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="catalog-privacy")
    return _POOL


def _repeated_phone_columns(meaning: _Meaning, hits: dict[str, list[Hit]]) -> dict[str, list[Hit]]:
    """Three or more columns "of phones" that no header names as phones are columns of
    amounts or codes of the same shape (a budget by month: 8-digit amounts look like
    Guatemalan phones); a table lists a person's phones in one or two columns."""
    unnamed = [
        c
        for c, found in hits.items()
        if any(h.kind == "phone" for h in found) and not meaning.kinds[c] & {"phone", "freetext"}
    ]
    if len(unnamed) < REPEATED_PHONE_COLUMNS:
        return hits
    return {
        c: [h for h in found if h.kind != "phone" or c not in unnamed] for c, found in hits.items()
    }


def _not_public(hits: list[Hit], public: str | None, declaration: Declaration) -> list[Hit]:
    """The hits a publicPersonalData declaration does not cover: only the declared kind
    (by default the kind the column mostly holds) is exempt; other kinds still block."""
    if public is None or not hits:
        return hits
    declared = declaration.public_kinds.get(public)
    if declared is None:
        main = max(hits, key=lambda h: (h.kind == "name", h.count))
        declared = {main.kind}
    return [hit for hit in hits if hit.kind not in declared]


def _scan(
    target: _Resource, column: str, meaning: _Meaning, country: str | None, person: bool | None
) -> list[Hit]:
    series = target.frame.get_column(column)
    context = _context(target, column, meaning, country, person)
    found = scan_column(series, context)
    if (context.free_text or _long_text(series)) and not any(h.kind == "name" for h in found):
        indexed = pl.DataFrame({"v": series}).with_row_index("i")
        name = ids.names_in_free_text(indexed)
        if name:
            found.append(name)
    return found


def _long_text(series: pl.Series) -> bool:
    """Values that read as sentences (case notes), not as labels."""
    sample = series.drop_nulls().head(2000)
    if sample.len() == 0:
        return False
    spaces = sample.str.count_matches(" ").mean()
    return isinstance(spaces, int | float) and spaces >= 6


def _context(
    target: _Resource, column: str, meaning: _Meaning, country: str | None, person: bool | None
) -> ColumnContext:
    descriptor = target.field_of(column)
    words = [column] + [str(descriptor.get(k, "")) for k in ("name", "title", "description")]
    kind = descriptor.get("type")
    fmt = descriptor.get("format")
    name = descriptor.get("name")
    header = column if not isinstance(name, str) or name == column else f"{column} {name}"
    text = " ".join(words)[:2000]
    context = ColumnContext(
        words=text,
        numeric=kind in NUMERIC_TYPES,
        date_format=fmt if kind in ("date", "datetime") and isinstance(fmt, str) else None,
        header=header,
        countries=country,
        person_table=person,
        facility_table=meaning.facility,
        person_rows=meaning.person_rows,
        household=meaning.household,
    )
    context.free_text = context.free_text or _long_text(target.frame.get_column(column))
    return context


def _name_parts(
    target: _Resource, meaning: _Meaning, hits: dict[str, list[Hit]]
) -> dict[str, list[Hit]]:
    """Given names and surnames in separate columns (``nombres``, ``apellido_paterno``,
    ``apellido_materno``): each column of the set holds part of a personal name."""
    given = [c for c, k in meaning.kinds.items() if "given" in k]
    surnames = [c for c, k in meaning.kinds.items() if "surname" in k]
    if not given or not surnames:
        return hits
    word = r"^\p{L}[\p{L}'’\-. ]{0,40}$"
    parts, shares = {}, []
    for column in given + surnames:
        sample = ids.sample_values(pl.DataFrame({"v": target.frame.get_column(column)}))
        if sample.len() == 0 or sample.str.contains(word).mean() < 0.8:  # type: ignore[operator]
            continue
        known, _pairs, blocked = ids.name_list_share(sample.head(2000).to_list())
        if blocked <= 0.1:
            parts[column] = sample
            shares.append(known)
    kept_given = [c for c in given if c in parts]
    kept_surnames = [c for c in surnames if c in parts]
    # Given names and surnames side by side are a person's name; one column of the
    # set with a fifth of its values in the lists is enough (Maya or Guaraní names
    # may be missing from them).
    if not kept_given or not kept_surnames or max(shares) < 0.2:
        return hits
    labels = ", ".join(
        f'"{_short(target.names.get(c, c), 30)}"' for c in kept_given + kept_surnames
    )
    for column in kept_given + kept_surnames:
        if any(h.kind == "name" for h in hits[column]):
            continue
        values = target.frame.get_column(column)
        indexed = pl.DataFrame({"v": values}).with_row_index("i")
        real = indexed.filter(~ids.placeholder_expr(pl.col("v").str.strip_chars()))
        if real.height == 0:
            continue
        first = real.row(0, named=True)
        hit = Hit("name", real.height, int(first["i"]), str(first["v"]))
        hit.parts = labels  # type: ignore[attr-defined]
        hits[column] = [*hits[column], hit]
    return hits


def _direct_finding(target: _Resource, column: str, hit: Hit, country: str | None) -> Finding:
    values = target.frame.get_column(column).drop_nulls()
    total = int(ids.real_values(values.str.strip_chars()).len())
    shown = mask(hit.value, hit.kind)
    hint = {
        "birthdate": BIRTHDATE_HINT,
        "coordinates": COORDINATES_HINT,
        "address": ADDRESS_HINT,
    }.get(hit.kind, DIRECT_HINT)
    name = target.names.get(column, column)
    params: dict[str, object] = {
        "field": _short(name, 60),
        "count": hit.count,
        "total": max(total, hit.count),
        "row": target.row(hit.first),
        "value": shown,
        "document": DOCUMENTS.get(country or DEFAULT_COUNTRY, DOCUMENTS[DEFAULT_COUNTRY]),
    }
    text = DIRECT_TEXT[hit.kind]
    parts = getattr(hit, "parts", None)
    if parts:
        text, params["parts"] = NAME_PARTS_TEXT, parts
    return target.finding(
        "privacy-direct-identifier",
        column,
        rowNumber=target.row(hit.first),
        text=text,
        hint=hint,
        params=params,
        value=shown,
    )


# --- Tables that declare nothing ------------------------------------------------------


def _undeclared(target: _Resource, meaning: _Meaning, declaration: Declaration) -> list[Finding]:
    """Microdata (person attributes row by row) or counts of people by person attributes,
    in a table that declares no quasi-identifiers or count fields: stopped, with the
    declaration to add."""
    if declaration.declared or target.frame.height == 0:
        return []
    kinds = meaning.kinds
    attributes = [c for c, k in kinds.items() if "person_attr" in k]
    if not attributes:
        return []
    places = [c for c, k in kinds.items() if "place" in k and "person_attr" not in k]
    dates = [c for c, k in kinds.items() if k & {"date", "birth"} and "person_attr" not in k]
    counts = [
        c
        for c, k in kinds.items()
        if "count" in k and c not in attributes and _integers(target.frame.get_column(c))
    ]
    example_columns = attributes + places[:2]
    example = ", ".join(f'"{_short(target.names.get(c, c), 30)}"' for c in example_columns)
    shown = ", ".join(_short(target.names.get(c, c), 30) for c in example_columns + dates[:1])
    if counts:
        listed = ", ".join(f'"{_short(target.names.get(c, c), 30)}"' for c in counts[:3])
        return [
            target.finding(
                "privacy-small-cell",
                text=AGGREGATE_TEXT,
                hint=AGGREGATE_HINT,
                params={"counts": listed, "columns": shown, "example": example},
            )
        ]
    if len(attributes) >= 2 or (places and dates):
        return [
            target.finding(
                "privacy-k-anonymity",
                text=MICRODATA_TEXT,
                hint=MICRODATA_HINT,
                params={"columns": shown, "example": example},
            )
        ]
    return []


def _integers(series: pl.Series) -> bool:
    values = ids.real_values(series.drop_nulls().head(2000).str.strip_chars())
    if values.len() == 0:
        return False
    return bool(values.str.contains(r"^\d{1,9}$").mean() >= 0.9)  # type: ignore[operator]


# --- Data errors ------------------------------------------------------------------------

PERSONAL_HEADERS = frozenset(
    "identity tax phone email given surname birth address coordinate".split()
)


def mask_data_errors(
    findings: list[Finding], personal: list[Finding], resource: dict[str, Any] | None = None
) -> None:
    """Hide the value of every data error (type, constraint, unique, key...) in a column
    that looks personal by its name or by its content, flagged by the gate or not, and
    every value that looks personal by itself."""
    columns = {f.fieldName for f in personal if f.fieldName and f.type.startswith("privacy-")}
    schema = resource.get("schema") if isinstance(resource, dict) else None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for descriptor in fields if isinstance(fields, list) else []:
        name = descriptor.get("name") if isinstance(descriptor, dict) else None
        if isinstance(name, str) and ids.header_kinds(name) & PERSONAL_HEADERS:
            columns.add(name)
    for finding in findings:
        if finding.value in (None, "") or finding.type.startswith("privacy-"):
            continue
        value = str(finding.value)
        named = {finding.fieldName} | set(_names(finding.params.get("fields")))
        if named & columns or looks_personal(value):
            finding.value = mask_cell(value)
            finding.params["value"] = finding.value
            for key in ("note",):
                note = finding.params.get(key)
                if isinstance(note, str) and value in note:
                    finding.params[key] = note.replace(value, finding.value)


def _names(value: object) -> list[str]:
    return [n.strip() for n in value.split(",")] if isinstance(value, str) else []


def looks_personal(value: str) -> bool:
    """One value that is an e-mail, a phone, an identity number or a name by itself."""
    text = value.strip()[:200]
    if not text:
        return False
    if re.search(ids.EMAIL, text) or ids.EMAIL_OBFUSCATED_RE.search(text):
        return True
    if ids.is_valid_cui(text) or ids.is_personal_rut(text) or ids.looks_like_name(text):
        return True
    return bool(re.fullmatch(r"[+()\d][\d\s\-().]{6,18}\d", text)) and ids.is_phone(text)


def mask_cell(value: str) -> str:
    """A value shown without revealing it: its first character, then one dot per character."""
    return value[:1] + "•" * min(max(len(value) - 1, 3), 12)


# --- k-anonymity --------------------------------------------------------------------


def _k_anonymity(
    target: _Resource, declaration: Declaration, hits: dict[str, list[Hit]]
) -> list[Finding]:
    """Rows sharing each combination of quasi-identifier values: fewer than k is a finding."""
    found = [target.column(name) for name in declaration.quasi_identifiers]
    columns = list(dict.fromkeys(c for c in found if c is not None))
    if not columns or target.frame.height == 0:
        return []
    # Group on positional names so that no header label can clash with ours; an
    # empty cell is empty whether the reader gave null or "".
    keys = [f"q{i}" for i in range(len(columns))]
    k, index, size = declaration.k, "__row__", "__size__"
    groups = (  # lazy: a third of the memory of the eager group_by on 1M rows
        target.frame.lazy()
        .select(
            *(pl.col(c).fill_null("").alias(q) for c, q in zip(columns, keys, strict=True)),
            _weight(target, declaration).alias(size),
        )
        .with_row_index(index)
        .group_by(keys)
        .agg(pl.col(size).sum(), pl.col(index).min())
        # An aggregated table lists empty combinations with a count of 0: nobody is there.
        .filter((pl.col(size) < k) & (pl.col(size) > 0))
        .sort([size, index])
        .collect()
    )
    hint = K_AGGREGATED_HINT if declaration.count_fields else K_HINT
    weighted = declaration.count_fields[0] if declaration.count_fields else None
    personal = {c: hits[c][0].kind for c in columns if hits.get(c)}
    findings = []
    for group in groups.head(MAX_GROUP_FINDINGS).iter_rows(named=True):
        described = ", ".join(
            f'{_short(target.names.get(c, c), 40)}="{_shown(group[q], personal.get(c))}"'
            for c, q in zip(columns, keys, strict=True)
        )
        text = K_AGGREGATED_TEXT if weighted else K_MICRODATA_TEXT
        findings.append(
            target.finding(
                "privacy-k-anonymity",
                rowNumber=target.row(group[index]),
                hint=hint,
                text=text,
                params={"size": group[size], "group": described, "k": k, "field": weighted},
            )
        )
    if groups.height > MAX_GROUP_FINDINGS:
        rest = groups.slice(MAX_GROUP_FINDINGS)
        findings.append(
            target.finding(
                "privacy-k-anonymity",
                hint=hint,
                text=_(
                    "{count} more combinations of the quasi-identifiers are shared by fewer than "
                    "{k} rows ({rows} rows in all)."
                ),
                params={
                    "count": rest.height,
                    "k": k,
                    "rows": int(rest[size].sum()),
                    "field": weighted,
                },
            )
        )
    return findings


def _weight(target: _Resource, declaration: Declaration) -> pl.Expr:
    """How many people a row stands for: 1 in microdata; in an aggregated table (one
    with countFields) the row's first count, a suppressed (empty) count being 0."""
    column = target.column(declaration.count_fields[0]) if declaration.count_fields else None
    if column is None:
        return pl.lit(1, dtype=pl.Int64)
    counts = _numbers(target.frame.get_column(column), target.field_of(column))
    return pl.lit(counts.fill_null(0).fill_nan(0).round().cast(pl.Int64))


def _shown(value: object, kind: str | None) -> str:
    if value is None:
        return ""
    return mask(str(value), kind) if kind else _short(value)


# --- Small cells --------------------------------------------------------------------


def _small_cells(target: _Resource, name: str, min_cell_size: int) -> list[Finding]:
    """Counts between 1 and ``min_cell_size - 1``: one finding per cell, then a summary."""
    column = target.column(name)
    if column is None or target.frame.height == 0:
        return []
    counts = _numbers(target.frame.get_column(column), target.field_of(column))
    small = pl.DataFrame({"cell": target.frame.get_column(column), "n": counts}).with_row_index("i")
    small = small.filter(pl.col("n").is_between(1, min_cell_size, closed="left").fill_null(False))
    params = {"field": _short(name, 60), "minCellSize": min_cell_size, "limit": min_cell_size - 1}
    findings = [
        target.finding(
            "privacy-small-cell",
            column,
            rowNumber=target.row(row["i"]),
            text=_(
                'Count {value} in "{field}" is below the minimum cell size {minCellSize}: '
                "small counts can identify people."
            ),
            hint=SMALL_CELL_HINT,
            params={**params, "value": _short(row["cell"])},
            value=_short(row["cell"]),
        )
        for row in small.head(MAX_CELL_FINDINGS).iter_rows(named=True)
    ]
    if small.height > MAX_CELL_FINDINGS:
        findings.append(
            target.finding(
                "privacy-small-cell",
                column,
                hint=SMALL_CELL_HINT,
                text=_('{count} more counts in "{field}" are between 1 and {limit}.'),
                params={**params, "count": small.height - MAX_CELL_FINDINGS},
            )
        )
    return findings


def _numbers(column: pl.Series, descriptor: dict[str, Any]) -> pl.Series:
    """The cells as numbers, read with the field's groupChar and decimalChar."""
    text = column.str.strip_chars()
    group, decimal = descriptor.get("groupChar"), descriptor.get("decimalChar")
    if isinstance(group, str) and group:
        text = text.str.replace_all(group, "", literal=True)
    if isinstance(decimal, str) and decimal and decimal != ".":
        text = text.str.replace_all(decimal, ".", literal=True)
    return text.cast(pl.Float64, strict=False)
