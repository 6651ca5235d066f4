"""Table Schema semantics on polars columns: typing cells and checking field constraints.

Frictionless reads a cell in three steps: a missing value (``missingValues``)
becomes null; otherwise the cell is cast to the field's type (a failure is a
``type-error`` and stops there); then each constraint the type supports is
checked in turn (each failure is a ``constraint-error``). We do the same on whole
columns:

* a vectorised kernel accepts the cells whose text is plainly valid (``1250``,
  ``3.5``, ``2024-01-31``...) and checks constraints on them with polars;
* every other distinct cell text is read by Frictionless's own cell reader, once
  per distinct value, so edge cases (``+5``, `` 12 ``, ``1e3``, custom date
  formats, exotic types) get exactly Frictionless's answer.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from frictionless import Field, Schema
    from frictionless.fields import NumberField

DTYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "year": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "time": pl.Time(),
}
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
INT64_MAX = 2**63 - 1
DIGITS = r"^[+-]?[0-9]{1,18}$"
DECIMAL = r"^[+-]?[0-9]{1,15}(\.[0-9]{1,15})?$"
ISO_DATE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"


class Unsupported(Exception):
    """The columnar path cannot reproduce Frictionless here; validate with Frictionless."""


@dataclass
class FieldCheck:
    """One column read against one field: typed values and what is wrong, cell by cell."""

    name: str
    typed: pl.Series  # null where missing, absent or not of the type
    blank: pl.Series  # missing value or absent cell (counts towards a blank row)
    absent: pl.Series  # the row is too short to have this cell
    type_error: pl.Series
    constraints: dict[str, pl.Series] = field(default_factory=dict)  # in Frictionless order


def _falses(length: int) -> pl.Series:
    return pl.repeat(False, length, dtype=pl.Boolean, eager=True)


def load_schema(descriptor: dict[str, Any]) -> Schema:
    """A Frictionless Schema; raises FrictionlessException when the descriptor is invalid."""
    from frictionless import Schema

    return Schema.from_descriptor(descriptor)


def dtype_of(field_type: str) -> pl.DataType:
    return DTYPES.get(field_type, pl.Utf8())


def missing_values(fld: Field) -> list[str]:
    if not fld.has_defined("missing_values") and fld.schema is not None:
        return list(fld.schema.missing_values)
    return list(fld.missing_values)


def check_field(raw: pl.Series, fld: Field) -> FieldCheck:
    """Type and constraint results for every cell of ``raw`` (Utf8; null = absent cell)."""
    raw = raw.cast(pl.Utf8)
    absent = raw.is_null()
    blank = absent | raw.is_in(missing_values(fld))
    present = ~blank
    kernel = _kernel(raw, fld)
    if kernel is None:
        ok = _falses(len(raw))
        typed = pl.repeat(None, len(raw), dtype=dtype_of(fld.type), eager=True)
    else:
        ok, typed = kernel
        ok = ok.fill_null(False) & present
    undecided = present & ~ok
    undecided = undecided | _recheck(raw, typed, ok, fld)
    decided = present & ~undecided
    constraints = _vector_constraints(raw, typed, decided, blank, fld)
    type_error = _falses(len(raw))
    if undecided.any():
        typed, type_error, constraints = _read_in_python(raw, typed, undecided, constraints, fld)
    # Null where there is no value; set() copies a column, so only when needed.
    empty = blank | (undecided & type_error) | (present & ~decided & ~undecided)
    if empty.any() and (typed.dtype != pl.Utf8 or not typed.filter(empty).is_null().all()):
        typed = typed.set(empty, None)
    return FieldCheck(
        name=fld.name,
        typed=typed.alias(fld.name),
        blank=blank,
        absent=absent,
        type_error=type_error,
        constraints=constraints,
    )


def cast_frame(frame: pl.DataFrame, descriptor: dict[str, Any]) -> pl.DataFrame:
    """Columns of ``frame`` (by position) cast to the fields of ``descriptor``."""
    schema = load_schema(descriptor)
    columns = [
        check_field(frame.to_series(index), fld).typed
        for index, fld in enumerate(schema.fields)
        if index < frame.width
    ]
    return pl.DataFrame(columns)


# ---------------------------------------------------------------- kernels


def _kernel(raw: pl.Series, fld: Field) -> tuple[pl.Series, pl.Series] | None:
    """(cells plainly valid, their typed values) or None when every cell needs Frictionless."""
    # Loaded already: the field is one of its objects.
    from frictionless.fields import BooleanField, NumberField

    kind, fmt = fld.type, getattr(fld, "format", "default")
    if kind in ("string", "any") and fmt == "default":
        return ~_falses(len(raw)), raw
    # Cells the kernel does not accept are replaced later, so casts need no masking.
    if kind == "integer" and getattr(fld, "bare_number", True):
        return raw.str.contains(DIGITS), raw.cast(pl.Int64, strict=False)
    if kind == "year":
        return raw.str.contains(r"^[0-9]{4}$"), raw.cast(pl.Int64, strict=False)
    if kind == "number" and isinstance(fld, NumberField):
        return _number_kernel(raw, fld)
    if kind == "boolean" and isinstance(fld, BooleanField):
        true, false = list(fld.true_values), list(fld.false_values)
        ok = raw.is_in(true + false)
        return ok, _where(ok, ~raw.is_in(false))
    if kind == "date" and fmt == "default":
        parsed = raw.str.to_date("%Y-%m-%d", strict=False)
        return parsed.is_not_null() & raw.str.contains(ISO_DATE), parsed
    return None


def _number_kernel(raw: pl.Series, fld: NumberField) -> tuple[pl.Series, pl.Series] | None:
    text = raw
    if set(fld.list_defined()) & {"group_char", "decimal_char", "bare_number"}:
        if not fld.bare_number:
            return None
        if fld.group_char:
            text = text.str.replace_all(fld.group_char, "", literal=True)
        if fld.decimal_char != ".":
            # A "." left after removing the group character is a type error: Frictionless decides.
            dotted = text.str.contains(".", literal=True)
            text = _where(~dotted, text).str.replace_all(fld.decimal_char, ".", literal=True)
    return text.str.contains(DECIMAL), text.cast(pl.Float64, strict=False)


def _where(mask: pl.Series, values: pl.Series) -> pl.Series:
    """``values`` where ``mask`` is true, null elsewhere."""
    return pl.select(pl.when(mask).then(values).otherwise(None)).to_series().alias(values.name)


def _recheck(raw: pl.Series, typed: pl.Series, ok: pl.Series, fld: Field) -> pl.Series:
    """Cells the kernel accepted but whose constraints only Frictionless can judge exactly."""
    again = _falses(len(raw))
    constraints = fld.constraints
    if fld.type == "number":
        # Decimal vs float: a float comparison can only err on values within one ulp of the
        # bound, so every value on the wrong side of or at the bound goes to Frictionless.
        for name in BOUNDS:
            bound = _bound(fld, name)
            if bound is not None:
                side = typed <= float(bound) if "inimum" in name else typed >= float(bound)
                again = again | (ok & side.fill_null(False))
        if constraints.get("enum") is not None:
            again = again | ok
    if fld.type == "string" and constraints.get("pattern") is not None:
        if _compile(constraints["pattern"]) is None:
            again = again | ok
        else:
            # Python's "$" also matches before a final newline; let Python judge those.
            again = again | (ok & raw.str.contains("\n", literal=True).fill_null(False))
    for name in BOUNDS:
        if constraints.get(name) is not None and fld.type in ("integer", "year", "date"):
            if _bound(fld, name) is None:
                again = again | ok
    return again


def _bound(fld: Field, name: str) -> Any:
    value = fld.constraints.get(name)
    if value is None:
        return None
    return fld.create_value_reader()(value)


def _compile(pattern: str) -> str | None:
    anchored = f"^{pattern}$"
    try:
        pl.select(pl.lit("").str.contains(anchored))
    except Exception:  # polars raises ComputeError for patterns Rust's regex rejects
        return None
    return anchored


def _vector_constraints(
    raw: pl.Series, typed: pl.Series, decided: pl.Series, blank: pl.Series, fld: Field
) -> dict[str, pl.Series]:
    result: dict[str, pl.Series] = {}
    for name in fld.supported_constraints:
        value = fld.constraints.get(name)
        if value is None:
            continue
        if name == "required":
            mask = blank & bool(value)
        elif name in ("minLength", "maxLength"):
            length = typed.str.len_chars()
            mask = length < value if name == "minLength" else length > value
        elif name == "pattern":
            anchored = _compile(value)
            mask = ~typed.str.contains(anchored) if anchored else _falses(len(raw))
        elif name == "enum":
            reader = fld.create_value_reader()
            allowed = [v for v in (reader(item) for item in value) if v is not None]
            if fld.type == "number":
                mask = _falses(len(raw))
            else:
                mask = ~typed.is_in(allowed)
        elif name in BOUNDS:
            bound = _bound(fld, name)
            if bound is None or fld.type == "number":
                mask = _falses(len(raw))
            else:
                mask = {
                    "minimum": typed < bound,
                    "maximum": typed > bound,
                    "exclusiveMinimum": typed <= bound,
                    "exclusiveMaximum": typed >= bound,
                }[name]
        else:
            mask = _falses(len(raw))
        if name != "required":
            mask = mask.fill_null(False) & decided
        result[name] = mask.fill_null(False)
    return result


# ---------------------------------------------------------------- Frictionless, per distinct value


def _read_in_python(
    raw: pl.Series,
    typed: pl.Series,
    undecided: pl.Series,
    constraints: dict[str, pl.Series],
    fld: Field,
) -> tuple[pl.Series, pl.Series, dict[str, pl.Series]]:
    reader = fld.create_cell_reader()
    rows = undecided.arg_true()
    cells = raw.gather(rows)
    values = cells.unique(maintain_order=True).to_list()
    results = [reader(value) for value in values]
    dtype = typed.dtype
    names = [name for name in fld.supported_constraints if fld.constraints.get(name) is not None]
    # An array's items are checked against its arrayItem (notes "array item ..."): their
    # constraints come after the field's own, as Frictionless adds them.
    for _value, notes in results:
        names.extend(n for n in notes or {} if n != "type" and n not in names)
    lookup = pl.DataFrame(
        {
            "cell": pl.Series(values, dtype=pl.Utf8),
            "typed": pl.Series([_to_polars(t, fld.type) for t, _ in results], dtype=dtype),
            "type": [bool(n and "type" in n) for _, n in results],
            **{name: [bool(n and name in n) for _, n in results] for name in names},
        }
    )
    joined = pl.DataFrame({"cell": cells}).join(
        lookup, on="cell", how="left", maintain_order="left", nulls_equal=True
    )
    typed = typed.scatter(rows, joined["typed"])
    type_error = _falses(len(raw)).scatter(rows, joined["type"])
    merged: dict[str, pl.Series] = {}
    for name in names:
        base = constraints.get(name, _falses(len(raw)))
        merged[name] = base.scatter(rows, joined[name] | base.gather(rows))
    return typed, type_error, merged


def _to_polars(value: Any, kind: str) -> Any:
    """A Frictionless cell value in the column's polars type."""
    if value is None:
        return None
    if kind in ("integer", "year"):
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        if abs(value) > INT64_MAX:
            raise Unsupported("integer out of 64-bit range")
        return value
    if kind == "number":
        return float(value) if isinstance(value, (int, float, decimal.Decimal)) else None
    if kind == "datetime" and isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if kind == "time" and isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if kind in DTYPES:
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)
