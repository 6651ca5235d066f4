"""Server-side sessions of officers and administrators.

The cookie carries a random token (signed by ``auth.Signer``); the ``sessions``
table keeps its SHA-256, the user, the CSRF secret of the session's forms and its
times. A session ends when the person signs out, after ``IDLE`` without a request,
``ABSOLUTE`` after it began, or when the account is disabled or its password is
changed (``revoke_all``). Every worker and host reads the same table, so an ended
session stops working everywhere at once.

All functions are synchronous (SQLAlchemy); the web handlers call them through
``workspace.blocking`` so that the event loop never waits on the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, delete, select, update
from sqlalchemy.orm import Session

from catalog.transparency.db import Database
from catalog.transparency.models import User, UserSession

IDLE = timedelta(hours=1)
ABSOLUTE = timedelta(hours=12)
# ``last_seen_at`` is written at most once a minute per session: a page view must
# not be a write to the database, and the idle limit does not need more precision.
TOUCH_EVERY = timedelta(minutes=1)
KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True)
class Current:
    """The signed-in person of a request: the session row's id, its CSRF secret, the user
    (detached from the database session, with its publishers loaded)."""

    session_id: int
    csrf: str
    user: User

    @property
    def user_id(self) -> int:
        return self.user.id


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(session: Session, user: User, now: datetime, user_agent: str = "") -> str:
    """A new session for ``user``; returns its token (for the cookie, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=digest(token),
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE,
            user_agent=user_agent[:200] or None,
        )
    )
    # Old rows are kept a while (the administrator sees recent sessions), then go.
    session.execute(delete(UserSession).where(UserSession.expires_at < now - KEEP_ENDED))
    session.flush()
    return token


def is_live(row: UserSession, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and row.expires_at > now
        and row.last_seen_at + IDLE > now
        and row.user.active
    )


def resolve(db: Database, token: str | None, now: datetime) -> Current | None:
    """The live session of ``token`` (and note that it was seen), or None."""
    if not token:
        return None
    with db.read() as session:
        row = session.scalar(select(UserSession).where(UserSession.token_hash == digest(token)))
        if row is None or not is_live(row, now):
            return None
        user = row.user
        user.publishers  # noqa: B018 - load the memberships before the user is detached
        session.expunge(user)
        found = Current(row.id, row.csrf, user)
        stale = row.last_seen_at + TOUCH_EVERY <= now
    if stale:
        with db.write() as session:
            session.execute(
                update(UserSession)
                .where(UserSession.id == found.session_id, UserSession.last_seen_at < now)
                .values(last_seen_at=now)
            )
    return found


def revoke(session: Session, session_id: int, now: datetime) -> bool:
    """End one session; False if it had already ended (or never existed)."""
    return bool(
        _changed(
            session,
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now),
        )
    )


def revoke_all(session: Session, user_id: int, now: datetime) -> int:
    """End every session of a user (disabled account, new password, administrator's order)."""
    return _changed(
        session,
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now),
    )


def _changed(session: Session, statement: Update) -> int:
    """How many rows ``statement`` changed."""
    # Session.execute is typed as returning a plain Result, which has no rowcount; an
    # UPDATE's result is always a CursorResult, the kind that has it.
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)


def live_sessions(session: Session, now: datetime) -> list[UserSession]:
    """Every session still working, newest first (the administrator's list)."""
    rows = session.scalars(
        select(UserSession)
        .where(
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - IDLE,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return [r for r in rows if r.user.active]
