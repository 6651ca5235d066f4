"""E-mail notifications through an outbox table.

A change to a request and its e-mail are written in the same transaction (the
outbox row); sending happens afterwards, by ``send_pending``, with a real SMTP
client (smtplib). A message that fails is retried later with a growing delay.
Each message has a unique key, so a reminder enqueued twice (two cron runs,
two workers) is stored, and sent, once. Logs name the message id, never the
address.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from catalog.clock import now
from catalog.transparency.config import Settings
from catalog.transparency.db import Database
from catalog.transparency.models import OutboxMessage

LOG = logging.getLogger("catalog.transparency.notify")
MAX_ATTEMPTS = 8


def enqueue(session: Session, key: str, to: str, subject: str, body: str) -> bool:
    """Store a message to send unless one with ``key`` exists; True when stored now."""
    values = {
        "key": key[:200],
        "to_addr": to,
        "subject": subject[:300],
        "body": body,
        "created_at": now(),
        "next_attempt_at": now(),
        "attempts": 0,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The model's type converts the dates (SQLite keeps no time zone).
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id)
    )
    # RETURNING, not rowcount: drivers differ on rowcount after ON CONFLICT DO NOTHING.
    return session.execute(statement).scalar() is not None


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0


def _claim(db: Database, limit: int) -> list[OutboxMessage]:
    """Due messages, locked so that two senders never send one message twice."""
    with db.write() as session:
        query = (
            select(OutboxMessage)
            .where(and_(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now()))
            .where(OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        messages = list(session.scalars(query))
        # Lease them for a while: a crash mid-send retries later, not never.
        for message in messages:
            message.next_attempt_at = now() + timedelta(minutes=10)
            message.attempts += 1
        return messages


def _smtp(settings: Settings) -> smtplib.SMTP:
    client = smtplib.SMTP(settings.smtp_host or "localhost", settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        client.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        client.login(settings.smtp_user, settings.smtp_password or "")
    return client


def _email(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=settings.mail_from.rsplit("@", 1)[-1])
    email.set_content(message.body)
    return email


def send_pending(db: Database, settings: Settings, limit: int = 200) -> SendReport:
    """Send what the outbox holds; without an SMTP host nothing is sent (it waits)."""
    report = SendReport()
    if not settings.smtp_host:
        return report
    messages = _claim(db, limit)
    if not messages:
        return report
    outcome: dict[int, str | None] = {}
    try:
        with _smtp(settings) as client:
            for message in messages:
                try:
                    client.send_message(_email(message, settings))
                    outcome[message.id] = None
                except smtplib.SMTPException as exc:
                    outcome[message.id] = f"{type(exc).__name__}: {exc}"[:500]
    except (OSError, smtplib.SMTPException) as exc:
        LOG.warning("SMTP server %s unreachable: %s", settings.smtp_host, type(exc).__name__)
        for message in messages:
            outcome.setdefault(message.id, f"{type(exc).__name__}: {exc}"[:500])
    with db.write() as session:
        for message_id, error in outcome.items():
            row = session.get(OutboxMessage, message_id)
            if row is None:
                continue
            if error is None:
                row.sent_at, row.last_error = now(), None
                report.sent += 1
            else:
                row.last_error = error
                row.next_attempt_at = now() + timedelta(minutes=2**row.attempts)
                report.failed += 1
                LOG.warning("message %s not sent (attempt %s)", row.id, row.attempts)
    return report


def pending_count(db: Database) -> int:
    from sqlalchemy import func

    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
            )
            or 0
        )
