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
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import polars as pl

if TYPE_CHECKING:
    from frictionless import Field, Schema
    from frictionless.fields import BooleanField, NumberField

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
DISTINCT_SAMPLE = 2000  # the first cells of a column that tell whether its values repeat
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
    return _filled(False, length)


def _filled(value: bool, length: int) -> pl.Series:
    """``length`` times ``value``, named as ``pl.repeat`` names it. Made from one cell, not
    by ``pl.repeat`` (a lazy query, a tenth of a millisecond): a column's check makes a
    dozen, which a catalogue of thousands of small tables pays for in each."""
    return pl.Series("literal", [value], dtype=pl.Boolean).new_from_index(0, length)


def load_schema(descriptor: dict[str, Any]) -> Schema:
    """A Frictionless Schema; raises FrictionlessException when the descriptor is invalid.

    A plain schema (``PlainSchema.fits``) is read without Frictionless: importing it
    costs a third of a second, which the validation of a large file spends reading
    its first rows instead (the structure is checked by Frictionless meanwhile).
    """
    if PlainSchema.fits(descriptor):
        return PlainSchema(descriptor)  # type: ignore[return-value]
    from frictionless import Schema

    return Schema.from_descriptor(descriptor)


# ---------------------------------------------------------------- plain schemas

# The fields a PlainSchema reads: their constraints, in Frictionless's order (each
# type's ``supported_constraints``; tests compare them with Frictionless's).
PLAIN_CONSTRAINTS: dict[str, list[str]] = {
    "string": ["required", "minLength", "maxLength", "pattern", "enum"],
    "integer": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "number": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "date": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
}
# Field properties that change how Frictionless reads a cell: a field with any of them
# is read by Frictionless's own field classes.
READING_PROPERTIES = {
    "missingValues",
    "bareNumber",
    "floatNumber",
    "decimalChar",
    "groupChar",
    "trueValues",
    "falseValues",
    "arrayItem",
    "delimiter",
    "itemType",
    "categories",
    "categoriesOrdered",
    "$schema",
}
PLAIN_SCHEMA_KEYS = {"fields", "primaryKey", "missingValues", "foreignKeys"}
DATE_PATTERN = "%Y-%m-%d"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_constraint(kind: str, name: str, value: Any) -> bool:
    """A constraint whose value the plain readers take as Frictionless does."""
    if name in ("required", "unique"):
        return isinstance(value, bool)
    if name in ("minLength", "maxLength"):
        return _is_int(value)
    if name == "pattern":
        return isinstance(value, str)
    if name == "enum":
        items = value if isinstance(value, list) else None
        if kind == "string":
            return items is not None and all(isinstance(v, str) for v in items)
        if kind == "integer":
            return items is not None and all(_is_int(v) for v in items)
        return False
    if name in ("minimum", "maximum"):
        if kind == "integer":
            return _is_int(value)
        if kind == "number":
            return _is_int(value) or isinstance(value, float)
        if kind == "date":
            return isinstance(value, str)
    return False


class PlainSchema:
    """A Table Schema of plain fields (string, integer, number, date; default formats;
    no reading options), with the attributes of Frictionless's Schema the validation
    uses and the same readers. Anything else is read with Frictionless (``fits``); so
    is the header when its labels are not the field names in order (``real``)."""

    def __init__(self, descriptor: dict[str, Any]) -> None:
        self.descriptor = descriptor
        missing = descriptor.get("missingValues")
        self.missing_values: list[str] = list(missing) if isinstance(missing, list) else [""]
        self.fields = [PlainField(item, self) for item in descriptor["fields"]]
        key = descriptor.get("primaryKey")
        self.primary_key: list[str] = [] if key is None else key if isinstance(key, list) else [key]
        self.foreign_keys: list[dict[str, Any]] = []
        self.fields_match = "exact"
        self.field_names = [f.name for f in self.fields]
        self._by_name = {f.name: f for f in self.fields}
        self._real: Schema | None = None

    @staticmethod
    def fits(descriptor: Any) -> bool:
        if not isinstance(descriptor, dict) or not set(descriptor) <= PLAIN_SCHEMA_KEYS:
            return False
        fields, key = descriptor.get("fields"), descriptor.get("primaryKey", [])
        missing = descriptor.get("missingValues", [""])
        if descriptor.get("foreignKeys", []) != []:
            return False
        if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
            return False
        keys = key if isinstance(key, list) else [key]
        if not all(isinstance(k, str) for k in keys):
            return False
        return isinstance(fields, list) and bool(fields) and all(map(PlainField.fits, fields))

    def has_defined(self, name: str) -> bool:
        return False  # fieldsMatch and the like: a plain schema declares none

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    def get_field(self, name: str) -> PlainField:
        return self._by_name[name]

    def real(self) -> Schema:
        """The same schema read by Frictionless (its Header compares labels and names)."""
        if self._real is None:
            from frictionless import Schema

            self._real = Schema.from_descriptor(self.descriptor)
        return self._real


class PlainField:
    """One field of a PlainSchema: Frictionless's attributes and readers for its type."""

    format = "default"
    bare_number = True
    float_number = False
    decimal_char = "."
    group_char = ""
    array_item = None

    def __init__(self, descriptor: dict[str, Any], schema: PlainSchema) -> None:
        self.name: str = descriptor["name"]
        self.type: str = descriptor["type"]
        constraints = descriptor.get("constraints")
        self.constraints: dict[str, Any] = dict(constraints) if constraints else {}
        self.schema = schema
        self.missing_values = schema.missing_values
        self.supported_constraints = PLAIN_CONSTRAINTS[self.type]

    @staticmethod
    def fits(descriptor: Any) -> bool:
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("name"), str):
            return False
        kind = descriptor.get("type")
        if kind not in PLAIN_CONSTRAINTS or descriptor.get("format", "default") != "default":
            return False
        if set(descriptor) & READING_PROPERTIES:
            return False
        constraints = descriptor.get("constraints", {})
        if not isinstance(constraints, dict):
            return False
        supported = [*PLAIN_CONSTRAINTS[kind], "unique"]
        return all(
            name in supported and _plain_constraint(kind, name, value)
            for name, value in constraints.items()
        )

    def has_defined(self, name: str) -> bool:
        return False  # missingValues and the reading options: a plain field has none

    def list_defined(self) -> list[str]:
        return []

    def create_value_reader(self) -> Any:
        """Frictionless's value reader of the type (default format, default options)."""
        if self.type == "string":
            return _read_string
        if self.type == "integer":
            return _read_integer
        if self.type == "number":
            return _read_number
        return read_date

    def create_cell_reader(self) -> Any:
        """Frictionless's Field.create_cell_reader, for this field's readers."""
        import re
        from functools import partial

        value_reader = self.create_value_reader()
        missing = self.missing_values
        checks: dict[str, Any] = {}
        for name in self.supported_constraints:
            declared = self.constraints.get(name)
            if declared is not None:
                constraint: Any = declared
                if name in BOUNDS:
                    constraint = value_reader(declared)
                if name == "pattern":
                    constraint = re.compile(f"^{declared}$")
                if name == "enum":
                    constraint = list(map(value_reader, declared))
                checks[name] = partial(CHECKS[name], constraint)
        kind, fmt, constraints = self.type, self.format, self.constraints

        def cell_reader(cell: Any) -> tuple[Any, dict[str, str] | None]:
            notes: dict[str, str] | None = None
            if str(cell) in missing:
                cell = None
            if cell is not None:
                cell = value_reader(cell)
                if cell is None:
                    notes = notes or {}
                    notes["type"] = f'type is "{kind}/{fmt}"'
            if not notes and checks:
                for name, check in checks.items():
                    if not check(cell):
                        notes = notes or {}
                        notes[name] = f'constraint "{name}" is "{constraints[name]}"'
            return cell, notes

        return cell_reader


def _read_string(cell: Any) -> Any:
    return cell if isinstance(cell, str) else None


def _read_integer(cell: Any) -> Any:
    if isinstance(cell, str):
        try:
            return int(cell.strip())
        except Exception:
            return None
    if cell is True or cell is False:
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, decimal.Decimal) and cell % 1 == 0:
        return int(cell)
    return None


def _read_number(cell: Any) -> Any:
    if isinstance(cell, str):
        try:
            return decimal.Decimal(cell.strip())
        except Exception:
            return None
    if isinstance(cell, decimal.Decimal):
        return cell
    if cell is True or cell is False:
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return decimal.Decimal(str(cell))
    return None


def read_date(cell: Any) -> Any:
    """Frictionless's reader of a date (default format): a date, or None."""
    if isinstance(cell, dt.datetime):
        if cell.hour == 0 and cell.minute == 0 and cell.second == 0:
            return dt.date(cell.year, cell.month, cell.day)
        return None
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        return None
    try:
        return dt.datetime.strptime(cell, DATE_PATTERN).date()
    except Exception:
        return None


def _check_bound(compare: Any, constraint: Any, cell: Any) -> bool:
    if cell is None:
        return True
    if cell != cell:  # NaN
        return False
    return bool(compare(cell, constraint))


CHECKS: dict[str, Any] = {
    "required": lambda constraint, cell: not (constraint and cell is None),
    "minLength": lambda constraint, cell: cell is None or len(cell) >= constraint,
    "maxLength": lambda constraint, cell: cell is None or len(cell) <= constraint,
    "minimum": lambda constraint, cell: _check_bound(operator.ge, constraint, cell),
    "maximum": lambda constraint, cell: _check_bound(operator.le, constraint, cell),
    "exclusiveMinimum": lambda constraint, cell: _check_bound(operator.gt, constraint, cell),
    "exclusiveMaximum": lambda constraint, cell: _check_bound(operator.lt, constraint, cell),
    "pattern": lambda constraint, cell: cell is None or bool(constraint.match(cell)),
    "enum": lambda constraint, cell: cell is None or cell in constraint,
}


def dtype_of(field_type: str) -> pl.DataType:
    return DTYPES.get(field_type, pl.Utf8())


def missing_values(fld: Field) -> list[str]:
    if not fld.has_defined("missing_values") and fld.schema is not None:
        return list(fld.schema.missing_values)
    return list(fld.missing_values)


def check_field(raw: pl.Series, fld: Field, *, keep_typed: bool = True) -> FieldCheck:
    """Type and constraint results for every cell of ``raw`` (Utf8; null = absent cell).

    ``keep_typed=False``: the typed values are not wanted (only keys compare them), and
    ``typed`` comes back empty."""
    raw = raw.cast(pl.Utf8)
    absent = raw.is_null()
    missing = missing_values(fld)
    # The usual missing value, the empty cell, is a cheaper comparison than a list.
    blank = absent | ((raw == "") if missing == [""] else raw.is_in(missing))
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
    if not keep_typed:
        typed = typed.clear()
    else:
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
    kind, fmt = fld.type, getattr(fld, "format", "default")
    if kind in ("string", "any") and fmt == "default":
        return _filled(True, len(raw)), raw
    # Cells the kernel does not accept are replaced later, so casts need no masking.
    if kind == "integer" and getattr(fld, "bare_number", True):
        # polars reads exactly the cells DIGITS matches, and 19-digit ones within 64 bits
        # (which Frictionless reads as the same integers): no pattern pass is needed.
        typed = raw.cast(pl.Int64, strict=False)
        return typed.is_not_null(), typed
    if kind == "year":
        return raw.str.contains(r"^[0-9]{4}$"), raw.cast(pl.Int64, strict=False)
    if kind == "number" and _is_field(fld, "NumberField"):
        return _number_kernel(raw, fld)  # type: ignore[arg-type]
    if kind == "boolean" and _is_field(fld, "BooleanField"):
        boolean = cast("BooleanField", fld)
        true, false = list(boolean.true_values), list(boolean.false_values)
        ok = raw.is_in(true + false)
        return ok, _where(ok, ~raw.is_in(false))
    if kind == "date" and fmt == "default":
        parsed = raw.str.to_date("%Y-%m-%d", strict=False)
        return parsed.is_not_null() & raw.str.contains(ISO_DATE), parsed
    return None


def _is_field(fld: Any, name: str) -> bool:
    """``fld`` is of Frictionless's field class ``name`` (a plain number field counts)."""
    if isinstance(fld, PlainField):
        return fld.type == "number" and name == "NumberField"
    import frictionless.fields  # loaded already: the field is one of its objects

    return isinstance(fld, getattr(frictionless.fields, name))


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
    return anchored if _polars_regex(anchored) else None


@lru_cache(maxsize=1024)  # a pattern is tried once, not once per column and batch
def _polars_regex(anchored: str) -> bool:
    """Whether polars (Rust's regex) accepts the pattern."""
    try:
        pl.select(pl.lit("").str.contains(anchored))
    except Exception:  # polars raises ComputeError for patterns Rust's regex rejects
        return False
    return True


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
            mask = _mismatches(typed, anchored) if anchored else _falses(len(raw))
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


def _mismatches(values: pl.Series, pattern: str) -> pl.Series:
    """The cells that do not match ``pattern`` (empty cells: either; the caller keeps
    only the cells that have a value). A column of codes repeats a few hundred values:
    the pattern is then tried once per value."""
    if len(values) < 4 * DISTINCT_SAMPLE:
        return ~values.str.contains(pattern)
    if values.head(DISTINCT_SAMPLE).n_unique() * 4 > DISTINCT_SAMPLE:
        return ~values.str.contains(pattern)  # mostly distinct values (names, identifiers)
    distinct = values.unique()
    if len(distinct) * 4 > len(values):
        return ~values.str.contains(pattern)
    wrong = distinct.filter(~distinct.str.contains(pattern).fill_null(True))
    return values.is_in(wrong.drop_nulls()) if len(wrong) else _falses(len(values))


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
