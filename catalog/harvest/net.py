"""Fetching from another portal, carefully: the harvester's only way onto the network.

A harvest source is data from someone else, and so are the addresses it lists. Every
request here:

* goes only to ``http``/``https`` addresses (no ``file:``, ``ftp:``, ``data:``...);
* refuses hosts that resolve to loopback, private, link-local or otherwise reserved
  addresses unless the operator allows the private network (``--allow-private-network``),
  so a listed "resource" cannot make the harvester read the intranet or a cloud metadata
  service; the check is repeated at every redirect;
* follows at most ``max_redirects`` redirects, itself, re-checking each address;
* has a timeout for connecting and for each read, and an overall deadline;
* streams bodies with a byte limit: a page of metadata into memory, a resource to disk,
  stopped (and the partial file deleted) as soon as the limit is crossed.

Known limit: the address is checked when it is resolved here; a DNS server that answers
differently a moment later (DNS rebinding) is not defended against.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.i18n import _

USER_AGENT = "catalog-harvester/0.1 (+https://github.com/; datos abiertos)"
MAX_PAGE_BYTES = 64 * 1024 * 1024  # one page of metadata (package_search, data.json, DCAT)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """The operator's settings for every request of one harvest."""

    timeout: float = 30.0  # seconds to connect, and between two reads
    deadline: float = 600.0  # seconds for one whole response
    max_bytes: int = 200 * 1024 * 1024  # one downloaded resource
    max_redirects: int = 5
    allow_private: bool = False


class FetchError(Exception):
    """A request that failed: ``code`` says how (for the log), ``text`` in words (a msgid)."""

    def __init__(self, code: str, text: str, **params: object) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.text = text
        self.params = params


def check_url(url: str, limits: Limits) -> None:
    """Raise FetchError unless ``url`` is an http(s) address of an allowed host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("bad-url", _("{url} is not a valid web address."), url=url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            "scheme", _("Only http and https addresses are fetched, not {url}."), url=url
        )
    if limits.allow_private:
        return
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError("dns", _("The host {host} could not be found."), host=host) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise FetchError(
                "private-address",
                _(
                    "{host} is on a private or local network ({address}); such addresses "
                    "are refused unless --allow-private-network is given."
                ),
                host=host,
                address=str(address),
            )


class Fetcher:
    """One HTTP client for one harvest, with the operator's limits."""

    def __init__(self, limits: Limits, transport: httpx.BaseTransport | None = None) -> None:
        self.limits = limits
        self.client = httpx.Client(
            timeout=httpx.Timeout(limits.timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _open(self, url: str, accept: str) -> Iterator[httpx.Response]:
        """The final response to GET ``url``, redirects followed by hand and checked."""
        for _hop in range(self.limits.max_redirects + 1):
            check_url(url, self.limits)
            try:
                request = self.client.build_request("GET", url, headers={"Accept": accept})
                response = self.client.send(request, stream=True)
            except httpx.TimeoutException:
                raise FetchError(
                    "timeout",
                    _("{url} did not answer within {seconds} seconds."),
                    url=url,
                    seconds=self.limits.timeout,
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(
                    "unreachable",
                    _("{url} could not be reached ({reason})."),
                    url=url,
                    reason=type(exc).__name__,
                ) from None
            if response.is_redirect and "location" in response.headers:
                response.close()
                url = urljoin(url, response.headers["location"])
                continue
            try:
                if response.status_code >= 400:
                    raise FetchError(
                        "http-status",
                        _("{url} answered with HTTP status {status}."),
                        url=url,
                        status=response.status_code,
                    )
                yield response
            finally:
                response.close()
            return
        raise FetchError(
            "redirects",
            _("{url} redirected more than {limit} times."),
            url=url,
            limit=self.limits.max_redirects,
        )

    def _chunks(self, response: httpx.Response, url: str, limit: int) -> Iterator[bytes]:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_big(url, limit)
        started, size = time.monotonic(), 0
        try:
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_big(url, limit)
                if time.monotonic() - started > self.limits.deadline:
                    raise FetchError(
                        "deadline",
                        _("{url} took longer than {seconds} seconds to download."),
                        url=url,
                        seconds=self.limits.deadline,
                    )
                yield chunk
        except httpx.TimeoutException:
            raise FetchError(
                "timeout",
                _("{url} did not answer within {seconds} seconds."),
                url=url,
                seconds=self.limits.timeout,
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(
                "unreachable",
                _("{url} could not be reached ({reason})."),
                url=url,
                reason=type(exc).__name__,
            ) from None

    def get_bytes(self, url: str, accept: str = "*/*") -> tuple[bytes, str, str]:
        """A page of metadata: (body, content type, final address)."""
        with self._open(url, accept) as response:
            body = b"".join(self._chunks(response, url, MAX_PAGE_BYTES))
            return body, response.headers.get("content-type", ""), str(response.url)

    def download(self, url: str, target: Path) -> tuple[int, str]:
        """Stream a resource to ``target``: (bytes written, content type). Nothing is left
        at ``target`` when it fails."""
        try:
            with self._open(url, "*/*") as response, target.open("wb") as out:
                size = 0
                for chunk in self._chunks(response, url, self.limits.max_bytes):
                    out.write(chunk)
                    size += len(chunk)
                return size, response.headers.get("content-type", "")
        except BaseException:
            target.unlink(missing_ok=True)
            raise


def _too_big(url: str, limit: int) -> FetchError:
    return FetchError(
        "too-large",
        _("{url} is larger than the limit of {limit} bytes."),
        url=url,
        limit=limit,
    )
