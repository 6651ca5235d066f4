"""The officers' pages of active transparency, under ``/transparencia/oficiales/activa/``:
the calendar (what each of the officer's bodies must publish: overdue, due soon,
awaiting review, returned), an item's page for one body (its periods, its
publications, its history, the forms to assign, record, submit, approve, return and
withdraw), the audit export; and the public address of an approved document.

Every handler reads its form with the workspace's caps (``forms.read_form``),
checks the session's CSRF token and does its database and file work off the event
loop (``blocking``); a refused form is shown again with what was typed and a message
naming the problem and its fix.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency import active, attachments
from catalog.transparency.active import ACTION_LABELS, FREQUENCY_LABELS, KIND_LABELS, STATUS_LABELS
from catalog.transparency.compliance import check_month
from catalog.transparency.forms import read_form, text
from catalog.transparency.obligations import period_of
from catalog.transparency.officer_web import needs_login
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.public_web import _served_as
from catalog.transparency.requests import Actor, Forbidden, RequestError, echo
from catalog.transparency.workspace import blocking

BASE = PREFIX + "/oficiales/activa"
STATE_LABELS = {
    "on-time": _("On time"),
    "late": _("Late"),
    "due": _("Due"),
    "overdue": _("Overdue"),
    "not-applicable": _("Not applicable"),
}
# Form action (URL) → the service's action.
ACTIONS = {
    "asignar": "assign",
    "registrar": "record",
    "enviar": "submit",
    "aprobar": "approve",
    "devolver": "return",
    "retirar": "withdraw",
}
FIELDS = ("period", "kind", "url", "reason", "comment", "preparer", "reviewer")


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "kind_labels": KIND_LABELS,
        "record_labels": STATUS_LABELS,
        "active_labels": ACTION_LABELS,
        "frequency_labels": FREQUENCY_LABELS,
        "base": BASE,
    }


# ---------------------------------------------------------------- the calendar


async def calendar(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    return await blocking(_calendar, page)


def _calendar(page: Page) -> Response:
    mine = page.request.query_params.get("mias") == "1"
    found = page.ws.active.calendar(page.signed_in, mine=mine, lang=page.lang)
    return page.render("oficiales_activa.html", mine=mine, **found, **_labels())


# ---------------------------------------------------------------- one item of one body


async def item_page(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    params = request.path_params
    return await blocking(_item_page, page, params["publisher"], params["item"])


def _item_page(
    page: Page,
    publisher: str,
    identifier: str,
    status: int = 200,
    message: str = "",
    kept: dict[str, str] | None = None,
) -> Response:
    service = page.ws.active
    try:
        item = service.item(publisher, identifier)
        service.check_officer(publisher, Actor("officer", page.signed_in))
    except RequestError as error:
        return page.render("message.html", error.status, title=error.message(page.lang), hint="")
    computed = service.compliance()
    cells = computed.history(publisher, item)
    records = {r.period: r for r in service.records(publishers=[publisher], item=item.id)}
    periods = [{"cell": c, "record": _record(records.get(c.period), page.lang)} for c in cells]
    standing = _record(records.get("*"), page.lang)
    assignment = next(
        (a for a in service.assignments([publisher]) if a["obligation"] == item.id), None
    )
    today = service.today(publisher)
    info = service.publishers().get(publisher) or {}
    return page.render(
        "oficiales_activa_item.html",
        status,
        publisher=publisher,
        body_name=info.get("name") or publisher,
        item=item,
        title=item.label(page.lang),
        periods=periods,
        standing=standing,
        permanent=item.frequency == "permanent-on-change",
        current_period=period_of(item, today).key,
        assignment=assignment,
        colleagues=service.colleagues(publisher),
        history=service.history(publisher, item.id),
        message=message,
        kept=kept or {},
        max_mb=active.max_document_bytes() // 1048576,
        types=", ".join(t.upper() for t in active.DOCUMENT_TYPES),
        **_labels(),
    )


def _record(record: Any, lang: str) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "period": record.period,
        "kind": record.kind,
        "status": record.status,
        "url": record.url,
        "filename": record.filename,
        "sha256": record.sha256,
        "reason": record.reason,
        "comment": record.comment,
        "approved_at": record.approved_at,
        "sample": record.sample,
        "public_url": active.document_path(record.sha256, record.filename)
        if record.kind == "document" and record.status == "approved" and record.sha256
        else None,
    }


async def item_action(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    params = request.path_params
    publisher, identifier, name = params["publisher"], params["item"], params["action"]
    if name not in ACTIONS:
        return await blocking(
            page.error, 404, _("Unknown action: {action}."), "", action=echo(name)
        )
    try:
        form = await read_form(request, files=name == "registrar")
    except RequestError as error:
        return await blocking(
            _item_page, page, publisher, identifier, error.status, error.message(page.lang)
        )
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    document: tuple[str, bytes] | None = None
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        document = (upload.filename, await upload.read(active.max_document_bytes() + 1))
    return await blocking(_item_action, page, publisher, identifier, ACTIONS[name], form, document)


def _item_action(
    page: Page,
    publisher: str,
    identifier: str,
    action: str,
    form: FormData,
    document: tuple[str, bytes] | None,
) -> Response:
    service = page.ws.active
    actor = Actor("officer", page.signed_in)
    values = {f: form.get(f) for f in FIELDS}
    kept = {k: text(v)[:5000] for k, v in values.items()}
    try:
        if action == "assign":
            service.assign(actor, publisher, identifier, values["preparer"], values["reviewer"])
        elif action == "record":
            kind = values["kind"] if isinstance(values["kind"], str) else ""
            service.record(
                actor,
                publisher,
                identifier,
                values["period"],
                kind,
                url=values["url"],
                reason=values["reason"],
                document=document if kind == "document" else None,
            )
        elif action == "return":
            service.return_(actor, publisher, identifier, values["period"], values["comment"])
        else:
            getattr(service, action)(actor, publisher, identifier, values["period"])
    except Forbidden as error:
        return _item_page(page, publisher, identifier, 403, error.message(page.lang), kept)
    except RequestError as error:
        return _item_page(page, publisher, identifier, error.status, error.message(page.lang), kept)
    except CatalogError as error:
        return _item_page(page, publisher, identifier, 422, error.message(page.lang), kept)
    anchor = "#registrar" if action in ("record", "assign") else ""
    return page.redirect(f"{BASE}/{quote(publisher)}/{quote(identifier)}{anchor}")


# ---------------------------------------------------------------- the audit export


async def export(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    return await blocking(_export, page, request.path_params["publisher"])


def _export(page: Page, publisher: str) -> Response:
    from catalog.transparency import active_export

    query = page.request.query_params
    service = page.ws.active
    try:
        if publisher not in service.publishers():
            raise RequestError(
                _("Unknown public body: {publisher}."), "", publisher=echo(publisher)
            )
        service.check_officer(publisher, Actor("officer", page.signed_in))
        today = service.today(publisher)
        first = check_month((query.get("desde") or "")[:20], today).key
        last = check_month((query.get("hasta") or "")[:20], today).key
        kind = query.get("formato") or "csv"
        data, media_type, filename = active_export.export_bytes(
            page.ws, publisher, first, last, kind, lang=page.lang
        )
    except RequestError as error:
        return page.render("message.html", error.status, title=error.message(page.lang), hint="")
    except CatalogError as error:
        return page.render("message.html", 422, title=error.message(page.lang), hint="")
    response = Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return page.finish(response)


# ---------------------------------------------------------------- public documents


async def document(request: Request) -> Response:
    params = request.path_params
    return await blocking(_document, Page(request), params["sha256"], params["name"])


def _document(page: Page, sha256: str, name: str) -> Response:
    found = page.ws.active.public_document(sha256, name)
    path = None
    if found is not None and found.sha256:
        try:
            path = attachments.blob_path(page.ws.settings, found.sha256)
        except ValueError:
            path = None
    if found is None or path is None or not path.is_file():
        return page.error(404, _("File not found."), "")
    media_type, disposition = _served_as(found.filename or "", found.media_type or "")
    return FileResponse(
        path,
        media_type=media_type,
        filename=found.filename,
        content_disposition_type=disposition,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "public, max-age=86400",
        },
    )
