"""Bench: filing an access request, and the statistics page over 100,000 requests.

Filing goes through the real HTTP endpoint (``POST /api/v1/requests``: JSON
parsing, validation, deadline computation, the request, its event and its
e-mail in one transaction). It runs on SQLite, and on PostgreSQL too when
``TEST_DATABASE_URL`` is set. The statistics page (``/transparencia/estadisticas``)
is timed over 100,000 requests inserted in bulk.

Goals (issue 5): filing p95 under 50 ms; the statistics page under 200 ms.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert
from starlette.testclient import TestClient

from catalog import clock
from catalog.transparency.api import mount
from catalog.transparency.models import InfoRequest
from catalog.transparency.testing import PUBLISHERS, database_kinds, workspace_for_tests
from catalog.transparency.web import create_app
from catalog.transparency.workspace import Workspace

FILINGS = 300
STATS_ROWS = 100_000
FILING = {
    "publisher": "mides",
    "subject": "Cobertura del Bono Social por municipio",
    "description": "Solicito el número de hogares beneficiarios del Bono Social por municipio en 2024.",
    "requester": {"name": "Persona de prueba", "email": "prueba@example.org"},
    "preferred_format": "csv",
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _filing(workspace: Workspace) -> dict[str, float]:
    app = FastAPI()
    mount(app, workspace)
    client = TestClient(app)
    # A filing carries the anti-spam token an API client gets first (one serves them all).
    token = client.get("/api/v1/requests/filing-token").json()["filing_token"]
    timings = []
    for index in range(FILINGS + 20):
        started = time.perf_counter()
        response = client.post("/api/v1/requests", json={**FILING, "filing_token": token})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise RuntimeError(f"filing failed: {response.status_code} {response.text[:200]}")
        if index >= 20:  # the first ones warm caches up
            timings.append(elapsed)
    return {
        "filings": FILINGS,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
    }


def _bulk_requests(workspace: Workspace, rows: int) -> None:
    rng = random.Random(5)
    publishers = sorted(PUBLISHERS)
    statuses = [
        "received",
        "assigned",
        "extended",
        "answered",
        "answered",
        "answered",
        "closed",
        "withdrawn",
    ]
    outcomes = ["granted", "granted", "partial", "denied", "not_held"]
    now = clock.now()
    batch: list[dict[str, Any]] = []
    with workspace.db.write() as session:
        for index in range(rows):
            received = now - timedelta(days=rng.randint(0, 900))
            status = rng.choice(statuses)
            answered = status in ("answered", "closed")
            days = rng.randint(1, 25) if answered else None
            due = received.date() + timedelta(days=14)
            batch.append(
                {
                    "tracking_code": f"SOL-BENCH-{index:07d}",
                    "publisher": rng.choice(publishers),
                    "jurisdiction": "GT",
                    "subject": "Solicitud de prueba",
                    "description": "Texto de prueba para medir la página de estadísticas.",
                    "preferred_format": "csv",
                    "requester_name": "Persona de prueba",
                    "requester_email": "prueba@example.org",
                    "requester_key_hash": "0" * 64,
                    "lang": "es",
                    "status": status,
                    "outcome": rng.choice(outcomes) if answered else None,
                    "received_at": received,
                    "start_on": received.date(),
                    "due_on": due,
                    "original_due_on": due,
                    "extensions": 0,
                    "answered_at": received + timedelta(days=days * 1.4) if days else None,
                    "answer_days": days,
                    "answered_late": (days > 10) if days else None,
                    "published_subject": "Solicitud de prueba",
                    "updated_at": received,
                    "version": 1,
                }
            )
            if len(batch) == 5000:
                session.execute(insert(InfoRequest), batch)
                batch = []
        if batch:
            session.execute(insert(InfoRequest), batch)


def _statistics_page(workspace: Workspace, folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    _bulk_requests(workspace, STATS_ROWS)
    loaded = time.perf_counter() - started
    client = TestClient(create_app(folder, workspace))
    timings = []
    for _ in range(12):
        started = time.perf_counter()
        response = client.get("/transparencia/estadisticas")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"statistics page failed: {response.status_code}")
    timings = timings[2:]
    return {
        "requests": STATS_ROWS,
        "load_s": round(loaded, 1),
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
    }


def run(workdir: Path) -> dict[str, Any]:
    """Figures for docs/benchmarks.md: filing p95 per database, the statistics page."""
    figures: dict[str, Any] = {"date": clock.today().isoformat()}
    for kind in database_kinds():
        folder = Path(workdir) / f"requests-{kind}"
        folder.mkdir(parents=True, exist_ok=True)
        with workspace_for_tests(kind, folder, filings_per_hour=10**9) as workspace:
            figures[f"filing_{kind}"] = _filing(workspace)
        with workspace_for_tests(kind, folder / "stats") as workspace:
            figures[f"statistics_page_{kind}"] = _statistics_page(workspace, folder)
    figures["goals"] = {"filing_p95_ms": 50, "statistics_page_ms": 200}
    return figures


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(run(Path(sys.argv[1] if len(sys.argv) > 1 else work)), indent=2))
