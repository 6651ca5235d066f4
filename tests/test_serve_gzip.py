"""catalog serve sends the site's text files gzip-compressed to browsers that accept it
(catalog/compress.py), and everything else as it is."""

from __future__ import annotations

import gzip
from typing import NamedTuple

import httpx
import pytest

from catalog import compress


class Got(NamedTuple):
    status_code: int
    headers: httpx.Headers
    content: bytes  # as sent: still compressed


def _get(base: str, path: str, **headers: str) -> Got:
    with httpx.Client(base_url=base, timeout=30) as client:
        request = client.build_request("GET", path, headers=headers)
        response = client.send(request, stream=True)
        body = b"".join(response.iter_raw())  # httpx would decode gzip itself
        response.close()
        return Got(response.status_code, response.headers, body)


@pytest.mark.parametrize("path", ["/", "/search/", "/assets/style.css", "/catalog.ttl"])
def test_text_files_come_compressed_and_whole(demo_server: str, path: str) -> None:
    plain = _get(demo_server, path, **{"Accept-Encoding": "identity"})
    packed = _get(demo_server, path, **{"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert (
        "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    )
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content)
    assert int(packed.headers["content-length"]) == len(packed.content)
    assert packed.headers["etag"] != plain.headers["etag"]
    assert packed.headers["content-type"] == plain.headers["content-type"]


def test_revalidation_of_the_compressed_file(demo_server: str) -> None:
    first = _get(demo_server, "/search/", **{"Accept-Encoding": "gzip"})
    again = _get(
        demo_server,
        "/search/",
        **{"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


def test_refused_gzip_ranges_and_binary_files_come_plain(demo_server: str) -> None:
    refused = _get(demo_server, "/", **{"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers
    ranged = _get(
        demo_server, "/assets/style.css", **{"Accept-Encoding": "gzip", "Range": "bytes=0-9"}
    )
    assert ranged.status_code == 206 and len(ranged.content) == 10
    assert "content-encoding" not in ranged.headers


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("deflate, br", False),
    ],
)
def test_accept_encoding(header: str, accepted: bool) -> None:
    assert compress.accepts_gzip(header) is accepted


def test_the_cache_keeps_within_its_limit() -> None:
    cache = compress.Cache(limit=100)
    for n in range(10):
        cache.put((f"f{n}", 1, 1), b"x" * 30)
    assert cache.size <= 100
    assert cache.get(("f9", 1, 1)) == b"x" * 30
    assert cache.get(("f0", 1, 1)) is None
    cache.put(("huge", 1, 1), b"x" * 101)
    assert cache.get(("huge", 1, 1)) is None
