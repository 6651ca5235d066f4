"""The workspace's tables (SQLAlchemy 2). Migrations in ``migrations/`` create them.

Requests carry a ``version`` column: two workers changing one request at once
cannot both win (the second gets a conflict, never a lost update). ``events``
is append-only: database triggers refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, always aware and in UTC, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """An administrator or a transparency officer (the public has no account)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | officer
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def publishers(self) -> set[str]:
        return {m.publisher for m in self.memberships}

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_act_on(self, publisher: str) -> bool:
        """Whether the account handles requests and publications of ``publisher`` (a CIO
        only rates IT investments: cio.py)."""
        return self.active and (
            self.is_admin
            or (self.role not in ("cio", "steward", "reviewer") and publisher in self.publishers)
        )


class Membership(Base):
    """An officer answers for a publisher."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100), primary_key=True)
    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(Base):
    """A bearer token for an officer's client; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is kept,
    so a copy of the database opens no session. Ended by logout, by the idle or the
    absolute limit, or for all of a user's sessions when the account is disabled or its
    password changes (migration 0003)."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))  # the secret every form of this session carries
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))
    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed sign-ins counted for one key (an account, a client address, a trusted device
    or a client sending API tokens), and the lockout they caused. In the database, so that
    every worker and host sees the same counts (migration 0003)."""

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_login_throttles_last_failure", "last_failure_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # account | client | device | token
    # A keyed hash (no e-mail or address in clear); for a device, "user id:device id".
    key: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    strikes: Mapped[int] = mapped_column(Integer, default=0)  # lockouts in a row: each lasts longer


class InfoRequest(Base):
    """One access-to-information request and where it stands."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_publisher_status", "publisher", "status"),
        Index("ix_requests_status_due", "status", "due_on"),
        Index("ix_requests_client_received", "client_hash", "received_at"),
        Index("ix_requests_published", "published_at"),
        # Covering indexes of the statistics' two GROUP BY queries (migration 0002).
        Index("ix_requests_stats", "publisher", "outcome", "answered_late", "status", "due_on"),
        Index("ix_requests_answer_days", "publisher", "answer_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(40), unique=True)
    publisher: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    preferred_format: Mapped[str | None] = mapped_column(String(20))
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_email: Mapped[str] = mapped_column(String(254))
    requester_key_hash: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2), default="es")  # of the requester's e-mails
    client_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    legal_ground: Mapped[str | None] = mapped_column(Text)
    referred_to: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    original_due_on: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    paused_days: Mapped[int | None] = mapped_column(Integer)  # days left when the clock stopped
    clarification_due_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_days: Mapped[int | None] = mapped_column(Integer)  # business days taken
    answered_late: Mapped[bool | None] = mapped_column(Boolean)
    answer_text: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_subject: Mapped[str | None] = mapped_column(String(200))
    published_description: Mapped[str | None] = mapped_column(Text)
    published_answer: Mapped[str | None] = mapped_column(Text)
    appeal_due_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    assignee: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list[Event]] = relationship(order_by="Event.id", lazy="selectin")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class Event(Base):
    """One change to a request: who, when, what. Never updated, never deleted."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(20))  # requester | officer | admin | system
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class Attachment(Base):
    """A file of an answer, stored once under its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RedactionRule(Base):
    """Text hidden before an answer is published: for one request or a whole publisher."""

    __tablename__ = "redaction_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    pattern: Mapped[str] = mapped_column(String(300))
    is_regex: Mapped[bool] = mapped_column(Boolean, default=False)
    replacement: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Closure(Base):
    """A local closure day an administrator adds (not a business day)."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("jurisdiction", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """An e-mail to send; ``key`` makes enqueueing idempotent (one reminder, not two)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


# ---------------------------------------------------------------- active transparency
# Migration 0004. The officers' side of the items each body must publish ex officio:
# who prepares and who reviews an item (ActiveAssignment), what was recorded for one
# period (ActiveRecord: a document, a link or a not-applicable declaration, draft →
# submitted → approved | returned) and every change to either (ActiveEvent, append-only
# like ``events``: database triggers refuse UPDATE and DELETE). See active.py.


class ActiveAssignment(Base):
    """Who prepares and who reviews one item of one body."""

    __tablename__ = "active_assignments"
    __table_args__ = (UniqueConstraint("publisher", "obligation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100))
    obligation: Mapped[str] = mapped_column(String(60))
    preparer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    preparer: Mapped[User | None] = relationship(foreign_keys=[preparer_id], lazy="joined")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class ActiveRecord(Base):
    """One body's publication of one item for one period (``*``: a permanent item's
    standing publication), and where its review stands."""

    __tablename__ = "active_records"
    __table_args__ = (
        UniqueConstraint("publisher", "obligation", "period"),
        Index("ix_active_records_status", "status", "publisher"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100))
    obligation: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))  # document | link | not-applicable
    status: Mapped[str] = mapped_column(String(20))  # draft | submitted | approved | returned
    url: Mapped[str | None] = mapped_column(String(2000))  # a link's address
    filename: Mapped[str | None] = mapped_column(String(120))  # a document's cleaned name
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)  # why the item does not apply
    comment: Mapped[str | None] = mapped_column(Text)  # the reviewer's, when returned
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # demo data
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ActiveEvent(Base):
    """One change to an assignment or a record: who, when, what. Never updated, never deleted."""

    __tablename__ = "active_events"
    __table_args__ = (Index("ix_active_events_item", "publisher", "obligation", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("active_records.id"))
    publisher: Mapped[str] = mapped_column(String(100))
    obligation: Mapped[str] = mapped_column(String(60))
    period: Mapped[str | None] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(20))  # officer | admin | system
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


# ---------------------------------------------------------------- CIO ratings
# Migration 0005. A body's head of IT (role ``cio``) rates each IT investment of the
# body from 1 (high risk) to 5 (low risk) with a comment (public). Every rating is
# kept: database triggers refuse UPDATE and DELETE. See cio.py.


class CioRatingRecord(Base):
    """One CIO rating of one investment: never updated, never deleted."""

    __tablename__ = "cio_ratings"
    __table_args__ = (Index("ix_cio_ratings_investment", "publisher", "investment", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100))
    investment: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(Integer)  # 1 (high risk) to 5 (low risk)
    comment: Mapped[str] = mapped_column(Text)  # public
    rated_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author: Mapped[str] = mapped_column(String(60))  # role and initials, never the e-mail
    submission: Mapped[str | None] = mapped_column(String(64), unique=True)  # one form, once
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # demo data


# ---------------------------------------------------------------- stewards' drafts
# Migration 0006. A data steward (role ``steward``) prepares a new dataset, or a new
# version of one, in the browser; a second person (role ``reviewer``, or an
# administrator) approves it or sends it back. ``version`` makes two stewards editing
# one draft a conflict, never a lost update; ``steward_events`` is append-only
# (database triggers). See stewards.py.


class StewardDraft(Base):
    """One dataset being prepared, reviewed, published and built."""

    __tablename__ = "steward_drafts"
    __table_args__ = (Index("ix_steward_drafts_dataset", "publisher", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))  # the dataset's slug
    kind: Mapped[str] = mapped_column(String(10))  # new | version
    status: Mapped[str] = mapped_column(String(20))  # draft|submitted|returned|published
    version: Mapped[int] = mapped_column(Integer, default=1)
    upload: Mapped[dict] = mapped_column(JSON, default=dict)  # file, detected encoding...
    package: Mapped[dict] = mapped_column(JSON, default=dict)  # metadata and schema
    report: Mapped[dict] = mapped_column(JSON, default=dict)  # the last validation
    comment: Mapped[str] = mapped_column(Text, default="")  # the reviewer's, when returned
    build: Mapped[dict] = mapped_column(JSON, default=dict)  # status, url, findings
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __mapper_args__ = {"version_id_col": version}


class StewardEvent(Base):
    """One step of a draft's life: never updated, never deleted."""

    __tablename__ = "steward_events"
    __table_args__ = (Index("ix_steward_events_draft", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("steward_drafts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(60))  # role and name
    action: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
