"""One clock: every module reads the time from catalog.clock, in UTC."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog import clock

REPO = Path(__file__).resolve().parent.parent


def test_now_is_utc_aware_and_today_is_its_date():
    before = datetime.now(UTC)
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert before <= moment <= datetime.now(UTC)
    assert clock.today() in {before.date(), datetime.now(UTC).date()}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", clock.stamp())


def _reads_the_clock(node: ast.AST) -> bool:
    """``datetime.now(...)``, ``datetime.utcnow()``, ``date.today()``, ``datetime.today()``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = node.func.value
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    return (name, node.func.attr) in {
        ("datetime", "now"),
        ("datetime", "utcnow"),
        ("datetime", "today"),
        ("date", "today"),
    }


def test_no_other_module_reads_the_clock():
    found = []
    for folder in ("catalog", "plugins"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == REPO / "catalog" / "clock.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path.relative_to(REPO)}:{n.lineno}"
                for n in ast.walk(tree)
                if _reads_the_clock(n)
            ]
    assert not found, "use catalog.clock instead: " + ", ".join(found)
