"""``catalog obligations remind``: the cron job of active transparency. Safe to run as
often as you like, and on several hosts at once.

For every item a body has not yet published for a period, it queues an e-mail to the
item's preparer (else to every officer of the body) ``CATALOG_ACTIVE_REMIND_DAYS``
calendar days (default 5) or fewer before the due date, and another once the due date
has passed (for periods due in the last ``OVERDUE_DAYS`` days: a new deployment does
not mail a year of history). Each reminder has a unique outbox key (kind, body, item,
period, due date, person), so two runs, or two copies at once, queue it once. A period
whose record is submitted and awaits review is not reminded. Then the outbox is sent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select

from catalog.clock import now
from catalog.i18n import _, translate
from catalog.transparency import notify
from catalog.transparency.active import remind_days
from catalog.transparency.compliance import Cell
from catalog.transparency.models import Membership, User
from catalog.transparency.obligations import Obligation
from catalog.transparency.workspace import Workspace

OVERDUE_DAYS = 45


@dataclass
class ActiveRemindReport:
    due_soon: int = 0
    overdue: int = 0
    sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def remind(
    workspace: Workspace, at: datetime | None = None, send: bool = True
) -> ActiveRemindReport:
    """Queue the reminders that are due (once each), then send the outbox."""
    at = at or now()
    today = at.date()
    service = workspace.active
    computed = service.compliance(today)
    soon = remind_days()
    waiting = {
        (r.publisher, r.obligation, r.period) for r in service.records(statuses=("submitted",))
    }
    preparers = {(a["publisher"], a["obligation"]): a["preparer_id"] for a in service.assignments()}
    report = ActiveRemindReport()
    with workspace.db.write() as session:
        officers = _officers(session)
        for cell in computed.cells:
            left = (cell.due - today).days
            if cell.state == "due" and 0 <= left <= soon:
                kind = "due-soon"
            elif cell.state == "overdue" and -OVERDUE_DAYS <= left < 0:
                kind = "overdue"
            else:
                continue
            if (cell.publisher, cell.obligation, cell.period) in waiting:
                continue
            body_officers = officers.get(cell.publisher, [])
            preparer = preparers.get((cell.publisher, cell.obligation))
            to = [u for u in body_officers if u.id == preparer] or body_officers
            item = next(i for i in computed.items_of(cell.publisher) if i.id == cell.obligation)
            link = (
                f"{workspace.settings.public_url}/transparencia/oficiales/activa/"
                f"{cell.publisher}/{cell.obligation}"
            )
            subject, text = message(cell, item, kind, left, link)
            for user in to:
                key = (
                    f"active:{kind}:{cell.publisher}:{cell.obligation}:{cell.period}:"
                    f"{cell.due.isoformat()}:{user.id}"
                )
                if notify.enqueue(session, key, user.email, subject, text):
                    if kind == "overdue":
                        report.overdue += 1
                    else:
                        report.due_soon += 1
    if send:
        sent = notify.send_pending(workspace.db, workspace.settings)
        report.sent, report.failed = sent.sent, sent.failed
    return report


def _officers(session) -> dict[str, list[User]]:  # noqa: ANN001 - a Session
    found: dict[str, list[User]] = {}
    rows = session.execute(
        select(Membership.publisher, User)
        .join(User, User.id == Membership.user_id)
        .where(User.active.is_(True), User.role == "officer")
        .order_by(User.id)
    ).all()
    for publisher, user in rows:
        found.setdefault(publisher, []).append(user)
    return found


def message(cell: Cell, item: Obligation, kind: str, left: int, link: str) -> tuple[str, str]:
    """(subject, body) of a reminder, in Spanish (the officers' language)."""
    title = item.label("es")
    due: date = cell.due
    if kind == "overdue":
        subject = translate(
            _("Overdue: {item} ({period}) was due on {due}"),
            item=item.id,
            period=cell.period,
            due=due,
        )
        first = translate(
            _("{item} for {period} was due on {due}, {days} day(s) ago, and is not published."),
            item=item.id,
            period=cell.period,
            due=due,
            days=-left,
        )
    else:
        subject = translate(
            _("Due soon: {item} ({period}) is due on {due}"),
            item=item.id,
            period=cell.period,
            due=due,
        )
        first = translate(
            _("{item} for {period} is due in {days} day(s), on {due}."),
            item=item.id,
            period=cell.period,
            due=due,
            days=left,
        )
    body = "\n".join([first, "", f"{title} — {cell.publisher}", link, ""])
    return subject, body
