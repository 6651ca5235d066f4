"""``make bench``, active-transparency part: compliance of 500 bodies, and the matrix page.

- The computation (twice: the first in a fresh process also loads the jurisdiction
  profiles and their holidays; the second is what a new release or record costs):
  ``compliance.compute`` over ``BODIES`` synthetic Guatemalan bodies
  (every one bound by all of the profile's 29 items: each declares every duty
  trait), ``MONTHS`` months, with a realistic mix of evidence (datasets citing the
  monthly items with their coverage, published on time, late or not at all; officers'
  links and not-applicable declarations), then the pages' index of it
  (``active_source.Board``: every body's score for every month). Timed in-process.
- The matrix page: the same bodies in a synthetic release served by the real
  ``catalog serve`` in a subprocess (window ``CATALOG_COMPLIANCE_MONTHS=24``); after
  one request that computes the compliance (timed apart: it is cached until the
  release, the records or the day change), ``PAGE_REQUESTS`` requests of
  ``/transparencia/activa/`` over its pages, orders and filters, one at a time from
  this process on loopback: p50 and p95.

Goals (issue 8): the computation in at most 5 s; the matrix page p95 at most 100 ms.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from catalog import clock
from catalog.bench.api import _free_port
from catalog.build.catalogue import write_catalogue
from catalog.build.datasette import inspect_data, write_json
from catalog.build.index import build_index
from catalog.build.release import Layout
from catalog.release.layout import ReleaseFolder
from catalog.release.manifest import Manifest
from catalog.transparency.active_source import Board
from catalog.transparency.compliance import Declaration, compute
from catalog.transparency.obligations import obligations, period_of
from catalog.vocabularies import codes

BODIES = 500
MONTHS = 24
PAGE_REQUESTS = 200
KINDS = ("ministry", "secretariat", "municipality", "autonomous-body", "decentralized-body")
GOALS = {"compute_s": 5.0, "matrix_p95_ms": 100.0}


def publishers(count: int = BODIES) -> dict[str, dict[str, Any]]:
    duties = codes("publisher_duties")
    return {
        f"ente-{i:03d}": {
            "name": f"Institución de prueba {i:03d}",
            "kind": KINDS[i % len(KINDS)],
            "jurisdiction": {"country": "GT"},
            "duties": list(duties),
            "email": "uip@example.gob.gt",
        }
        for i in range(count)
    }


def _month(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _manifest(slug: str, name: str, items: list[str], first: date, last: date) -> Manifest:
    package = {
        "name": name,
        "title": f"Datos de transparencia {name} de {slug}",
        "description": "Conjunto sintético para medir la transparencia activa.",
        "publisher": slug,
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "monthly",
        "obligations": items,
        "temporal": {"start": first.isoformat(), "end": last.isoformat()},
        "resources": [],
    }
    return Manifest(
        dataset=f"{slug}/{name}",
        publisher=slug,
        name=name,
        package=package,
        readme=f"# {name}\n",
        queries={},
        tables=[],
    )


def evidence(
    bodies: dict[str, dict[str, Any]], today: date, seed: int = 8
) -> tuple[list[Manifest], dict[str, str], list[Declaration]]:
    """Datasets (with their publication moments) and officers' records for the bodies:
    some exemplary, some lagging, some silent."""
    rng = random.Random(seed)
    items = obligations("GT")
    monthly = [i.id for i in items if i.frequency == "monthly"]
    permanent = [i for i in items if i.frequency == "permanent-on-change"]
    manifests: list[Manifest] = []
    published_at: dict[str, str] = {}
    records: list[Declaration] = []
    for n, slug in enumerate(sorted(bodies)):
        diligence = n % 4  # 0 exemplary, 1 late, 2 partial, 3 silent
        if diligence == 3:
            continue
        for back in range(MONTHS, 0, -1):
            start = _month(today, back)
            end = _month(today, back - 1) - timedelta(days=1)
            if diligence == 2 and rng.random() < 0.5:
                continue
            delay = rng.randint(5, 25) if diligence == 0 else rng.randint(20, 70)
            published = end + timedelta(days=delay)
            if published >= today:
                continue
            name = f"mensual-{start:%Y-%m}"
            manifests.append(_manifest(slug, name, monthly[: 6 + n % 6], start, end))
            published_at[f"{slug}/{name}"] = f"{published.isoformat()}T15:00:00+00:00"
        for item in permanent[: 4 + n % 5]:
            records.append(
                Declaration(
                    slug, item.id, "*", "link", _month(today, MONTHS), url="https://example.gob.gt/"
                )
            )
        for back in range(1, MONTHS, 5):
            start = _month(today, back)
            item = items[(n + back) % len(items)]
            records.append(
                Declaration(
                    slug,
                    item.id,
                    period_of(item, start).key,
                    "not-applicable",
                    start,
                    reason="Sin movimientos en el período",
                )
            )
    return manifests, published_at, records


def _entries(manifests: list[Manifest], bodies: dict, published_at: dict[str, str]) -> list:
    index = build_index(manifests, {}, bodies, clock.stamp(), None, published_at)
    return list(index["datasets"])


def time_compute(today: date) -> dict[str, Any]:
    bodies = publishers()
    manifests, published_at, records = evidence(bodies, today)
    datasets = _entries(manifests, bodies, published_at)
    cold = 0.0
    for run in range(2):  # the first in a fresh process also loads the profiles and holidays
        started = time.perf_counter()
        found = compute(bodies, datasets, records, today, months=MONTHS)
        computed = time.perf_counter() - started
        cold = computed if run == 0 else cold
    started = time.perf_counter()
    board = Board.of("GT", found)
    indexed = time.perf_counter() - started
    items = {c.obligation for c in found.cells}
    return {
        "bodies": len(board.bodies()),
        "items": len(items),
        "months": MONTHS,
        "cells": len(found.cells),
        "datasets": len(datasets),
        "records": len(records),
        "first_compute_s": round(cold, 2),
        "compute_s": round(computed, 2),
        "pages_index_s": round(indexed, 2),
        "total_s": round(computed + indexed, 2),
    }


def make_release(out: Path, today: date) -> Path:
    """A release of the bodies and their datasets in build folder ``out``."""
    bodies = publishers()
    manifests, published_at, _records = evidence(bodies, today)
    layout = Layout(out)
    layout.prepare()
    release_id, tmp = layout.new_release()
    folder = ReleaseFolder(tmp)
    folder.sql.mkdir(parents=True)
    folder.site.mkdir()
    (folder.site / "index.html").write_text("<!doctype html><title>bench</title>", "utf-8")
    conn = sqlite3.connect(folder.database, isolation_level=None)
    try:
        write_catalogue(conn, bodies, [(m, "published") for m in manifests])
        write_json(folder.inspect, inspect_data(folder.database, conn))
    finally:
        conn.close()
    write_json(folder.metadata, {"title": "bench"})
    index = build_index(manifests, {}, bodies, clock.stamp(), None, published_at)
    write_json(folder.index, index)
    layout.publish(release_id, tmp)
    return out


def _serve(build: Path, work: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CATALOG_COMPLIANCE_MONTHS": str(MONTHS)}
    env["CATALOG_BASE_URL"] = f"http://127.0.0.1:{port}"
    env["CATALOG_DATA_DIR"] = str(work / "var")
    env.pop("DATABASE_URL", None)
    env.pop("CATALOG_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "serve", "--port", str(port), "--build-dir", str(build)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/status", timeout=2)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(f"catalog serve exited with {process.returncode}") from None
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"catalog serve did not start on port {port}")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_matrix(work: Path, today: date) -> dict[str, Any]:
    build = make_release(work / "build", today)
    port = _free_port()
    process = _serve(build, work, port)
    base = f"http://127.0.0.1:{port}/transparencia/activa/"
    variants = [f"?pagina={n}" for n in range(1, BODIES // 50 + 1)]
    variants += ["?orden=mes", "?orden=ventana&pagina=3", "?tipo=municipality", "?lang=en"]
    try:
        with httpx.Client(timeout=60) as client:
            started = time.perf_counter()
            first = client.get(base)
            first_s = time.perf_counter() - started
            if first.status_code != 200:
                raise RuntimeError(f"matrix page failed: {first.status_code}")
            for variant in variants:  # every variant once before timing
                client.get(base + variant)
            timings = []
            sizes = []
            for n in range(PAGE_REQUESTS):
                started = time.perf_counter()
                answer = client.get(base + variants[n % len(variants)])
                timings.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"matrix page failed: {answer.status_code}")
                sizes.append(len(answer.content))
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        "bodies": BODIES,
        "months": MONTHS,
        "first_request_s": round(first_s, 2),
        "requests": PAGE_REQUESTS,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "page_kb": round(max(sizes) / 1024, 1),
    }


def run(workdir: Path) -> dict[str, Any]:
    """Figures for docs/benchmarks.md."""
    today = clock.today()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    return {
        "date": today.isoformat(),
        "compliance": time_compute(today),
        "matrix_page": time_matrix(work, today),
        "goals": GOALS,
    }


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(Path(sys.argv[1] if len(sys.argv) > 1 else folder)), indent=2))
