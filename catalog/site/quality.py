"""Quality score and freshness of a dataset.

The score is out of 100, a sum of criteria a citizen can check on the page:
each criterion has a weight, passes or not, and says why. Freshness compares
the dataset's ``modified`` date with the period its update frequency promises
(``catalog/vocabularies/frequencies.yaml``, an ISO 8601 duration).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any

from catalog.i18n import _
from catalog.vocabularies import entry

# Short description and long README: what a reader needs to understand the data.
MIN_DESCRIPTION = 80
MIN_README = 300
OPEN_FORMATS = {"csv", "json", "geojson", "xml", "ods", "txt", "parquet"}
_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")

CRITERIA: list[tuple[str, int, str]] = [
    ("license", 15, _("Open licence")),
    ("description", 10, _("Description of at least {chars} characters and a README")),
    ("frequency", 15, _("Updated as often as promised")),
    ("temporal", 10, _("Temporal coverage declared")),
    ("spatial", 10, _("Spatial coverage declared")),
    ("formats", 10, _("Open formats only")),
    ("dictionary", 15, _("Data dictionary complete")),
    ("validation", 15, _("Latest version passed validation")),
]


def add_period(start: date, period: str) -> date | None:
    """``start`` plus an ISO 8601 duration (``P1Y``, ``P3M``, ``P1W``, ``P1D``)."""
    match = _PERIOD.match(period or "")
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(weeks=weeks, days=days)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def due_date(package: dict[str, Any]) -> date | None:
    """The day the next update is due, with a grace of a tenth of the period
    (at least one day); None when the frequency promises none (irregular, never)."""
    modified = _date(package.get("modified"))
    frequency = entry("frequencies", str(package.get("frequency") or ""))
    if modified is None or not frequency or not frequency.get("period"):
        return None
    next_update = add_period(modified, frequency["period"])
    if next_update is None:
        return None
    grace = max(1, (next_update - modified).days // 10)
    return next_update + timedelta(days=grace)


def is_overdue(package: dict[str, Any], today: date) -> bool:
    due = due_date(package)
    return due is not None and today > due


def _dictionary_complete(package: dict[str, Any]) -> bool:
    fields = [
        f
        for r in package.get("resources") or []
        if isinstance(r, dict) and isinstance(r.get("schema"), dict)
        for f in r["schema"].get("fields") or []
    ]
    return bool(fields) and all(str(f.get("description") or "").strip() for f in fields)


def _checks(package: dict[str, Any], readme: str, valid: bool, today: date) -> dict[str, bool]:
    licences = [entry("licenses", str(lic.get("name"))) for lic in package.get("licenses") or []]
    formats = {
        str(r.get("format") or "").lower()
        for r in package.get("resources") or []
        if isinstance(r, dict)
    }
    spatial = package.get("spatial") or {}
    return {
        "license": bool(licences) and all(lic and lic.get("open") for lic in licences),
        "description": len(str(package.get("description") or "")) >= MIN_DESCRIPTION
        and len(readme.strip()) >= MIN_README,
        "frequency": bool(package.get("frequency")) and not is_overdue(package, today),
        "temporal": bool((package.get("temporal") or {}).get("start")),
        "spatial": bool(
            spatial.get("country") or spatial.get("departments") or spatial.get("municipalities")
        ),
        "formats": bool(formats) and formats <= OPEN_FORMATS,
        "dictionary": _dictionary_complete(package),
        "validation": valid,
    }


def score(package: dict[str, Any], readme: str | None, valid: bool, today: date) -> dict[str, Any]:
    """``{"score": 0..100, "criteria": [{"key", "label", "weight", "passed"}]}``."""
    passed = _checks(package, readme or "", valid, today)
    criteria = [
        {
            "key": key,
            "label": text,
            "params": {"chars": MIN_DESCRIPTION},
            "weight": weight,
            "passed": passed[key],
        }
        for key, weight, text in CRITERIA
    ]
    total = sum(weight for key, weight, _text in CRITERIA if passed[key])
    return {"score": total, "criteria": criteria}
