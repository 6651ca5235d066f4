"""The stewards' pages, under ``/transparencia/oficiales/datos/``: the drafts of the
steward's publishers and a form to start one (upload a CSV or XLSX), a draft's page
(what was detected, the sheet, the fields and the metadata, the validation report,
submit), the reviewer's approve and send-back, and the build's state until it is live.

Uploads are read as they stream, to a temporary file on disk, and refused (413) as
soon as they pass ``CATALOG_UPLOAD_MAX_BYTES``, before any of it is read as a table;
a declared ``Content-Length`` over the limit is refused before reading at all. Every
other form is read with a size cap and each value capped (``stewards_forms``). All
database and file work runs off the event loop (``blocking``). Refusals are pages with
their status and a message (403, 404, 409, 413, 422), never a 500, and what was typed
is shown again.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from catalog.i18n import _
from catalog.transparency import stewards, stewards_builds, stewards_forms
from catalog.transparency.forms import FORM_BYTES, capped_body, number
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.requests import RequestError
from catalog.transparency.workspace import blocking
from catalog.vocabularies import vocabulary

BASE = PREFIX + "/oficiales/datos"
EDIT_FORM_BYTES = 4 * FORM_BYTES  # the fields of a wide table, each with its description
MAX_EDIT_FIELDS = 12 * stewards.MAX_FIELDS + 60
ACTIONS = ("hoja", "guardar", "devolver", "aprobar")


def routes() -> list[Route]:
    return [
        Route(BASE + "/", overview, methods=["GET"]),
        Route(BASE + "/nuevo", create, methods=["POST"]),
        Route(BASE + "/{id}", draft_page, methods=["GET"]),
        Route(BASE + "/{id}/archivo", replace_file, methods=["POST"]),
        Route(BASE + "/{id}/{action}", act, methods=["POST"]),
    ]


def _needs_steward(page: Page) -> Response | None:
    user = page.user
    if user is None:
        return page.redirect(f"{PREFIX}/oficiales/entrar?next={quote(page.request.url.path)}")
    if user.role not in (stewards.ROLE, stewards.REVIEWER) and not user.is_admin:
        return page.error(
            403,
            _("Only data stewards and reviewers publish datasets here."),
            _("Ask an administrator for a steward account of your body."),
        )
    return None


class TooLarge(Exception):
    pass


async def _upload_form(request: Request, limit: int) -> FormData:
    """The multipart form of an upload, its file spooled to disk as it arrives, refused
    (TooLarge) as soon as the body passes ``limit``."""
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge
        return message

    counted = Request(request.scope, receive)
    return await counted.form(max_files=1, max_fields=20)


def _upload_refusal(page: Page, status: int, text: str, hint: str, **params: object) -> Response:
    return page.render(
        "message.html",
        status,
        title=page.t(text, **params),
        hint=page.t(hint, **params) if hint else "",
        back=BASE + "/",
    )


async def _read_upload(page: Page) -> FormData | Response:
    limit = stewards.settings_of(page.ws).upload_max
    try:
        return await _upload_form(page.request, limit + 64 * 1024)
    except TooLarge:
        return _upload_refusal(
            page,
            413,
            _("The file is too large: the limit is {size} MB."),
            _("Split the table, or ask an administrator to raise CATALOG_UPLOAD_MAX_BYTES."),
            size=limit // 1048576,
        )
    except ClientDisconnect:
        return _upload_refusal(
            page,
            400,
            _("The upload was interrupted before the whole file arrived."),
            _("Nothing was changed: send the file again."),
        )
    except (MultiPartException, HTTPException, ValueError):
        return _upload_refusal(
            page, 400, _("The form could not be read."), _("Send it again from its page.")
        )


def _spool(page: Page, upload: UploadFile) -> Path:
    """The uploaded file copied out of the parser's spool into the drafts' folder."""
    incoming = stewards.settings_of(page.ws).drafts_dir / "entrantes"
    incoming.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=incoming, delete=False)
    with handle as out:
        upload.file.seek(0)
        shutil.copyfileobj(upload.file, out, 1024 * 1024)
    return Path(handle.name)


def _file_of(form: FormData) -> UploadFile | None:
    found = form.get("archivo")
    return found if isinstance(found, UploadFile) and found.filename else None


# ---------------------------------------------------------------- the list


async def overview(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_steward(page)) is not None:
        return refused
    return await blocking(_overview, page)


def _overview(
    page: Page, status: int = 200, message: str = "", kept: dict[str, str] | None = None
) -> Response:
    user = page.signed_in
    service = stewards.StewardService(page.ws)
    names = page.ws.directory()
    settings = service.settings
    known = set(names)
    if settings.content_root is not None:  # before the first build too
        known |= {p.stem for p in (settings.content_root / "publishers").glob("*.yaml")}
    mine = stewards.publishers_of(user, known)
    drafts = [_row(d) for d in service.drafts(user)]
    if any(d["build"] == "queued" for d in drafts):
        stewards_builds.kick(page.ws)  # after a restart, the queue goes on
    return page.render(
        "publicar.html",
        status,
        base=BASE,
        drafts=drafts,
        publishers=[{"slug": p, "name": (names.get(p) or {}).get("name") or p} for p in mine],
        can_start=user.role == stewards.ROLE or user.is_admin,
        message=message,
        kept=kept or {},
        max_mb=settings.upload_max // 1048576,
        configured=settings.content_root is not None,
        status_labels_stewards=stewards.STATUS_LABELS,
        build_labels=stewards.BUILD_LABELS,
    )


def _row(draft: stewards.Draft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "dataset": draft.dataset,
        "title": draft.package.get("title") or "",
        "kind": draft.kind,
        "status": draft.status,
        "build": draft.build.get("status"),
        "updated": draft.updated_at,
        "url": f"{BASE}/{draft.id}",
    }


async def create(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_steward(page)) is not None:
        return refused
    form = await _read_upload(page)
    if isinstance(form, Response):
        return form
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    return await blocking(_create, page, form)


def _create(page: Page, form: FormData) -> Response:
    kept = {
        k: (form.get(k) if isinstance(form.get(k), str) else "")[:100]  # type: ignore[index]
        for k in ("institucion", "nombre", "tipo")
    }
    upload = _file_of(form)
    if upload is None:
        return _overview(page, 422, page.t(_("Choose the CSV or XLSX file to upload.")), kept)
    if stewards_forms_format(upload.filename or "") is None:
        return _overview(
            page,
            422,
            page.t(_("Upload a CSV (.csv) or Excel workbook (.xlsx) file.")),
            kept,
        )
    name = kept["nombre"].strip() or stewards.slug_of(Path(upload.filename or "").stem)
    spooled = _spool(page, upload)
    try:
        draft = stewards.StewardService(page.ws).create(
            page.signed_in,
            kept["institucion"],
            name,
            kept["tipo"] or "new",
            spooled,
            upload.filename or "",
        )
    except RequestError as error:
        spooled.unlink(missing_ok=True)
        return _overview(page, error.status, error.message(page.lang), kept)
    return page.redirect(f"{BASE}/{draft.id}")


def stewards_forms_format(filename: str) -> str | None:
    from catalog.transparency.stewards_files import format_of

    return format_of(filename)


# ---------------------------------------------------------------- one draft


def _draft_id(request: Request) -> int | None:
    return number(str(request.path_params.get("id", "")))


async def draft_page(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_steward(page)) is not None:
        return refused
    draft_id = _draft_id(request)
    if draft_id is None:
        return page.error(404, _("No such draft."), _("Start from the list of drafts."))
    return await blocking(_draft_page, page, draft_id)


def _draft_page(
    page: Page,
    draft_id: int,
    status: int = 200,
    message: str = "",
    typed: dict[str, Any] | None = None,
) -> Response:
    user = page.signed_in
    service = stewards.StewardService(page.ws)
    try:
        draft = service.get(user, draft_id)
    except RequestError as error:
        return page.render(
            "message.html", error.status, title=error.message(page.lang), hint="", back=BASE + "/"
        )
    done = page.request.query_params.get("hecho", "")[:20]
    if not message and done:
        message = page.t(DONE.get(done, _("Saved.")))
    editable = draft.status in ("draft", "returned") and stewards.is_steward_of(
        user, draft.publisher
    )
    reviewable = (
        draft.status == "submitted"
        and stewards.may_review(user, draft.publisher)
        and user.id not in (draft.submitted_by, draft.created_by)
    )
    lang = page.lang
    report = draft.report
    return page.render(
        "publicar_borrador.html",
        status,
        base=BASE,
        draft=draft,
        package=typed if typed is not None else draft.package,
        upload=draft.upload,
        findings=(report.get("errors") or {}).get(lang, []) if report else [],
        validated=bool(report),
        valid=bool(report.get("valid")) if report else False,
        message=message,
        done=status < 400 and bool(message),
        editable=editable,
        reviewable=reviewable,
        waiting_own=draft.status == "submitted" and not reviewable,
        themes=vocabulary("themes"),
        licenses=vocabulary("licenses"),
        frequencies=vocabulary("frequencies"),
        types=stewards.FIELD_TYPES,
        status_labels_stewards=stewards.STATUS_LABELS,
        build_labels=stewards.BUILD_LABELS,
        build_findings=[f.get(lang, "") for f in draft.build.get("findings") or []],
        max_comment=stewards.MAX_COMMENT,
        refresh=draft.build.get("status") in ("queued", "building"),
    )


DONE = {
    "guardado": _("The draft was saved."),
    "validado": _("The draft was saved and validated."),
    "enviado": _("The draft was submitted for review."),
    "archivo": _("The file was read; check what was detected below."),
    "hoja": _("The sheet was read; check the fields below."),
    "devuelto": _("The draft was sent back to its steward with your comment."),
    "aprobado": _(
        "The dataset was approved, written into the content root and queued for the build."
    ),
}


async def replace_file(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_steward(page)) is not None:
        return refused
    draft_id = _draft_id(request)
    if draft_id is None:
        return page.error(404, _("No such draft."), _("Start from the list of drafts."))
    form = await _read_upload(page)
    if isinstance(form, Response):
        return form
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    return await blocking(_replace_file, page, draft_id, form)


def _replace_file(page: Page, draft_id: int, form: FormData) -> Response:
    upload = _file_of(form)
    if upload is None or stewards_forms_format(upload.filename or "") is None:
        return _draft_page(
            page, draft_id, 422, page.t(_("Upload a CSV (.csv) or Excel workbook (.xlsx) file."))
        )
    version = number(str(form.get("version") or "")) or 0
    spooled = _spool(page, upload)
    try:
        stewards.StewardService(page.ws).replace_file(
            page.signed_in, draft_id, version, spooled, upload.filename or ""
        )
    except RequestError as error:
        spooled.unlink(missing_ok=True)
        return _draft_page(page, draft_id, error.status, error.message(page.lang))
    return page.redirect(f"{BASE}/{draft_id}?hecho=archivo")


async def act(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_steward(page)) is not None:
        return refused
    draft_id = _draft_id(request)
    action = request.path_params.get("action", "")
    if draft_id is None or action not in ACTIONS:
        return page.error(404, _("Page not found."), _("Start from the list of drafts."))
    body = await capped_body(request, EDIT_FORM_BYTES)
    if body is None:
        return await blocking(
            _draft_page,
            page,
            draft_id,
            413,
            page.t(
                _("The form is too large ({kb} KB at most): shorten the descriptions."),
                kb=EDIT_FORM_BYTES // 1024,
            ),
        )
    try:
        form = await _parse(request, body)
    except (MultiPartException, HTTPException, ValueError):
        return await blocking(
            _draft_page, page, draft_id, 400, page.t(_("The form could not be read."))
        )
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    return await blocking(_act, page, draft_id, action, form)


async def _parse(request: Request, body: bytes) -> FormData:
    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=0, max_fields=MAX_EDIT_FIELDS)


def _act(page: Page, draft_id: int, action: str, form: FormData) -> Response:
    user = page.signed_in
    service = stewards.StewardService(page.ws)
    version = number(str(form.get("version") or "")) or 0
    typed: dict[str, Any] | None = None
    try:
        if action == "hoja":
            service.choose_sheet(user, draft_id, version, stewards_forms.one(form, "hoja", 200))
            done = "hoja"
        elif action == "guardar":
            current = service.get(user, draft_id)
            typed = stewards_forms.package_from_form(form, current.package)
            draft = service.save(user, draft_id, version, typed)
            step = stewards_forms.one(form, "paso", 20)
            done = "guardado"
            if step == "validar":
                draft = service.validate(user, draft_id, draft.version)
                done = "validado"
            elif step == "enviar":
                service.submit(user, draft_id, draft.version)
                done = "enviado"
        elif action == "devolver":
            service.send_back(
                user,
                draft_id,
                version,
                stewards_forms.one(form, "comentario", stewards.MAX_COMMENT + 1),
            )
            done = "devuelto"
        else:
            service.approve(user, draft_id, version)
            stewards_builds.kick(page.ws)
            done = "aprobado"
    except RequestError as error:
        return _draft_page(page, draft_id, error.status, error.message(page.lang), typed)
    return page.redirect(f"{BASE}/{draft_id}?hecho={done}#estado")
