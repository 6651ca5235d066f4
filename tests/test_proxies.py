"""Forwarded headers count only from configured proxies, so rate limits cannot be dodged."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import free_port, serving

from catalog import proxies
from catalog.errors import CatalogError


def _scope(peer: str, *headers: tuple[bytes, bytes]) -> dict:
    return {"type": "http", "client": (peer, 5555), "scheme": "http", "headers": list(headers)}


def test_no_proxy_configured_ignores_forwarded_headers():
    scope = _scope("127.0.0.1", (b"x-forwarded-for", b"1.2.3.4"), (b"x-forwarded-proto", b"https"))
    assert proxies.client_scope(scope, ()) is scope
    assert proxies.client_scope(scope, ())["client"] == ("127.0.0.1", 5555)


def test_a_trusted_proxy_gives_the_rightmost_untrusted_address():
    networks = proxies.parse(["10.0.0.0/24", "127.0.0.1"])
    scope = _scope(
        "10.0.0.7",
        (b"x-forwarded-for", b"6.6.6.6, 203.0.113.9, 10.0.0.3"),
        (b"x-forwarded-proto", b"https"),
    )
    seen = proxies.client_scope(scope, networks)
    # 6.6.6.6 was written by the client itself: only the hop the proxy saw counts.
    assert seen["client"] == ("203.0.113.9", 0)
    assert seen["scheme"] == "https"


def test_an_untrusted_peer_cannot_forward():
    networks = proxies.parse(["10.0.0.1"])
    scope = _scope("198.51.100.2", (b"x-forwarded-for", b"1.2.3.4"))
    assert proxies.client_scope(scope, networks)["client"] == ("198.51.100.2", 5555)


def test_bad_proxy_setting_is_refused_with_a_fix():
    with pytest.raises(CatalogError) as caught:
        proxies.parse(["10.0.0.0/33"])
    assert "10.0.0.0/24" in caught.value.message("en")
    assert "proxy de confianza" in caught.value.message("es")
    assert proxies.from_env({proxies.ENV: " 127.0.0.1 , ::1 "})[1].version == 6


@contextmanager
def _serve(build: Path, *extra: str):
    port = free_port()
    env = dict(os.environ, CATALOG_API_RATE_LIMIT="3/minute")
    env.pop(proxies.ENV, None)
    with serving(build, port, *extra, env=env):
        yield f"http://127.0.0.1:{port}"


def _statuses(base: str) -> list[int]:
    url = base + "/api/3/action/status_show"
    return [
        httpx.get(url, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(5)
    ]


def test_real_server_ignores_forged_forwarded_for(demo_build: Path):
    with _serve(demo_build) as base:
        statuses = _statuses(base)
    # One client, however many addresses it claims: the fourth call is over 3/minute.
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_real_server_believes_a_configured_proxy(demo_build: Path):
    with _serve(demo_build, "--trusted-proxy", "127.0.0.1") as base:
        statuses = _statuses(base)
    assert statuses == [200] * 5


def test_a_forged_host_is_replaced_by_the_public_one():
    allowed = proxies.allowed_hosts({"CATALOG_BASE_URL": "https://datos.example.gob.gt"})
    assert allowed[0] == "datos.example.gob.gt" and "127.0.0.1" in allowed
    public = "datos.example.gob.gt"
    for forged in (b"evil.example", b"datos.example.gob.gt.evil.example", b""):
        scope = proxies.canonical_host(_scope("1.2.3.4", (b"host", forged)), allowed, public)
        assert [v for k, v in scope["headers"] if k == b"host"] == [b"datos.example.gob.gt"]
    # Two Host headers: ambiguous, so the public one is used.
    twice = _scope("1.2.3.4", (b"host", b"127.0.0.1:8000"), (b"host", b"evil.example"))
    assert proxies.canonical_host(twice, allowed, public)["headers"][0] == (
        b"host",
        public.encode(),
    )
    for good in (b"datos.example.gob.gt", b"127.0.0.1:8100", b"[::1]:8000", b"LOCALHOST"):
        scope = _scope("1.2.3.4", (b"host", good))
        assert proxies.canonical_host(scope, allowed, public) is scope


def test_allowed_hosts_can_be_configured():
    env = {proxies.HOSTS_ENV: "datos.gob.gt, www.datos.gob.gt"}
    assert proxies.allowed_hosts(env) == ("datos.gob.gt", "www.datos.gob.gt")
