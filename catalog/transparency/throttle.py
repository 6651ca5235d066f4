"""Login throttling: failed sign-ins counted per account, per client and per trusted
device, in the database so that every worker and host shares the counts.

- ``ACCOUNT``: 5 failures for one e-mail within 15 minutes lock it for 15 minutes.
  Unknown e-mails are counted the same way, so a lockout says nothing about
  whether an account exists.
- ``CLIENT``: 20 failures from one client address within 15 minutes lock that
  address (whatever e-mails it tries).
- Each lockout that follows another within a day lasts twice as long as the last,
  up to ``MAX_LOCK``; a successful sign-in resets the account (not the client).
- ``DEVICE``: a browser where the officer signed in before carries a signed
  device cookie. Its attempts are counted on the device alone, so wrong passwords
  sent by someone else (who cannot have that cookie) never lock the officer out
  of their usual browser. See docs/security.md.
- ``TOKEN``: 20 unknown API tokens from one client within 15 minutes → 429.

An attempt is counted as a failure *before* the password is checked (and given
back if it was right), so parallel attempts cannot exceed the limits. Keys are
keyed hashes (``Signer.keyed``): the table holds no e-mail or address in clear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from catalog.transparency.models import LoginThrottle


@dataclass(frozen=True)
class Rule:
    failures: int
    window: timedelta
    lock: timedelta


ACCOUNT = Rule(5, timedelta(minutes=15), timedelta(minutes=15))
CLIENT = Rule(20, timedelta(minutes=15), timedelta(minutes=15))
RULES = {
    "account": ACCOUNT,
    "client": CLIENT,
    "device": ACCOUNT,
    "token": CLIENT,
}
MAX_LOCK = timedelta(hours=4)
STRIKE_MEMORY = timedelta(days=1)  # lockouts further apart than this do not grow


@dataclass(frozen=True)
class Key:
    kind: str  # account | client | device | token
    key: str  # a keyed hash


@dataclass
class Admission:
    """What ``admit`` decided: refused until ``locked_until`` (and which key locked it),
    or allowed, with the keys this attempt locked should it fail."""

    locked_until: datetime | None = None
    locked_kind: str | None = None
    locked_now: dict[Key, datetime] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.locked_until is None


def _rows(session: Session, keys: Iterable[Key], now: datetime) -> dict[Key, LoginThrottle]:
    """The rows of ``keys``, created when missing, locked for this transaction."""
    ordered = sorted(set(keys), key=lambda k: (k.kind, k.key))  # one order: no deadlock
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    for k in ordered:
        session.execute(
            make(LoginThrottle)
            .values(
                kind=k.kind,
                key=k.key,
                failures=0,
                window_start=now,
                last_failure_at=now,
                strikes=0,
            )
            .on_conflict_do_nothing(index_elements=["kind", "key"])
        )
    found = {}
    for k in ordered:
        query = select(LoginThrottle).where(
            LoginThrottle.kind == k.kind, LoginThrottle.key == k.key
        )
        if dialect == "postgresql":
            query = query.with_for_update()
        found[k] = session.scalars(query.execution_options(populate_existing=True)).one()
    return found


def _refresh(row: LoginThrottle, rule: Rule, now: datetime) -> None:
    """Forget what is over: an ended lockout, an ended window, old strikes."""
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until = None
        row.failures, row.window_start = 0, now
    if row.window_start + rule.window <= now:
        row.failures, row.window_start = 0, now
    if row.strikes and row.last_failure_at + STRIKE_MEMORY <= now:
        row.strikes = 0


def _count(row: LoginThrottle, rule: Rule, now: datetime) -> datetime | None:
    """Count one failure; the end of the lockout it starts, if it starts one."""
    row.failures += 1
    row.last_failure_at = now
    if row.failures < rule.failures:
        return None
    row.locked_until = now + min(rule.lock * 2**row.strikes, MAX_LOCK)
    row.strikes += 1
    return row.locked_until


def admit(session: Session, keys: Iterable[Key], now: datetime) -> Admission:
    """Refuse an attempt if any key is locked; else count it as a failure on every key."""
    rows = _rows(session, keys, now)
    for k, row in rows.items():
        _refresh(row, RULES[k.kind], now)
    locked = [(row.locked_until, k.kind) for k, row in rows.items() if row.locked_until]
    if locked:
        until, kind = max(locked)
        return Admission(until, kind)
    admission = Admission()
    for k, row in rows.items():
        ends = _count(row, RULES[k.kind], now)
        if ends is not None:
            admission.locked_now[k] = ends
    session.flush()  # this attempt's rows are recent now: the clean-up below keeps them
    _forget_old(session, now)
    return admission


def succeeded(session: Session, admission: Admission, keys: Iterable[Key], now: datetime) -> None:
    """The password was right: reset the account and device counters; give the client
    back the failure counted in advance (and the lockout, if this attempt started it)."""
    for k, row in _rows(session, keys, now).items():
        if k.kind in ("account", "device"):
            row.failures, row.strikes, row.locked_until = 0, 0, None
            continue
        row.failures = max(0, row.failures - 1)
        if k in admission.locked_now and row.locked_until == admission.locked_now[k]:
            row.locked_until = None
            row.strikes = max(0, row.strikes - 1)


def check(session: Session, key: Key, now: datetime) -> datetime | None:
    """The end of the lockout of ``key`` if it is locked now (a read: no row is made)."""
    row = session.scalar(
        select(LoginThrottle).where(LoginThrottle.kind == key.kind, LoginThrottle.key == key.key)
    )
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def failed(session: Session, key: Key, now: datetime) -> datetime | None:
    """Count one failure on ``key`` alone (API tokens); the end of a lockout it starts."""
    row = _rows(session, [key], now)[key]
    rule = RULES[key.kind]
    _refresh(row, rule, now)
    if row.locked_until is not None:
        return row.locked_until
    return _count(row, rule, now)


def unlock(session: Session, keys: Iterable[Key]) -> int:
    """Lift the lockouts and forget the failures of ``keys``; how many were locked."""
    count = 0
    for k in keys:
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.kind == k.kind, LoginThrottle.key == k.key)
        )
        if row is not None:
            count += row.locked_until is not None
            session.delete(row)
    return count


def unlock_devices(session: Session, user_id: int) -> int:
    """Forget the trusted-device counters of one user (their keys start with its id)."""
    rows = session.scalars(
        select(LoginThrottle).where(
            LoginThrottle.kind == "device", LoginThrottle.key.startswith(f"{user_id}:")
        )
    ).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def locked(session: Session, now: datetime) -> list[LoginThrottle]:
    """Every key locked now, the longest lockout first."""
    return list(
        session.scalars(
            select(LoginThrottle)
            .where(LoginThrottle.locked_until > now)
            .order_by(LoginThrottle.locked_until.desc())
        )
    )


def _forget_old(session: Session, now: datetime) -> None:
    """Rows with no lockout and no failure for a day count nothing any more."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - STRIKE_MEMORY,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
