"""The controlled vocabularies: themes, licences, update frequencies, publisher kinds.

Each vocabulary is a YAML file beside this module (``themes.yaml``...), a list of
entries with a ``code`` and a ``label`` in ``{"es", "en"}`` (and whatever else the
vocabulary needs: a licence's ``url``, a frequency's ``period``). They are data, so
an administrator corrects a label without touching code; this module is how the
rest of the catalogue reads them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from catalog.content import is_slug, read_yaml
from catalog.errors import ContentError
from catalog.i18n import _

FOLDER = Path(__file__).parent


@cache
def _vocabulary(name: str) -> tuple[dict[str, Any], ...]:
    if not is_slug(name) or not (FOLDER / f"{name}.yaml").is_file():
        raise ContentError(
            _("Unknown vocabulary: {name}."),
            _("Vocabularies are the YAML files in catalog/vocabularies/."),
            name=str(name),
        )
    entries = read_yaml(FOLDER / f"{name}.yaml")
    return tuple(entries or ())


def vocabulary(name: str) -> list[dict[str, Any]]:
    """The entries of a controlled vocabulary (``themes``, ``licenses``, ``frequencies``,
    ``publisher_kinds``): each a dict with ``code`` and ``label`` ``{"es", "en"}``."""
    return [dict(entry) for entry in _vocabulary(name)]


def codes(name: str) -> list[str]:
    """The codes of a vocabulary, in file order."""
    return [entry["code"] for entry in _vocabulary(name)]


def entry(name: str, code: str) -> dict[str, Any] | None:
    """One vocabulary entry by code, or None."""
    return next((dict(e) for e in _vocabulary(name) if e["code"] == code), None)


def label(name: str, code: str, lang: str = "es") -> str:
    """The label of a code in ``lang`` (the code itself when unknown)."""
    found = entry(name, code)
    return found["label"].get(lang, found["label"]["es"]) if found else code
