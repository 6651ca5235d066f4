"""Composing the release database at scale (catalog/build/compose.py): the planner's
statistics in one pass when many tables are new, and a database composed anew rather
than a copy of the previous one when most datasets changed (SQLite's schema changes
cost more the more tables a file holds)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import cast

from catalog.build import compose
from catalog.build.compose import Version, compose_database
from catalog.release.manifest import TablePlan


def _snapshot(folder: Path, i: int, value: int = 0) -> Version:
    name = f"pub__conjunto_{i:03d}__datos"
    path = folder / f"{i}-{value}.db"
    conn = sqlite3.connect(path)
    conn.execute(f'CREATE TABLE "{name}" (anio INTEGER, departamento TEXT, valor INTEGER)')
    rows = [(2020 + r, f"{1 + r % 22:02d}", value + r) for r in range(8)]
    conn.executemany(f'INSERT INTO "{name}" VALUES (?, ?, ?)', rows)
    conn.commit()
    conn.close()
    # What composing reads of a table plan (catalog/release/manifest.py)
    plan = cast(TablePlan, {"name": name, "indexes": [["departamento"]], "fts": []})
    return Version(f"{i}-{value}", path, [plan])


def _versions(folder: Path, count: int, value: int = 0) -> dict[str, Version]:
    folder.mkdir(exist_ok=True)
    return {f"pub/conjunto-{i:03d}": _snapshot(folder, i, value) for i in range(count)}


def _analyzed(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT tbl FROM sqlite_stat1")}


def test_many_new_tables_are_analyzed_in_one_pass(tmp_path: Path):
    count = compose.ANALYZE_ONE_BY_ONE + 5
    versions = _versions(tmp_path / "snapshots", count)
    target = tmp_path / "catalogo.db"
    assert compose_database(target, versions, None, {}) == {"copied": count, "kept": 0}
    tables = {v.tables[0]["name"] for v in versions.values()}
    assert tables <= _analyzed(target)


def test_a_few_new_tables_are_analyzed_one_by_one(tmp_path: Path):
    versions = _versions(tmp_path / "snapshots", 3)
    target = tmp_path / "catalogo.db"
    compose_database(target, versions, None, {})
    assert {v.tables[0]["name"] for v in versions.values()} <= _analyzed(target)


def test_previous_database_is_copied_only_when_most_datasets_are_the_same(tmp_path: Path):
    first = _versions(tmp_path / "one", 6)
    previous = tmp_path / "previous.db"
    compose_database(previous, first, None, {})
    loaded = {d: v.hash for d, v in first.items()}
    one_changed = {**first, "pub/conjunto-000": _snapshot(tmp_path / "one", 0, 100)}
    kept = compose_database(tmp_path / "kept.db", one_changed, previous, loaded)
    assert kept == {"copied": 1, "kept": 5}
    every_one = _versions(tmp_path / "two", 6, 100)  # e.g. new validation code
    anew = compose_database(tmp_path / "anew.db", every_one, previous, loaded)
    assert anew == {"copied": 6, "kept": 0}
    with sqlite3.connect(tmp_path / "anew.db") as conn:
        table = first["pub/conjunto-003"].tables[0]["name"]
        assert conn.execute(f'SELECT min(valor) FROM "{table}"').fetchone() == (100,)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names - {"sqlite_stat1"} == {v.tables[0]["name"] for v in every_one.values()}
