"""The life of an access-to-information request: filing, the state machine, history.

Every change goes through ``RequestService.act``: it locks the request, checks
that the action is allowed in its state and for that actor, changes it, appends
an event (who, when, what) and queues the requester's e-mail, all in one
transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.errors import CatalogError
from catalog.i18n import _, translate
from catalog.transparency import notify
from catalog.transparency.accounts import EMAIL
from catalog.transparency.config import Settings
from catalog.transparency.db import Database
from catalog.transparency.deadlines import Calendar, profile
from catalog.transparency.models import Attachment, Closure, Event, InfoRequest, RedactionRule, User
from catalog.transparency.redaction import Rule, compile_rule, redact

STATUSES = (
    "received",
    "assigned",
    "clarification",
    "extended",
    "answered",
    "referred",
    "withdrawn",
    "appealed",
    "closed",
)
# The clock runs in these states (it stops while waiting for a clarification).
RUNNING = ("received", "assigned", "extended")
OPEN = (*RUNNING, "clarification")
OUTCOMES = ("granted", "partial", "denied", "not_held")
FORMATS = ("any", "pdf", "csv", "xlsx", "json", "paper")
STATUS_LABELS = {
    "received": _("Received"),
    "assigned": _("Assigned"),
    "clarification": _("Clarification requested"),
    "extended": _("Extended"),
    "answered": _("Answered"),
    "referred": _("Referred to another body"),
    "withdrawn": _("Withdrawn"),
    "appealed": _("Appealed"),
    "closed": _("Closed"),
}
OUTCOME_LABELS = {
    "granted": _("Granted"),
    "partial": _("Partially granted"),
    "denied": _("Denied"),
    "not_held": _("Information not held"),
    "abandoned": _("Abandoned (clarification not received)"),
}
FORMAT_LABELS = {
    "any": _("Any format"),
    "pdf": _("PDF document"),
    "csv": _("CSV (open data)"),
    "xlsx": _("Spreadsheet (Excel)"),
    "json": _("JSON (open data)"),
    "paper": _("Paper copy"),
}
ACTION_LABELS = {
    "file": _("Request received"),
    "assign": _("Assigned to an officer"),
    "request_clarification": _("Clarification requested from the requester"),
    "clarify": _("The requester clarified the request"),
    "extend": _("Deadline extended"),
    "answer": _("Answered"),
    "refer": _("Referred to another body"),
    "withdraw": _("Withdrawn by the requester"),
    "appeal": _("Appeal filed"),
    "resolve_appeal": _("Appeal resolved"),
    "close": _("Closed"),
    "abandon": _("Closed: the clarification was not received in time"),
    "publish": _("Answer published"),
}
ACTION_NAMES = {
    "assign": _("Assign"),
    "request_clarification": _("Ask for clarification"),
    "clarify": _("Clarify"),
    "extend": _("Extend the deadline"),
    "answer": _("Answer"),
    "refer": _("Refer to another body"),
    "withdraw": _("Withdraw"),
    "appeal": _("Appeal"),
    "resolve_appeal": _("Resolve the appeal"),
    "close": _("Close"),
    "abandon": _("Close as abandoned"),
    "publish": _("Publish the answer"),
}
# What the public timeline may show of each event's data.
PUBLIC_DATA = {
    "extend": ("reason", "due_on"),
    "answer": ("outcome", "legal_ground"),
    "refer": ("referred_to",),
    "request_clarification": ("due_on",),
    "clarify": ("due_on",),
    "appeal": ("due_on",),
    "resolve_appeal": ("resolution",),
    "close": ("reason",),
}
# action: (states it is allowed in, who may do it)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "assign": (OPEN, ("officer",)),
    "request_clarification": (("received", "assigned"), ("officer",)),
    "clarify": (("clarification",), ("requester",)),
    # "extended" too, so that a second extension gets its own clear refusal.
    "extend": (("received", "assigned", "extended"), ("officer",)),
    "answer": (RUNNING, ("officer",)),
    "refer": (("received", "assigned"), ("officer",)),
    "withdraw": (OPEN, ("requester",)),
    "appeal": (("answered", "referred", *RUNNING), ("requester", "officer")),
    "resolve_appeal": (("appealed",), ("officer",)),
    "close": (("answered", "referred"), ("officer", "system")),
    "abandon": (("clarification",), ("system",)),
    "publish": (("answered", "appealed", "closed"), ("officer",)),
}
LIMITS = {"subject": (5, 200), "description": (20, 5000), "name": (2, 200), "text": (10, 20000)}
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_LANG: ContextVar[str] = ContextVar("lang", default="es")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RequestError(CatalogError):
    """A refused filing or action; ``status`` is its HTTP status."""

    status = 422

    def __init__(self, text: str, hint: str = "", *, field: str | None = None, **params: object):
        super().__init__(text, hint, **params)
        self.field = field

    def message(self, lang: str | None = None) -> str:
        token = _LANG.set(lang or "es")
        try:
            return super().message(lang)
        finally:
            _LANG.reset(token)


class NotFound(RequestError):
    status = 404


class Forbidden(RequestError):
    status = 403


class Conflict(RequestError):
    status = 409


class RateLimited(RequestError):
    status = 429


class FilingErrors(RequestError):
    """Several problems with one filing, each tied to its field."""

    def __init__(self, errors: list[RequestError]) -> None:
        super().__init__(_("The request has {count} problem(s)."), "", count=len(errors))
        self.errors = errors


class LazyLabel(str):
    """A msgid parameter that is translated when the message is (so both languages work)."""

    def __format__(self, spec: str) -> str:
        return translate(str(self), _LANG.get())


class LazyList(list):
    def __format__(self, spec: str) -> str:
        return ", ".join(translate(str(item), _LANG.get()) for item in self)


@dataclass(frozen=True)
class Actor:
    """Who acts: the requester (with the private key), an officer or admin, or the system."""

    kind: str  # requester | officer | system
    user: User | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


SYSTEM = Actor("system")
REQUESTER = Actor("requester")


def now() -> datetime:
    return datetime.now(UTC)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def clean_text(value: object, multiline: bool = False) -> str:
    """Text as people meant it: NFC, no control characters, trimmed."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = CONTROL.sub("", text.replace("\r\n", "\n"))
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def _length(name: str, value: str, label: str) -> RequestError | None:
    low, high = LIMITS[name]
    if len(value) < low or len(value) > high:
        return RequestError(
            _("{label} must have between {low} and {high} characters (it has {length})."),
            _("Write it again within those limits."),
            field=name,
            label=label,
            low=low,
            high=high,
            length=len(value),
        )
    return None


@dataclass
class Filing:
    publisher: str
    subject: str
    description: str
    name: str
    email: str
    preferred_format: str | None
    lang: str


def validate_filing(data: Any, publishers: dict[str, dict], lang: str = "es") -> Filing:
    """The filing, cleaned, or FilingErrors naming every bad field."""
    if not isinstance(data, dict):
        raise RequestError(
            _("The request must be a JSON object."),
            _("Send an object with publisher, subject, description and requester (name, email)."),
        )
    requester = data.get("requester") if isinstance(data.get("requester"), dict) else {}
    filing = Filing(
        publisher=clean_text(data.get("publisher")).lower(),
        subject=clean_text(data.get("subject")),
        description=clean_text(data.get("description"), multiline=True),
        name=clean_text(requester.get("name")),
        email=clean_text(requester.get("email")).lower(),
        preferred_format=clean_text(data.get("preferred_format")) or None,
        lang=lang,
    )
    errors: list[RequestError | None] = []
    if filing.publisher not in publishers:
        errors.append(
            RequestError(
                _("Unknown publisher: {publisher}."),
                _("Choose one of the publishers listed at /api/v1/requests/publishers."),
                field="publisher",
                publisher=filing.publisher or "''",
            )
        )
    errors.append(_length("subject", filing.subject, translate(_("The subject"), lang)))
    errors.append(_length("description", filing.description, translate(_("The description"), lang)))
    errors.append(_length("name", filing.name, translate(_("The name"), lang)))
    if not EMAIL.match(filing.email):
        errors.append(
            RequestError(
                _("{email} is not a valid e-mail address."),
                _("The answer and every notice are sent to this address."),
                field="email",
                email=filing.email or "''",
            )
        )
    if filing.preferred_format and filing.preferred_format not in FORMATS:
        errors.append(
            RequestError(
                _("Unknown format: {value}."),
                _("Use one of: {allowed}."),
                field="preferred_format",
                value=filing.preferred_format,
                allowed=", ".join(FORMATS),
            )
        )
    found = [e for e in errors if e is not None]
    if found:
        raise FilingErrors(found)
    return filing


def new_code(year: int) -> str:
    """A tracking code such as ``SOL-2025-7K3M9Q``: short, unambiguous to read aloud."""
    return f"SOL-{year}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@dataclass
class Change:
    """What one action did, for the event and the e-mail."""

    data: dict[str, Any] = field(default_factory=dict)
    public: bool = True


class RequestService:
    """Filing and acting on requests, over one database."""

    def __init__(
        self, db: Database, settings: Settings, publishers: Callable[[], dict[str, dict]]
    ) -> None:
        self.db = db
        self.settings = settings
        self.publishers = publishers

    # ----------------------------------------------------------- calendars

    def jurisdiction_of(self, publisher: str) -> str:
        info = self.publishers().get(publisher) or {}
        code = str(((info.get("jurisdiction") or {}).get("country")) or "GT").upper()
        try:
            profile(code)
        except CatalogError:
            return "GT"
        return code

    def calendar(self, session: Session, jurisdiction: str) -> Calendar:
        closures = session.scalars(select(Closure.day).where(Closure.jurisdiction == jurisdiction))
        return Calendar.of(jurisdiction, closures)

    # -------------------------------------------------------------- filing

    def file(
        self, data: Any, *, client: str | None = None, lang: str = "es", at: datetime | None = None
    ) -> tuple[InfoRequest, str]:
        """File a request; returns it and the requester's private key (shown once)."""
        publishers = self.publishers()
        filing = validate_filing(data, publishers, lang)
        at = at or now()
        key = secrets.token_urlsafe(18)
        with self.db.write() as session:
            if client:
                self._check_rate(session, client, at)
            jurisdiction = self.jurisdiction_of(filing.publisher)
            start, due = self.calendar(session, jurisdiction).due_date(at)
            request = InfoRequest(
                tracking_code=self._unique_code(session, at.year),
                publisher=filing.publisher,
                jurisdiction=jurisdiction,
                subject=filing.subject,
                description=filing.description,
                preferred_format=filing.preferred_format,
                requester_name=filing.name,
                requester_email=filing.email,
                requester_key_hash=_hash(key),
                lang=filing.lang,
                client_hash=client,
                status="received",
                received_at=at,
                start_on=start,
                due_on=due,
                original_due_on=due,
                extensions=0,
                updated_at=at,
                published_subject=redact(filing.subject, (), [filing.name, filing.email]),
            )
            session.add(request)
            session.flush()
            self._event(session, request, REQUESTER, "file", None, Change({"due_on": due}), at)
            self._notify_requester(session, request, "file", key=key)
        return request, key

    def _unique_code(self, session: Session, year: int) -> str:
        while True:
            code = new_code(year)
            if (
                session.scalar(select(InfoRequest.id).where(InfoRequest.tracking_code == code))
                is None
            ):
                return code

    def _check_rate(self, session: Session, client: str, at: datetime) -> None:
        limit = self.settings.filings_per_hour
        since = at - timedelta(hours=1)
        count = session.scalar(
            select(func.count())
            .select_from(InfoRequest)
            .where(InfoRequest.client_hash == client, InfoRequest.received_at > since)
        )
        if (count or 0) >= limit:
            raise RateLimited(
                _("Too many requests from your connection: {limit} per hour at most."),
                _("Wait an hour and try again; what you wrote is still in the form."),
                limit=limit,
            )

    # --------------------------------------------------------------- reads

    def get(self, session: Session, code: str) -> InfoRequest:
        request = session.scalar(select(InfoRequest).where(InfoRequest.tracking_code == code))
        if request is None:
            raise NotFound(
                _("No request with tracking code {code}."),
                _("Check the code in the e-mail you received when you filed it."),
                code=code[:40],
            )
        return request

    def check_requester(self, request: InfoRequest, key: str | None) -> None:
        if not key or not secrets.compare_digest(_hash(key), request.requester_key_hash):
            raise Forbidden(
                _("This action needs the requester's private key."),
                _("Use the link in the e-mail you received when you filed the request."),
            )

    # -------------------------------------------------------------- actions

    def act(
        self,
        code: str,
        action: str,
        actor: Actor,
        params: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> InfoRequest:
        """Apply one action to a request, or raise a RequestError saying why not."""
        params = dict(params or {})
        at = at or now()
        if action not in RULES:
            raise NotFound(_("Unknown action: {action}."), "", action=action)
        try:
            with self.db.write() as session:
                request = self._locked(session, code)
                self._authorize(request, action, actor, key)
                if version is not None and version != request.version:
                    raise Conflict(
                        _("Someone else changed this request while you were reading it."),
                        _("Reload the page, check the timeline and try again."),
                    )
                allowed, _who = RULES[action]
                if request.status not in allowed:
                    self._refuse(request, action)
                calendar = self.calendar(session, request.jurisdiction)
                before = request.status
                change = getattr(self, f"_do_{action}")(
                    session, request, calendar, params, at, actor
                )
                request.updated_at = at
                self._event(session, request, actor, action, before, change, at)
                if request.status != before or action in ("publish", "request_clarification"):
                    self._notify_requester(session, request, action, change=change)
                session.flush()
        except StaleDataError:
            raise Conflict(
                _("Someone else changed this request at the same moment."),
                _("Reload the page, check the timeline and try again."),
            ) from None
        return request

    def _locked(self, session: Session, code: str) -> InfoRequest:
        query = select(InfoRequest).where(InfoRequest.tracking_code == code)
        if not self.db.is_sqlite:
            query = query.with_for_update(of=InfoRequest)
        request = session.scalar(query.execution_options(populate_existing=True))
        if request is None:
            self.get(session, code)
        return request  # type: ignore[return-value]

    def _authorize(self, request: InfoRequest, action: str, actor: Actor, key: str | None) -> None:
        allowed = RULES[action][1]
        if actor.kind == "requester" and "requester" in allowed:
            self.check_requester(request, key)
            return
        if actor.kind == "system" and "system" in allowed:
            return
        if actor.kind == "officer" and "officer" in allowed:
            if actor.user is not None and actor.user.can_act_on(request.publisher):
                return
            raise Forbidden(
                _("You are not an officer of {publisher}."),
                _("Only the officers of the publisher that received the request can act on it."),
                publisher=request.publisher,
            )
        raise Forbidden(_("You cannot do this on a request."), "")

    def _refuse(self, request: InfoRequest, action: str) -> None:
        raise Conflict(
            _("“{action}” is not possible while the request is “{status}”."),
            _("It is possible when the request is: {allowed}."),
            status=LazyLabel(STATUS_LABELS[request.status]),
            action=LazyLabel(ACTION_NAMES[action]),
            allowed=LazyList([STATUS_LABELS[s] for s in RULES[action][0]]),
        )

    def _event(
        self,
        session: Session,
        request: InfoRequest,
        actor: Actor,
        action: str,
        before: str | None,
        change: Change,
        at: datetime,
    ) -> None:
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in change.data.items()}
        session.add(
            Event(
                request_id=request.id,
                at=at,
                actor=actor.kind
                if actor.kind != "officer"
                else (actor.user.role if actor.user else "officer"),
                user_id=actor.user_id,
                action=action,
                from_status=before,
                to_status=request.status,
                data=data,
                public=change.public,
            )
        )

    # ------------------------------------------------------ each action

    def _do_assign(self, session, request, calendar, params, at, actor) -> Change:
        email = clean_text(params.get("assignee")).lower()
        user = session.scalar(select(User).where(User.email == email)) if email else actor.user
        if user is None or not user.can_act_on(request.publisher):
            raise RequestError(
                _("{email} is not an active officer of {publisher}."),
                _("Assign the request to an officer of the publisher."),
                field="assignee",
                email=email or "''",
                publisher=request.publisher,
            )
        request.assignee_id = user.id
        request.assignee = user
        if request.status == "received":
            request.status = "assigned"
        return Change({"assignee": user.name}, public=False)

    def _do_request_clarification(self, session, request, calendar, params, at, actor) -> Change:
        question = self._text(params, "question", _("The question"))
        today = calendar.today(at)
        request.paused_days = max(calendar.business_days_between(today, request.due_on), 0)
        request.clarification_due_on = calendar.add_business_days(
            calendar.start_date(at), calendar.profile.clarification_days
        )
        request.status = "clarification"
        return Change({"question": question, "due_on": request.clarification_due_on})

    def _do_clarify(self, session, request, calendar, params, at, actor) -> Change:
        text = self._text(params, "text", _("The clarification"))
        start = calendar.start_date(at)
        request.due_on = calendar.add_business_days(start, request.paused_days or 0)
        request.paused_days = None
        request.clarification_due_on = None
        request.status = "assigned" if request.assignee_id else "received"
        return Change({"text": text, "due_on": request.due_on})

    def _do_extend(self, session, request, calendar, params, at, actor) -> Change:
        rules = calendar.profile
        if rules.extension_times == 0:
            raise Conflict(
                _("The law of this jurisdiction ({code}) allows no extension."),
                _("Answer within the deadline."),
                code=request.jurisdiction,
            )
        if request.extensions >= rules.extension_times:
            raise Conflict(
                _("The deadline was already extended: the law allows {times} extension(s)."),
                _("Answer by the extended deadline, {due}."),
                times=rules.extension_times,
                due=request.due_on.isoformat(),
            )
        if calendar.today(at) > request.due_on:
            raise Conflict(
                _("The deadline ({due}) has passed: an extension is only possible before it."),
                _("Answer as soon as possible; the request is late."),
                due=request.due_on.isoformat(),
            )
        reason = self._text(params, "reason", _("The reason"))
        request.due_on = calendar.add_business_days(request.due_on, rules.extension_days)
        request.extensions += 1
        request.status = "extended"
        return Change({"reason": reason, "due_on": request.due_on, "days": rules.extension_days})

    def _do_answer(self, session, request, calendar, params, at, actor) -> Change:
        outcome = clean_text(params.get("outcome"))
        if outcome not in OUTCOMES:
            raise RequestError(
                _("Choose the answer's outcome: {allowed}."),
                "",
                field="outcome",
                allowed=", ".join(OUTCOMES),
            )
        text = self._text(params, "text", _("The answer"))
        ground = clean_text(params.get("legal_ground"), multiline=True)
        if outcome in ("denied", "partial") and len(ground) < 5:
            raise RequestError(
                _("A denial, even a partial one, must cite its legal ground."),
                _(
                    "Give the article of the law that makes the information reserved or confidential."
                ),
                field="legal_ground",
            )
        today = calendar.today(at)
        request.answered_at = at
        request.answer_text = text
        request.outcome = outcome
        request.legal_ground = ground or None
        request.answer_days = max(calendar.business_days_between(request.start_on, today), 0)
        files = params.get("attachments") or []
        for item in files:
            session.add(
                Attachment(request_id=request.id, created_at=at, user_id=actor.user_id, **item)
            )
        request.answered_late = today > request.due_on
        request.status = "answered"
        return Change(
            {"outcome": outcome, "legal_ground": ground or None, "late": request.answered_late}
        )

    def _do_refer(self, session, request, calendar, params, at, actor) -> Change:
        target = clean_text(params.get("referred_to"))
        if len(target) < 3:
            raise RequestError(
                _("Name the body the request is referred to."),
                "",
                field="referred_to",
            )
        request.referred_to = target[:200]
        request.status = "referred"
        request.answered_at = at
        return Change({"referred_to": request.referred_to})

    def _do_withdraw(self, session, request, calendar, params, at, actor) -> Change:
        request.status = "withdrawn"
        request.closed_at = at
        return Change({})

    def _do_appeal(self, session, request, calendar, params, at, actor) -> Change:
        rules = calendar.profile
        if request.status in RUNNING and calendar.today(at) <= request.due_on:
            raise Conflict(
                _(
                    "The request can be appealed once it is answered or its deadline ({due}) has passed."
                ),
                "",
                due=request.due_on.isoformat(),
            )
        since = request.answered_at.date() if request.answered_at else request.due_on
        limit = calendar.add_business_days(since, rules.appeal_file_days)
        if calendar.today(at) > limit:
            raise Conflict(
                _("The time to appeal ended on {limit}."),
                _("The law gives {days} business days to appeal."),
                limit=limit.isoformat(),
                days=rules.appeal_file_days,
            )
        reason = clean_text(params.get("reason"), multiline=True)
        request.appeal_due_on = calendar.add_business_days(
            calendar.start_date(at), rules.appeal_resolve_days
        )
        request.status = "appealed"
        return Change({"reason": reason[:5000], "due_on": request.appeal_due_on})

    def _do_resolve_appeal(self, session, request, calendar, params, at, actor) -> Change:
        resolution = self._text(params, "resolution", _("The resolution"))
        request.status = "closed"
        request.closed_at = at
        return Change({"resolution": resolution})

    def _do_close(self, session, request, calendar, params, at, actor) -> Change:
        request.status = "closed"
        request.closed_at = at
        return Change({"reason": clean_text(params.get("reason"))[:500]})

    def _do_abandon(self, session, request, calendar, params, at, actor) -> Change:
        request.status = "closed"
        request.outcome = "abandoned"
        request.closed_at = at
        return Change({})

    def _do_publish(self, session, request, calendar, params, at, actor) -> Change:
        if not request.answer_text:
            raise Conflict(_("There is no answer to publish yet."), _("Answer the request first."))
        rules = self.rules_for(session, request)
        personal = [request.requester_name, request.requester_email]
        request.published_subject = redact(request.subject, rules, personal)
        request.published_description = redact(request.description, rules, personal)
        request.published_answer = redact(request.answer_text, rules, personal)
        request.published_at = at
        return Change({"rules": len(rules)})

    # ------------------------------------------------------------ helpers

    def _text(self, params: dict[str, Any], name: str, label: str) -> str:
        text = clean_text(params.get(name), multiline=True)
        error = _length("text", text, translate(label))
        if error:
            error.field = name
            raise error
        return text

    def rules_for(self, session: Session, request: InfoRequest) -> list[Rule]:
        rows = session.scalars(
            select(RedactionRule)
            .where(RedactionRule.publisher == request.publisher)
            .where((RedactionRule.request_id.is_(None)) | (RedactionRule.request_id == request.id))
            .order_by(RedactionRule.id)
        )
        return [Rule(r.pattern, r.is_regex, r.replacement) for r in rows]

    def add_rule(
        self,
        actor: Actor,
        publisher: str,
        pattern: str,
        *,
        is_regex: bool = False,
        code: str | None = None,
        replacement: str = "",
        reason: str = "",
    ) -> RedactionRule:
        """A redaction rule for one request (``code``) or for all of a publisher's."""
        rule = Rule(pattern.strip(), is_regex, clean_text(replacement)[:100] or "[…]")
        compile_rule(rule)
        with self.db.write() as session:
            request_id = None
            if code:
                request = self.get(session, code)
                publisher, request_id = request.publisher, request.id
            if actor.user is None or not actor.user.can_act_on(publisher):
                raise Forbidden(
                    _("You are not an officer of {publisher}."),
                    _(
                        "Only the officers of the publisher that received the request can act on it."
                    ),
                    publisher=publisher,
                )
            row = RedactionRule(
                publisher=publisher,
                request_id=request_id,
                pattern=rule.pattern,
                is_regex=is_regex,
                replacement=rule.replacement,
                reason=clean_text(reason)[:200] or None,
                user_id=actor.user_id,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            return row

    def preview(self, session: Session, request: InfoRequest) -> dict[str, str]:
        """What publishing would show now, with the current rules."""
        rules = self.rules_for(session, request)
        personal = [request.requester_name, request.requester_email]
        return {
            "subject": redact(request.subject, rules, personal),
            "description": redact(request.description, rules, personal),
            "answer": redact(request.answer_text, rules, personal),
        }

    # ---------------------------------------------------------- e-mails

    def link(self, request: InfoRequest, key: str | None = None) -> str:
        url = f"{self.settings.public_url}/transparencia/solicitudes/{request.tracking_code}"
        return f"{url}?clave={key}" if key else url

    def _notify_requester(
        self,
        session: Session,
        request: InfoRequest,
        action: str,
        *,
        key: str | None = None,
        change: Change | None = None,
    ) -> None:
        from catalog.transparency.messages import requester_message

        subject, body = requester_message(self, request, action, key=key, change=change)
        serial = session.scalar(
            select(func.count()).select_from(Event).where(Event.request_id == request.id)
        )
        notify.enqueue(
            session, f"requester:{request.id}:{serial}", request.requester_email, subject, body
        )
