"""Active transparency, the officers' side: who prepares and reviews each item of a body,
what was recorded for each period, its review, and the approved records as
``compliance.Declaration`` (``Workspace.active``).

A record is one (body, item, period): a ``document`` (an uploaded file, stored like
the answers' attachments under its SHA-256 and served publicly once approved at
``/transparencia/activa/documentos/<sha256>/<filename>``), a ``link`` (``http`` or
``https`` only) or a ``not-applicable`` declaration (with its reason). Its period is
the item's own (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``), never one that has not
started; a permanent item also takes ``*``, its standing publication.

The review: ``draft`` → ``submitted`` → ``approved`` | ``returned`` (with the
reviewer's comment; recorded again and submitted again). Before approval the
preparer may ``withdraw`` it (``withdrawn``: the period is free again). Approved is
final: what the public was shown stays as it was.

Who may do what (docs/officers.md, "Transparencia activa"):

- every action is for the officers of the body (members of the publisher) and the
  administrators; preparers and reviewers are officers of the body;
- anyone of the body may record, submit and withdraw;
- approving or returning: the assigned reviewer if there is one, else any officer of
  the body; never the person who prepared or submitted the record (four eyes),
  unless an administrator, who may approve anything.

Every change appends an ``ActiveEvent``; doing the same thing twice (a double click,
a form sent twice) changes nothing and appends nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog import urls
from catalog.clock import now
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency import attachments
from catalog.transparency.compliance import Cell, Compliance, Declaration, compute
from catalog.transparency.config import Settings
from catalog.transparency.db import Database
from catalog.transparency.deadlines import Calendar
from catalog.transparency.fulfilment import PERMANENT, country_of
from catalog.transparency.models import ActiveAssignment, ActiveEvent, ActiveRecord, User
from catalog.transparency.obligations import (
    Obligation,
    duties_of,
    find,
    kind_of,
    obligations,
    parse_period,
    period_of,
)
from catalog.transparency.requests import (
    Actor,
    Conflict,
    Forbidden,
    LazyLabel,
    NotFound,
    RequestError,
    clean_text,
    echo,
    text_value,
)

KINDS = ("document", "link", "not-applicable")
STATUSES = ("draft", "submitted", "approved", "returned", "withdrawn")
KIND_LABELS = {
    "document": _("Document"),
    "link": _("Link"),
    "not-applicable": _("Not applicable"),
}
STATUS_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Submitted, awaiting review"),
    "approved": _("Approved"),
    "returned": _("Returned"),
    "withdrawn": _("Withdrawn"),
}
ACTION_LABELS = {
    "assign": _("Assigned"),
    "record": _("Recorded"),
    "submit": _("Submitted for review"),
    "approve": _("Approved and published"),
    "return": _("Returned to the preparer"),
    "withdraw": _("Withdrawn"),
}
MAX_URL = 2000
MAX_REASON = 2000
MAX_COMMENT = 2000
MAX_ITEM = 60
MAX_PERIOD = 10
# Documents: the types a browser will not run, and the first bytes (or the inside of
# the ZIP, for Office and ODF files) must say the same as the name.
DOCUMENT_TYPES = ("pdf", "csv", "xlsx", "docx", "ods", "odt", "png", "jpg", "jpeg")
OOXML = {"xlsx": "xl/", "docx": "word/"}
ODF = {
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odt": b"application/vnd.oasis.opendocument.text",
}
PUBLIC_DOCUMENTS = "/transparencia/activa/documentos"
_DIGEST = re.compile(r"[0-9a-f]{64}")


def max_document_bytes() -> int:
    """The largest document an officer may upload: ``CATALOG_ACTIVE_MAX_MB`` megabytes
    (default and most 10, the attachments' own limit)."""
    raw = os.environ.get("CATALOG_ACTIVE_MAX_MB") or ""
    megabytes = int(raw) if raw.isdigit() and 0 < int(raw) <= 10 else 10
    return megabytes * 1024 * 1024


def remind_days() -> int:
    """How many calendar days before a due date the preparer is reminded:
    ``CATALOG_ACTIVE_REMIND_DAYS`` (default 5)."""
    raw = os.environ.get("CATALOG_ACTIVE_REMIND_DAYS") or ""
    return int(raw) if raw.isdigit() and int(raw) <= 60 else 5


def document_path(sha256: str, filename: str) -> str:
    """The public address (a path of the site) of an approved document."""
    return f"{PUBLIC_DOCUMENTS}/{sha256}/{quote(filename)}"


@dataclass(frozen=True)
class Slot:
    """A checked (body, item, period)."""

    publisher: str
    item: Obligation
    period: str


class ActiveService:
    """Assignments, records and their review, over one database (``Workspace.active``)."""

    def __init__(
        self, db: Database, settings: Settings, publishers: Callable[[], dict[str, dict]]
    ) -> None:
        self.db = db
        self.settings = settings
        self.publishers = publishers
        # Compliance computed once per (release, approved records, day): see compliance().
        self._computed: dict[tuple[str, str, date], Compliance] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ compliance

    def compliance(self, today: date | None = None) -> Compliance:
        """Every body's cells over the window (``compliance.compute``), from the current
        release's datasets and the approved records; cached per release, ``stamp()`` and day."""
        today = today or now().date()
        current = getattr(self.publishers, "current", None)
        release = current() if current is not None else None
        key = (release.id if release else "", self.stamp(), today)
        with self._lock:
            found = self._computed.get(key)
        if found is not None:
            return found
        datasets = list(release.index["datasets"]) if release else []
        generated = release.index["generated"] if release else None
        found = compute(
            self.publishers(), datasets, self.declarations(), today, generated=generated
        )
        with self._lock:
            if len(self._computed) > 8:
                self._computed.clear()
            self._computed[key] = found
        return found

    def calendar(
        self, user: User, *, today: date | None = None, mine: bool = False, lang: str = "es"
    ) -> dict[str, Any]:
        """What each of an officer's bodies must publish: overdue, due soon, awaiting review,
        returned, drafts and what comes next, each entry with its item, period and due date
        (``mine``: only the items the officer prepares or reviews)."""
        today = today or now().date()
        computed = self.compliance(today)
        names = {slug: str(info.get("name") or slug) for slug, info in self.publishers().items()}
        bodies = [b for b in computed.bodies() if user.is_admin or b in user.publishers]
        assigned = {(a["publisher"], a["obligation"]): a for a in self.assignments(bodies)}
        records = {
            (r.publisher, r.obligation, r.period): r for r in self.records(publishers=bodies)
        }
        soon = remind_days()
        lists: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("overdue", "soon", "review", "returned", "draft", "upcoming")
        }
        scores = [
            {"publisher": slug, "name": names.get(slug, slug), "score": computed.window_score(slug)}
            for slug in bodies
        ]
        items = {slug: {i.id: i for i in computed.items_of(slug)} for slug in bodies}

        def skipped(slug: str, item: str) -> bool:
            who = assigned.get((slug, item))
            return mine and (who is None or user.id not in (who["preparer_id"], who["reviewer_id"]))

        waiting = {"submitted": "review", "returned": "returned", "draft": "draft"}
        for cell in computed.cells:
            if cell.publisher not in items or skipped(cell.publisher, cell.obligation):
                continue
            record = records.get((cell.publisher, cell.obligation, cell.period))
            item = items[cell.publisher][cell.obligation]
            who = assigned.get((cell.publisher, cell.obligation))
            entry = _entry(cell, item, names, record, who, today, lang)
            status = record.status if record is not None else ""
            if status in waiting:
                lists[waiting[status]].append(entry)
            elif cell.state == "overdue":
                lists["overdue"].append(entry)
            elif cell.state == "due":
                lists["soon" if (cell.due - today).days <= soon else "upcoming"].append(entry)
        for record in records.values():  # standing publications (*) on their way
            if record.period != PERMANENT or record.status not in waiting:
                continue
            standing = items.get(record.publisher, {}).get(record.obligation)
            if standing is None or skipped(record.publisher, record.obligation):
                continue
            lists[waiting[record.status]].append(
                _record_entry(
                    record,
                    standing,
                    names,
                    assigned.get((record.publisher, record.obligation)),
                    lang,
                )
            )
        for found in lists.values():
            found.sort(key=lambda e: (e["due"] or date.max, e["publisher"], e["obligation"]))
        lists["upcoming"] = lists["upcoming"][:100]
        return {"lists": lists, "scores": scores, "today": today, "soon_days": soon}

    # ------------------------------------------------------------ checks

    def items_of(self, publisher: str) -> list[Obligation]:
        """The items that apply to a body, by its kind and duties (none for an unknown body
        or one of a jurisdiction without a profile)."""
        info = self.publishers().get(publisher)
        if info is None:
            return []
        try:
            return obligations(country_of(info), kind_of(info), duties_of(info))
        except CatalogError:
            return []

    def item(self, publisher: object, identifier: object) -> Obligation:
        """An item that applies to a body, or NotFound naming which is unknown."""
        slug = publisher if isinstance(publisher, str) else ""
        if slug not in self.publishers():
            raise NotFound(
                _("Unknown public body: {publisher}."),
                _("Choose a body from your calendar."),
                publisher=echo(slug),
            )
        key = identifier if isinstance(identifier, str) else ""
        found = find(key[:MAX_ITEM]) if len(key) <= MAX_ITEM else None
        if found is None or found not in self.items_of(slug):
            raise NotFound(
                _("Unknown item {item} for {publisher}."),
                _("Choose one of the items the law requires of this body, from its calendar."),
                item=echo(key),
                publisher=slug,
            )
        return found

    def today(self, publisher: str, at: datetime | None = None) -> date:
        """The day in the body's jurisdiction."""
        return Calendar.of(country_of(self.publishers().get(publisher))).today(at or now())

    def slot(self, publisher: object, identifier: object, period: object, at: datetime) -> Slot:
        """A (body, item, period) an officer may record, or a RequestError saying why not."""
        item = self.item(publisher, identifier)
        slug = str(publisher)
        text = clean_text(text_value(period, "period"))
        if not text:
            raise RequestError(
                _("Write the period the publication is for."),
                _("A month as YYYY-MM, a quarter as YYYY-Qn, a year as YYYY."),
                field="period",
            )
        if text == PERMANENT:
            if item.frequency != "permanent-on-change":
                raise RequestError(
                    _("Only a permanent item takes the period *; {item} is periodic."),
                    _("Write the period as {example}."),
                    field="period",
                    item=item.id,
                    example=_example(item),
                )
            return Slot(slug, item, PERMANENT)
        try:
            period = parse_period(text[: MAX_PERIOD + 10])
        except Exception:  # noqa: BLE001 - CatalogError: say it in this form's words
            raise RequestError(
                _("{period} is not a period."),
                _("Write it as {example}."),
                field="period",
                period=echo(text, 20),
                example=_example(item),
            ) from None
        if period_of(item, period.start).key != period.key:
            raise RequestError(
                _("{period} is not a period of {item}, which is published {frequency}."),
                _("Write it as {example}."),
                field="period",
                period=period.key,
                item=item.id,
                frequency=LazyLabel(FREQUENCY_LABELS[item.frequency]),
                example=_example(item),
            )
        today = self.today(slug, at)
        if period.start > today:
            raise RequestError(
                _("The period {period} has not started yet."),
                _("Record a period that began on or before {today}."),
                field="period",
                period=period.key,
                today=today.isoformat(),
            )
        return Slot(slug, item, period.key)

    def check_officer(self, publisher: str, actor: Actor) -> User:
        """The acting officer of the body (or administrator), or Forbidden."""
        user = actor.user
        if user is None or not user.can_act_on(publisher):
            raise Forbidden(
                _("You are not an officer of {publisher}."),
                _("Only the officers of a body record and review its publications."),
                publisher=publisher,
            )
        return user

    # ------------------------------------------------------------ reading

    def assignment(self, session: Session, publisher: str, item: str) -> ActiveAssignment | None:
        return session.scalar(
            select(ActiveAssignment).where(
                ActiveAssignment.publisher == publisher, ActiveAssignment.obligation == item
            )
        )

    def records(
        self,
        *,
        publishers: Iterable[str] | None = None,
        item: str | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[ActiveRecord]:
        """Records, newest period first."""
        query = select(ActiveRecord).order_by(ActiveRecord.period.desc(), ActiveRecord.id)
        if publishers is not None:
            query = query.where(ActiveRecord.publisher.in_(sorted(publishers)))
        if item is not None:
            query = query.where(ActiveRecord.obligation == item)
        if statuses is not None:
            query = query.where(ActiveRecord.status.in_(sorted(statuses)))
        with self.db.read() as session:
            return list(session.scalars(query))

    def assignments(self, publishers: Iterable[str] | None = None) -> list[dict[str, Any]]:
        query = select(ActiveAssignment)
        if publishers is not None:
            query = query.where(ActiveAssignment.publisher.in_(sorted(publishers)))
        with self.db.read() as session:
            return [
                {
                    "publisher": a.publisher,
                    "obligation": a.obligation,
                    "preparer_id": a.preparer_id,
                    "reviewer_id": a.reviewer_id,
                    "preparer": a.preparer.name if a.preparer else "",
                    "reviewer": a.reviewer.name if a.reviewer else "",
                    "preparer_email": a.preparer.email if a.preparer else "",
                }
                for a in session.scalars(query)
            ]

    def history(self, publisher: str, item: str, limit: int = 500) -> list[dict[str, Any]]:
        """Every change to a body's item, newest first, with who made it."""
        with self.db.read() as session:
            rows = session.execute(
                select(ActiveEvent, User.name)
                .outerjoin(User, User.id == ActiveEvent.user_id)
                .where(ActiveEvent.publisher == publisher, ActiveEvent.obligation == item)
                .order_by(ActiveEvent.id.desc())
                .limit(limit)
            ).all()
        return [
            {
                "at": e.at,
                "action": e.action,
                "label": ACTION_LABELS.get(e.action, e.action),
                "period": e.period,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor,
                "user": name or "",
                "data": dict(e.data or {}),
            }
            for e, name in rows
        ]

    def colleagues(self, publisher: str) -> list[dict[str, Any]]:
        """The active officers of a body (who may prepare and review its items)."""
        with self.db.read() as session:
            users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
            return [
                {"id": u.id, "name": u.name, "email": u.email}
                for u in users
                if not u.is_admin and publisher in u.publishers
            ]

    def declarations(self) -> list[Declaration]:
        """The approved records, as the compliance computation reads them: the approval
        day (in the body's jurisdiction) is the publication date."""
        with self.db.read() as session:
            rows = list(
                session.scalars(
                    select(ActiveRecord)
                    .where(ActiveRecord.status == "approved")
                    .order_by(ActiveRecord.id)
                )
            )
        return [self.declaration(r) for r in rows]

    def declaration(self, record: ActiveRecord) -> Declaration:
        info = self.publishers().get(record.publisher)
        published = Calendar.of(country_of(info)).today(record.approved_at or record.updated_at)
        url = record.url if record.kind == "link" else None
        if record.kind == "document" and record.sha256 and record.filename:
            url = urls.absolute(document_path(record.sha256, record.filename))
        return Declaration(
            publisher=record.publisher,
            obligation=record.obligation,
            period=record.period,
            kind=record.kind,
            published=published,
            url=url,
            reason=record.reason if record.kind == "not-applicable" else None,
            sha256=record.sha256 if record.kind == "document" else None,
            sample=record.sample,
        )

    def stamp(self) -> str:
        """Changes whenever the set of approved records changes (approved records are final,
        so their count, their newest id and the sum of their versions say it)."""
        with self.db.read() as session:
            count, newest, versions = session.execute(
                select(
                    func.count(ActiveRecord.id),
                    func.max(ActiveRecord.id),
                    func.sum(ActiveRecord.version),
                ).where(ActiveRecord.status == "approved")
            ).one()
        return f"{count or 0}-{newest or 0}-{versions or 0}"

    def public_document(self, sha256: object, filename: object) -> ActiveRecord | None:
        """The approved record whose document this is (None: not public, or no such file)."""
        if not isinstance(sha256, str) or not _DIGEST.fullmatch(sha256):
            return None
        if not isinstance(filename, str) or len(filename) > 200:
            return None
        with self.db.read() as session:
            return session.scalar(
                select(ActiveRecord)
                .where(
                    ActiveRecord.sha256 == sha256,
                    ActiveRecord.filename == filename,
                    ActiveRecord.kind == "document",
                    ActiveRecord.status == "approved",
                )
                .limit(1)
            )

    # ------------------------------------------------------------ acting

    def assign(
        self,
        actor: Actor,
        publisher: object,
        identifier: object,
        preparer: object,
        reviewer: object,
        *,
        at: datetime | None = None,
    ) -> ActiveAssignment:
        """Name an item's preparer and reviewer (officers of the body, not the same person;
        empty: nobody)."""
        at = at or now()
        item = self.item(publisher, identifier)
        slug = str(publisher)
        self.check_officer(slug, actor)

        def run(session: Session) -> ActiveAssignment:
            people = [self._officer(session, slug, value, name) for value, name in
                      ((preparer, "preparer"), (reviewer, "reviewer"))]  # fmt: skip
            prep, rev = people
            if prep is not None and rev is not None and prep.id == rev.id:
                raise RequestError(
                    _("The preparer and the reviewer must be two different people."),
                    _("Choose another reviewer: a publication is checked by someone else."),
                    field="reviewer",
                )
            found = self.assignment(session, slug, item.id)
            if found is None:
                found = ActiveAssignment(publisher=slug, obligation=item.id, updated_at=at)
                session.add(found)
            elif (found.preparer_id, found.reviewer_id) == (
                prep.id if prep else None,
                rev.id if rev else None,
            ):
                return found  # the same assignment again: nothing changes
            found.preparer_id = prep.id if prep else None
            found.reviewer_id = rev.id if rev else None
            found.updated_at = at
            session.flush()
            self._event(session, actor, slug, item.id, None, "assign", None, None, at, {
                "preparer": prep.name if prep else "", "reviewer": rev.name if rev else "",
            })  # fmt: skip
            return found

        return self._write(run)

    def _officer(self, session: Session, publisher: str, value: object, field: str) -> User | None:
        text = clean_text(text_value(value, field)).lower()
        if not text:
            return None
        user = None
        if len(text) <= 254:
            user = session.scalar(select(User).where(User.email == text))
        if user is None or user.is_admin or not user.can_act_on(publisher):
            raise RequestError(
                _("{email} is not an active officer of {publisher}."),
                _("Choose an officer of the body."),
                field=field,
                email=echo(text, 80),
                publisher=publisher,
            )
        return user

    def record(
        self,
        actor: Actor,
        publisher: object,
        identifier: object,
        period: object,
        kind: object,
        *,
        url: object = None,
        reason: object = None,
        document: tuple[str, bytes] | None = None,
        at: datetime | None = None,
        sample: bool = False,
    ) -> ActiveRecord:
        """Record (or record again, before it is submitted) a body's publication of an item
        for a period, as a draft."""
        at = at or now()
        slot = self.slot(publisher, identifier, period, at)
        self.check_officer(slot.publisher, actor)
        values = self._values(kind, url, reason, document)

        def run(session: Session) -> ActiveRecord:
            found = self._locked(session, slot)
            if found is not None and found.status in ("submitted", "approved"):
                if found.status == "submitted" and _same(found, values):
                    return found  # the form sent twice
                raise Conflict(
                    _("The publication of {item} for {period} is already {status}."),
                    _("Withdraw it first to change it.")
                    if found.status == "submitted"
                    else _("An approved publication is final; record the next period instead."),
                    item=slot.item.id,
                    period=slot.period,
                    status=LazyLabel(STATUS_LABELS[found.status]),
                )
            if found is not None and found.status == "draft" and _same(found, values):
                return found  # the same draft again: nothing changes
            before = found.status if found is not None else None
            if found is None:
                found = ActiveRecord(
                    publisher=slot.publisher,
                    obligation=slot.item.id,
                    period=slot.period,
                    created_at=at,
                    sample=sample,
                )
                session.add(found)
            for name, value in values.items():
                setattr(found, name, value)
            found.status = "draft"
            found.comment = None
            found.prepared_by = actor.user_id
            found.submitted_by = found.submitted_at = None
            found.updated_at = at
            session.flush()
            shown = {"kind": values["kind"], "url": values["url"], "file": values["filename"],
                     "sha256": values["sha256"], "reason": values["reason"]}  # fmt: skip
            self._event(session, actor, slot.publisher, slot.item.id, found, "record", before,
                        "draft", at, {k: v for k, v in shown.items() if v})  # fmt: skip
            return found

        return self._write(run)

    def _values(
        self, kind: object, url: object, reason: object, document: tuple[str, bytes] | None
    ) -> dict[str, Any]:
        if kind not in KINDS:
            raise RequestError(
                _("Choose what you record: a document, a link or a not-applicable declaration."),
                "",
                field="kind",
            )
        values: dict[str, Any] = dict.fromkeys(
            ("url", "filename", "media_type", "size", "sha256", "reason")
        )
        values["kind"] = kind
        if kind == "link":
            values["url"] = check_link(url)
        elif kind == "not-applicable":
            text = clean_text(text_value(reason, "reason"), multiline=True)
            if len(text) < 5:
                raise RequestError(
                    _("Say why the item does not apply to the body in this period."),
                    _('For example: "No advertising was contracted this month."'),
                    field="reason",
                )
            if len(text) > MAX_REASON:
                raise RequestError(
                    _("The reason is too long: {length} characters, at most {limit}."),
                    _("Shorten it; nothing was stored."),
                    field="reason",
                    length=len(text),
                    limit=MAX_REASON,
                )
            values["reason"] = text
        else:
            if document is None or not document[1]:
                raise RequestError(
                    _("Choose the file to publish."),
                    _("PDF, ODF or Office documents, CSV or images (PNG, JPG)."),
                    field="document",
                )
            values.update(store_document(self.settings, *document))
        return values

    def _locked(self, session: Session, slot: Slot) -> ActiveRecord | None:
        query = select(ActiveRecord).where(
            ActiveRecord.publisher == slot.publisher,
            ActiveRecord.obligation == slot.item.id,
            ActiveRecord.period == slot.period,
        )
        if not self.db.is_sqlite:
            query = query.with_for_update()
        return session.scalar(query.execution_options(populate_existing=True))

    def submit(self, actor: Actor, publisher: object, identifier: object, period: object,
               *, at: datetime | None = None) -> ActiveRecord:  # fmt: skip
        """Send a draft (or a returned record) for review; again: nothing changes."""
        return self._move(actor, publisher, identifier, period, "submit", at)

    def approve(self, actor: Actor, publisher: object, identifier: object, period: object,
                *, at: datetime | None = None) -> ActiveRecord:  # fmt: skip
        """Approve a submitted record: from now on it is public and counts."""
        return self._move(actor, publisher, identifier, period, "approve", at)

    def return_(self, actor: Actor, publisher: object, identifier: object, period: object,
                comment: object, *, at: datetime | None = None) -> ActiveRecord:  # fmt: skip
        """Return a submitted record to its preparer, saying what to fix."""
        return self._move(actor, publisher, identifier, period, "return", at, comment)

    def withdraw(self, actor: Actor, publisher: object, identifier: object, period: object,
                 *, at: datetime | None = None) -> ActiveRecord:  # fmt: skip
        """Withdraw a record before its approval."""
        return self._move(actor, publisher, identifier, period, "withdraw", at)

    # action: (statuses it starts from, the status it leads to)
    MOVES: dict[str, tuple[tuple[str, ...], str]] = {
        "submit": (("draft", "returned"), "submitted"),
        "approve": (("submitted",), "approved"),
        "return": (("submitted",), "returned"),
        "withdraw": (("draft", "submitted", "returned"), "withdrawn"),
    }

    def _move(
        self,
        actor: Actor,
        publisher: object,
        identifier: object,
        period: object,
        action: str,
        at: datetime | None,
        comment: object = None,
    ) -> ActiveRecord:
        at = at or now()
        item = self.item(publisher, identifier)
        slug = str(publisher)
        user = self.check_officer(slug, actor)
        key = clean_text(text_value(period, "period"))[:20]
        note = ""
        if action == "return":
            note = clean_text(text_value(comment, "comment"), multiline=True)
            if not note:
                raise RequestError(
                    _("Say what the preparer must fix."),
                    _("Write a comment for the preparer and return it again."),
                    field="comment",
                )
            if len(note) > MAX_COMMENT:
                raise RequestError(
                    _("The comment is too long: {length} characters, at most {limit}."),
                    _("Shorten it; nothing was stored."),
                    field="comment",
                    length=len(note),
                    limit=MAX_COMMENT,
                )
        starts, ends = self.MOVES[action]

        def run(session: Session) -> ActiveRecord:
            found = self._locked(session, Slot(slug, item, key))
            if found is None:
                raise NotFound(
                    _("Nothing is recorded for {item} in {period}."),
                    _("Record the publication first."),
                    item=item.id,
                    period=echo(key, 20),
                )
            if found.status == ends:
                return found  # done already (a double click): nothing changes
            if found.status not in starts:
                raise Conflict(
                    _("This is not possible while the publication is “{status}”."),
                    _("Reload the page to see where it stands."),
                    status=LazyLabel(STATUS_LABELS[found.status]),
                )
            if action in ("approve", "return"):
                self._check_reviewer(session, found, user)
            before = found.status
            found.status = ends
            found.updated_at = at
            data: dict[str, Any] = {}
            if action == "submit":
                found.submitted_by, found.submitted_at = user.id, at
            elif action == "approve":
                found.reviewed_by, found.approved_at = user.id, at
            elif action == "return":
                found.reviewed_by, found.comment = user.id, note
                data["comment"] = note
            session.flush()
            self._event(session, actor, slug, item.id, found, action, before, ends, at, data)
            return found

        return self._write(run)

    def _check_reviewer(self, session: Session, record: ActiveRecord, user: User) -> None:
        if user.is_admin:
            return
        if user.id in (record.prepared_by, record.submitted_by):
            raise Forbidden(
                _("You prepared this publication: someone else must review it."),
                _("Ask the item's reviewer, or another officer of the body, to review it."),
            )
        assigned = self.assignment(session, record.publisher, record.obligation)
        if assigned is not None and assigned.reviewer_id not in (None, user.id):
            raise Forbidden(
                _("Only the item's reviewer ({name}) or an administrator may review it."),
                _("Ask them, or change the assignment."),
                name=assigned.reviewer.name if assigned.reviewer else "",
            )

    # ------------------------------------------------------------ machinery

    def _write(self, run: Callable[[Session], Any]) -> Any:
        """``run`` in one writing transaction; a concurrent insert of the same record (two
        forms at once) is retried once, and then finds the first one's."""
        for attempt in (1, 2):
            try:
                with self.db.write() as session:
                    return run(session)
            except IntegrityError:
                if attempt == 2:
                    raise Conflict(
                        _("Someone else changed this publication at the same moment."),
                        _("Reload the page and try again."),
                    ) from None
            except StaleDataError:
                raise Conflict(
                    _("Someone else changed this publication at the same moment."),
                    _("Reload the page and try again."),
                ) from None
        raise AssertionError("unreachable")

    def _event(
        self,
        session: Session,
        actor: Actor,
        publisher: str,
        item: str,
        record: ActiveRecord | None,
        action: str,
        before: str | None,
        after: str | None,
        at: datetime,
        data: dict[str, Any],
    ) -> None:
        user = actor.user
        session.add(
            ActiveEvent(
                record_id=record.id if record is not None else None,
                publisher=publisher,
                obligation=item,
                period=record.period if record is not None else None,
                at=at,
                actor=(user.role if user else actor.kind)[:20],
                user_id=actor.user_id,
                action=action,
                from_status=before,
                to_status=after,
                data=data,
            )
        )


def _entry(
    cell: Cell,
    item: Obligation,
    names: dict[str, str],
    record: ActiveRecord | None,
    who: dict[str, Any] | None,
    today: date,
    lang: str,
) -> dict[str, Any]:
    return {
        "publisher": cell.publisher,
        "name": names.get(cell.publisher, cell.publisher),
        "obligation": cell.obligation,
        "title": item.label(lang),
        "period": cell.period,
        "due": cell.due,
        "days": (cell.due - today).days,
        "state": cell.state,
        "status": record.status if record is not None else None,
        "comment": record.comment if record is not None else None,
        "preparer": who["preparer"] if who else "",
        "reviewer": who["reviewer"] if who else "",
    }


def _record_entry(
    record: ActiveRecord,
    item: Obligation,
    names: dict[str, str],
    who: dict[str, Any] | None,
    lang: str,
) -> dict[str, Any]:
    return {
        "publisher": record.publisher,
        "name": names.get(record.publisher, record.publisher),
        "obligation": record.obligation,
        "title": item.label(lang),
        "period": record.period,
        "due": None,
        "days": None,
        "state": None,
        "status": record.status,
        "comment": record.comment,
        "preparer": who["preparer"] if who else "",
        "reviewer": who["reviewer"] if who else "",
    }


FREQUENCY_LABELS = {
    "permanent-on-change": _("when it changes (permanent)"),
    "monthly": _("monthly"),
    "quarterly": _("quarterly"),
    "annual": _("yearly"),
}


def _example(item: Obligation) -> str:
    if item.frequency == "annual":
        return "2025"
    if item.frequency == "quarterly":
        return "2025-Q2"
    if item.frequency == "permanent-on-change":
        return "2025-05 (*)"
    return "2025-05"


def _same(record: ActiveRecord, values: dict[str, Any]) -> bool:
    return all(getattr(record, k) == v for k, v in values.items())


def check_link(value: object) -> str:
    """A public ``http``/``https`` address, or a RequestError saying what is wrong."""
    text = text_value(value, "url").strip()
    if not text:
        raise RequestError(
            _("Write the address of the publication."),
            _("It starts with https:// (or http://)."),
            field="url",
        )
    if len(text) > MAX_URL:
        raise RequestError(
            _("The address is too long: {length} characters, at most {limit}."),
            _("Link a shorter address of the same page."),
            field="url",
            length=len(text),
            limit=MAX_URL,
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not host
        or parts.username is not None
        or re.search(r"[\s\x00-\x1f\x7f<>\"]", text)
    ):
        raise RequestError(
            _("{url} is not a web address that can be published."),
            _("Only http:// and https:// addresses of a web page, without spaces or passwords."),
            field="url",
            url=echo(text, 60),
        )
    return text


def check_document(name: str, data: bytes, limit: int | None = None) -> tuple[str, str]:
    """(safe name, media type) of a document that may be published, by its sniffed type."""
    limit = limit or max_document_bytes()
    clean = attachments.safe_name(name)
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    if ext not in DOCUMENT_TYPES:
        raise RequestError(
            _("{name}: files of this type are not accepted."),
            _("Accepted types: {types}."),
            field="document",
            name=clean,
            types=", ".join(DOCUMENT_TYPES),
        )
    if len(data) > limit:
        error = RequestError(
            _("{name} is too large ({size} MB; the limit is {limit} MB)."),
            _("Split it or compress it."),
            field="document",
            name=clean,
            size=round(len(data) / 1048576, 1),
            limit=limit // 1048576,
        )
        error.status = 413
        raise error
    try:
        attachments.check(clean, data)  # the name's type against the first bytes
        _sniff(ext, data)
    except Exception:  # noqa: BLE001 - CatalogError or a broken ZIP: one message
        raise RequestError(
            _("{name} does not contain what its extension says."),
            _("Save it again in its real format and attach it again."),
            field="document",
            name=clean,
        ) from None
    return clean, attachments.TYPES[ext][0]


def _sniff(ext: str, data: bytes) -> None:
    """Look inside: an Office file holds its parts, an ODF file its media type, a CSV is text."""
    if ext in OOXML or ext in ODF:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if ext in OOXML:
                if "[Content_Types].xml" not in names or not any(
                    n.startswith(OOXML[ext]) for n in names
                ):
                    raise ValueError("ooxml")
            elif "mimetype" not in names or archive.read("mimetype").strip() != ODF[ext]:
                raise ValueError("odf")
    elif ext == "csv":
        data.decode("utf-8")


def store_document(settings: Settings, name: str, data: bytes) -> dict[str, Any]:
    """Check and store a document (once, under its SHA-256, beside the attachments)."""
    clean, media_type = check_document(name, data)
    stored = attachments.store(settings, clean, data)
    return {
        "filename": clean,
        "media_type": media_type,
        "size": len(data),
        "sha256": stored["sha256"] or hashlib.sha256(data).hexdigest(),
    }
