"""Rate limits per client, with higher limits for API keys (the ``limits`` library).

- Anonymous clients are counted by IP address: ``CATALOG_API_RATE_LIMIT``
  (default ``300/minute``; ``off`` disables every limit).
- A client that sends a key from ``CATALOG_API_KEYS`` (``X-API-Key`` header,
  ``Authorization: Bearer KEY``, or CKAN's ``X-CKAN-API-Key``/``Authorization:
  KEY``) is counted by key: ``CATALOG_API_KEY_RATE_LIMIT`` (default
  ``6000/minute``), or the limit written after the key (``key=20000/minute``).
  An unknown ``X-API-Key`` is refused with 403, so a typo does not pass
  unnoticed; ``Authorization`` counts only when it holds a known key (the
  transparency workspace uses it for officers' tokens). With no keys
  configured, keys are ignored.
- Counters live in memory (per process) unless ``CATALOG_API_RATE_STORAGE``
  names a shared store such as ``redis://host:6379``.

Over the limit: ``429`` with ``Retry-After`` and the usual JSON error. Every
answer carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

from limits import RateLimitItem, parse, storage, strategies

from catalog import urls
from catalog.errors import CatalogError
from catalog.httperrors import Forbidden, TooManyRequests, language, render
from catalog.i18n import _

DEFAULT_LIMIT = "300/minute"
DEFAULT_KEY_LIMIT = "6000/minute"
EXEMPT = ("/api/assets/",)
OFF = ("", "0", "off", "none", "false")


@dataclass
class LimitSettings:
    anonymous: RateLimitItem | None
    keys: dict[str, RateLimitItem] = field(default_factory=dict)
    storage: str = "memory://"


def _item(value: str, setting: str) -> RateLimitItem:
    try:
        return parse(value.strip())
    except ValueError:
        raise CatalogError(
            _("{setting} has a limit that cannot be read: {value}."),
            _("Write limits like 300/minute, 10/second or 5000/hour."),
            setting=setting,
            value=value,
        ) from None


def settings_from_env(environ: Any = None) -> LimitSettings:
    """Read the rate-limit settings from the environment (documented in docs/api.md)."""
    env = os.environ if environ is None else environ
    anonymous = env.get("CATALOG_API_RATE_LIMIT", DEFAULT_LIMIT)
    if anonymous.strip().lower() in OFF:
        return LimitSettings(None)
    key_limit = env.get("CATALOG_API_KEY_RATE_LIMIT", DEFAULT_KEY_LIMIT)
    keys = {}
    for part in env.get("CATALOG_API_KEYS", "").split(","):
        key, _sep, limit = part.strip().partition("=")
        if key:
            keys[key] = _item(limit or key_limit, "CATALOG_API_KEYS")
    return LimitSettings(
        _item(anonymous, "CATALOG_API_RATE_LIMIT"),
        keys,
        env.get("CATALOG_API_RATE_STORAGE", "memory://"),
    )


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


def api_key(headers: dict[str, str], known: dict[str, Any]) -> str | None:
    """The key a client sent. ``X-API-Key`` and CKAN's ``X-CKAN-API-Key`` always count;
    ``Authorization`` only when it holds a known key (it also carries officers' tokens)."""
    for name in ("x-api-key", "x-ckan-api-key"):
        if headers.get(name):
            return headers[name].strip()
    auth = headers.get("authorization", "").strip()
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else auth
    return key if key in known else None


class RateLimits:
    """ASGI middleware counting each request against its client's limit."""

    def __init__(self, app: Any, settings: LimitSettings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = strategies.SlidingWindowCounterRateLimiter(
            storage.storage_from_string(settings.storage)
        )

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or self.settings.anonymous is None
            or path.startswith(EXEMPT)
            or scope.get("method") == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        # With no keys configured, a key (a CKAN client sends its CKAN key) is ignored.
        key = api_key(headers, self.settings.keys) if self.settings.keys else None
        if key is not None and key not in self.settings.keys:
            await self._refuse(scope, receive, send, headers, self._unknown_key())
            return
        item = self.settings.keys[key] if key else self.settings.anonymous
        client = f"key:{key}" if key else f"ip:{(scope.get('client') or ('?', 0))[0]}"
        allowed = self.limiter.hit(item, client)
        stats = self.limiter.get_window_stats(item, client)
        extra = [
            (b"x-ratelimit-limit", str(item.amount).encode()),
            (b"x-ratelimit-remaining", str(max(stats.remaining, 0)).encode()),
        ]
        if not allowed:
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            error = TooManyRequests(
                _("Too many requests: the limit is {limit}."),
                _("Wait {seconds} seconds, or ask the portal for an API key with a higher limit."),
                headers={"Retry-After": str(wait)},
                limit=str(item),
                seconds=wait,
            )
            await self._refuse(scope, receive, send, headers, error, extra)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _unknown_key() -> Forbidden:
        return Forbidden(
            _("The API key is not valid."),
            _("Check the key you were given, or send no key to use the anonymous limits."),
        )

    async def _refuse(
        self,
        scope: dict,
        receive: Any,
        send: Any,
        headers: dict[str, str],
        error: Any,
        extra: list | None = None,
    ) -> None:
        lang = language(headers)
        response = render(error, scope.get("path", ""), lang, urls.base_url())
        for name, value in extra or []:
            response.headers[name.decode()] = value.decode()
        response.headers["Access-Control-Allow-Origin"] = "*"
        await response(scope, receive, send)
