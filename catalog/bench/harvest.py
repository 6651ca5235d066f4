"""Harvest 1,000 datasets from a local CKAN-compatible source.

A small HTTP server (a thread of this process) answers ``package_search`` pages, sorted
and filtered by ``metadata_modified`` as CKAN does, and a small CSV resource per dataset
(a few dozen rows of department-level figures). The harvest runs in full: every page
listed, every CSV downloaded, a schema inferred, the dataset validated with the privacy
gate and moved into place. Then an incremental run, which finds nothing modified.
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATASETS = 1_000
THEMES = ["soci", "educ", "heal", "econ", "gove", "regi"]


def _csv(index: int) -> bytes:
    rng = random.Random(index)
    lines = ["anio,departamento,indicador,valor"]
    for year in (2022, 2023):
        for department in range(1, 23):
            lines.append(f"{year},{department:02d},cobertura,{rng.uniform(10, 99):.1f}")
    return ("\n".join(lines) + "\n").encode()


def _package(index: int, base: str) -> dict[str, Any]:
    org = f"institucion-{index % 20:02d}"
    modified = f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}T10:00:{index % 60:02d}.000000"
    return {
        "id": f"pkg-{index:05d}",
        "name": f"conjunto-{index:05d}",
        "title": f"Conjunto de datos de prueba {index}",
        "notes": "Datos generados para medir la recolección.",
        "license_id": "cc-by",
        "maintainer": "Unidad de datos",
        "maintainer_email": "datos@institucion.example.gob.gt",
        "metadata_created": "2023-01-01T00:00:00.000000",
        "metadata_modified": modified,
        "organization": {"name": org, "title": f"Institución {index % 20}"},
        "groups": [{"name": THEMES[index % len(THEMES)]}],
        "tags": [{"name": "prueba"}, {"name": "cobertura"}],
        "resources": [{"format": "CSV", "name": "datos", "url": f"{base}/files/{index}.csv"}],
    }


class _Source:
    def __init__(self) -> None:
        self.packages: list[dict[str, Any]] = []
        source = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                parts = urlsplit(self.path)
                if parts.path.startswith("/files/"):
                    body = _csv(int(parts.path.rsplit("/", 1)[1].split(".")[0]))
                    kind = "text/csv"
                else:
                    body, kind = source.search(parse_qs(parts.query)), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.packages = sorted(
            (_package(i, self.base) for i in range(DATASETS)),
            key=lambda p: (p["metadata_modified"], p["id"]),
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def search(self, query: dict[str, list[str]]) -> bytes:
        found = self.packages
        fq = (query.get("fq") or [""])[0]
        if "[" in fq:
            low = fq.split("[", 1)[1].split(" TO", 1)[0].rstrip("Z")
            found = [p for p in found if p["metadata_modified"][:19] >= low]
        start, rows = int(query["start"][0]), int(query["rows"][0])
        result = {"count": len(found), "results": found[start : start + rows]}
        return json.dumps({"success": True, "result": result}).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(work: Path) -> dict[str, Any]:
    from catalog.harvest.net import Limits
    from catalog.harvest.run import Options, harvest

    source = _Source()
    try:
        root = work / "root"
        options = Options(url=source.base + "/", root=root, limits=Limits(allow_private=True))
        started = time.perf_counter()
        first = harvest(options)
        full = time.perf_counter() - started
        started = time.perf_counter()
        second = harvest(options)
        incremental = time.perf_counter() - started
    finally:
        source.close()
    if first.failure is not None:
        raise RuntimeError(first.failure_message("en"))
    return {
        "datasets listed": DATASETS,
        "created": first.counts["created"],
        "refused": first.counts["refused"],
        "full harvest s": round(full, 2),
        "datasets per second": round(DATASETS / full, 1),
        "incremental rerun s": round(incremental, 2),
        "incremental unchanged": second.counts["unchanged"],
    }
