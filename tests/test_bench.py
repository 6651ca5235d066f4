"""The benchmarks' synthetic catalogue has the shape a real build writes."""

from __future__ import annotations

from typing import get_type_hints

from catalog.bench import site
from catalog.release.manifest import Column


def test_bench_columns_have_every_key_of_a_published_column():
    keys = set(get_type_hints(Column))
    for column in site.COLUMNS:  # the plan adds the SQL type
        assert set(column) | {"sqltype"} == keys, column["name"]
    plan = site.manifest(7)["tables"][0]
    assert all(set(c) == keys for c in plan["columns"])
