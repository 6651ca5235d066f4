"""What went wrong under ``/sql/``, told to the reader: a status, a translated title
and hint, and (for query errors) SQLite's own short message.

Datasette's default exception handler prints a ``rich`` traceback with every
local variable on the event loop (hundreds of milliseconds per error, during
which nothing else in the process is served) and answers 500 to many problems
that are the request's (a bad sort column, two SQL statements). This module
classifies an exception cheaply and renders a small page or JSON body instead.
"""

from __future__ import annotations

import html
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400, Request, Response
from datasette.views.base import DatasetteError

from catalog.i18n import _, normalize_lang, translate

LOG = logging.getLogger("catalog.sql")
BACK = _("Back to the SQL explorer")
DETAIL_CHARS = 300  # SQLite's message is enough; a long SQL echo is not


class ResultTooLarge(Exception):
    """A result set grew past the byte cap while it was being fetched."""


@dataclass
class Problem:
    status: int
    title: str  # msgid
    hint: str  # msgid
    detail: str = ""  # SQLite's or Datasette's own (English) words, shown as they are
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


NOT_FOUND = Problem(
    404,
    _("This page does not exist in the SQL explorer."),
    _(
        "Check the address: the database, table or row may not exist in this release. "
        "Start again from /sql/."
    ),
)
BAD_PARAMETER = Problem(
    400,
    _("The address has a parameter the SQL explorer cannot use."),
    _(
        "Remove the parameters that start with an underscore (_sort, _size, _next, _facet, "
        "_where...) or correct them, and try again."
    ),
)
QUERY_FAILED = Problem(
    400,
    _("The query could not run."),
    _(
        "Correct the SQL or the filter shown below and run it again; only one SELECT "
        "statement is allowed."
    ),
)
TOO_SLOW = Problem(
    400,
    _("The query took longer than the {seconds} s limit and was stopped."),
    _(
        "Add a WHERE filter or a LIMIT, make sure a recursive query ends, or download the "
        "whole table from its dataset page instead."
    ),
)
TOO_LARGE = Problem(
    400,
    _("The result is larger than the {mb} MB the SQL explorer returns at once."),
    _(
        "Add a LIMIT, select fewer or shorter columns, or download the whole table from its "
        "dataset page instead."
    ),
)
VALUE_TOO_LARGE = Problem(
    400,
    _("A value in the query is larger than the {value_mb} MB the SQL explorer allows."),
    _(
        "Select shorter values (for example with substr()), or download the whole table from "
        "its dataset page instead."
    ),
)
FORBIDDEN = Problem(
    403,
    _("This page of the SQL explorer is not available."),
    _("Use the tables and the SQL editor from /sql/."),
)
BROKEN = Problem(
    500,
    _("Something went wrong in the SQL explorer."),
    _(
        "Try again in a moment; if it keeps happening, tell the portal's administrators "
        "which address failed."
    ),
)


def _datasette_error(exc: DatasetteError) -> Problem:
    if isinstance(exc.__context__, QueryInterrupted):
        return TOO_SLOW
    detail = "" if exc.message_is_html else str(exc.message)
    status = exc.status if 400 <= exc.status < 500 else 400
    base = NOT_FOUND if status == 404 else QUERY_FAILED
    return Problem(status, base.title, base.hint, detail)


def classify(exc: BaseException) -> Problem:
    """The problem an exception raised under ``/sql/`` stands for."""
    if isinstance(exc, ResultTooLarge):
        return TOO_LARGE
    if isinstance(exc, QueryInterrupted):
        return TOO_SLOW
    if isinstance(exc, DatasetteError):
        return _datasette_error(exc)
    if isinstance(exc, Base400):
        base = {404: NOT_FOUND, 403: FORBIDDEN}.get(exc.status, BAD_PARAMETER)
        detail = str(exc.args[0]) if exc.args and exc.status == 400 else ""
        return Problem(exc.status, base.title, base.hint, detail)
    if isinstance(exc, sqlite3.DataError) and "too big" in str(exc):
        return VALUE_TOO_LARGE
    if isinstance(exc, sqlite3.Error):
        return Problem(400, QUERY_FAILED.title, QUERY_FAILED.hint, str(exc))
    if isinstance(exc, ValueError | OverflowError | UnicodeError | LookupError):
        return BAD_PARAMETER  # a parameter that does not parse (_size=abc, bad encoding)
    return BROKEN


def query_error_hint(error: str, lang: str, limits: dict) -> str:
    """What to do about an error Datasette shows inline on its query page (SQLite's
    English words): the problem and the fix in the reader's language."""
    problem = VALUE_TOO_LARGE if "too big" in str(error) else QUERY_FAILED
    return " ".join(translate(m, lang, **limits) for m in (problem.title, problem.hint))


def lang_of(request: Request) -> str:
    return normalize_lang(request.args.get("_lang") or request.headers.get("accept-language"))


def _kind(request: Request) -> str:
    path = request.path.split("?")[0]
    return (
        "json" if path.endswith(".json") else "text" if path.endswith((".csv", ".tsv")) else "html"
    )


async def render(datasette: Any, request: Request, problem: Problem, limits: dict) -> Response:
    """The answer for ``problem``: JSON under ``.json``, text under ``.csv``, else a page."""
    lang = lang_of(request)
    params = {**limits, **problem.params}
    title = translate(problem.title, lang, **params)
    hint = translate(problem.hint, lang, **params)
    detail = problem.detail[:DETAIL_CHARS]
    headers = {"Cache-Control": "no-store", **problem.headers}
    kind = _kind(request)
    if kind == "json":
        body = {"ok": False, "status": problem.status, "title": title, "error": title}
        body.update({"hint": hint, "detail": detail})
        return Response.json(body, status=problem.status, headers=headers)
    if kind == "text":
        text = "\n".join(part for part in (title, hint, detail) if part) + "\n"
        return Response.text(text, status=problem.status, headers=headers)
    context = {"title": title, "hint": hint, "detail": detail, "lang": lang}
    return Response.html(await _page(datasette, context), status=problem.status, headers=headers)


async def _page(datasette: Any, context: dict[str, str]) -> str:
    """Datasette's look (its base template); a bare page if that cannot render."""
    lang = context["lang"]
    try:
        template = datasette.jinja_env.get_template("sql_error.html")
        return await template.render_async(
            {
                **context,
                "back": translate(BACK, lang),
                "urls": datasette.urls,
                "app_css_hash": datasette.app_css_hash(),
                "menu_links": lambda: [],
            }
        )
    except Exception:  # noqa: BLE001 - an error page must not fail in its turn
        LOG.exception("cannot render the SQL explorer's error page")
        title, hint = html.escape(context["title"]), html.escape(context["hint"])
        return f'<!doctype html><html lang="{lang}"><title>{title}</title><h1>{title}</h1><p>{hint}</p>'


def log(request: Request, exc: BaseException, problem: Problem) -> None:
    """One line per error (the path without its query string, which may hold private
    words); the traceback only when the level is DEBUG."""
    text = " ".join(str(exc).split())[:200]
    level = logging.ERROR if problem.status >= 500 else logging.INFO
    LOG.log(
        level,
        "%s %s -> %d %s: %s",
        request.method,
        request.path,
        problem.status,
        type(exc).__name__,
        text,
        exc_info=exc if LOG.isEnabledFor(logging.DEBUG) else None,
    )
