"""The jurisdiction profiles: each country's access-to-information law as data.

A profile (``gt.yaml``, ``cl.yaml``, ``py.yaml`` beside this module) gives the
law, the response deadline of access requests and its extension, how business
days are counted, and the active-transparency obligations every public body
publishes. Laws differ by country; the code that applies them does not.
"""

from __future__ import annotations

import copy
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from catalog.content import read_yaml
from catalog.errors import ContentError
from catalog.i18n import _

FOLDER = Path(__file__).parent
DEFAULT_JURISDICTION = "GT"
COUNTRY = re.compile(r"^[A-Z]{2}$")


def jurisdictions() -> list[str]:
    """Codes of the shipped jurisdiction profiles (``GT``, ``CL``, ``PY``)."""
    return sorted(p.stem.upper() for p in FOLDER.glob("*.yaml"))


@cache
def _jurisdiction(code: str) -> dict[str, Any]:
    path = FOLDER / f"{code.lower()}.yaml"
    if not COUNTRY.match(code) or not path.is_file():
        raise ContentError(
            _("No jurisdiction profile for {code}."),
            _("Profiles are the YAML files in catalog/jurisdictions/: {allowed}."),
            code=code,
            allowed=", ".join(jurisdictions()),
        )
    return read_yaml(path)


def jurisdiction(code: str = DEFAULT_JURISDICTION) -> dict[str, Any]:
    """A jurisdiction profile: law, request deadlines, business days, obligations."""
    return copy.deepcopy(_jurisdiction(str(code).upper()))


@lru_cache(maxsize=1)
def _obligations() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for code in jurisdictions():
        for item in _jurisdiction(code)["active_transparency"]["obligations"]:
            found[item["id"]] = {**item, "jurisdiction": code}
    return found


def obligation(identifier: str) -> dict[str, Any] | None:
    """An active-transparency obligation by id (``GT-LAIP-10.4``), with its jurisdiction."""
    found = _obligations().get(identifier) if isinstance(identifier, str) else None
    return dict(found) if found else None
