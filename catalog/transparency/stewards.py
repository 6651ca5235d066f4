"""Data stewards publishing in the browser: drafts of datasets, their review and publication.

A steward (role ``steward``, a member of one or more publishers) uploads a CSV or an
XLSX workbook; ``stewards_files`` reads it (encoding, delimiter, the sheet, merged
cells, formulas, duplicate headers) into a clean UTF-8 CSV and infers a Table Schema.
The steward corrects the fields and the catalogue metadata, runs the same validation
and privacy gate as ``catalog validate`` (the command itself, in a subprocess: the
workspace does not import the validator, which imports the workspace) and submits.
A second person (role ``reviewer`` of the publisher, or an administrator; never the
submitter) approves it or sends it back with a comment. On approval the dataset is
written into the content root as a Data Package (``stewards_publish``), committed
when the root is a git repository, and the caller queues a build
(``stewards_builds.kick``, which the pages call at once).

Drafts live in the database (``StewardDraft``, its ``version`` column makes two
stewards editing one draft a conflict, never a lost update; ``StewardEvent`` is the
append-only history) and their files on disk under ``CATALOG_DATA_DIR/borradores/``:
a failed step or a reload loses nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.content import is_slug
from catalog.i18n import _
from catalog.jurisdictions import obligation
from catalog.transparency import stewards_files, stewards_publish
from catalog.transparency.models import StewardDraft, StewardEvent, User
from catalog.transparency.requests import Conflict, Forbidden, NotFound, RequestError
from catalog.vocabularies import codes

ROLE = "steward"
REVIEWER = "reviewer"
STATUSES = ("draft", "submitted", "returned", "published")
STATUS_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Waiting for review"),
    "returned": _("Sent back"),
    "published": _("Approved and published"),
}
BUILD_LABELS = {
    "queued": _("Queued for the next build"),
    "building": _("Building"),
    "live": _("Live"),
    "failed": _("The build did not publish it"),
}
DEFAULT_UPLOAD_MAX = 100 * 1024 * 1024
# Caps on every value the forms send (the form itself is capped by forms.FORM_BYTES).
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_TEXT = 1000
MAX_COMMENT = 4000
MAX_LIST = 50
MAX_FIELDS = 300
FIELD_TYPES = ("string", "integer", "number", "date", "datetime", "boolean", "year")
DRAFTS = "borradores"


@dataclass(frozen=True)
class StewardSettings:
    """Where approved datasets go and the build that publishes them."""

    content_root: Path | None
    build_dir: Path | None
    drafts_dir: Path
    upload_max: int = DEFAULT_UPLOAD_MAX
    extra_content: tuple[Path, ...] = ()
    public_url: str = "http://127.0.0.1:8000"
    retry_seconds: float = 5.0


_configured: weakref.WeakKeyDictionary[Any, StewardSettings] = weakref.WeakKeyDictionary()


def _size(value: str | None, default: int) -> int:
    text = (value or "").strip().lower()
    factor = {"k": 1024, "m": 1024**2}.get(text[-1:], 1)  # as bodylimit.parse_size reads it
    digits = text[:-1] if factor > 1 else text
    return int(digits) * factor if digits.isdigit() else default


def settings_from_env(data_dir: Path, public_url: str, build_dir: Path | None) -> StewardSettings:
    """``CATALOG_CONTENT_ROOT``, ``CATALOG_BUILD_DIR``, ``CATALOG_UPLOAD_MAX_BYTES`` and
    ``CATALOG_EXTRA_CONTENT`` (folders separated by ``:``), documented in docs/deploy.md."""
    env = os.environ
    root = env.get("CATALOG_CONTENT_ROOT")
    build = env.get("CATALOG_BUILD_DIR")
    extra = tuple(Path(p) for p in (env.get("CATALOG_EXTRA_CONTENT") or "").split(":") if p)
    return StewardSettings(
        content_root=Path(root) if root else None,
        build_dir=Path(build) if build else build_dir,
        drafts_dir=data_dir / DRAFTS,
        upload_max=_size(env.get("CATALOG_UPLOAD_MAX_BYTES"), DEFAULT_UPLOAD_MAX),
        extra_content=extra,
        public_url=public_url,
    )


def configure(workspace: Any, settings: StewardSettings) -> None:
    """Give ``workspace`` its stewards' settings (tests, the bench); else from the environment."""
    _configured[workspace] = settings


def settings_of(workspace: Any) -> StewardSettings:
    found = _configured.get(workspace)
    if found is None:
        found = settings_from_env(
            workspace.settings.data_dir, workspace.settings.public_url, workspace.build_dir
        )
        _configured[workspace] = found
    return found


# ---------------------------------------------------------------- who may do what


def is_steward_of(user: User, publisher: str) -> bool:
    return user.active and (user.is_admin or (user.role == ROLE and publisher in user.publishers))


def may_review(user: User, publisher: str) -> bool:
    return user.active and (
        user.is_admin or (user.role == REVIEWER and publisher in user.publishers)
    )


def publishers_of(user: User, known: set[str]) -> list[str]:
    return sorted(known if user.is_admin else user.publishers & known)


# ---------------------------------------------------------------- the draft as a dict


@dataclass
class Draft:
    """A draft as the pages and tests see it (plain values)."""

    id: int
    publisher: str
    name: str
    kind: str
    status: str
    version: int
    upload: dict[str, Any]
    package: dict[str, Any]
    report: dict[str, Any]
    comment: str
    build: dict[str, Any]
    created_by: int | None
    submitted_by: int | None
    reviewed_by: int | None
    updated_at: datetime
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return f"{self.publisher}/{self.name}"


def _plain(row: StewardDraft, events: list[StewardEvent] | None = None) -> Draft:
    return Draft(
        id=row.id,
        publisher=row.publisher,
        name=row.name,
        kind=row.kind,
        status=row.status,
        version=row.version,
        upload=dict(row.upload or {}),
        package=json.loads(json.dumps(row.package or {})),
        report=dict(row.report or {}),
        comment=row.comment or "",
        build=dict(row.build or {}),
        created_by=row.created_by,
        submitted_by=row.submitted_by,
        reviewed_by=row.reviewed_by,
        updated_at=row.updated_at,
        events=[
            {"at": e.at, "actor": e.actor, "action": e.action, "comment": e.comment}
            for e in events or []
        ],
    )


def _actor(user: User) -> str:
    return f"{user.role}: {user.name}"[:60]


# ---------------------------------------------------------------- the service


class StewardService:
    """Drafts, their review and their publication, for one workspace."""

    def __init__(self, workspace: Any) -> None:
        self.ws = workspace
        self.db = workspace.db
        self.settings = settings_of(workspace)

    # ------------------------------------------------------------ reading

    def folder(self, draft_id: int) -> Path:
        return self.settings.drafts_dir / str(int(draft_id))

    def get(self, user: User, draft_id: int) -> Draft:
        with self.db.read() as session:
            row = session.get(StewardDraft, draft_id)
            if row is None or not (
                is_steward_of(user, row.publisher) or may_review(user, row.publisher)
            ):
                raise NotFound(
                    _("No draft {id}."), _("Start from the list of drafts."), id=draft_id
                )
            events = session.scalars(
                select(StewardEvent)
                .where(StewardEvent.draft_id == row.id)
                .order_by(StewardEvent.id)
            ).all()
            return _plain(row, list(events))

    def drafts(self, user: User) -> list[Draft]:
        """The drafts of the user's publishers, newest first."""
        with self.db.read() as session:
            query = select(StewardDraft).order_by(StewardDraft.updated_at.desc()).limit(500)
            if not user.is_admin:
                query = query.where(StewardDraft.publisher.in_(sorted(user.publishers)))
            return [_plain(row) for row in session.scalars(query)]

    # ------------------------------------------------------------ creating

    def check_name(self, publisher: str, name: str, kind: str) -> None:
        root = self.settings.content_root
        if not is_slug(name) or len(name) > 80:
            raise RequestError(
                _("{name} cannot be the name of a dataset."),
                _("Use lowercase letters, digits and hyphens, such as comedores-sociales."),
                name=name[:100] or "''",
                field="nombre",
            )
        if root is None:
            raise RequestError(
                _("The workspace has no content root to publish into."),
                _("An administrator sets CATALOG_CONTENT_ROOT (docs/deploy.md)."),
            )
        exists = (root / "datasets" / publisher / name / "datapackage.json").is_file()
        if kind == "new" and exists:
            raise Conflict(
                _("The dataset {dataset} already exists."),
                _("Choose another name, or publish a new version of it."),
                dataset=f"{publisher}/{name}",
                field="nombre",
            )
        if kind == "version" and not exists:
            raise NotFound(
                _("There is no dataset {dataset} to publish a new version of."),
                _("Check the name, or publish it as a new dataset."),
                dataset=f"{publisher}/{name}",
                field="nombre",
            )

    def create(
        self, user: User, publisher: str, name: str, kind: str, upload: Path, filename: str
    ) -> Draft:
        """A new draft from an uploaded file already on disk (``upload``, moved in)."""
        if kind not in ("new", "version"):
            raise RequestError(_("Choose a new dataset or a new version."), "")
        if not is_steward_of(user, publisher):
            raise Forbidden(
                _("You are not a steward of {publisher}."),
                _("Ask an administrator to add you to that publisher."),
                publisher=publisher[:100],
            )
        self.check_name(publisher, name, kind)
        at = self.ws.clock()
        with self.db.write() as session:
            row = StewardDraft(
                publisher=publisher,
                name=name,
                kind=kind,
                status="draft",
                upload={},
                package={},
                report={},
                comment="",
                build={},
                created_by=user.id,
                created_at=at,
                updated_at=at,
            )
            session.add(row)
            session.flush()
            self._event(session, row.id, user, "created")
            draft_id = row.id
        folder = self.folder(draft_id)
        stored = stewards_files.keep_upload(folder, upload, filename)
        base = self._existing(publisher, name) if kind == "version" else None
        upload_info, package = stewards_files.analyse(folder, stored, None, publisher, name, base)
        with self.db.write() as session:
            row = session.get(StewardDraft, draft_id)
            assert row is not None
            row.upload = upload_info
            row.package = package
            row.updated_at = self.ws.clock()
        return self.get(user, draft_id)

    def _existing(self, publisher: str, name: str) -> dict[str, Any] | None:
        root = self.settings.content_root
        if root is None:
            return None
        path = root / "datasets" / publisher / name / "datapackage.json"
        try:
            found = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    # ------------------------------------------------------------ changing

    def _change(
        self, user: User, draft_id: int, version: int, run: Any, guard: Any = None
    ) -> Draft:
        """``run(session, row)`` on the draft at ``version``; Conflict when someone changed
        it since (the second editor keeps what they typed: the page shows it again)."""
        try:
            with self.db.write() as session:
                row = session.get(StewardDraft, draft_id)
                if row is None or not (
                    is_steward_of(user, row.publisher) or may_review(user, row.publisher)
                ):
                    raise NotFound(
                        _("No draft {id}."), _("Start from the list of drafts."), id=draft_id
                    )
                (guard or self._editable)(user, row)  # who may, before whether it changed
                if row.version != version:
                    raise Conflict(
                        _("Someone else changed this draft while you were editing it."),
                        _(
                            "What you typed is still in the form: compare it with the "
                            "current draft (reload in another tab) and send it again."
                        ),
                    )
                run(session, row)
                row.updated_at = self.ws.clock()
        except StaleDataError:
            raise Conflict(
                _("Someone else changed this draft while you were editing it."),
                _("Reload the page and try again."),
            ) from None
        return self.get(user, draft_id)

    def _editable(self, user: User, row: StewardDraft) -> None:
        if not is_steward_of(user, row.publisher):
            raise Forbidden(
                _("Only a steward of {publisher} edits its drafts."), "", publisher=row.publisher
            )
        if row.status not in ("draft", "returned"):
            raise Conflict(
                _("This draft is {status}: it cannot be changed now."),
                _("A draft waiting for review is changed after the reviewer sends it back."),
                status=row.status,
            )

    def replace_file(
        self, user: User, draft_id: int, version: int, upload: Path, filename: str
    ) -> Draft:
        """Another file for the draft (the earlier one is kept beside it)."""

        def run(session: Session, row: StewardDraft) -> None:
            self._editable(user, row)
            folder = self.folder(row.id)
            stored = stewards_files.keep_upload(folder, upload, filename)
            base = self._existing(row.publisher, row.name) if row.kind == "version" else None
            info, package = stewards_files.analyse(
                folder, stored, None, row.publisher, row.name, base, keep=row.package
            )
            row.upload, row.package, row.report = info, package, {}
            self._event(session, row.id, user, "file")

        return self._change(user, draft_id, version, run)

    def choose_sheet(self, user: User, draft_id: int, version: int, sheet: str) -> Draft:
        def run(session: Session, row: StewardDraft) -> None:
            self._editable(user, row)
            sheets = (row.upload or {}).get("sheets") or []
            if sheet not in sheets:
                raise RequestError(
                    _("The workbook has no sheet {sheet}."),
                    _("Choose one of the list."),
                    sheet=sheet[:100],
                )
            folder = self.folder(row.id)
            stored = folder / "upload" / row.upload["stored"]
            base = self._existing(row.publisher, row.name) if row.kind == "version" else None
            info, package = stewards_files.analyse(
                folder, stored, sheet, row.publisher, row.name, base, keep=row.package
            )
            row.upload, row.package, row.report = info, package, {}
            self._event(session, row.id, user, "sheet")

        return self._change(user, draft_id, version, run)

    def save(self, user: User, draft_id: int, version: int, package: dict[str, Any]) -> Draft:
        """The corrected fields and metadata (``stewards_forms.package_from_form``)."""

        def run(session: Session, row: StewardDraft) -> None:
            self._editable(user, row)
            row.package = package
            row.report = {}
            self._event(session, row.id, user, "saved")

        return self._change(user, draft_id, version, run)

    def validate(self, user: User, draft_id: int, version: int) -> Draft:
        """Stage the draft as a Data Package and run ``catalog validate`` on it."""
        draft = self.get(user, draft_id)
        if draft.version != version:
            raise Conflict(
                _("Someone else changed this draft while you were editing it."),
                _("Reload the page and try again."),
            )
        report = stewards_publish.validate_draft(self, draft)

        def run(session: Session, row: StewardDraft) -> None:
            self._editable(user, row)
            row.report = report
            self._event(session, row.id, user, "validated" if report["valid"] else "invalid")

        return self._change(user, draft_id, version, run)

    def submit(self, user: User, draft_id: int, version: int) -> Draft:
        draft = self.validate(user, draft_id, version)
        if not draft.report.get("valid"):
            raise RequestError(
                _("The draft does not pass validation yet."),
                _("Fix each problem of the report below, then submit it again."),
            )

        def run(session: Session, row: StewardDraft) -> None:
            self._editable(user, row)
            row.status = "submitted"
            row.submitted_by = user.id
            row.comment = ""
            self._event(session, row.id, user, "submitted")

        return self._change(user, draft_id, draft.version, run)

    def _reviewable(self, user: User, row: StewardDraft) -> None:
        if not may_review(user, row.publisher):
            raise Forbidden(
                _("Only a reviewer of {publisher} or an administrator reviews its drafts."),
                "",
                publisher=row.publisher,
            )
        if row.submitted_by == user.id or row.created_by == user.id:
            raise Forbidden(
                _("You prepared this draft: a second person reviews it."),
                _("Ask a reviewer of your publisher."),
            )
        if row.status != "submitted":
            raise Conflict(
                _("This draft is not waiting for review."), _("Reload the page to see its state.")
            )

    def send_back(self, user: User, draft_id: int, version: int, comment: str) -> Draft:
        comment = (comment or "").strip()
        if not comment:
            raise RequestError(
                _("Say what must change before it is published."),
                _("Write a comment for the steward."),
                field="comentario",
            )
        if len(comment) > MAX_COMMENT:
            raise RequestError(
                _("The comment is too long ({length} characters; at most {maximum})."),
                _("Shorten it."),
                length=len(comment),
                maximum=MAX_COMMENT,
                field="comentario",
            )

        def run(session: Session, row: StewardDraft) -> None:
            self._reviewable(user, row)
            row.status = "returned"
            row.reviewed_by = user.id
            row.comment = comment
            self._event(session, row.id, user, "returned", comment)

        return self._change(user, draft_id, version, run, self._reviewable)

    def approve(self, user: User, draft_id: int, version: int) -> Draft:
        """Write the dataset into the content root, commit it, queue a build."""
        draft = self.get(user, draft_id)
        if draft.version != version:
            raise Conflict(
                _("Someone else changed this draft while you were reviewing it."),
                _("Reload the page and review it again."),
            )
        with self.db.read() as session:
            row = session.get(StewardDraft, draft_id)
            assert row is not None
            self._reviewable(user, row)
        # One publication at a time per process: two approvals of one dataset never
        # interleave their renames (and the second finds the first's version).
        with _PUBLISHING:
            written = stewards_publish.publish(self, draft, user)

        def run(session: Session, row: StewardDraft) -> None:
            self._reviewable(user, row)
            row.status = "published"
            row.reviewed_by = user.id
            row.package = written["package"]
            row.build = {"status": "queued", "git": written["git"], "version": written["version"]}
            self._event(session, row.id, user, "approved")

        # The caller queues the build (stewards_builds.kick): the pages do at once.
        return self._change(user, draft_id, version, run, self._reviewable)

    # ------------------------------------------------------------ history

    def _event(
        self, session: Session, draft_id: int, user: User | None, action: str, comment: str = ""
    ) -> None:
        session.add(
            StewardEvent(
                draft_id=draft_id,
                at=self.ws.clock(),
                user_id=user.id if user else None,
                actor=_actor(user) if user else "system",
                action=action,
                comment=comment,
            )
        )

    def set_build(self, draft_ids: list[int], state: dict[str, Any]) -> None:
        """The build state of drafts (the build queue's doing, no person behind it)."""
        with self.db.write() as session:
            for draft_id in draft_ids:
                row = session.get(StewardDraft, draft_id)
                if row is not None:
                    row.build = {**(row.build or {}), **state}
                    row.updated_at = self.ws.clock()
                    if state.get("status") in ("live", "failed"):
                        self._event(session, draft_id, None, f"build-{state['status']}")


_PUBLISHING = threading.Lock()


def vocabulary_ok(name: str, values: list[str]) -> list[str]:
    known = codes(name)
    return [v for v in values if v not in known]


def obligations_ok(values: list[str]) -> list[str]:
    return [v for v in values if not obligation(v)]


SLUGGISH = re.compile(r"[^a-z0-9]+")


def slug_of(text: str) -> str:
    """A dataset name suggested from a file name (``Comedores 2024.xlsx`` → comedores-2024)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return SLUGGISH.sub("-", plain).strip("-")[:60] or "datos"


def remove_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
