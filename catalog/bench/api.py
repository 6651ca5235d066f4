"""``make bench``, API part: package_show and package_search on 10,000 datasets.

A synthetic release of ``DATASETS`` tiny datasets is composed with the build's
own parts (catalogue tables with their full-text index, ``index.json`` and the
API's search file, Datasette's metadata and inspect files, through ``Layout``),
then served by the real ``catalog serve`` in a subprocess. Measured from other
processes on loopback:

- latency (p50, p95) of ``package_show`` and ``package_search`` (one request
  at a time, keep-alive), and of Datasette's JSON API answering the same search
  over the same catalogue table (``/sql/catalogo/datasets.json?_search=``, with
  ``_nosuggest=1`` so it does no work the API does not do);
- throughput under concurrent load from ``wrk`` (Debian package) — or, when it
  is missing, a small httpx load generator in its own process — on the same
  search for both.

The API runs with its rate limiter on, under a benchmark API key.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from catalog import clock
from catalog.build.catalogue import write_catalogue
from catalog.build.datasette import inspect_data, write_json
from catalog.build.index import build_index
from catalog.build.release import Layout
from catalog.build.search import write_search
from catalog.release.layout import ReleaseFolder
from catalog.release.manifest import Manifest

DATASETS = 10_000
PUBLISHERS = 40
LATENCY_REQUESTS = 300
LOAD_SECONDS = 10
CONNECTIONS = 16
KEY = "bench-key"
SEARCH_WORD = "salud"
TOPICS = (
    "salud educación matrícula vacunación presupuesto ejecución compras adquisiciones "
    "transferencias agua saneamiento seguridad delitos empleo salarios planilla becas "
    "bono social desnutrición precios granos transporte obras proyectos cooperación "
    "inversión licencias residuos alumbrado hospitales escuelas docentes nacimientos"
).split()
PLACES = ("Guatemala", "Alta Verapaz", "Quetzaltenango", "Huehuetenango", "Petén", "Escuintla")
THEMES = ("SOCI", "EDUC", "HEAL", "ECON", "GOVE", "JUST", "REGI", "ENVI", "TRAN", "AGRI")


def _manifest(i: int, rng: random.Random) -> Manifest:
    publisher = f"pub-{i % PUBLISHERS:02d}"
    name = f"conjunto-{i:05d}"
    words = rng.sample(TOPICS, 4)
    place = rng.choice(PLACES)
    title = f"{words[0].capitalize()} y {words[1]} en {place} ({2015 + i % 10})"
    package = {
        "name": name,
        "title": title,
        "description": f"Datos sintéticos de {words[0]}, {words[1]} y {words[2]} en {place}.",
        "publisher": publisher,
        "keywords": words,
        "themes": rng.sample(THEMES, 2),
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": rng.choice(("annual", "monthly", "quarterly")),
        "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@example.gob.gt"},
        "version": "1.0.0",
        "issued": f"20{15 + i % 10}-0{1 + i % 9}-15",
        "modified": f"2025-0{1 + i % 9}-{10 + i % 18}",
        "spatial": {"country": "GT"},
        "resources": [
            {
                "name": "datos",
                "title": f"Tabla de {words[0]}",
                "path": "data/datos.csv",
                "format": "csv",
                "schema": {
                    "fields": [
                        {"name": "departamento", "type": "string", "title": "Departamento"},
                        {"name": "anio", "type": "integer", "title": "Año"},
                        {"name": "valor", "type": "number", "title": words[3].capitalize()},
                    ]
                },
            }
        ],
    }
    return Manifest(
        dataset=f"{publisher}/{name}",
        publisher=publisher,
        name=name,
        package=package,
        readme=f"# {title}\n\n{package['description']}\n",
        queries={},
        tables=[],
    )


def make_release(out: Path, count: int = DATASETS) -> Path:
    """A release of ``count`` synthetic datasets in build folder ``out``."""
    rng = random.Random(42)
    manifests = [_manifest(i, rng) for i in range(count)]
    publishers = {
        f"pub-{p:02d}": {
            "name": f"Institución de prueba {p}",
            "kind": "ministry",
            "jurisdiction": {"country": "GT"},
            "email": "uip@example.gob.gt",
        }
        for p in range(PUBLISHERS)
    }
    layout = Layout(out)
    layout.prepare()
    release_id, tmp = layout.new_release()
    folder = ReleaseFolder(tmp)
    folder.sql.mkdir(parents=True)
    folder.site.mkdir()
    (folder.site / "index.html").write_text("<!doctype html><title>bench</title>", "utf-8")
    conn = sqlite3.connect(folder.database, isolation_level=None)
    try:
        write_catalogue(conn, publishers, [(m, "published") for m in manifests])
        write_json(folder.inspect, inspect_data(folder.database, conn))
    finally:
        conn.close()
    write_json(folder.metadata, {"title": "bench"})
    published_at = {m["dataset"]: "2025-10-01T00:00:00+00:00" for m in manifests}
    index = build_index(manifests, {}, publishers, clock.stamp(), None, published_at)
    write_json(folder.index, index)
    write_search(folder)
    layout.publish(release_id, tmp)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(build: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CATALOG_API_KEYS": f"{KEY}=100000000/minute"}
    env["CATALOG_SQL_PER_CLIENT"] = env["CATALOG_SQL_TOTAL"] = "64"  # wrk is one client
    env["CATALOG_BASE_URL"] = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "catalog", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--build-dir", str(build)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/status", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"catalog serve did not start on port {port}")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _latency(client: httpx.Client, urls: list[str]) -> tuple[float, float]:
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return _percentiles(samples)


LOADGEN = """
import asyncio, sys, time, httpx
url, seconds, connections, key = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
done = 0
async def worker(client, stop):
    global done
    while time.perf_counter() < stop:
        (await client.get(url)).raise_for_status()
        done += 1
async def main():
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, headers={"X-API-Key": key}) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client, start + seconds) for _ in range(connections)))
        print(done / (time.perf_counter() - start))
asyncio.run(main())
"""


def _throughput(url: str) -> tuple[float, str]:
    """Requests per second under concurrent load from another process."""
    wrk = shutil.which("wrk")
    if wrk:
        result = subprocess.run(
            [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{LOAD_SECONDS}s", "-H", f"X-API-Key: {KEY}", url],
            capture_output=True,
            text=True,
            check=True,
        )
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
        if errors:
            raise RuntimeError(f"{errors.group(1)} failed responses under load: {url}")
        rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        if rate is None:
            raise RuntimeError(f"wrk printed no Requests/sec for {url}: {result.stdout!r}")
        return float(rate.group(1)), "wrk"
    result = subprocess.run(
        [sys.executable, "-c", LOADGEN, url, str(LOAD_SECONDS), str(CONNECTIONS), KEY],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip()), "httpx"


def run(workdir: Path) -> dict[str, Any]:
    build = Path(workdir) / "api-build"
    shutil.rmtree(build, ignore_errors=True)
    started = time.perf_counter()
    make_release(build)
    figures: dict[str, Any] = {
        "datasets": DATASETS,
        "release_written_s": time.perf_counter() - started,
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(build, port)
    try:
        with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=60) as client:
            client.get("/api/3/action/package_show?id=pub-00--conjunto-00000").raise_for_status()
            client.get("/sql/catalogo/datasets.json?_size=1").raise_for_status()
            rng = random.Random(7)
            names = [
                f"/api/3/action/package_show?id=pub-{i % PUBLISHERS:02d}--conjunto-{i:05d}"
                for i in rng.sample(range(DATASETS), LATENCY_REQUESTS)
            ]
            words = [rng.choice(TOPICS) for _ in range(LATENCY_REQUESTS)]
            searches = [f"/api/3/action/package_search?q={w}&rows=10" for w in words]
            datasette = [
                f"/sql/catalogo/datasets.json?_search={w}&_size=10&_nosuggest=1" for w in words
            ]
            figures["package_show_p50_ms"], figures["package_show_p95_ms"] = _latency(client, names)
            figures["package_search_p50_ms"], figures["package_search_p95_ms"] = _latency(
                client, searches
            )
            figures["datasette_search_p50_ms"], figures["datasette_search_p95_ms"] = _latency(
                client, datasette
            )
            count = client.get(searches[0]).json()["result"]["count"]
            same = client.get(datasette[0]).json()["filtered_table_rows_count"]
            figures["same_query_counts"] = f"{count} (API) / {same} (Datasette)"
        show_rps, tool = _throughput(base + names[0])
        search_rps, _tool = _throughput(
            base + f"/api/3/action/package_search?q={SEARCH_WORD}&rows=10"
        )
        datasette_rps, _tool = _throughput(
            base + f"/sql/catalogo/datasets.json?_search={SEARCH_WORD}&_size=10&_nosuggest=1"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    figures.update(
        {
            "load_generator": f"{tool}, {CONNECTIONS} connections, {LOAD_SECONDS} s",
            "package_show_req_per_s": show_rps,
            "package_search_req_per_s": search_rps,
            "datasette_search_req_per_s": datasette_rps,
            "search_speedup_vs_datasette": search_rps / datasette_rps if datasette_rps else 0.0,
        }
    )
    shutil.rmtree(build, ignore_errors=True)
    return figures


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench-work")
    target.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(target), indent=2))
