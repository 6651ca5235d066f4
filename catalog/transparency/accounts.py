"""Accounts: administrators, transparency officers and CIOs, their publishers and API tokens.

Passwords are hashed with Argon2id (argon2-cffi); API tokens are random and only
their SHA-256 is stored, so a stolen database gives no working credential.
Disabling an account or changing its password ends all its sessions.

Hashing takes a tenth of a second of CPU and 64 MB: callers in the web app run it
through ``logins.hashing`` (a worker thread, a few at a time), never on the event loop.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import now
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency import sessions
from catalog.transparency.models import ApiToken, Membership, User

# A ``cio`` (a body's head of IT) only rates its IT investments (cio.py, cio_web.py).
# A ``steward`` prepares datasets of its bodies in the browser, a ``reviewer`` approves
# them or sends them back (stewards.py, stewards_web.py).
ROLES = ("admin", "officer", "cio", "steward", "reviewer")
MIN_PASSWORD = 10
# Longer passwords are refused before hashing: nobody types more, and a megabyte of
# "password" would only cost the server time.
MAX_PASSWORD = 1024
MAX_NAME = 200
TOKEN_PREFIX = "ctk_"
EMAIL = re.compile(r"^[^@\s<>\x00-\x1f\x7f]{1,64}@[A-Za-z0-9.-]{1,180}\.[A-Za-z]{2,24}$")
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a login takes as long either way.
_DUMMY = _hasher.hash("not a password of anyone")


def check_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise CatalogError(
            _("{email} is not a valid e-mail address."),
            _("Give an address such as nombre@institucion.gob.gt."),
            email=email[:100] or "''",
        )
    return email


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise CatalogError(
            _("The password is too short ({length} characters)."),
            _("Use at least {minimum} characters; a phrase of several words is best."),
            length=len(password or ""),
            minimum=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise CatalogError(
            _("The password is too long ({length} characters)."),
            _("Use at most {maximum} characters."),
            length=len(password),
            maximum=MAX_PASSWORD,
        )


def check_publishers(publishers: list[str], known: set[str]) -> list[str]:
    """The chosen publishers, each one of ``known`` (the workspace's publisher directory)."""
    chosen = sorted({p.strip() for p in publishers if p and p.strip()})
    if not chosen:
        raise CatalogError(
            _("An officer answers for at least one publisher."),
            _("Choose one or more publishers."),
        )
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise CatalogError(
            _("Unknown publisher: {slugs}."),
            _("Choose publishers from the list."),
            slugs=", ".join(p[:100] for p in unknown[:5]),
        )
    return chosen


def add_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    role: str = "officer",
    publishers: list[str] | None = None,
) -> User:
    """Create an account; an officer needs at least one publisher."""
    email = check_email(email)
    check_password(password)
    if role not in ROLES:
        raise CatalogError(
            _("Unknown role {role}."), _("Use one of: {roles}."), role=role, roles=", ".join(ROLES)
        )
    if role in ("officer", "cio", "steward", "reviewer") and not publishers:
        raise CatalogError(
            _("An officer answers for at least one publisher."),
            _("Give --publisher SLUG (several times for several publishers)."),
        )
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise CatalogError(
            _("There is already an account for {email}."),
            _("Use another address, or set a new password with catalog users password."),
            email=email,
        )
    if len((name or "").strip()) > MAX_NAME:
        raise CatalogError(
            _("The name is too long ({length} characters)."),
            _("Use at most {maximum} characters."),
            length=len(name.strip()),
            maximum=MAX_NAME,
        )
    user = User(
        email=email,
        name=(name or email).strip()[:MAX_NAME],
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=now(),
    )
    user.memberships = [Membership(publisher=p) for p in sorted(set(publishers or []))]
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    wanted = (email or "").strip().lower()
    # No account has a control character in its address (check_email); PostgreSQL
    # refuses a NUL in a query, so such an address is not looked up at all.
    clean = len(wanted) <= 254 and not any(c < " " for c in wanted)
    user = session.scalar(select(User).where(User.email == wanted)) if clean else None
    if user is None:
        raise CatalogError(
            _("No account for {email}."), _("List accounts with catalog users list."), email=email
        )
    return user


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. With no hash (no such account) a
    dummy is verified, so that the answer takes as long either way. CPU-bound: run it
    through ``logins.hashing`` in the web app."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def hash_password(password: str) -> str:
    return _hasher.hash(password.encode("utf-8", "surrogatepass"))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which was wrong)."""
    wanted = (email or "").strip().lower()
    clean = len(wanted) <= 254 and not any(c < " " for c in wanted)
    user = session.scalar(select(User).where(User.email == wanted)) if clean else None
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(session: Session, email: str, password: str) -> User:
    """A new password; every session of the account ends (whoever knew the old one)."""
    check_password(password)
    user = find_user(session, email)
    user.password_hash = hash_password(password)
    sessions.revoke_all(session, user.id, now())
    return user


def set_active(session: Session, email: str, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions and revokes its tokens."""
    user = find_user(session, email)
    user.active = active
    if not active:
        sessions.revoke_all(session, user.id, now())
        for token in user_tokens(session, user):
            token.revoked_at = token.revoked_at or now()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "api") -> str:
    """A new API token for ``user``: shown once, stored as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(user_id=user.id, name=name[:100], token_hash=_digest(token), created_at=now())
    )
    session.flush()
    return token


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if found is None or found.revoked_at is not None or not found.user.active:
        return None
    if found.user.role == "cio":  # a CIO rates investments in the pages; no request API
        return None
    return found.user
