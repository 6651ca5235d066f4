"""Shared fixtures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from catalog.transparency.testing import database_kinds, workspace_for_tests

REPO = Path(__file__).resolve().parent.parent
# The demo build's datasets: the content's, and the one the build derives from them
# without the workspace's export (the IT dashboard's tables; the compliance table
# needs the officers' records, which only the workspace exports).
DEMO_DATASETS = len(list((REPO / "datasets").glob("*/*/datapackage.json"))) + 1


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def run_catalog(
    *args: str, lang: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the real ``catalog`` command in a subprocess, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    if lang:
        env["LANGUAGE"] = lang
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=600,
    )


@pytest.fixture
def catalog_cmd():
    return run_catalog


def follow_pages(root: Path, start: str) -> list[tuple[str, str]]:
    """A listing's first page at ``start`` (a site path) in the site folder ``root``, then
    its later pages by their "next" links: ``[(path, html)]``."""
    found: list[tuple[str, str]] = []
    path: str | None = start
    while path is not None:
        html = (root / path.strip("/") / "index.html").read_text("utf-8")
        found.append((path, html))
        after = re.search(r'<a href="([^"]+)" rel="next">', html)
        path = after.group(1) if after else None
    return found


@pytest.fixture
def listing_pages():
    """``follow_pages``: a listing's pages, first to last."""
    return follow_pages


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2id with the lowest costs in this process. The product's parameters (64 MiB,
    three passes, four lanes) cost 0.3-0.9 s a hash or a check on the CI's two busy cores,
    and the tests create and sign in hundreds of accounts; what they check (a hash that
    verifies, a wrong password refused, the hash off the event loop) does not depend on
    the cost. A hash stays ``$argon2id$``; it carries its parameters, so servers the tests
    start in a subprocess (the product's costs) verify these hashes and the other way
    round."""
    from argon2 import PasswordHasher

    from catalog.transparency import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap)
        # The hash checked for an unknown e-mail: as cheap as the others, so a login
        # still takes as long whether or not the account exists.
        patch.setattr(accounts, "_DUMMY", cheap.hash("not a password of anyone"))
        yield


# The transparency workspace on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
@pytest.fixture(params=database_kinds())
def workspace(request, tmp_path):
    with workspace_for_tests(request.param, tmp_path) as ws:
        yield ws


# ---------------------------------------------------------------- the built demo


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalogue built once per session into a temporary folder."""
    from catalog.build import build

    out = tmp_path_factory.mktemp("demo") / "build"
    report = build(REPO, out)
    assert report.all_published, report.summary("en")
    return out


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(build: Path, port: int, *extra: str, env: dict | None = None, ready: str = "/"):
    """A real ``catalog serve`` of ``build`` on ``port`` until the block ends; ready once
    ``ready`` answers. Yields the process."""
    import time
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "serve", "--port", str(port)]
        + ["--build-dir", str(build), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=5).read()
                break
            except OSError:
                assert process.poll() is None, "catalog serve exited"
                time.sleep(0.1)
        else:
            raise RuntimeError("catalog serve did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_server(demo_build: Path):
    """A real ``catalog serve`` of the built demo on a free port; yields its base URL."""
    port = free_port()
    with serving(demo_build, port):
        yield f"http://127.0.0.1:{port}"


# Module scope: Playwright's sync API runs an event loop while it is open, which
# would stop other modules' tests from running their own.
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


# ---------------------------------------------------------------- open-metadata standards


@pytest.fixture(scope="session")
def demo_manifests(demo_build: Path) -> list[dict]:
    """The build manifests of the demo's published datasets (what the site build gets)."""
    import json

    paths = sorted((demo_build / "state" / "datasets").glob("*/manifest.json"))
    return sorted((json.loads(p.read_text("utf-8")) for p in paths), key=lambda m: m["dataset"])


@pytest.fixture(scope="session")
def demo_publishers() -> dict[str, dict]:
    from catalog.metadata import load_publishers

    return load_publishers(REPO)


HOSTILE = "Datos <b>&amp; \"comillas\" 'simples'\n]]> --> </script> \\ @prefix \x01 fin"


@pytest.fixture
def hostile(demo_manifests: list[dict], demo_publishers: dict[str, dict]):
    """A demo dataset and its publisher whose texts try to break XML, JSON and Turtle."""
    import copy

    manifest = copy.deepcopy(demo_manifests[0])
    package = manifest["package"]
    package.update(title=HOSTILE, description=HOSTILE, keywords=[HOSTILE, "normal"])
    package["contactPoint"]["name"] = HOSTILE
    for table in manifest["tables"]:
        table["title"] = HOSTILE
    publishers = copy.deepcopy(demo_publishers)
    publishers[manifest["publisher"]]["name"] = HOSTILE
    return manifest, publishers


@pytest.fixture(scope="session")
def axe():
    """axe-core, run in the page under test (axe_playwright_python)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def serious_violations(axe, page) -> list[str]:
    """axe's serious and critical violations on a page, as readable lines (the page's
    address, the rule, its impact, the first elements). Asserts axe did run."""
    response = axe.run(page).response
    assert response["passes"] or response.get("testEngine"), "axe-core did not run"
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@contextmanager
def serving_app(app, port: int | None = None):
    """An ASGI app (a workspace built by the test, say) served by a real uvicorn in a
    thread of the test process until the block ends; yields its base URL."""
    import threading
    import time

    import uvicorn

    port = port or free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


def bench_site(root: Path, name: str, items: list[dict], **older: str | None):
    """``write_site`` of ``catalog.bench.site``'s datasets into ``root/name/site``, over
    the database ``root/catalogo.db``; ``previous=`` and ``spare=`` name older sites under
    ``root`` (the rebuild tests' builds)."""
    import copy

    from catalog.bench import site as bench
    from catalog.build.site import write_site

    folders = {k: root / v / "site" for k, v in older.items() if v}
    return write_site(
        root / name / "site",
        copy.deepcopy(items),
        bench._publishers(),
        "es",
        database=root / "catalogo.db",
        today=bench.TODAY,
        **folders,
    )
