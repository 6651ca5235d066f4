"""Errors a user can act on: each carries what went wrong and how to fix it.

Commands catch ``CatalogError`` at the edge and print its message; anything
else is a bug, reported in one line without a traceback (see ``cli.py``).
"""

from __future__ import annotations

from catalog.i18n import translate

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class CatalogError(Exception):
    """A problem with the user's input or environment, with its fix."""

    exit_code = EXIT_USAGE

    def __init__(self, text: str, hint: str = "", **params: object) -> None:
        self.text = text
        self.hint = hint
        self.params = params
        super().__init__(translate(text, "en", **params))

    def message(self, lang: str | None = None) -> str:
        what = translate(self.text, lang, **self.params)
        fix = translate(self.hint, lang, **self.params) if self.hint else ""
        return f"{what} {fix}".strip()


class ContentError(CatalogError):
    """A publisher or dataset file that cannot be read or understood."""
