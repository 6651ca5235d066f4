"""Signing in and out of the workspace, and officers' API tokens: throttled, and never
on the event loop.

A sign-in first reads whether its client or account is locked (a worker thread of
the ordinary pool: refused at once if so). The rest runs in ``hashing``'s pool of
its own, a few at a time, so a burst of logins can neither stop the event loop nor
take every thread the catalogue's pages need: ``throttle.admit`` (one write
transaction: refuse if locked, else count the attempt as a failure in advance),
the Argon2 check, then, if the password was right, the counters are reset and a
session starts (``sessions.start``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from sqlalchemy import select

from catalog.transparency import accounts, sessions, throttle
from catalog.transparency.auth import Signer
from catalog.transparency.models import LoginThrottle, User
from catalog.transparency.throttle import Admission, Key
from catalog.transparency.workspace import Workspace, blocking

T = TypeVar("T")
# Argon2 takes ~0.1 s of CPU and 64 MB per check: two at a time per process is
# what a small server affords; more attempts wait their turn without a thread.
PASSWORD_THREADS = 2
_password_limiter: RunVar[CapacityLimiter] = RunVar("catalog_password_limiter")


async def hashing(fn: Callable[..., T], *args: object) -> T:
    """Run a password hash or check in the small pool reserved for it."""
    try:
        limiter = _password_limiter.get()
    except LookupError:
        limiter = CapacityLimiter(PASSWORD_THREADS)
        _password_limiter.set(limiter)
    return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiter)


# ---------------------------------------------------------------- keys


def account_key(signer: Signer, email: str) -> Key:
    return Key("account", signer.keyed("account:" + email.strip().lower()))


def client_key(signer: Signer, address: str) -> Key:
    return Key("client", signer.keyed("login-client:" + address))


def token_key(signer: Signer, address: str) -> Key:
    return Key("token", signer.keyed("token-client:" + address))


def device_key(user_id: int, device: str) -> Key:
    return Key("device", f"{user_id}:{device}")


def retry_after(until: datetime, now: datetime) -> int:
    """Whole seconds until ``until`` (at least 1): the Retry-After header."""
    return max(1, math.ceil((until - now).total_seconds()))


# ---------------------------------------------------------------- signing in


@dataclass(frozen=True)
class Attempt:
    email: str
    password: str
    address: str  # the client's address (request.client; the proxy setup decides what it is)
    device: tuple[int, str] | None  # (user id, device id) from a device cookie
    user_agent: str = ""


@dataclass(frozen=True)
class Outcome:
    """A session token when signed in; else, when sign-in is locked, until when and why
    (``refused``: locked before the password was even checked)."""

    token: str | None = None
    user_id: int | None = None
    locked_until: datetime | None = None
    locked_kind: str | None = None
    refused: bool = False


@dataclass(frozen=True)
class _Plan:
    keys: list[Key]
    admission: Admission
    password_hash: str | None
    user_id: int | None
    active: bool


def _keys(ws: Workspace, user: User | None, email: str, attempt: Attempt) -> list[Key]:
    if user is not None and attempt.device is not None and attempt.device[0] == user.id:
        # The officer's own browser: only its own failures count against it.
        return [device_key(user.id, attempt.device[1])]
    return [client_key(ws.signer, attempt.address), account_key(ws.signer, email)]


def _locked(ws: Workspace, attempt: Attempt, now: datetime) -> Outcome | None:
    """A locked client or account, found with a read: refused at once, without waiting
    for a password thread (a flood from a locked address costs one query each)."""
    email = attempt.email.strip().lower()
    with ws.db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        keys = _keys(ws, user, email, attempt)
        found = [(u, k.kind) for k in keys if (u := throttle.check(session, k, now)) is not None]
    if not found:
        return None
    until, kind = max(found)
    return Outcome(locked_until=until, locked_kind=kind, refused=True)


def _admit(ws: Workspace, attempt: Attempt, now: datetime) -> _Plan:
    email = attempt.email.strip().lower()
    with ws.db.write() as session:
        user = session.scalar(select(User).where(User.email == email))
        keys = _keys(ws, user, email, attempt)
        admission = throttle.admit(session, keys, now)
        return _Plan(
            keys,
            admission,
            user.password_hash if user else None,
            user.id if user else None,
            bool(user and user.active),
        )


def _check(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(right?, a new hash when the stored one uses older parameters)."""
    if not accounts.verify_password(password_hash, password):
        return False, None
    fresh = accounts.hash_password(password) if accounts.needs_rehash(password_hash or "") else None
    return True, fresh


def _welcome(
    ws: Workspace, plan: _Plan, fresh_hash: str | None, now: datetime, user_agent: str
) -> str:
    with ws.db.write() as session:
        throttle.succeeded(session, plan.admission, plan.keys, now)
        # One row: the password was right for an active account (never deleted, only disabled).
        user = session.get_one(User, plan.user_id)
        if fresh_hash:
            user.password_hash = fresh_hash
        return sessions.start(session, user, now, user_agent)


def _attempt(ws: Workspace, attempt: Attempt) -> Outcome:
    """Count the attempt, check the password, start a session if it was right.

    Runs in the password pool: at most PASSWORD_THREADS attempts per process are
    counted in advance at any moment, so a burst of right passwords from one office
    (one address) never adds up to a lockout while they wait their turn."""
    now = ws.clock()
    plan = _admit(ws, attempt, now)
    if not plan.admission.allowed:
        return Outcome(
            locked_until=plan.admission.locked_until,
            locked_kind=plan.admission.locked_kind,
            refused=True,
        )
    right, fresh_hash = _check(plan.password_hash, attempt.password)
    if right and plan.active:
        token = _welcome(ws, plan, fresh_hash, now, attempt.user_agent)
        return Outcome(token=token, user_id=plan.user_id)
    if plan.admission.locked_now:
        until, kind = max((u, k.kind) for k, u in plan.admission.locked_now.items())
        return Outcome(locked_until=until, locked_kind=kind)
    return Outcome()


async def sign_in(ws: Workspace, attempt: Attempt) -> Outcome:
    """Check an e-mail and password under the lockout rules; a session when right."""
    refused = await blocking(_locked, ws, attempt, ws.clock())
    if refused is not None:
        return refused
    return await hashing(_attempt, ws, attempt)


def _sign_out(ws: Workspace, session_id: int, now: datetime) -> None:
    with ws.db.write() as session:
        sessions.revoke(session, session_id, now)


async def sign_out(ws: Workspace, session_id: int) -> None:
    await blocking(_sign_out, ws, session_id, ws.clock())


async def current_session(ws: Workspace, token: str | None) -> sessions.Current | None:
    """The live session of a cookie's token, read in a worker thread."""
    if not token:
        return None
    return await blocking(sessions.resolve, ws.db, token, ws.clock())


# ---------------------------------------------------------------- API tokens


class Throttled(Exception):
    """Too many unknown API tokens from this client: refused until ``until``."""

    def __init__(self, until: datetime, now: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until
        self.seconds = retry_after(until, now)


def officer_for_token(ws: Workspace, token: str, address: str) -> User | None:
    """The active officer of a bearer token (detached), None for an unknown token.
    Synchronous: FastAPI runs the routes that call it in its thread pool."""
    now = ws.clock()
    key = token_key(ws.signer, address)
    with ws.db.read() as session:
        until = throttle.check(session, key, now)
        if until is not None:
            raise Throttled(until, now)
        user = accounts.user_for_token(session, token)
        if user is not None:
            user.publishers  # noqa: B018 - load the memberships before detaching
            session.expunge(user)
            return user
    with ws.db.write() as session:
        throttle.failed(session, key, now)
    return None


# ---------------------------------------------------------------- administration


def unlock_account(ws: Workspace, email: str) -> int:
    """Lift the lockout of an account (and of its trusted browsers); how many were locked."""
    with ws.db.write() as session:
        found = throttle.unlock(session, [account_key(ws.signer, email)])
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is not None:
            found += throttle.unlock_devices(session, user.id)
        return found


def unlock_client(ws: Workspace, address: str) -> int:
    """Lift the lockouts of a client address (for sign-ins and for API tokens)."""
    with ws.db.write() as session:
        return throttle.unlock(
            session, [client_key(ws.signer, address), token_key(ws.signer, address)]
        )


def unlock_key(ws: Workspace, kind: str, key: str) -> int:
    """Lift one lockout the administration page shows (by its kind and hashed key)."""
    with ws.db.write() as session:
        return throttle.unlock(session, [Key(kind, key)])


@dataclass(frozen=True)
class Lockout:
    kind: str
    key: str
    until: datetime
    email: str | None  # the account it concerns, when it is a known account


def lockouts(ws: Workspace, users: list[User], now: datetime) -> list[Lockout]:
    """The lockouts in force, with the account each one concerns when known."""
    by_key = {account_key(ws.signer, u.email).key: u.email for u in users}
    by_id = {str(u.id): u.email for u in users}
    with ws.db.read() as session:
        rows: list[LoginThrottle] = throttle.locked(session, now)
    found = []
    for row in rows:
        if row.locked_until is None:  # never: throttle.locked reads locked rows only
            continue
        email = by_key.get(row.key) if row.kind == "account" else None
        if row.kind == "device":
            email = by_id.get(row.key.split(":", 1)[0])
        found.append(Lockout(row.kind, row.key, row.locked_until, email))
    return found
