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


def test_bench_manifests_carry_a_content_hash_as_a_build_writes():
    """Without it the site never reuses a file, and the rebuild figures would be wrong."""
    assert site.manifest(1)["content_hash"] != site.manifest(2)["content_hash"]
    assert len(site.manifest(1)["content_hash"]) == 64
