"""Accounts: administrators and transparency officers, their publishers and API tokens.

Passwords are hashed with Argon2id (argon2-cffi); API tokens are random and only
their SHA-256 is stored, so a stolen database gives no working credential.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency.models import ApiToken, Membership, User

ROLES = ("admin", "officer")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ctk_"
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,180}\.[A-Za-z]{2,24}$")
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a login takes as long either way.
_DUMMY = _hasher.hash("not a password of anyone")


def now() -> datetime:
    return datetime.now(UTC)


def check_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise CatalogError(
            _("{email} is not a valid e-mail address."),
            _("Give an address such as nombre@institucion.gob.gt."),
            email=email or "''",
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
    if role == "officer" and not publishers:
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
    user = User(
        email=email,
        name=(name or email).strip()[:200],
        role=role,
        password_hash=_hasher.hash(password),
        active=True,
        created_at=now(),
    )
    user.memberships = [Membership(publisher=p) for p in sorted(set(publishers or []))]
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise CatalogError(
            _("No account for {email}."), _("List accounts with catalog users list."), email=email
        )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which was wrong)."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def set_password(session: Session, email: str, password: str) -> User:
    check_password(password)
    user = find_user(session, email)
    user.password_hash = _hasher.hash(password)
    return user


def set_active(session: Session, email: str, active: bool) -> User:
    user = find_user(session, email)
    user.active = active
    if not active:
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
    return found.user
