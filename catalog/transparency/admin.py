"""Administrators' settings kept in the database: local closure days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency.deadlines import profile
from catalog.transparency.models import Closure
from catalog.transparency.requests import now
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
