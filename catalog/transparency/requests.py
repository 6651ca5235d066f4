"""The life of an access-to-information request: filing, the state machine, history.

Every change goes through ``RequestService.act``: it locks the request, checks
that the action is allowed in its state and for that actor, changes it, appends
an event (who, when, what) and queues the requester's e-mail, all in one
transaction.

Where the jurisdiction's profile says ``requests.email_confirmation``, a filing
starts ``unconfirmed``: not in any inbox, no deadline running, not public, until
the requester follows the signed link e-mailed to them (``confirm``); then it is
received and its deadline starts. Unconfirmed after ``confirmation_days``, it
expires (``catalog requests remind``).

Everything submitted is checked for its type, its length and its characters
before anything is stored: a wrong value is a 4xx with a message, never a 500.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.clock import now
from catalog.errors import CatalogError
from catalog.i18n import _, translate
from catalog.transparency import attachments, notify
from catalog.transparency.accounts import EMAIL
from catalog.transparency.config import Settings
from catalog.transparency.db import Database
from catalog.transparency.deadlines import Calendar, profile
from catalog.transparency.messages import requester_message
from catalog.transparency.models import Attachment, Closure, Event, InfoRequest, RedactionRule, User
from catalog.transparency.public import days_left, detail, summary
from catalog.transparency.redaction import Rule, check_rule, redact_once
from catalog.transparency.states import (
    ACTION_LABELS,
    ACTION_NAMES,
    FORMATS,
    HIDDEN,
    OPEN,
    OUTCOMES,
    PUBLIC_DATA,
    RUNNING,
    STATUS_LABELS,
    STATUSES,
)

# action: (states it is allowed in, who may do it)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "confirm": (("unconfirmed",), ("requester",)),
    "expire": (("unconfirmed",), ("system",)),
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
# Longest accepted value of the other fields (refused, never cut, when longer).
MAX_LENGTH = {
    "email": 254,
    "publisher": 100,
    "preferred_format": 20,
    "assignee": 254,
    "legal_ground": 2000,
    "referred_to": 200,
    "reason": 5000,
    "close_reason": 500,
    "rule_reason": 200,
}
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,40}")
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{10,100}")
# Unconfirmed filings one address may have waiting: a page cannot mail-bomb it.
PENDING_PER_ADDRESS = 3
_LANG: ContextVar[str] = ContextVar("lang", default="es")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone UTF-16 surrogate (JSON "\ud800") is not text: no database or e-mail can store it.
SURROGATE = re.compile(r"[\ud800-\udfff]")


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

    def parts(self, lang: str) -> tuple[str, str]:
        """(what went wrong, how to fix it) in ``lang``, apart (the API shows them apart)."""
        token = _LANG.set(lang)
        try:
            what = translate(self.text, lang, **self.params)
            fix = translate(self.hint, lang, **self.params) if self.hint else ""
        finally:
            _LANG.reset(token)
        return what, fix


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


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def clean_text(value: object, multiline: bool = False) -> str:
    """Text as people meant it: NFC, no control characters, trimmed."""
    text = unicodedata.normalize("NFC", SURROGATE.sub("", str(value or "")))
    text = CONTROL.sub("", text.replace("\r\n", "\n"))
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def echo(value: object, limit: int = 40) -> str:
    """A submitted value, safe to repeat in a message (cut, no surrogates), or ''."""
    text = value if isinstance(value, str) else ""
    return text[:limit].encode("utf-8", "replace").decode("utf-8") or "''"


def text_value(value: object, field: str) -> str:
    """A submitted value that must be text (or absent): a list, a number or an object
    where text belongs, or a string that is not valid Unicode, is refused by name."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RequestError(
            _("The field {field} must be text."),
            _('Send it as a string, for example "{field}": "...".'),
            field=field,
        )
    if SURROGATE.search(value):
        raise RequestError(
            _("The field {field} contains characters that are not valid text."),
            _(
                "Remove the broken character (a lone UTF-16 surrogate such as \\ud800) and send it again."
            ),
            field=field,
        )
    return value


def _too_long(field: str, value: str, limit: int) -> RequestError:
    return RequestError(
        _("The field {field} is too long: {length} characters, at most {limit}."),
        _("Shorten it; nothing was stored."),
        field=field,
        length=len(value),
        limit=limit,
    )


def param(
    params: dict[str, Any], name: str, *, limit_key: str | None = None, multiline: bool = False
) -> str:
    """A text parameter of an action: type-checked, cleaned, refused when too long."""
    value = clean_text(text_value(params.get(name), name), multiline)
    limit = MAX_LENGTH[limit_key or name]
    if len(value) > limit:
        raise _too_long(name, value, limit)
    return value


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


def _filing_values(data: dict, errors: list[RequestError]) -> dict[str, str | None]:
    """Each field of a filing as clean text; None (and an error) when it is not text."""
    requester = data.get("requester")
    if requester is not None and not isinstance(requester, dict):
        errors.append(
            RequestError(
                _("The field requester must be an object with the fields name and email."),
                _("Send the requester's name and e-mail inside requester."),
                field="requester",
            )
        )
    requester = requester if isinstance(requester, dict) else {}
    raw = {
        "publisher": data.get("publisher"),
        "subject": data.get("subject"),
        "description": data.get("description"),
        "name": requester.get("name"),
        "email": requester.get("email"),
        "preferred_format": data.get("preferred_format"),
    }
    values: dict[str, str | None] = {}
    for name, value in raw.items():
        try:
            values[name] = clean_text(text_value(value, name), multiline=name == "description")
        except RequestError as error:
            errors.append(error)
            values[name] = None
    return values


def _filing_problems(
    values: dict[str, str | None], publishers: dict, lang: str
) -> Iterator[RequestError | None]:
    """The errors of the fields that are text (the others already have theirs)."""
    publisher, email, format_ = values["publisher"], values["email"], values["preferred_format"]
    if publisher is not None and publisher.lower() not in publishers:
        yield RequestError(
            _("Unknown publisher: {publisher}."),
            _("Choose one of the publishers listed at /api/v1/requests/publishers."),
            field="publisher",
            publisher=echo(publisher),
        )
    for name, label in (
        ("subject", _("The subject")),
        ("description", _("The description")),
        ("name", _("The name")),
    ):
        value = values[name]
        if value is not None:
            yield _length(name, value, translate(label, lang))
    if email is not None and (len(email) > MAX_LENGTH["email"] or not EMAIL.match(email)):
        yield RequestError(
            _("{email} is not a valid e-mail address."),
            _("The answer and every notice are sent to this address."),
            field="email",
            email=echo(email, 80),
        )
    if format_ and format_ not in FORMATS:
        yield RequestError(
            _("Unknown format: {value}."),
            _("Use one of: {allowed}."),
            field="preferred_format",
            value=echo(format_),
            allowed=", ".join(FORMATS),
        )


def validate_filing(data: Any, publishers: dict[str, dict], lang: str = "es") -> Filing:
    """The filing, cleaned, or FilingErrors naming every bad field."""
    if not isinstance(data, dict):
        raise RequestError(
            _("The request must be a JSON object."),
            _("Send an object with publisher, subject, description and requester (name, email)."),
        )
    errors: list[RequestError] = []
    values = _filing_values(data, errors)
    errors += [e for e in _filing_problems(values, publishers, lang) if e is not None]
    if errors:
        raise FilingErrors(errors)
    return Filing(
        publisher=str(values["publisher"]).lower(),
        subject=str(values["subject"]),
        description=str(values["description"]),
        name=str(values["name"]),
        email=str(values["email"]).lower(),
        preferred_format=values["preferred_format"] or None,
        lang=lang,
    )


def _unconfirmed(request: InfoRequest) -> NotFound:
    """What anyone but the system gets for a request whose e-mail is not confirmed."""
    return NotFound(
        _("No request with tracking code {code}."),
        _("If you have just filed it, first follow the link in the confirmation e-mail."),
        code=request.tracking_code,
    )


def new_code(year: int) -> str:
    """A tracking code such as ``SOL-2025-7K3M9Q``: short, unambiguous to read aloud."""
    return f"SOL-{year}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@dataclass
class Change:
    """What one action did, for the event and the e-mail."""

    data: dict[str, Any] = field(default_factory=dict)
    public: bool = True
    # The requester's new private key, for their e-mail only (never in the history).
    key: str | None = None


# What the pages and the API read: plain values, built inside the database session
# (no database object reaches a template or a JSON answer).


@dataclass(frozen=True)
class RequestList:
    """One page of the public list: ``items`` are ``public.summary`` dicts."""

    total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class Tracking:
    """One request as its tracking page or ``GET /api/v1/requests/{code}`` shows it."""

    view: dict[str, Any]  # what anyone may see (``public.detail``)
    own_subject: str | None = None  # the subject as written, for its requester (with the key)
    private: dict[str, Any] | None = None  # for an officer of its publisher


@dataclass(frozen=True)
class OfficerView:
    """One request as its officer's page shows it."""

    view: dict[str, Any]
    private: dict[str, Any]
    events: list[dict[str, Any]]  # the whole history, private events too
    preview: dict[str, str]  # what publishing would show now
    problem: str  # why there is no preview ("" when there is one)
    rules: list[Rule]
    colleagues: list[dict[str, Any]]  # officers it may be assigned to
    can_extend: bool
    extension_days: int


class RequestService:
    """Filing and acting on requests, over one database."""

    def __init__(
        self, db: Database, settings: Settings, publishers: Callable[[], dict[str, dict]]
    ) -> None:
        self.db = db
        self.settings = settings
        self.publishers = publishers
        # The e-mailed confirmation links: signed and dated, nothing stored.
        self._confirmations = URLSafeTimedSerializer(
            settings.secret_key, salt="request-confirmation"
        )

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
    ) -> tuple[InfoRequest, str | None]:
        """File a request; returns it and the requester's private key (shown once).

        Where the jurisdiction asks for a confirmed e-mail, the request is filed
        ``unconfirmed`` and the key is None: the requester gets a confirmation link
        by e-mail, and the key only once they follow it (``confirm``).
        """
        publishers = self.publishers()
        filing = validate_filing(data, publishers, lang)
        at = at or now()
        jurisdiction = self.jurisdiction_of(filing.publisher)
        pending = profile(jurisdiction).email_confirmation
        key = secrets.token_urlsafe(18)
        with self.db.write() as session:
            if client:
                self._check_rate(session, client, at)
            if pending:
                self._check_pending(session, filing.email)
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
                status="unconfirmed" if pending else "received",
                received_at=at,
                start_on=start,
                due_on=due,
                original_due_on=due,
                extensions=0,
                updated_at=at,
                # Public only once an officer acted on it (docs/officers.md, "Redaction").
                published_subject=None,
            )
            session.add(request)
            session.flush()
            change = Change({} if pending else {"due_on": due})
            self._event(session, request, REQUESTER, "file", None, change, at)
            if pending:
                self._notify_requester(
                    session, request, "confirm_email", link=self.confirm_link(request)
                )
            else:
                self._notify_requester(session, request, "file", key=key)
        return request, (None if pending else key)

    def confirm_link(self, request: InfoRequest) -> str:
        token = self._confirmations.dumps({"c": request.tracking_code})
        return (
            f"{self.settings.public_url}/transparencia/solicitudes/"
            f"{request.tracking_code}/confirmar?token={token}"
        )

    def confirm(
        self, code: str, token: object, *, at: datetime | None = None
    ) -> tuple[InfoRequest, str]:
        """The requester followed the e-mailed link: the request is received now, its
        deadline starts, and a new private key is returned (and e-mailed)."""
        key = secrets.token_urlsafe(18)
        request = self.act(code, "confirm", REQUESTER, {}, key=token, trusted={"_key": key}, at=at)
        return request, key

    def _check_confirmation(self, request: InfoRequest, token: object) -> None:
        days = profile(request.jurisdiction).confirmation_days
        try:
            data = self._confirmations.loads(str(token or ""), max_age=days * 86400)
        except SignatureExpired:
            raise Forbidden(
                _("This confirmation link expired: links are valid for {days} days."),
                _(
                    "File the request again; it will not reach the office without a confirmed e-mail."
                ),
                days=days,
            ) from None
        except BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("c") != request.tracking_code:
            raise Forbidden(
                _("This confirmation link is not valid for this request."),
                _("Open the link exactly as it is in the e-mail you received."),
            )

    def _unique_code(self, session: Session, year: int) -> str:
        while True:
            code = new_code(year)
            if (
                session.scalar(select(InfoRequest.id).where(InfoRequest.tracking_code == code))
                is None
            ):
                return code

    def _check_pending(self, session: Session, email: str) -> None:
        """At most a few unconfirmed filings wait for one address: a page that files in
        someone else's name cannot flood their mailbox with confirmation e-mails."""
        waiting = session.scalar(
            select(func.count())
            .select_from(InfoRequest)
            .where(InfoRequest.status == "unconfirmed", InfoRequest.requester_email == email)
        )
        if (waiting or 0) >= PENDING_PER_ADDRESS:
            raise RateLimited(
                _("{count} requests are already waiting for this e-mail address to be confirmed."),
                _("Follow the links in the e-mails already sent, or wait until they expire."),
                count=waiting,
            )

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

    def get(self, session: Session, code: object, *, hidden: bool = False) -> InfoRequest:
        """The request with tracking code ``code``; unconfirmed and expired ones only
        with ``hidden`` (nobody sees them: no officer, no public page)."""
        request = None
        if isinstance(code, str) and CODE_SHAPE.fullmatch(code):
            request = session.scalar(select(InfoRequest).where(InfoRequest.tracking_code == code))
        if request is None:
            raise NotFound(
                _("No request with tracking code {code}."),
                _("Check the code in the e-mail you received when you filed it."),
                code=echo(code) if isinstance(code, str) and CODE_SHAPE.fullmatch(code) else "''",
            )
        if request.status in HIDDEN and not hidden:
            raise _unconfirmed(request)
        return request

    def check_requester(self, request: InfoRequest, key: object) -> None:
        if (
            not isinstance(key, str)
            or not KEY_SHAPE.fullmatch(key)
            or not secrets.compare_digest(_hash(key), request.requester_key_hash)
        ):
            raise Forbidden(
                _("This action needs the requester's private key."),
                _("Use the link in the e-mail you received when you filed the request."),
            )

    def receiving_publishers(self) -> list[dict[str, Any]]:
        """The bodies that receive requests (the current build's publishers), by slug."""
        found = []
        for slug, info in sorted(self.publishers().items()):
            code = self.jurisdiction_of(slug)
            limits = profile(code)
            found.append(
                {
                    "publisher": slug,
                    "name": info.get("name"),
                    "acronym": info.get("acronym"),
                    "jurisdiction": code,
                    "deadline_business_days": limits.days,
                    "extension_business_days": limits.extension_days,
                }
            )
        return found

    def public_list(
        self,
        *,
        lang: str = "es",
        publisher: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        at: datetime | None = None,
    ) -> RequestList:
        """One page of the public list, newest first, never a hidden request (the caller
        checks ``publisher`` and ``status``)."""
        query = select(InfoRequest).where(InfoRequest.status.not_in(HIDDEN))
        if publisher:
            query = query.where(InfoRequest.publisher == publisher)
        if status:
            query = query.where(InfoRequest.status == status)
        at = at or now()
        with self.db.read() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(InfoRequest.received_at.desc(), InfoRequest.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).all()
            items = [summary(r, lang, at) for r in rows]
        return RequestList(total=total, page=page, page_size=page_size, items=items)

    def inbox(
        self,
        user: User,
        *,
        lang: str = "es",
        status: str | None = None,
        due: str | None = None,
        assignee: str | None = None,
        at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """The requests an officer may see, by deadline: ``status`` is a status or ``open``,
        ``due`` ``soon`` (2 business days or less) or ``overdue``, ``assignee`` ``me`` or
        ``none``. Each is a ``public.summary`` with what officers read besides."""
        query = (
            select(InfoRequest)
            .where(InfoRequest.status.not_in(HIDDEN))  # not received until the e-mail is confirmed
            .order_by(InfoRequest.due_on, InfoRequest.id)
        )
        if not user.is_admin:
            query = query.where(InfoRequest.publisher.in_(sorted(user.publishers)))
        if status == "open":
            query = query.where(InfoRequest.status.in_(OPEN))
        elif status in STATUSES:
            query = query.where(InfoRequest.status == status)
        if assignee == "me":
            query = query.where(InfoRequest.assignee_id == user.id)
        elif assignee == "none":
            query = query.where(InfoRequest.assignee_id.is_(None))
        if due in ("soon", "overdue"):
            query = query.where(InfoRequest.status.in_(RUNNING))
        at = at or now()
        with self.db.read() as session:
            rows = list(session.scalars(query.limit(1000)))
            if due == "soon":
                rows = [r for r in rows if 0 <= (days_left(r, at) or 0) <= 2]
            elif due == "overdue":
                rows = [r for r in rows if (days_left(r, at) or 0) < 0]
            return [
                {
                    **summary(r, lang, at),
                    "subject": r.subject,  # officers read it as written
                    "assignee": r.assignee.email if r.assignee else None,
                    "assignee_name": r.assignee.name if r.assignee else "",
                    "version": r.version,
                }
                for r in rows
            ]

    def tracking(
        self,
        code: object,
        *,
        lang: str = "es",
        key: object = None,
        officer: User | None = None,
        at: datetime | None = None,
    ) -> Tracking:
        """Request ``code`` as the public sees it; with the requester's ``key`` (Forbidden
        when wrong) their subject as written; for an ``officer`` of its publisher the
        private fields."""
        with self.db.read() as session:
            found = self.get(session, code)
            view = detail(found, lang, at or now())
            own_subject = None
            if key is not None:
                self.check_requester(found, key)
                own_subject = found.subject
            private = None
            if officer is not None and officer.can_act_on(found.publisher):
                private = self._private(found)
        return Tracking(view, own_subject, private)

    def officer_view(
        self, code: object, officer: User, *, lang: str = "es", at: datetime | None = None
    ) -> OfficerView:
        """Request ``code`` for an officer of its publisher (Forbidden for anyone else)."""
        with self.db.read() as session:
            found = self.get(session, code)
            self.check_officer(found, Actor("officer", officer))
            problem = ""
            # Cached by text and rules: viewing the page again runs no rule again.
            try:
                preview = self.preview(session, found)
            except RequestError as error:  # a rule that cannot be applied: say so, show nothing
                preview = {"subject": "", "description": "", "answer": ""}
                problem = error.message(lang)
            active = session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
            limits = profile(found.jurisdiction)
            return OfficerView(
                view=detail(found, lang, at or now()),
                private=self._private(found),
                events=[
                    {
                        "at": e.at,
                        "action": e.action,
                        "label": translate(ACTION_LABELS.get(e.action, e.action), lang),
                        "actor": e.actor,
                        "data": {k: v for k, v in e.data.items() if k != "public"},
                        "public": e.public,
                    }
                    for e in found.events
                ],
                preview=preview,
                problem=problem,
                rules=self.rules_for(session, found),
                colleagues=[
                    {"id": u.id, "name": u.name, "email": u.email}
                    for u in active
                    if u.can_act_on(found.publisher) and not u.is_admin
                ],
                can_extend=limits.extension_times > found.extensions,
                extension_days=limits.extension_days,
            )

    @staticmethod
    def _private(request: InfoRequest) -> dict[str, Any]:
        """What only the officers of the request's publisher read."""
        return {
            "requester": {"name": request.requester_name, "email": request.requester_email},
            "subject": request.subject,
            "description": request.description,
            "answer_text": request.answer_text,
            "assignee": request.assignee.email if request.assignee else None,
            "assignee_name": request.assignee.name if request.assignee else "",
            "version": request.version,
            "extensions": request.extensions,
        }

    # -------------------------------------------------------------- actions

    def act(
        self,
        code: str,
        action: str,
        actor: Actor,
        params: dict[str, Any] | None = None,
        *,
        key: object = None,
        version: object = None,
        at: datetime | None = None,
        trusted: dict[str, Any] | None = None,
    ) -> InfoRequest:
        """Apply one action to a request, or raise a RequestError saying why not.

        ``params`` come from the client; ``trusted`` from the server itself (files it
        stored, keys it made): their names start with ``_`` and a client's never do.
        """
        params = {k: v for k, v in (params or {}).items() if not str(k).startswith("_")}
        params.update(trusted or {})
        at = at or now()
        if action not in RULES:
            raise NotFound(_("Unknown action: {action}."), "", action=echo(action))
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise RequestError(
                _("The field version must be a whole number."),
                _("Send the version you last read, or leave it out."),
                field="version",
            )
        try:
            with self.db.write() as session:
                request = self._act(session, code, action, actor, params, key, version, at)
        except StaleDataError:
            raise Conflict(
                _("Someone else changed this request at the same moment."),
                _("Reload the page, check the timeline and try again."),
            ) from None
        return request

    def _act(
        self,
        session: Session,
        code: str,
        action: str,
        actor: Actor,
        params: dict[str, Any],
        key: object,
        version: int | None,
        at: datetime,
    ) -> InfoRequest:
        """``act`` inside its transaction."""
        request = self._locked(session, code)
        self._authorize(request, action, actor, key)
        if version is not None and version != request.version:
            raise Conflict(
                _("Someone else changed this request while you were reading it."),
                _("Reload the page, check the timeline and try again."),
            )
        if request.status not in RULES[action][0]:
            self._refuse(request, action)
        calendar = self.calendar(session, request.jurisdiction)
        before = request.status
        change = getattr(self, f"_do_{action}")(session, request, calendar, params, at, actor)
        request.updated_at = at
        rules = self.rules_for(session, request)
        if actor.kind == "officer":
            # An officer has seen the request: its subject is public from now on,
            # redacted with the rules in force (docs/officers.md, "Redaction").
            request.published_subject = self._redacted(request, request.subject, rules)
        self._event(session, request, actor, action, before, change, at, rules)
        notice = request.status != before or action in ("publish", "request_clarification")
        # An expired filing's address never confirmed it: nothing more is sent there.
        if notice and action != "expire":
            self._notify_requester(session, request, action, change=change, key=change.key)
        session.flush()
        return request

    def _locked(self, session: Session, code: str) -> InfoRequest:
        query = select(InfoRequest).where(InfoRequest.tracking_code == code)
        if not self.db.is_sqlite:
            query = query.with_for_update(of=InfoRequest)
        request = None
        if isinstance(code, str) and CODE_SHAPE.fullmatch(code):
            request = session.scalar(query.execution_options(populate_existing=True))
        if request is None:
            self.get(session, code)
        return request  # type: ignore[return-value]

    def _authorize(self, request: InfoRequest, action: str, actor: Actor, key: object) -> None:
        allowed = RULES[action][1]
        if action == "confirm" and actor.kind == "requester":
            self._check_confirmation(request, key)  # the e-mailed link, not a key
            return
        if request.status in HIDDEN and actor.kind != "system":
            raise _unconfirmed(request)
        if actor.kind == "requester" and "requester" in allowed:
            self.check_requester(request, key)
            return
        if actor.kind == "system" and "system" in allowed:
            return
        if actor.kind == "officer" and "officer" in allowed:
            self.check_officer(request, actor)
            return
        raise Forbidden(_("You cannot do this on a request."), "")

    def check_officer(self, request: InfoRequest, actor: Actor) -> None:
        """Refuse anyone but an officer (or administrator) of the request's publisher."""
        if actor.user is None or not actor.user.can_act_on(request.publisher):
            raise Forbidden(
                _("You are not an officer of {publisher}."),
                _("Only the officers of the publisher that received the request can act on it."),
                publisher=request.publisher,
            )

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
        rules: list[Rule] | None = None,
    ) -> None:
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in change.data.items()}
        shown = {k: data[k] for k in PUBLIC_DATA.get(action, ()) if isinstance(data.get(k), str)}
        if shown and change.public:
            # What the public timeline shows of the officer's words, redacted now, once;
            # the words as written stay in the history for officers.
            data["public"] = {k: self._redacted(request, v, rules or []) for k, v in shown.items()}
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

    def _do_confirm(self, session, request, calendar, params, at, actor) -> Change:
        # Received now: the deadline counts from the confirmation, not the filing.
        request.received_at = at
        request.start_on, request.due_on = calendar.due_date(at)
        request.original_due_on = request.due_on
        request.requester_key_hash = _hash(params["_key"])
        request.status = "received"
        return Change({"due_on": request.due_on}, key=params["_key"])

    def _do_expire(self, session, request, calendar, params, at, actor) -> Change:
        # Nobody confirmed that this address wanted the request: its owner's name and
        # address are not kept (docs/security.md).
        request.status = "expired"
        request.closed_at = at
        request.requester_name = ""
        request.requester_email = ""
        return Change({}, public=False)

    def _do_assign(self, session, request, calendar, params, at, actor) -> Change:
        email = param(params, "assignee").lower()
        # The user as this session knows it (the actor's may come from another session).
        user = (
            session.scalar(select(User).where(User.email == email))
            if email
            else session.get(User, actor.user_id)
        )
        if user is None or not user.can_act_on(request.publisher):
            raise RequestError(
                _("{email} is not an active officer of {publisher}."),
                _("Assign the request to an officer of the publisher."),
                field="assignee",
                email=echo(email, 80),
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
        outcome = clean_text(text_value(params.get("outcome"), "outcome"))
        if outcome not in OUTCOMES:
            raise RequestError(
                _("Choose the answer's outcome: {allowed}."),
                "",
                field="outcome",
                allowed=", ".join(OUTCOMES),
            )
        text = self._text(params, "text", _("The answer"))
        ground = param(params, "legal_ground", multiline=True)
        files = self._answer_files(session, request, params)
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
        for item in files:
            session.add(
                Attachment(
                    request_id=request.id,
                    filename=item["filename"],
                    media_type=item["media_type"],
                    size=item["size"],
                    sha256=item["sha256"],
                    created_at=at,
                    user_id=actor.user_id,
                )
            )
        request.answered_late = today > request.due_on
        request.status = "answered"
        return Change(
            {"outcome": outcome, "legal_ground": ground or None, "late": request.answered_late}
        )

    def _do_refer(self, session, request, calendar, params, at, actor) -> Change:
        target = param(params, "referred_to")
        if len(target) < 3:
            raise RequestError(
                _("Name the body the request is referred to."),
                "",
                field="referred_to",
            )
        request.referred_to = target
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
        reason = param(params, "reason", multiline=True)
        request.appeal_due_on = calendar.add_business_days(
            calendar.start_date(at), rules.appeal_resolve_days
        )
        request.status = "appealed"
        return Change({"reason": reason, "due_on": request.appeal_due_on})

    def _do_resolve_appeal(self, session, request, calendar, params, at, actor) -> Change:
        resolution = self._text(params, "resolution", _("The resolution"))
        request.status = "closed"
        request.closed_at = at
        return Change({"resolution": resolution})

    def _do_close(self, session, request, calendar, params, at, actor) -> Change:
        request.status = "closed"
        request.closed_at = at
        return Change({"reason": param(params, "reason", limit_key="close_reason")})

    def _do_abandon(self, session, request, calendar, params, at, actor) -> Change:
        request.status = "closed"
        request.outcome = "abandoned"
        request.closed_at = at
        return Change({})

    def _do_publish(self, session, request, calendar, params, at, actor) -> Change:
        if not request.answer_text:
            raise Conflict(_("There is no answer to publish yet."), _("Answer the request first."))
        rules = self.rules_for(session, request)
        request.published_subject = self._redacted(request, request.subject, rules)
        request.published_description = self._redacted(request, request.description, rules)
        request.published_answer = self._redacted(request, request.answer_text, rules)
        request.published_at = at
        return Change({"rules": len(rules)})

    # ------------------------------------------------------------ helpers

    def _text(self, params: dict[str, Any], name: str, label: str) -> str:
        text = clean_text(text_value(params.get(name), name), multiline=True)
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

    @staticmethod
    def _redacted(request: InfoRequest, text: str | None, rules: list[Rule]) -> str:
        personal = (request.requester_name, request.requester_email)
        try:
            return redact_once(text or "", tuple(rules), personal)
        except CatalogError as error:
            # A rule saved before rules ran on RE2 may not compile: nothing is published
            # without it (it was meant to hide something), and the officer is told why.
            raise Conflict(
                _("A redaction rule of this request cannot be applied: {reason}"),
                _("Ask an administrator to remove or rewrite that rule; nothing was published."),
                reason=error.message(),
            ) from None

    def add_rule(
        self,
        actor: Actor,
        publisher: str,
        pattern: object,
        *,
        is_regex: bool = False,
        code: str | None = None,
        replacement: object = "",
        reason: object = "",
    ) -> RedactionRule:
        """A redaction rule for one request (``code``) or for all of a publisher's.

        The pattern is checked now (RE2 syntax, size), never at a page view; the
        subjects already public are redacted again with it at once.
        """
        rule = Rule(
            text_value(pattern, "pattern").strip(),
            bool(is_regex),
            clean_text(text_value(replacement, "replacement")) or "[…]",
        )
        check_rule(rule)
        note = param({"reason": reason}, "reason", limit_key="rule_reason")
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
                    publisher=echo(publisher, 100),
                )
            row = RedactionRule(
                publisher=publisher,
                request_id=request_id,
                pattern=rule.pattern,
                is_regex=rule.is_regex,
                replacement=rule.replacement,
                reason=note or None,
                user_id=actor.user_id,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            self._redact_public_subjects(session, publisher, request_id)
            return row

    def _redact_public_subjects(
        self, session: Session, publisher: str, request_id: int | None
    ) -> None:
        """Apply the rules again to the subjects already public (one request, or all of
        a publisher's). A plain UPDATE: this is no change of the request's state, so
        it neither bumps its version nor adds to its history."""
        query = select(InfoRequest).where(
            InfoRequest.publisher == publisher, InfoRequest.published_subject.is_not(None)
        )
        if request_id is not None:
            query = query.where(InfoRequest.id == request_id)
        for request in session.scalars(query).all():
            subject = self._redacted(request, request.subject, self.rules_for(session, request))
            if subject != request.published_subject:
                session.execute(
                    update(InfoRequest)
                    .where(InfoRequest.id == request.id)
                    .values(published_subject=subject)
                    .execution_options(synchronize_session=False)
                )

    def preview(self, session: Session, request: InfoRequest) -> dict[str, str]:
        """What publishing would show now, with the current rules (cached: a page view
        does not run every rule again while nothing changed)."""
        rules = self.rules_for(session, request)
        return {
            "subject": self._redacted(request, request.subject, rules),
            "description": self._redacted(request, request.description, rules),
            "answer": self._redacted(request, request.answer_text, rules),
        }

    # ----------------------------------------------------------- uploads

    def upload(
        self, code: str, actor: Actor, stored: dict[str, Any], *, at: datetime | None = None
    ) -> dict[str, Any]:
        """Record a file an officer uploaded (already checked and stored by
        ``attachments.store``) for the answer of request ``code``. The answer may then
        attach it by its ``upload_id`` (its SHA-256); name and type come from here."""
        at = at or now()
        with self.db.write() as session:
            request = self.get(session, code)
            self.check_officer(request, actor)
            if request.status not in RULES["answer"][0]:
                self._refuse(request, "answer")
            self._event(
                session,
                request,
                actor,
                "upload",
                request.status,
                Change(dict(stored), public=False),
                at,
            )
        return {**stored, "upload_id": stored["sha256"]}

    def _uploads(self, session: Session, request: InfoRequest) -> dict[str, dict[str, Any]]:
        """Files uploaded to this request by officers of its publisher, by SHA-256."""
        found: dict[str, dict[str, Any]] = {}
        events = session.scalars(
            select(Event).where(Event.request_id == request.id, Event.action == "upload")
        )
        for event in events:
            uploader = session.get(User, event.user_id) if event.user_id else None
            if uploader is not None and uploader.can_act_on(request.publisher):
                found[str(event.data.get("sha256"))] = {
                    k: event.data[k] for k in ("filename", "media_type", "size", "sha256")
                }
        return found

    def _answer_files(
        self, session: Session, request: InfoRequest, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The files of an answer: those stored with it by the server (``_files``) and
        those uploaded earlier to this request, named by ``upload_id``. Nothing the
        client says about a file (name, type, hash) is taken from the client."""
        refs = params.get("attachments")
        if refs is None:
            refs = []
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise RequestError(
                _("The field attachments must be a list of upload ids."),
                _(
                    "Upload each file first (POST /api/v1/uploads/CODE?name=FILE), then list the upload_id it returned."
                ),
                field="attachments",
            )
        uploads = self._uploads(session, request) if refs else {}
        unknown = [r for r in refs if r not in uploads]
        if unknown:
            raise RequestError(
                _("No file with upload id {upload} was uploaded to this request."),
                _("Upload the file to this request first and use the upload_id it returned."),
                field="attachments",
                upload=echo(unknown[0], 64),
            )
        files = list(params.get("_files") or []) + [uploads[r] for r in dict.fromkeys(refs)]
        if len(files) > attachments.MAX_FILES:
            raise RequestError(
                _("An answer has at most {count} attachments."),
                _("Put the files in one ZIP, or send fewer."),
                field="attachments",
                count=attachments.MAX_FILES,
            )
        return files

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
        link: str | None = None,
        change: Change | None = None,
    ) -> None:
        subject, body = requester_message(self, request, action, key=key, link=link, change=change)
        serial = session.scalar(
            select(func.count()).select_from(Event).where(Event.request_id == request.id)
        )
        notify.enqueue(
            session, f"requester:{request.id}:{serial}", request.requester_email, subject, body
        )
