"""The computed indicators as a release publishes them, and the rows the API and the
CSV downloads give.

The site build writes every computed indicator to ``indicadores/datos.json`` in the
release's site folder; the API reads that file (``load``), once per release, so it
neither recomputes nor imports the builder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog import territories
from catalog.indicators.compute import level_values, ranks, value_at

INDICATORS = "indicadores/"
DATA_FILE = "datos.json"
LEVELS = ("department", "municipality")


def load(site: Path) -> list[dict[str, Any]]:
    """The indicators of a release's site folder (none when it has no such file)."""
    try:
        data = json.loads((site / INDICATORS / DATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("indicators") if isinstance(data, dict) else None
    return [i for i in found or [] if isinstance(i, dict) and isinstance(i.get("id"), str)]


def values_rows(
    indicator: dict[str, Any], territory: str | None = None, period: Any = None
) -> list[dict[str, Any]]:
    """One row per territory and period (every level, then the country), with the rank
    among the territories of the same level in that period and the department and
    national values beside it; ``territory`` and ``period`` narrow them."""
    rows = []
    for level in LEVELS:
        by_code = indicator["values"].get(level) or {}
        periods = sorted({p for s in by_code.values() for p, _v in s}, key=str)
        for when in periods:
            if period is not None and when != period:
                continue
            values = level_values(indicator, level, when)
            ranked = ranks(values, indicator["polarity"])
            national = value_at(indicator, "national", "", when)
            for code in sorted(values):
                if territory is not None and code != territory:
                    continue
                department = territories.department_of(code) if level == "municipality" else code
                rows.append(
                    {
                        "code": code,
                        "name": territories.name(code) or code,
                        "level": level,
                        "period": when,
                        "value": values[code],
                        "rank": ranked[code],
                        "of": len(values),
                        "department_value": value_at(indicator, "department", department, when)
                        if department
                        else None,
                        "national_value": national,
                    }
                )
    country = str(indicator.get("country") or territories.DEFAULT_COUNTRY)
    if territory in (None, country):
        for when, value in indicator["national"]:
            if period is None or when == period:
                rows.append(
                    {
                        "code": country,
                        "name": territories.country_name(country),
                        "level": "national",
                        "period": when,
                        "value": value,
                        "rank": None,
                        "of": None,
                        "department_value": None,
                        "national_value": value,
                    }
                )
    return rows
