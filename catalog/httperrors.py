"""API errors: one exception family, rendered as the native or the CKAN envelope.

Every error carries an English msgid (translated by ``Accept-Language``, Spanish
by default), a hint saying how to fix the request, and optional per-field
messages. The native face answers ``{"error": {...}}``; the CKAN face answers
CKAN's ``{"help", "success": false, "error": {"__type", "message", ...}}`` with
the status codes CKAN clients expect (ckanapi maps ``__type`` to exceptions).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from catalog.i18n import _, request_lang, translate

CKAN_PREFIXES = ("/api/3/action/", "/api/action/")
JSON = "application/json; charset=utf-8"


class ApiError(Exception):
    """A request the API cannot answer as asked; subclasses fix the status and type."""

    status = 400
    code = "bad-request"
    ckan_type = "Bad request"
    ckan_status = 400

    def __init__(
        self,
        text: str,
        hint: str = "",
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.text = text
        self.hint = hint
        self.fields = fields or {}
        self.headers = headers or {}
        self.params = {key: _printable(value) for key, value in params.items()}
        super().__init__(translate(text, "en", **self.params))

    # The three texts of an error in ``lang``; a subclass whose texts are translated
    # another way (the workspace's RequestError) overrides them, not the envelopes.
    def message(self, lang: str) -> str:
        return translate(self.text, lang, **self.params)

    def hint_message(self, lang: str) -> str:
        return translate(self.hint, lang, **self.params) if self.hint else ""

    def field_messages(self, lang: str) -> dict[str, str]:
        return {k: translate(v, lang, **self.params) for k, v in self.fields.items()}

    def native(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": self.status,
            "type": self.code,
            "message": self.message(lang),
        }
        if hint := self.hint_message(lang):
            body["hint"] = hint
        if fields := self.field_messages(lang):
            body["fields"] = fields
        return {"error": body}

    def ckan(self, lang: str) -> dict[str, Any]:
        message = self.message(lang)
        if hint := self.hint_message(lang):
            message = f"{message} {hint}"
        error: dict[str, Any] = {"__type": self.ckan_type, "message": message}
        for key, text in self.field_messages(lang).items():
            error[key] = [text]
        return error


def _printable(value: Any) -> Any:
    """A parameter echoed in a message, made safe to encode: a lone surrogate sent as
    ``"\\ud800"`` in a JSON body would otherwise break the JSON of the error itself."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


class NotFound(ApiError):
    status = ckan_status = 404
    code = "not-found"
    ckan_type = "Not Found Error"


class Invalid(ApiError):
    """A parameter with a wrong type or value (CKAN: Validation Error, 409)."""

    status = 400
    code = "invalid-parameter"
    ckan_type = "Validation Error"
    ckan_status = 409


class QueryError(ApiError):
    """A search query that cannot be parsed (CKAN: Search Query Error, 400)."""

    status = ckan_status = 400
    code = "invalid-query"
    ckan_type = "Search Query Error"


class Forbidden(ApiError):
    status = ckan_status = 403
    code = "forbidden"
    ckan_type = "Authorization Error"


class TooManyRequests(ApiError):
    status = ckan_status = 429
    code = "rate-limited"
    ckan_type = "Rate Limit Error"


class TooLarge(ApiError):
    """A request body over the size limit (CKAN: Validation Error, with HTTP's 413)."""

    status = ckan_status = 413
    code = "too-large"
    ckan_type = "Validation Error"


class Unavailable(ApiError):
    status = ckan_status = 503
    code = "no-build"
    ckan_type = "Not Found Error"


# The native ``type`` of an error known only by its HTTP status (the transparency
# workspace's refusals carry a status: catalog.transparency.api renders them here).
TYPE_OF_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
}

NO_BUILD = (
    _("The catalogue has not been built yet."),
    _("Run catalog build, then try again."),
)


def language(headers: Any, query: Any = None) -> str:
    """``?lang=`` wins, then ``Accept-Language``; Spanish by default (``i18n.request_lang``)."""
    asked = (query or {}).get("lang") if query is not None else None
    return request_lang(asked, accept=headers.get("accept-language"))


def is_ckan(path: str) -> bool:
    return path.startswith(CKAN_PREFIXES)


def ckan_help(base: str, action: str) -> str:
    return f"{base}/api/3/action/help_show?name={action}"


def action_of(path: str) -> str:
    for prefix in CKAN_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :].strip("/") or "help_show"
    return "help_show"


def render(error: ApiError, path: str, lang: str, base: str) -> Response:
    """The response for ``error`` in the face ``path`` belongs to."""
    headers = {"Content-Language": lang, "Cache-Control": "no-store", **error.headers}
    if is_ckan(path):
        body = {
            "help": ckan_help(base, action_of(path)),
            "success": False,
            "error": error.ckan(lang),
        }
        status = error.ckan_status
    else:
        body = error.native(lang)
        status = error.status
    return Response(orjson.dumps(body), status_code=status, media_type=JSON, headers=headers)
