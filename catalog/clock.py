"""The one clock of the catalogue: what time and what day it is, always in UTC.

Every module asks here rather than calling ``datetime.now()`` or ``date.today()``
itself, so times are UTC-aware everywhere (never naive, never the host's zone).
Local time belongs to the jurisdiction (transparency/deadlines.py), not to the
host. Code that tests must move through time takes the moment as a parameter
(``at=``, ``today=``) or a clock callable (the workspace's ``clock``), defaulting
to this one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current moment, UTC-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC."""
    return now().date()


def stamp() -> str:
    """The current moment as ISO 8601 to the second (``2025-06-01T12:00:00+00:00``)."""
    return now().isoformat(timespec="seconds")
