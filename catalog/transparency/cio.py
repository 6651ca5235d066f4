"""CIO ratings: a body's head of IT rates each IT investment of the body.

A ``cio`` account (accounts.py) is a member of one or more publishers (``Membership``).
For an investment of one of them it records a rating from 1 (high risk) to 5 (low
risk) with a comment; the comment is public (the dashboard shows it, the export
publishes it). Every rating is kept with its date and author: the table is
append-only (migration 0005: triggers refuse UPDATE and DELETE), and the dashboard
shows the latest and the history. The author is written as the role and the
initials (``CIO (A. L.)``), never the e-mail.

The investments a CIO may rate are those of the current release's IT dashboard
(the derived dataset ``tablero-proyectos-ti``, table ``inversiones``); tests and
tools can give another source (``use_investments``). Refusals are ``RequestError``
subclasses with their HTTP status (403, 404, 409, 422), never a 500.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog import clock
from catalog.i18n import _
from catalog.itportfolio.derived import NAME
from catalog.release import naming
from catalog.transparency.models import CioRatingRecord, User
from catalog.transparency.requests import Conflict, Forbidden, RequestError, echo
from catalog.transparency.workspace import Workspace

ROLE = "cio"
MAX_COMMENT = 2000
MIN_COMMENT = 3
MAX_HISTORY = 500  # ratings of one investment shown on a page
SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
RATING_WORDS = {
    1: _("1: high risk"),
    2: _("2: moderately high risk"),
    3: _("3: medium risk"),
    4: _("4: moderately low risk"),
    5: _("5: low risk"),
}
# (publisher, investment id) -> {"name", "period"}
Investments = dict[tuple[str, str], dict[str, Any]]


class NotFound(RequestError):
    status = 404


@dataclass(frozen=True)
class Rating:
    """One rating as pages and exports see it (plain values)."""

    id: int
    publisher: str
    investment: str
    rating: int
    comment: str
    rated_on: date
    created_at: datetime
    author: str
    sample: bool


def _plain(row: CioRatingRecord) -> Rating:
    return Rating(
        row.id,
        row.publisher,
        row.investment,
        row.rating,
        row.comment,
        row.rated_on,
        row.created_at,
        row.author,
        bool(row.sample),
    )


def author_label(name: str) -> str:
    """``CIO (A. M. L.)`` from a full name: the role and the initials, never the e-mail."""
    words = [w for w in re.split(r"[\s.@_-]+", name or "") if w and w[0].isalpha()]
    initials = " ".join(f"{w[0].upper()}." for w in words[:4])
    return f"CIO ({initials})" if initials else "CIO"


def new_submission() -> str:
    """The one-time token a rating form carries (a second send of it is refused)."""
    return secrets.token_urlsafe(24)


# ---------------------------------------------------------------- the investments


class ReleaseInvestments:
    """The investments of the current release's dashboard, read once per release."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._cached: tuple[str, Investments] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Investments:
        current = self.workspace.directory.current
        release = current() if current else None
        if release is None:
            return {}
        cached = self._cached
        if cached is not None and cached[0] == release.id:
            return cached[1]
        with self._lock:
            found = _read(release.index, release.folder.database)
            self._cached = (release.id, found)
            return found


def _read(index: Any, database: Any) -> Investments:
    entry = next((d for d in index.get("datasets", []) if d.get("name") == NAME), None)
    if entry is None:
        return {}
    table = next((r.get("table") for r in entry["resources"] if r["name"] == "inversiones"), None)
    if not table:
        return {}
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            f"select institucion, id_inversion, nombre, periodo_reporte from {naming.quote(table)}"
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return {
        (str(pub), str(ident)): {"name": str(name or ident)[:300], "period": period}
        for pub, ident, name, period in rows
    }


_sources: WeakKeyDictionary[Workspace, Callable[[], Investments]] = WeakKeyDictionary()


def use_investments(workspace: Workspace, source: Callable[[], Investments]) -> None:
    """Rate against ``source`` instead of the current release (tests, tools)."""
    _sources[workspace] = source


def investments(workspace: Workspace) -> Investments:
    source = _sources.get(workspace)
    if source is None:
        source = _sources.setdefault(workspace, ReleaseInvestments(workspace))
    return source()


# ---------------------------------------------------------------- checks


def check_cio(user: User | None, publisher: str) -> User:
    """The user, if it is an active CIO of ``publisher``; Forbidden otherwise."""
    if user is None or not user.active or user.role != ROLE:
        raise Forbidden(
            _("Only a body's CIO can rate its IT investments."),
            _("Ask an administrator for a CIO account of your body."),
        )
    if publisher not in user.publishers:
        raise Forbidden(
            _("You are not a CIO of {publisher}."),
            _("You can rate only the investments of your own bodies."),
            publisher=echo(publisher, 100),
        )
    return user


def check_rating(value: object) -> int:
    text = value.strip() if isinstance(value, str) else ""
    if text not in ("1", "2", "3", "4", "5"):
        raise RequestError(
            _("The rating must be a whole number from 1 (high risk) to 5 (low risk), not {value}."),
            _("Choose one of the five ratings."),
            field="calificacion",
            value=echo(value, 20),
        )
    return int(text)


def check_comment(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise RequestError(
            _("The comment contains characters that are not text."),
            _("Type it again and send the form."),
            field="comentario",
        )
    if len(text) > MAX_COMMENT:
        refused = RequestError(
            _("The comment is too long ({length} characters; at most {maximum})."),
            _("Shorten it and send the form again."),
            field="comentario",
            length=len(text),
            maximum=MAX_COMMENT,
        )
        refused.status = 413
        raise refused
    if len(text) < MIN_COMMENT:
        raise RequestError(
            _("Explain the rating in a comment."),
            _("Say in a few words why: it is published with the rating."),
            field="comentario",
        )
    return text


# ---------------------------------------------------------------- the service


class CioService:
    """Recording and reading CIO ratings, on one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def investment(self, publisher: str, ident: str) -> dict[str, Any]:
        known = len(ident) <= 64 and len(publisher) <= 100  # the columns' sizes
        found = investments(self.ws).get((publisher, ident)) if known else None
        if found is None:
            raise NotFound(
                _("Unknown IT investment {investment} of {publisher}."),
                _("Rate an investment listed on your CIO page (the published dashboard's)."),
                investment=echo(ident, 64),
                publisher=echo(publisher, 100),
            )
        return found

    def rate(
        self,
        user: User | None,
        publisher: str,
        ident: str,
        rating: object,
        comment: object,
        submission: object,
        *,
        at: datetime | None = None,
    ) -> Rating:
        """Record a rating (append-only); every refusal is a RequestError."""
        user = check_cio(user, publisher)
        self.investment(publisher, ident)
        value = check_rating(rating)
        text = check_comment(comment)
        token = submission if isinstance(submission, str) else ""
        if not SUBMISSION.match(token):
            raise RequestError(
                _("The form could not be verified (missing or old security token)."),
                _("Reload the page and try again."),
            )
        at = at or clock.now()
        record = CioRatingRecord(
            publisher=publisher,
            investment=ident,
            rating=value,
            comment=text,
            rated_on=at.date(),
            created_at=at,
            user_id=user.id,
            author=author_label(user.name),
            submission=token,
            sample=False,
        )
        try:
            with self.ws.db.write() as session:
                done = session.scalar(
                    select(CioRatingRecord.id).where(CioRatingRecord.submission == token)
                )
                if done is not None:
                    raise _twice()
                session.add(record)
                session.flush()
                return _plain(record)
        except IntegrityError:  # the same form sent twice at once: the second loses
            raise _twice() from None

    def history(self, publisher: str, ident: str) -> list[Rating]:
        """Every rating of one investment, newest first."""
        with self.ws.db.read() as session:
            rows = session.scalars(
                select(CioRatingRecord)
                .where(CioRatingRecord.publisher == publisher, CioRatingRecord.investment == ident)
                .order_by(CioRatingRecord.id.desc())
                .limit(MAX_HISTORY)
            )
            return [_plain(r) for r in rows]

    def latest(self, publishers: list[str]) -> dict[tuple[str, str], Rating]:
        """The latest rating of each investment of ``publishers``."""
        with self.ws.db.read() as session:
            newest = (
                select(func.max(CioRatingRecord.id))
                .where(CioRatingRecord.publisher.in_(publishers))
                .group_by(CioRatingRecord.publisher, CioRatingRecord.investment)
            )
            rows = session.scalars(select(CioRatingRecord).where(CioRatingRecord.id.in_(newest)))
            return {(r.publisher, r.investment): _plain(r) for r in rows}

    def all(self) -> list[Rating]:
        """Every rating, oldest first (the export)."""
        with self.ws.db.read() as session:
            rows = session.scalars(
                select(CioRatingRecord).order_by(CioRatingRecord.rated_on, CioRatingRecord.id)
            )
            return [_plain(r) for r in rows]


def _twice() -> Conflict:
    return Conflict(
        _("This rating was already recorded: the form was sent twice."),
        _("See the history below; to rate again, fill in the form anew."),
    )


# ---------------------------------------------------------------- the demo

DEMO_CIO_EMAIL = "cio@demo.gob.gt"
DEMO_AUTHOR = "CIO (ejemplo)"


def seed_demo(workspace: Workspace, password: str) -> int:
    """The demo CIO (of every body the sample ratings name) and the sample ratings of
    ``catalog.demo.itportfolio.sample_ratings()``, flagged as sample data, once.
    Returns how many ratings were created (0 when they exist already)."""
    from datetime import UTC, time

    from catalog.demo.itportfolio import sample_ratings
    from catalog.transparency import accounts

    samples = sample_ratings()
    bodies = sorted({r.publisher for r in samples}) or ["mides"]
    with workspace.db.write() as session:
        user = session.scalar(select(User).where(User.email == DEMO_CIO_EMAIL))
        if user is None:
            user = accounts.add_user(
                session, DEMO_CIO_EMAIL, "CIO de ejemplo (demo)", password, ROLE, bodies
            )
        if session.scalar(
            select(func.count()).select_from(CioRatingRecord).where(CioRatingRecord.sample)
        ):
            return 0
        for r in samples:
            session.add(
                CioRatingRecord(
                    publisher=r.publisher,
                    investment=r.investment_id,
                    rating=r.rating,
                    comment=r.comment[:MAX_COMMENT],
                    rated_on=r.date,
                    created_at=datetime.combine(r.date, time(15, 0), tzinfo=UTC),
                    user_id=user.id,
                    author=DEMO_AUTHOR,
                    submission=None,
                    sample=True,
                )
            )
        return len(samples)
