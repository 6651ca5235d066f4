"""What every kind of source shares: its failure, and reading its answers defensively."""

from __future__ import annotations

import json
from typing import Any

from catalog.content import MAX_NESTING, NestingError, check_json_nesting
from catalog.i18n import _

KINDS = ("ckan", "data.json", "dcat")


class SourceError(Exception):
    """The source failed (down, slow, garbage, broken paging): the harvest stops, exit 1,
    and nothing already harvested is touched."""

    def __init__(self, code: str, text: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.text = text
        self.params = params


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def decode_json(body: bytes, content_type: str, url: str) -> Any:
    """JSON from a source, or a SourceError that says what came instead."""
    if looks_like_html(body):
        raise SourceError(
            "html", _("{url} answered with a web page (HTML) instead of data."), url=url
        )
    try:
        check_json_nesting([body], MAX_NESTING)
        return json.loads(body.decode("utf-8-sig"))
    except NestingError:
        raise SourceError(
            "garbage", _("{url} answered with JSON nested too deep."), url=url
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SourceError(
            "garbage",
            _("{url} answered with something that is not valid JSON ({kind})."),
            url=url,
            kind=content_type.split(";")[0] or "?",
        ) from None


def text_of(value: object) -> str:
    """A source's value as text: strings as they are, numbers written, anything else ''."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""
