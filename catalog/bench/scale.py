"""``make bench``, national-scale part: a catalogue of 50,000 small datasets.

Figures (docs/benchmarks.md; issue 15's goals):

At ``DATASETS`` (50,000): the search index and what a search fetches, the API and
Datasette; at ``SITE_DATASETS``: the whole site's builds:

- ``site_build_s`` / ``site_build_peak_mb``: ``write_site`` from scratch in a child
  process (pages in both languages, downloads, search index, DCAT), its peak RSS;
- ``rebuild_linked_s``: the same site again, its files hard-linked from the previous
  one (a first rebuild, with no older site to update);
- ``rebuild_nothing_changed_s``, ``rebuild_one_changed_s`` (a title changed) and
  ``rebuild_one_added_s`` (then one dataset more): the same site again,
  the site before the previous one (a ``spare``) brought up to date in place, what it
  lacks linked from the previous one or written (``write_site(..., spare=)``);
- ``search_*_kb``: what a reader's browser (Chromium through Playwright, cold cache)
  fetches for one search, the page, its script and style included, as a plain file
  server sends it and (``_gzip_kb``) as a CDN compressing with gzip would; of that
  what the index files weigh; ``search_*_first_results_ms``: until the results show
  (loopback, no throttling);
- ``package_search_p95_ms`` (and ``_facets_``: organization, tags and formats counted),
  ``api_worker_rss_mb``: the API of a release of as many datasets
  (``catalog.bench.api.make_release``, its search file included: ``search_file_mb``),
  served by ``catalog serve``; ``api_ready_s``: from starting the server to its first
  answer (the release opened);
- ``slow_3g_*`` and ``fast_3g_*``: the search page and queries typed into it (175 ms
  a key) on Chrome DevTools' network presets, gzip as a CDN sends it; ``wpt_3g_slow_*``
  the same over a link of WebPageTest's "3G slow" profile (a proxy adding 400 ms a round
  trip at 400 kbit/s); ``_last_key_ms`` from the last key to the first results,
  ``_enter_ms`` from Enter, ``_kb`` what the query fetched;
- ``sql``: Datasette over a database holding the tables of as many datasets
  (``catalog.bench.sqlscale``).

The datasets are synthetic: ``catalog.bench.site``'s manifests with a realistic
spread of publishers, keywords, territories and formats (``manifest``).
"""

from __future__ import annotations

import copy
import functools
import gzip
import http.server
import multiprocessing
import queue
import random
import resource
import shutil
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import psutil

from catalog import compress
from catalog.bench import api, site, sqlscale
from catalog.release.manifest import Manifest
from catalog.release.naming import table_name
from catalog.site.pages import sort_key

DATASETS = 50_000
SITE_DATASETS = DATASETS  # the whole site's five builds (see run)
PUBLISHERS = 500
KEYWORDS = [f"{w}{n}" for w in api.TOPICS for n in ("", "-municipal", "-rural", "-urbano")]
KEYWORDS += [f"tema {n}" for n in range(2500)]  # a long tail, as harvested portals have
FORMATS = ["csv", "json", "xlsx", "geojson", "pdf"]
LICENSES = ["CC-BY-4.0", "CC0-1.0", "ODC-By-1.0"]  # codes of catalog/vocabularies/licenses.yaml
FREQUENCIES = ["annual", "quarterly", "monthly", "irregular", "daily", "weekly"]
QUERIES = {
    "all": "",
    "word": "?q=salud",
    "two_words": "?q=presupuesto%20municipal",
    "wildcard": "?q=vacun*",
    "facet": "?theme=ECON&publisher=pub-007",
    "rare_keyword": "?keyword=tema%2040",
    "sorted_by_date": "?q=agua&sort=modified",
}
REQUESTS = 200


def manifest(i: int) -> Manifest:
    """Dataset ``i``: ``catalog.bench.site``'s, with words, publishers and values spread."""
    rng = random.Random(i)
    found = site.manifest(i)
    package = found["package"]
    publisher = f"pub-{i % PUBLISHERS:03d}"
    name = package["name"]
    words = rng.sample(api.TOPICS, 3)
    package["title"] = f"{words[0].capitalize()} y {words[1]}, conjunto {i}"
    package["description"] = f"Datos sintéticos de {words[0]}, {words[1]} y {words[2]}."
    package["keywords"] = [
        *rng.sample(KEYWORDS[: 4 * len(api.TOPICS)], 2),
        KEYWORDS[4 * len(api.TOPICS) + int(rng.paretovariate(1.2)) % 2500],
    ]
    package["publisher"] = publisher
    package["licenses"] = [{"name": rng.choice(LICENSES)}]
    package["frequency"] = rng.choice(FREQUENCIES)
    first = dict(package["resources"][0])
    package["resources"] = [first] + [
        {"name": f"anexo-{f}", "path": f"data/anexo.{f}", "format": f}
        for f in rng.sample(FORMATS[1:], rng.randint(0, 2))
    ]
    found["dataset"], found["publisher"] = f"{publisher}/{name}", publisher
    found["tables"][0]["name"] = table_name(publisher, name, "datos")
    return found


def _publishers() -> dict[str, dict[str, Any]]:
    return {
        f"pub-{n:03d}": {
            "name": f"Institución de prueba {n}",
            "kind": "municipality" if n % 3 else "ministry",
            "jurisdiction": {"country": "GT"},
            "email": f"uip{n}@example.gob.gt",
        }
        for n in range(PUBLISHERS)
    }


def _build(
    work: Path,
    name: str,
    previous: str | None,
    changed: int | None,
    count: int,
    spare: str | None = None,
    added: bool = False,
) -> tuple[float, int, float]:
    """One ``write_site`` (in a child process): seconds, files written, peak RSS (MB).
    ``changed``: the dataset whose title changes; ``added``: one dataset more;
    ``spare``: the older site it brings up to date in place (the release before the
    previous one)."""
    from catalog.build.site import write_site

    manifests = [manifest(i) for i in range(count + added)]
    if changed is not None:
        manifests[changed] = copy.deepcopy(manifests[changed])
        manifests[changed]["package"]["title"] = "Conjunto con título cambiado"
    start = time.perf_counter()
    writer = write_site(
        work / name / "site",
        manifests,
        _publishers(),
        "es",
        database=work / "catalogo.db",
        previous=work / previous / "site" if previous else None,
        spare=work / spare / "site" if spare else None,
        today=site.TODAY,
    )
    seconds = time.perf_counter() - start
    return seconds, writer.written, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(queue: Any, *args: Any) -> None:
    queue.put(_build(*args))


def _in_child(*args: Any) -> tuple[float, int, float]:
    """One build in a fresh process (so its peak memory is its own)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, *args))
    process.start()
    found = queue.get()
    process.join()
    return found


def site_figures(work: Path, count: int) -> dict[str, Any]:
    """The site built from scratch, then three times more: the first rebuild has no spare
    site (it links every file from the previous one), the next ones bring the site before
    the previous one up to date in place (catalog/site/writer.py)."""
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    site._database(work / "catalogo.db", [manifest(i) for i in range(count + 1)])
    figures: dict[str, Any] = {"datasets": count, "tables_written_s": time.perf_counter() - started}
    seconds, written, peak = _in_child(work, "one", None, None, count)
    figures |= {"site_build_s": seconds, "site_files": written, "site_build_peak_mb": peak}
    # Files written again show whether the code changed between builds (every key holds
    # the code's version): then a "nothing changed" rebuild is a whole one.
    seconds, written, _peak = _in_child(work, "two", "one", None, count)
    figures |= {"rebuild_linked_s": seconds, "rebuild_linked_written": written}
    seconds, written, _peak = _in_child(work, "three", "two", None, count, "one")
    figures |= {"rebuild_nothing_changed_s": seconds, "rebuild_nothing_changed_written": written}
    seconds, written, _peak = _in_child(work, "four", "three", count // 2, count, "two")
    figures |= {"rebuild_one_changed_s": seconds, "rebuild_one_changed_written": written}
    seconds, written, _peak = _in_child(work, "five", "four", count // 2, count, "three", True)
    figures |= {"rebuild_one_added_s": seconds, "rebuild_one_added_written": written}
    files = [p for p in (work / "five" / "site" / "search").rglob("*") if p.is_file()]
    figures["search_index_files_es"] = len(files)
    figures["search_index_mb_es"] = sum(p.stat().st_size for p in files) / 1e6
    return figures


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class _Gzipping(_Quiet):
    """The file server, sending text files gzip-compressed as ``catalog serve`` and a
    CDN do (catalog/compress.py)."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepted = compress.accepts_gzip(self.headers.get("Accept-Encoding", ""))
        if not (path.is_file() and accepted and compress.worth_compressing(path, 1)):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compress.LEVEL)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _file_server(folder: Path, handler: type[_Quiet]) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def search_figures(folder: Path) -> dict[str, Any]:
    """Bytes and time of each query in ``QUERIES`` in Chromium, over a plain file server."""
    from playwright.sync_api import sync_playwright

    server = _file_server(folder, _Quiet)
    gzipping = _file_server(folder, _Gzipping)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    figures: dict[str, Any] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            for name, query in QUERIES.items():
                context = browser.new_context(base_url=base)
                page = context.new_page()
                sizes: list[tuple[str, int, int]] = []
                page.on("requestfinished", functools.partial(_record, sizes))
                start = time.perf_counter()
                page.goto("/search/" + query)
                page.wait_for_function(
                    "document.querySelector('#status').textContent !== '' && "
                    "!document.querySelector('#status').textContent.endsWith('…')"
                )
                page.wait_for_load_state("networkidle")
                figures[f"search_{name}_first_results_ms"] = (time.perf_counter() - start) * 1000
                index = [s for s in sizes if "/search/" in s[0] and s[0].endswith(".json")]
                figures[f"search_{name}_kb"] = sum(s[1] for s in sizes) / 1000
                figures[f"search_{name}_gzip_kb"] = sum(s[2] for s in sizes) / 1000
                figures[f"search_{name}_index_kb"] = sum(s[1] for s in index) / 1000
                figures[f"search_{name}_index_files"] = len(index)
                figures[f"search_{name}_found"] = page.locator("#status").inner_text()
                context.close()
            figures |= _slow_network_figures(
                browser, f"http://127.0.0.1:{gzipping.server_address[1]}"
            )
            browser.close()
    finally:
        server.shutdown()
        gzipping.shutdown()
    return figures


# The networks a search is measured on, gzip as a CDN sends it. Chrome DevTools' presets
# add their latency to each request and cap throughput: its "Slow 3G" (what the issue
# names; 2 s a request, so anything fetched after the last key costs 2 s at least) and
# its "Fast 3G" (Lighthouse's phone: 150 ms round trip, 1.6 Mbit/s, times DevTools'
# factors). "wpt_3g_slow" is WebPageTest's "3G slow" at the network level (``_Link``:
# every packet 400 ms round trip, 400 kbit/s shared by the connections, a connection
# opened in one round trip) rather than a fixed cost a request.
NETWORKS: dict[str, dict[str, float]] = {
    "slow_3g": {"latency": 2000, "down_bps": 400_000, "up_bps": 400_000},
    "fast_3g": {"latency": 562.5, "down_bps": 1_440_000, "up_bps": 675_000},
    "wpt_3g_slow": {"rtt": 400, "down_bps": 400_000, "up_bps": 400_000},
}
KEY_DELAY_MS = 175  # between keys as a reader types (150-200 ms), and before Enter
RESULTS_SHOWN = "() => document.querySelector('#results').dataset.query === ''"
TIMING = """words => {
  const input = document.querySelector('#q'), results = document.querySelector('#results');
  const t = window.__timing = {keys: [], enter: null, shown: null, all: null};
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter') t.enter = t.enter || performance.now();
    else t.keys.push(performance.now());
  });
  new MutationObserver(() => {
    if (results.dataset.first === words && t.shown === null) t.shown = performance.now();
    if (results.dataset.query === words && t.all === null) t.all = performance.now();
  }).observe(results, {attributes: true, childList: true});
}"""


class _Link:
    """A slow network between the browser and a server, packet by packet: what each side
    sends reaches the other half a round trip later, no faster than the link's rate in
    that direction (one queue per direction, shared by every connection, as a radio link
    is); a new connection first costs a round trip (TCP's handshake). A TCP proxy on
    127.0.0.1; ``url`` is its address."""

    def __init__(self, port: int, rtt_ms: float, down_bps: float, up_bps: float) -> None:
        self.target = port
        self.half = rtt_ms / 2000
        self.rates = {"down": down_bps / 8, "up": up_bps / 8}
        self.free = {"down": 0.0, "up": 0.0}  # when each direction's queue is empty
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            opened = time.monotonic() + 2 * self.half  # the handshake's round trip
            for source, sink, way in ((client, upstream, "up"), (upstream, client, "down")):
                threading.Thread(
                    target=self._pump, args=(source, sink, way, opened), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, way: str, opened: float) -> None:
        """Read what one side sends, hand it to a sender that delivers it on time."""
        arrivals: queue.Queue[tuple[float, bytes]] = queue.Queue()
        threading.Thread(target=self._deliver, args=(arrivals, sink), daemon=True).start()
        while True:
            try:
                data = source.recv(16384)
            except OSError:
                data = b""
            with self.lock:  # the link sends one thing at a time, in order
                start = max(self.free[way], time.monotonic(), opened)
                self.free[way] = start + len(data) / self.rates[way]
                arrival = self.free[way] + self.half
            arrivals.put((arrival, data))
            if not data:
                return

    @staticmethod
    def _deliver(arrivals: queue.Queue[tuple[float, bytes]], sink: socket.socket) -> None:
        while True:
            arrival, data = arrivals.get()
            time.sleep(max(0.0, arrival - time.monotonic()))
            try:
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(data)
            except OSError:
                return


def _slow_network_figures(browser: Any, base: str) -> dict[str, Any]:
    """On each of ``NETWORKS``, gzip as a CDN sends it, with a cold cache: the search
    page until its first listing shows (page, script, style, index, facets, first
    records: ``_page_ready_ms``), then each query of ``QUERIES`` with words typed into
    it as a reader types (``KEY_DELAY_MS`` between keys, Enter as long after the last
    one): from the last key, and from Enter, until its results show
    (``_last_key_ms``, ``_enter_ms``; search.js fetches a word's files as it is typed),
    and what it fetched (``_kb``, gzip)."""
    figures: dict[str, Any] = {}
    port = int(base.rsplit(":", 1)[1])
    for network, conditions in NETWORKS.items():
        link = None
        if "rtt" in conditions:
            link = _Link(port, conditions["rtt"], conditions["down_bps"], conditions["up_bps"])
        context = browser.new_context(base_url=link.url if link else base)
        page = context.new_page()
        if link is None:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": conditions["latency"],
                    "downloadThroughput": conditions["down_bps"] / 8,
                    "uploadThroughput": conditions["up_bps"] / 8,
                },
            )
        sizes: list[tuple[str, int, int]] = []
        page.on("requestfinished", functools.partial(_record, sizes))
        start = time.perf_counter()
        page.goto("/search/")
        page.wait_for_function(RESULTS_SHOWN, timeout=180_000)
        figures[f"{network}_page_ready_ms"] = (time.perf_counter() - start) * 1000
        figures[f"{network}_page_ready_kb"] = sum(s[2] for s in sizes) / 1000
        for name, query in QUERIES.items():
            words = urllib.parse.parse_qs(query.removeprefix("?")).get("q", [""])[0]
            if not words:
                continue
            figures |= _typed(page, sizes, f"{network}_{name}", words)
        context.close()
        if link is not None:
            link.close()
    return figures


def _typed(page: Any, sizes: list[tuple[str, int, int]], name: str, words: str) -> dict[str, Any]:
    """One query typed into the search page: times from its last key and from Enter to
    its results, and the KB (gzip) it fetched."""
    page.fill("#q", "")
    page.wait_for_function(RESULTS_SHOWN, timeout=180_000)  # the listing again: idle
    page.evaluate(TIMING, words)
    before = len(sizes)
    page.locator("#q").press_sequentially(words, delay=KEY_DELAY_MS)
    page.wait_for_timeout(KEY_DELAY_MS)
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__timing.all !== null", timeout=180_000)
    timing = page.evaluate("window.__timing")
    page.wait_for_load_state("networkidle")
    return {
        f"{name}_last_key_ms": timing["shown"] - timing["keys"][-1],
        f"{name}_enter_ms": max(0.0, timing["shown"] - timing["enter"]),
        f"{name}_all_last_key_ms": timing["all"] - timing["keys"][-1],
        f"{name}_kb": sum(s[2] for s in sizes[before:]) / 1000,
    }


def _record(sizes: list[tuple[str, int, int]], request: Any) -> None:
    """A response's size as sent (no compression) and as gzip would send it (a CDN)."""
    response = request.response()
    body = response.body() if response is not None else b""
    sizes.append((request.url, len(body), len(gzip.compress(body, 6))))


def api_figures(work: Path, count: int) -> dict[str, Any]:
    build = work / "api-build"
    shutil.rmtree(build, ignore_errors=True)
    started = time.perf_counter()
    api.make_release(build, count)
    figures: dict[str, Any] = {"release_written_s": time.perf_counter() - started}
    figures["search_file_mb"] = (build / "current" / "search.db").stat().st_size / 1e6
    port = api._free_port()
    started = time.perf_counter()
    process = api._serve(build, port)  # until the API answers: the release opened
    figures["api_ready_s"] = time.perf_counter() - started
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": api.KEY}, timeout=60
        ) as client:
            rng = random.Random(7)
            words = [rng.choice(api.TOPICS) for _ in range(REQUESTS)]
            searches = [f"/api/3/action/package_search?q={w}&rows=10" for w in words]
            client.get(searches[0]).raise_for_status()
            figures["package_search_p50_ms"], figures["package_search_p95_ms"] = api._latency(
                client, searches
            )
            facets = [
                f"/api/3/action/package_search?q={w}&facet.field=[%22organization%22,"
                "%22tags%22,%22res_format%22]&rows=10"
                for w in words
            ]
            facets_p50, figures["package_search_facets_p95_ms"] = api._latency(client, facets)
            figures["package_search_facets_p50_ms"] = facets_p50
            children = psutil.Process(process.pid).children(recursive=True)
            rss = [p.memory_info().rss for p in [psutil.Process(process.pid), *children]]
            figures["api_worker_rss_mb"] = max(rss) / 2**20
    finally:
        process.terminate()
        process.wait(timeout=10)
    shutil.rmtree(build, ignore_errors=True)
    return figures


def search_site(folder: Path, count: int) -> Path:
    """A site of only the search page, its assets and the index of ``count`` datasets
    (what a reader's search fetches), written without the rest of the site."""
    from catalog.site.model import summary
    from catalog.site.render import ASSETS, render
    from catalog.site.search import files

    manifests = {m["dataset"]: m for m in (manifest(i) for i in range(count))}
    items = []
    for m in manifests.values():
        facts = {"territories": m["package"]["spatial"]["departments"]}
        items.append(summary(m, facts, {}, site.TODAY))
    items.sort(key=lambda i: (sort_key(i["title"]), i["id"]))
    started = time.perf_counter()
    written = files(items, manifests, _publishers(), "es")
    seconds = time.perf_counter() - started
    for name, content in written.items():
        target = folder / "search" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (folder / "search" / "index.html").write_text(render("search.html", "es", path="search/"))
    shutil.copytree(ASSETS, folder / "assets", dirs_exist_ok=True)
    (folder / "index-seconds.txt").write_text(f"{seconds}")
    return folder


def run(workdir: Path, datasets: int = DATASETS, site_datasets: int = SITE_DATASETS) -> dict:
    """Search, the API, Datasette and the whole site's builds at ``datasets`` (the
    site's builds can be measured at fewer, ``site_datasets``)."""
    work = Path(workdir) / "scale"
    shutil.rmtree(work, ignore_errors=True)
    # The site's builds first, so the children fork from a small process.
    figures: dict[str, Any] = {"site": site_figures(work / "site", site_datasets)}
    figures["search"] = {"datasets": datasets}
    started = time.perf_counter()
    folder = search_site(work / "search-site", datasets)
    figures["search"]["index_written_s"] = time.perf_counter() - started
    index = [p for p in (folder / "search").rglob("*.json") if p.is_file()]
    figures["search"]["index_files"] = len(index)
    figures["search"]["index_mb"] = sum(p.stat().st_size for p in index) / 1e6
    # A reader's searches on the whole site built above (its datasets' territories come
    # from their tables: hundreds of municipalities, which the search-only site lacks).
    whole = work / "site" / "five" / "site"
    figures["search"]["on_whole_site"] = site_datasets == datasets and whole.is_dir()
    figures["search"].update(
        search_figures(whole if figures["search"]["on_whole_site"] else folder)
    )
    figures["api"] = {"datasets": datasets, **api_figures(work, datasets)}
    figures["sql"] = sqlscale.run(work, datasets)  # Datasette over 50,000 datasets' tables
    shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    import json
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else DATASETS
    whole = int(sys.argv[2]) if len(sys.argv) > 2 else SITE_DATASETS
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(tmp), count, whole), indent=2, ensure_ascii=False))
