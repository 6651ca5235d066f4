"""The site's workers run beside a build that has used polars: a process forked after
polars' thread pool started hangs when it uses polars (the downloads write Parquet),
so the workers come from a fork server (catalog/site/jobs.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog.bench import scale
from catalog.site import jobs
from catalog.standards import write_documents

SCRIPT = """
import sys
from pathlib import Path

import polars as pl

from catalog.bench import scale, site
from catalog.build.site import write_site

# What validation does first: polars' thread pool busy in this process.
frame = pl.DataFrame({"a": list(range(300_000)), "b": [str(i) for i in range(300_000)]})
assert frame.group_by("a").agg(pl.col("b").count()).height == 300_000
frame.write_parquet(Path(sys.argv[1]) / "warm.parquet")
work = Path(sys.argv[1])
manifests = [scale.manifest(i) for i in range(int(sys.argv[2]))]
site._database(work / "catalogo.db", manifests)
# The document parts are made in the workers: none is left to make here.
import catalog.standards as standards
made_here = []
make_part = standards.make_part
standards.make_part = lambda *args: made_here.append(args[1]) or make_part(*args)
write_site(work / "site", manifests, scale._publishers(), "es",
           database=work / "catalogo.db", today=site.TODAY)
print("built", len(made_here))
"""


def test_a_build_that_used_polars_writes_its_downloads_in_workers(tmp_path: Path):
    count = jobs.MIN_PARALLEL + 20  # enough datasets for the workers
    # A hang is what this guards against: the timeout only turns one into a failure.
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), str(count)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "built 0"
    # ... and the documents joined from them are those made whole, in one process.
    whole = tmp_path / "whole"
    write_documents(whole, [scale.manifest(i) for i in range(count)], scale._publishers(), "es")
    for name in ("catalog.ttl", "catalog.jsonld", "data.json"):
        assert (tmp_path / "site" / name).read_bytes() == (whole / name).read_bytes(), name
    parquet = list((tmp_path / "site" / "datasets").rglob("*.parquet"))
    assert len(parquet) == count
    pages = list((tmp_path / "site" / "datasets").rglob("index.html"))
    assert len(pages) >= count


def test_a_site_is_written_with_fewer_collections_and_the_threshold_comes_back():
    import gc

    from catalog.site.jobs import GC_THRESHOLD, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLD != before
    assert gc.get_threshold() == before
    try:
        with fewer_collections():
            raise RuntimeError("a build that fails")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
