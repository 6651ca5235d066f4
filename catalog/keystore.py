"""The typed key values of a large resource, on disk: duplicates found by DuckDB.

Validation keeps the typed values of unique and primary-key fields from block to block
(catalog/validate.py, _RowStream). Past ``KEYS_IN_MEMORY`` rows they go to Parquet files in
a temporary folder (always removed), and DuckDB, which spills to that folder beyond a
bounded memory, finds the empty and repeated keys there: the same rows as in memory (the
first occurrence of a key is valid, later ones are errors), at most ``limit`` of each.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from catalog.tables import _setting

# Key rows of one resource held in memory before they go to disk. A 10,000,000-row file
# with an integer key stays in memory (and as fast); a larger one is bounded.
KEYS_IN_MEMORY = _setting("CATALOG_KEYS_IN_MEMORY", 12_000_000)
# What DuckDB may use while it compares the keys on disk (it spills beyond it).
DUCKDB_MEMORY = "256MB"
INDEX, ROW = "_i", "_row"


class KeyStore:
    """Key columns by field name, with each row's position and row number, on disk."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="catalog-keys-")
        self.folder = Path(self._folder.name)
        self.files: list[Path] = []
        self.count = 0  # rows written
        self.dtypes: dict[str, pl.DataType] = {}

    def add(self, columns: dict[str, pl.Series], rows: pl.Series) -> None:
        """Append rows: the key columns by name, and their row numbers."""
        height = len(rows)
        if height == 0:
            return
        frame = pl.DataFrame(
            [
                pl.int_range(self.count, self.count + height, dtype=pl.Int64, eager=True).alias(
                    INDEX
                ),
                rows.cast(pl.Int64).alias(ROW),
                *(self._typed(name, values) for name, values in columns.items()),
            ]
        )
        path = self.folder / f"{len(self.files):06d}.parquet"
        frame.write_parquet(path, compression="lz4", statistics=False)
        self.files.append(path)
        self.count += height

    def _typed(self, name: str, values: pl.Series) -> pl.Series:
        # Every file has the same column types; a field's column is k0, k1… on disk.
        want = self.dtypes.setdefault(name, values.dtype)
        return values.cast(want).alias(self._column(name))

    def _column(self, name: str) -> str:
        return f"k{list(self.dtypes).index(name)}"

    def repeated(self, names: list[str], *, limit: int) -> list[int]:
        """Positions of the rows whose key (``names``, nulls equal) came earlier, in order;
        rows whose key is all null are left out."""
        if not self.files:
            return []
        columns = [self._column(n) for n in names]
        keys = ", ".join(columns)
        some = " OR ".join(f"{c} IS NOT NULL" for c in columns)
        same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM f.{c}" for c in columns)
        sql = f"""
            WITH t AS (SELECT {INDEX}, {keys} FROM {self._source()} WHERE {some}),
            f AS (SELECT {keys}, min({INDEX}) AS first FROM t GROUP BY ALL HAVING count(*) > 1)
            SELECT t.{INDEX} FROM t JOIN f ON {same}
            WHERE t.{INDEX} > f.first ORDER BY t.{INDEX} LIMIT {int(limit)}
        """
        return [int(row[0]) for row in self._query(sql)]

    def empty(self, names: list[str], *, limit: int) -> list[int]:
        """Positions of the rows whose key is all null, in order."""
        if not self.files:
            return []
        none = " AND ".join(f"{self._column(n)} IS NULL" for n in names)
        sql = f"""SELECT {INDEX} FROM {self._source()} WHERE {none}
                  ORDER BY {INDEX} LIMIT {int(limit)}"""
        return [int(row[0]) for row in self._query(sql)]

    def rows(self, positions: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
        """The rows at ``positions``: row number, and key values by field name (the
        Python values polars gives, as the checks in memory report them)."""
        if not positions or not self.files:
            return {}
        found = pl.scan_parquet(self.files).filter(pl.col(INDEX).is_in(positions)).collect()
        names = {self._column(name): name for name in self.dtypes}
        return {
            row[INDEX]: (row[ROW], {names[c]: row[c] for c in names})
            for row in found.iter_rows(named=True)
        }

    def close(self) -> None:
        self._folder.cleanup()

    def _source(self) -> str:
        pattern = str(self.folder / "*.parquet").replace("'", "''")
        return f"read_parquet('{pattern}')"

    def _query(self, sql: str) -> list[Any]:
        import duckdb

        spill = self.folder / "duckdb"
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": DUCKDB_MEMORY,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        }
        with duckdb.connect(":memory:", config=config) as connection:
            return connection.execute(sql).fetchall()
