"""``catalog requests remind``: the cron job. Safe to run as often as you like.

It queues a reminder to the publisher's officers when a request is due within
two business days and when it is overdue (one of each per request and due
date, thanks to the outbox's unique keys), closes requests whose clarification
never came (the abandonment rule), expires filings whose e-mail was never
confirmed within the profile's ``confirmation_days``, then sends the outbox.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from catalog.clock import now
from catalog.transparency import notify
from catalog.transparency.deadlines import Calendar, profile
from catalog.transparency.messages import officer_reminder
from catalog.transparency.models import InfoRequest, Membership, User
from catalog.transparency.requests import SYSTEM, RequestError
from catalog.transparency.states import RUNNING
from catalog.transparency.workspace import Workspace

DUE_SOON_DAYS = 2


@dataclass
class RemindReport:
    due_soon: int = 0
    overdue: int = 0
    abandoned: int = 0
    expired: int = 0
    sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _officers(session, publisher: str) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.publisher == publisher, User.active.is_(True))
    )
    return list(session.scalars(query))


def remind(workspace: Workspace, at: datetime | None = None, send: bool = True) -> RemindReport:
    at = at or now()
    report = RemindReport()
    service = workspace.requests
    with workspace.db.write() as session:
        running = session.scalars(select(InfoRequest).where(InfoRequest.status.in_(RUNNING)))
        for request in running:
            calendar = service.calendar(session, request.jurisdiction)
            left = calendar.days_left(request.due_on, at)
            if left > DUE_SOON_DAYS:
                continue
            kind = "overdue" if left < 0 else "due-soon"
            subject, body = officer_reminder(request, kind, left, service.link(request))
            for officer in _officers(session, request.publisher):
                key = f"{kind}:{request.id}:{request.due_on.isoformat()}:{officer.id}"
                if notify.enqueue(session, key, officer.email, subject, body):
                    if kind == "overdue":
                        report.overdue += 1
                    else:
                        report.due_soon += 1
        waiting = session.execute(
            select(
                InfoRequest.tracking_code,
                InfoRequest.jurisdiction,
                InfoRequest.clarification_due_on,
            ).where(InfoRequest.status == "clarification")
        ).all()
    for code, jurisdiction, limit in waiting:
        calendar = Calendar.of(jurisdiction)
        if limit is None or not calendar.profile.abandon or calendar.today(at) <= limit:
            continue
        try:
            service.act(code, "abandon", SYSTEM, at=at)
            report.abandoned += 1
        except RequestError:
            pass  # another run closed it first
    report.expired = expire_unconfirmed(workspace, at)
    if send:
        sent = notify.send_pending(workspace.db, workspace.settings)
        report.sent, report.failed = sent.sent, sent.failed
    return report


def expire_unconfirmed(workspace: Workspace, at: datetime) -> int:
    """Expire the filings whose e-mail was not confirmed in time; how many."""
    with workspace.db.read() as session:
        waiting = session.execute(
            select(
                InfoRequest.tracking_code, InfoRequest.jurisdiction, InfoRequest.received_at
            ).where(InfoRequest.status == "unconfirmed")
        ).all()
    expired = 0
    for code, jurisdiction, filed in waiting:
        if at - filed <= timedelta(days=profile(jurisdiction).confirmation_days):
            continue
        try:
            workspace.requests.act(code, "expire", SYSTEM, at=at)
            expired += 1
        except RequestError:
            pass  # confirmed meanwhile, or another run expired it first
    return expired
