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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from catalog.findings import Finding
from catalog.i18n import _
from catalog.identifiers import ColumnContext, Hit, mask, scan_column

__all__ = ["check_resource", "mask", "read_declaration", "Declaration"]

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
    "birthdate": _(
        'Column "{field}" holds what look like exact birth dates: {count} of {total} '
        "values, the first in row {row} ({value})."
    ),
}
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
    declaration.public = _public_data(privacy.get("publicPersonalData"), is_field, problem)
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


def _public_data(entries: object, is_field: Callable[[str], bool], problem) -> dict[str, str]:
    if entries is None:
        return {}
    public: dict[str, str] = {}
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
    return public


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


def check_resource(
    frame: pl.DataFrame,
    resource: dict[str, Any],
    dataset_id: str,
    row_numbers: pl.Series | None = None,
) -> list[Finding]:
    """Privacy findings for one resource's rows (raw cell strings, one column per label).

    ``row_numbers`` gives the Frictionless row number of each frame row (the header
    is row 1); without it the first frame row is row 2.
    """
    resource = resource if isinstance(resource, dict) else {}
    target = _Resource(frame, resource, dataset_id, row_numbers)
    declaration, findings = read_declaration(target.descriptor.get("privacy"), target.is_field)
    for finding in findings:
        finding.dataset, finding.resource = target.dataset, target.name
    public = {target.column(name) for name in declaration.public}
    hits = {}
    for column in target.frame.columns:
        if column not in public:
            hits[column] = scan_column(target.frame.get_column(column), _context(target, column))
            findings += [_direct_finding(target, column, hit) for hit in hits[column]]
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
    findings += _k_anonymity(target, declaration, hits)
    for name in declaration.count_fields:
        findings += _small_cells(target, name, declaration.min_cell_size)
    return findings


def _context(target: _Resource, column: str) -> ColumnContext:
    descriptor = target.field_of(column)
    words = [column] + [str(descriptor.get(k, "")) for k in ("name", "title", "description")]
    kind = descriptor.get("type")
    fmt = descriptor.get("format")
    return ColumnContext(
        words=" ".join(words)[:2000],
        numeric=kind in NUMERIC_TYPES,
        date_format=fmt if kind == "date" and isinstance(fmt, str) else None,
    )


def _direct_finding(target: _Resource, column: str, hit: Hit) -> Finding:
    values = target.frame.get_column(column).drop_nulls()
    total = int(values.str.strip_chars().str.len_bytes().gt(0).sum())
    shown = mask(hit.value, hit.kind)
    hint = BIRTHDATE_HINT if hit.kind == "birthdate" else DIRECT_HINT
    name = target.names.get(column, column)
    params = {
        "field": _short(name, 60),
        "count": hit.count,
        "total": total,
        "row": target.row(hit.first),
        "value": shown,
    }
    return target.finding(
        "privacy-direct-identifier",
        column,
        rowNumber=target.row(hit.first),
        text=DIRECT_TEXT[hit.kind],
        hint=hint,
        params=params,
        value=shown,
    )


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
        text = (
            K_AGGREGATED_TEXT
            if weighted
            else _(
                "Only {size} row(s) share the quasi-identifier values {group}: fewer than "
                "k = {k}, so the people in them can be singled out."
            )
        )
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
