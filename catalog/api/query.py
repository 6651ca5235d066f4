"""Parsing the Lucene/Solr syntax CKAN clients send in ``q`` and ``fq``.

luqum does the parsing; this module turns its errors into a clear 400 and keeps
the parser behind a lock (the PLY parser it uses is not thread-safe). Parsed
trees are cached: harvesters and pages repeat the same queries.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from luqum.exceptions import ParseError
from luqum.parser import parser

from catalog.httperrors import QueryError
from catalog.i18n import _

MAX_QUERY = 2000
_LOCK = threading.Lock()


@lru_cache(maxsize=4096)
def _parse(text: str) -> Any:
    with _LOCK:
        return parser.parse(text)


def parse(text: str, param: str) -> Any:
    """The query tree of ``text`` (the value of ``param``); QueryError when malformed."""
    if len(text) > MAX_QUERY:
        raise QueryError(
            _("The query in {param} is too long ({length} characters)."),
            _("Keep queries under {limit} characters."),
            param=param,
            length=len(text),
            limit=MAX_QUERY,
        )
    try:
        return _parse(text)
    except (ParseError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise QueryError(
            _("The query in {param} is not valid: {reason}"),
            _(
                "Use words, field:value pairs, quotes for phrases and ranges such as "
                "metadata_modified:[2024-01-01T00:00:00Z TO *]."
            ),
            param=param,
            reason=str(exc)[:200],
        ) from None
