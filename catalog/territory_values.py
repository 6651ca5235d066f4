"""The values of a dataset's territory columns are codes of its country.

A territory column is a schema field declared ``"territory": "department"`` or
``"municipality"`` (catalog/metadata.py checks the declaration), or the territory field an
indicator of the dataset names (``"territory": {"field", "level"}``, docs/indicators.md).
Its non-empty cells must be codes of that level in the dataset's country: its
``spatial.country``, else its publisher's ``jurisdiction.country``, else Guatemala
(``territories.dataset_country``), for the countries whose code lists ship.

The check rides along the validation's one pass over the data: catalog/validate.py hands
each batch of raw cells to ``Watch.add``. Per column it keeps the distinct values seen
(a few hundred codes, not the rows) and, for the unknown ones, how many cells hold them
and the first row. One finding per column, put in the resource's findings when the first
unknown value turns up and brought up to date by the batches after it, says which column,
how many cells, a few of the values, and the fix (with the codes' length, an example and
the list's file; and when the values are codes that lost their leading zeros, that).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from catalog import privacy, territories
from catalog.content import DatasetRef, root_of
from catalog.findings import Finding
from catalog.i18n import _

TYPE = "territory-error"
EXAMPLES = 3  # unknown values named in a finding

TEXT = _(
    "Column {field} has {count} cells that are not codes of the {levels} of {country} "
    "({distinct} different values, e.g. {examples}; the first at row {row})."
)
HINT = _(
    "Write the official codes as text with their leading zeros ({digits} digits, e.g. "
    "{example}; the list is catalog/data/{file}), leave a cell empty where the place is "
    "not known, and put totals in a resource of their own."
)
HINT_ZEROS = _(
    "They look like codes that lost their leading zeros ({fixed}): write every code with "
    "its {digits} digits, e.g. {example} (a spreadsheet drops the zeros of a column it "
    "reads as numbers)."
)


def columns(package: dict[str, Any], resource: dict[str, Any]) -> dict[str, str]:
    """``{column: level}`` of a resource's territory columns (text fields only: a code
    in a number field is the metadata's finding, not one per value)."""
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    text = {
        f["name"]: f
        for f in (fields if isinstance(fields, list) else [])
        if isinstance(f, dict)
        and isinstance(f.get("name"), str)
        and f.get("type", "string") == "string"
    }
    found = {
        name: f["territory"] for name, f in text.items() if f.get("territory") in territories.LEVELS
    }
    indicators = package.get("indicators")
    for ind in indicators if isinstance(indicators, list) else []:
        where = ind.get("territory") if isinstance(ind, dict) else None
        if not isinstance(where, dict) or ind.get("resource") != resource.get("name"):
            continue
        field, level = where.get("field"), where.get("level")
        if field in text and field not in found and level in territories.LEVELS:
            found[field] = level
    return found


def country(package: dict[str, Any], ref: DatasetRef) -> str:
    """The country of a dataset's codes (its own, else its publisher's, else GT)."""
    publisher = privacy.publisher_country(root_of(ref), package.get("publisher"))
    return territories.dataset_country(package, {"jurisdiction": {"country": publisher}})


class _Column:
    """What one column has shown so far: its distinct values, known or not, and the
    count and first row of the unknown ones."""

    def __init__(self, name: str, level: str, where: str, missing: set[str]) -> None:
        self.name, self.level, self.country, self.missing = name, level, where, missing
        self.known: dict[str, bool] = {}
        self.unknown: list[str] = []  # in the order they turned up
        self.count = 0
        self.row: int | None = None
        self.finding: Finding | None = None

    def add(self, cells: pl.Series, rows: pl.Series) -> bool:
        """Reads one batch; True when this column has a finding (new or brought up to date)."""
        fresh = [
            v
            for v in cells.drop_nulls().unique(maintain_order=True).to_list()
            if v not in self.known
        ]
        for value in fresh:
            good = value in self.missing or territories.level(value, self.country) == self.level
            self.known[value] = good
            if not good:
                self.unknown.append(value)
        if not self.unknown:
            return False
        bad = cells.is_in(self.unknown).fill_null(False)
        here = int(bad.sum())
        if here == 0:
            return False
        self.count += here
        if self.row is None:
            self.row = int(rows.filter(bad)[0])
        return True

    def params(self) -> dict[str, object]:
        digits = territories.digits(self.country, self.level)
        return {
            "field": self.name,
            "count": self.count,
            "distinct": len(self.unknown),
            "examples": ", ".join(f'"{v}"' for v in self.unknown[:EXAMPLES]),
            "row": self.row,
            "levels": territories.level_name(self.country, self.level),
            "country": territories.country_name(self.country),
            "digits": digits,
            "example": territories.example(self.country, self.level),
            "file": territories.COUNTRIES[self.country].file,
            "fixed": ", ".join(f"{v} → {v.zfill(digits)}" for v in self.zeros()[:EXAMPLES]),
        }

    def zeros(self) -> list[str]:
        """The unknown values that are codes of the level once their zeros are back."""
        digits = territories.digits(self.country, self.level)
        return [
            v
            for v in self.unknown
            if v.isdigit()
            and len(v) < digits
            and territories.level(v.zfill(digits), self.country) == self.level
        ]


class Watch:
    """The territory columns of one resource, watched batch by batch; findings go into
    ``into`` (the resource's findings) as they are found."""

    def __init__(
        self,
        package: dict[str, Any],
        resource: dict[str, Any],
        ref: DatasetRef,
        into: list[Finding],
    ) -> None:
        self.into = into
        found = columns(package, resource)
        where = country(package, ref) if found else territories.DEFAULT_COUNTRY
        schema = resource.get("schema")
        missing = schema.get("missingValues") if isinstance(schema, dict) else None
        blanks = {v for v in missing if isinstance(v, str)} if isinstance(missing, list) else {""}
        self.columns = (
            [_Column(name, level, where, blanks) for name, level in found.items()]
            if where in territories.COUNTRIES
            else []
        )

    def add(self, table: Any) -> None:
        """One batch of raw cells (a ``catalog.tables.Table``)."""
        for column in self._present(table.frame):
            if column.add(table.frame.get_column(column.name), table.row_numbers):
                self._report(column)

    def _present(self, frame: pl.DataFrame) -> Iterator[_Column]:
        return (c for c in self.columns if c.name in frame.columns)

    def _report(self, column: _Column) -> None:
        params = column.params()
        hint = HINT_ZEROS if len(column.zeros()) == len(column.unknown) else HINT
        if column.finding is None:
            column.finding = Finding(type=TYPE, fieldName=column.name, text=TEXT)
            self.into.append(column.finding)
        column.finding.hint, column.finding.params = hint, params
