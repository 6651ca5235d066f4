"""Administrators' settings kept in the database: local closure days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from catalog.clock import now
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency.deadlines import profile
from catalog.transparency.models import Closure
from catalog.transparency.workspace import Workspace


def add_closure(workspace: Workspace, jurisdiction: str, day: date, reason: str) -> Closure:
    """Make ``day`` a non-business day for new deadlines in ``jurisdiction``."""
    code = jurisdiction.upper()
    profile(code)  # a clear error for an unknown jurisdiction
    if not reason.strip():
        raise CatalogError(
            _("Give the reason for the closure."), _('Example: --reason "Feria local".')
        )
    with workspace.db.write() as session:
        found = session.scalar(
            select(Closure).where(Closure.jurisdiction == code, Closure.day == day)
        )
        if found is not None:
            return found
        closure = Closure(jurisdiction=code, day=day, reason=reason.strip()[:200], created_at=now())
        session.add(closure)
        return closure


def list_closures(workspace: Workspace, since: date | None = None) -> list[Closure]:
    """The local closure days (from ``since`` on, when given), by jurisdiction and day."""
    query = select(Closure).order_by(Closure.jurisdiction, Closure.day)
    if since is not None:
        query = query.where(Closure.day >= since)
    with workspace.db.read() as session:
        found = list(session.scalars(query))
        for closure in found:
            session.expunge(closure)
    return found


def remove_closure(workspace: Workspace, jurisdiction: str, day: date, today: date) -> None:
    """Make ``day`` a business day again in ``jurisdiction``; only a future day can go
    (a deadline already counted with a past closure day stays as it was)."""
    code = jurisdiction.upper()
    if day <= today:
        raise CatalogError(
            _("{day} is not a future day: its closure can no longer be removed."),
            _("Only closure days after today can be removed."),
            day=day.isoformat(),
        )
    with workspace.db.write() as session:
        found = session.scalar(
            select(Closure).where(Closure.jurisdiction == code, Closure.day == day)
        )
        if found is None:
            raise CatalogError(
                _("{day} is not a closure day in {code}."),
                _("Reload the page to see the current list."),
                day=day.isoformat(),
                code=code,
            )
        session.delete(found)
