"""Request bodies over their path's limit are refused with 413 before they take memory."""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import free_port, serving

from catalog.bodylimit import KIB, MIB, BodyLimits, guard, limits_from_env, parse_size

REPO = Path(__file__).resolve().parent.parent
LIMITS = BodyLimits((("/api/", 100), ("/transparencia/", 50)), 10)


# ------------------------------------------------------------------ the guard, in process


class Recorder:
    """A stand-in app: reads the whole body, answers 200, remembers what it saw."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.messages: list[str] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            self.messages.append(message["type"])
            if message["type"] == "http.disconnect":
                raise ConnectionError("client went away")  # as frameworks do
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run(path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None):
    """Drive ``guard`` over the recorder; the messages it sent back and the recorder."""
    app, sent = Recorder(), []
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "query_string": b"", "headers": headers or []}
    asyncio.run(guard(app, scope, receive, send, LIMITS))
    return sent, app


def answer(sent: list[dict]) -> tuple[int, dict[bytes, bytes], bytes]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs():
    sent, app = run("/api/3/action/package_show", [b"x"], [(b"content-length", b"101")])
    status, headers, body = answer(sent)
    assert status == 413 and not app.called
    assert headers[b"connection"] == b"close"
    error = json.loads(body)
    assert error["success"] is False and error["error"]["__type"] == "Validation Error"
    assert "100 B" in error["error"]["message"]


def test_a_streamed_body_is_cut_at_the_limit_and_the_app_sees_the_client_go():
    sent, app = run("/api/v1/requests", [b"x" * 60, b"x" * 60, b"x" * 60])
    status, _headers, body = answer(sent)
    assert status == 413
    assert app.body == b"x" * 60 and app.messages == ["http.request", "http.disconnect"]
    assert json.loads(body)["error"]["type"] == "too-large"
    # The app's own answer to a body it never got whole is dropped: one response only.
    assert [m["type"] for m in sent].count("http.response.start") == 1


def test_bodies_within_the_limit_reach_the_app_whole():
    sent, app = run("/api/3/action/package_show", [b"x" * 50, b"y" * 50])
    assert answer(sent)[0] == 200 and app.body == b"x" * 50 + b"y" * 50


def test_pages_get_an_html_answer_in_the_readers_language():
    sent, _app = run("/transparencia/solicitudes/nueva", [b"x" * 51])
    status, headers, body = answer(sent)
    assert status == 413 and headers[b"content-type"].startswith(b"text/html")
    assert headers[b"content-language"] == b"es" and "demasiado grande" in body.decode()
    english = [(b"accept-language", b"en-GB,en;q=0.8")]
    sent, _app = run("/datasets/", [b"x" * 11], english)
    assert b"The request body is too large: the limit here is 10 B." in answer(sent)[2]


def test_the_longest_prefix_wins_and_settings_come_from_the_environment():
    limits = limits_from_env(
        {"CATALOG_MAX_BODY_API": "2m", "CATALOG_MAX_BODY_FORMS": "100KiB", "CATALOG_MAX_BODY": "1k"}
    )
    assert limits.limit_for("/api/3/action/package_search") == 2 * MIB
    assert limits.limit_for("/transparencia/solicitudes/nueva") == 100 * KIB
    assert limits.limit_for("/transparencia/oficiales/solicitudes/X/responder") > 10 * MIB
    assert limits.limit_for("/sql/catalogo") == limits.limit_for("/") == KIB
    defaults = limits_from_env({"CATALOG_MAX_BODY_API": "mucho"})  # a typo keeps the default
    assert defaults.limit_for("/api/") == MIB and defaults.limit_for("/") == 64 * KIB
    assert parse_size("65536") == 64 * KIB and parse_size("1MiB") == MIB
    with pytest.raises(ValueError):
        parse_size("-5")


# ------------------------------------------------------------------ a real server


@pytest.fixture(scope="module")
def server(demo_build: Path) -> Iterator[tuple[int, psutil.Process]]:
    """``catalog serve`` on a free port, with default body limits and no rate limit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATALOG_API_", "CATALOG_MAX"))}
    env["CATALOG_API_RATE_LIMIT"] = "off"
    with serving(demo_build, port, env=env, ready="/api/3/action/package_search") as process:
        base = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(base + "/transparencia/solicitudes/nueva", timeout=10).read()
        yield port, psutil.Process(process.pid)


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _exchange(
    port: int, head: bytes, body: Iterator[bytes], proc: psutil.Process, wait_first: bool
) -> tuple[bytes, int, int]:
    """Send ``head`` then ``body`` until the server answers; (answer, bytes sent, RSS growth)."""
    before = peak = proc.memory_info().rss
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        if wait_first:  # the answer must come before any of the body is sent
            assert select.select([sock], [], [], 30)[0], "no answer to the headers alone"
        for chunk in body:
            if select.select([sock], [], [], 0)[0]:
                break  # answered: stop sending, as a client reading the 413 does
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
            peak = max(peak, proc.memory_info().rss)
        data = b""
        while True:
            try:
                piece = sock.recv(65536)
            except OSError:
                break  # reset after the answer: the server does not read the rest
            if not piece:
                break
            data += piece
    return data, sent, max(peak, proc.memory_info().rss) - before


def _chunked(total: int, size: int = 256 * KIB) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"%x\r\n" % size + b" " * size + b"\r\n"
    yield b"0\r\n\r\n"


def test_a_300_mb_post_is_refused_by_its_length_without_reading_it(server):
    port, proc = server
    head = _head(
        "/api/3/action/package_show",
        {
            "Content-Type": "application/json",
            "Content-Length": str(300 * MIB),
            "Accept-Language": "en",
        },
    )
    chunks = (b" " * MIB for _ in range(300))
    data, sent, growth = _exchange(port, head, chunks, proc, wait_first=True)
    assert data.startswith(b"HTTP/1.1 413 "), data[:200]
    assert b"The request body is too large: the limit here is 1 MiB." in data
    assert b'"success":false' in data
    assert sent == 0 and growth < 20 * MIB


def test_a_chunked_body_is_cut_as_it_streams(server):
    port, proc = server
    head = _head(
        "/api/3/action/datastore_search",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    data, sent, growth = _exchange(port, head, _chunked(300 * MIB), proc, wait_first=False)
    assert data.startswith(b"HTTP/1.1 413 "), data[:200]
    assert "el límite aquí es 1 MiB".encode() in data
    assert sent < 100 * MIB and growth < 20 * MIB


@pytest.mark.parametrize(
    ("path", "limit", "chunked"),
    [
        ("/transparencia/solicitudes/nueva", "256 KiB", True),  # the form reads its body
        ("/transparencia/oficiales/entrar", "256 KiB", False),
        ("/sql/catalogo", "64 KiB", False),  # these never read a body: refused by its length
        ("/", "64 KiB", False),
    ],
)
def test_pages_refuse_large_forms_with_an_html_page(server, path: str, limit: str, chunked: bool):
    port, proc = server
    size = 20 * MIB
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    head = _head(path, {"Content-Type": "application/x-www-form-urlencoded", **framing})
    body = _chunked(size, 16 * KIB) if chunked else (b" " * (16 * KIB) for _ in range(1280))
    data, _sent, growth = _exchange(port, head, body, proc, wait_first=not chunked)
    assert data.startswith(b"HTTP/1.1 413 "), data[:200]
    assert b"text/html" in data.split(b"\r\n\r\n")[0]
    assert f"el límite aquí es {limit}".encode() in data and b"Traceback" not in data
    assert growth < 20 * MIB
