"""The workspace's public pages: the request form, the e-mail confirmation, tracking and
the requester's actions, the list of requests, statistics, the feed of answers and
the published attachments.

Each handler reads the body on the event loop (awaiting the network), then runs
everything else (database, redaction, templates) in a worker thread with
``blocking``: one slow page never holds up the others. A refused form is shown again
with what the person wrote and a message saying what to fix.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from catalog import clock
from catalog.content import is_slug
from catalog.i18n import _
from catalog.transparency import attachments, stats
from catalog.transparency.feeds import answers_feed
from catalog.transparency.forms import key_of, number, read_form, text
from catalog.transparency.models import Attachment, InfoRequest
from catalog.transparency.pages import PREFIX, Page, form_problem_message
from catalog.transparency.requests import (
    LIMITS,
    MAX_LENGTH,
    REQUESTER,
    FilingErrors,
    Forbidden,
    RequestError,
    echo,
)
from catalog.transparency.states import FORMAT_LABELS, OUTCOMES, PUBLIC_STATUSES
from catalog.transparency.workspace import blocking

PAGE_SIZE = 25
FILING_FIELDS = ("publisher", "subject", "description", "name", "email", "preferred_format")
# The requester's form action (URL) → state-machine action and the form fields it reads.
REQUESTER_ACTIONS = {
    "aclarar": ("clarify", ("text",)),
    "desistir": ("withdraw", ()),
    "apelar": ("appeal", ("reason",)),
}
# Types a browser shows without running anything; every other file is downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _filed(request: InfoRequest) -> dict[str, Any]:
    """What the "request received" page shows of a request just filed or confirmed."""
    return {
        "tracking_code": request.tracking_code,
        "start_on": request.start_on,
        "due_on": request.due_on,
    }


async def home(request: Request) -> Response:
    return await blocking(Page(request).render, "home.html")


async def new_request(request: Request) -> Response:
    return await blocking(_new_form, Page(request), {}, {}, 200, "")


def _new_form(
    page: Page, values: dict[str, str], errors: dict[str, str], status: int, message: str
) -> Response:
    return page.render(
        "new.html",
        status,
        publishers=page.publishers(),
        formats=FORMAT_LABELS,
        limits={**{k: high for k, (_low, high) in LIMITS.items()}, **MAX_LENGTH},
        values=values,
        errors=errors,
        message=message,
    )


async def file_request(request: Request) -> Response:
    page = Page(request)
    try:
        form = await read_form(request)
    except RequestError as error:
        return await blocking(page.refused, error)
    return await blocking(_file_request, page, form)


def _file_request(page: Page, form: FormData) -> Response:
    values = {k: text(form.get(k)) for k in FILING_FIELDS}
    if form.get("website"):  # the honeypot: people do not see this field, robots fill it
        message = page.t(_("The form could not be verified (missing or old security token)."))
        return _new_form(page, values, {}, 400, message)
    problem = page.public_token_problem(form, page.ws.settings.min_fill_seconds)
    if problem:
        what, hint = form_problem_message(problem)
        return _new_form(page, values, {}, 400, f"{page.t(what)} {page.t(hint)}")
    data = {
        "publisher": form.get("publisher"),
        "subject": form.get("subject"),
        "description": form.get("description"),
        "requester": {"name": form.get("name"), "email": form.get("email")},
        "preferred_format": form.get("preferred_format") or None,
    }
    request = page.request
    client = page.ws.signer.client_hash(request.client.host if request.client else "unknown")
    try:
        filed, key = page.ws.requests.file(data, client=client, lang=page.lang)
    except FilingErrors as error:
        errors = {e.field or "": e.message(page.lang) for e in error.errors}
        return _new_form(page, values, errors, 422, error.message(page.lang))
    except RequestError as error:
        return _new_form(page, values, {}, error.status, error.message(page.lang))
    if key is None:  # the e-mail must be confirmed first (the profile says so)
        return page.render("filed.html", 201, request=_filed(filed), key=None, private_link="")
    link = page.ws.requests.link(filed, key)
    return page.render("filed.html", 201, request=_filed(filed), key=key, private_link=link)


async def confirm_page(request: Request) -> Response:
    """The link of the confirmation e-mail: a page with one button. Confirming takes a
    POST, so that mail scanners that open every link confirm nothing."""
    page = Page(request)
    code = request.path_params["code"]
    token = request.query_params.get("token") or ""
    return await blocking(page.render, "confirm.html", code=code, token=token[:1000])


async def find(request: Request) -> Response:
    """The home page's tracking box: go to the code typed in."""
    page = Page(request)
    code = "".join(str(request.query_params.get("code") or "").split()).upper()[:40]
    return page.redirect(f"{PREFIX}/solicitudes/{quote(code)}" if code else f"{PREFIX}/")


async def list_requests(request: Request) -> Response:
    return await blocking(_list_page, Page(request))


def _list_page(page: Page) -> Response:
    params = page.request.query_params
    publisher = params.get("institucion") or None
    publisher = publisher if is_slug(publisher) else None
    status = params.get("estado") or None
    status = status if status in PUBLIC_STATUSES else None
    found = page.ws.requests.public_list(
        lang=page.lang,
        publisher=publisher,
        status=status,
        page=number(params.get("pagina") or "1") or 1,
        page_size=PAGE_SIZE,
    )
    publishers = page.publishers()
    return page.render(
        "list.html",
        items=found.items,
        total=found.total,
        number=found.page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        publishers=publishers,
        statuses=PUBLIC_STATUSES,
        chosen={"institucion": publisher or "", "estado": status or ""},
        names={p["publisher"]: p["name"] for p in publishers},
    )


async def track(request: Request) -> Response:
    return await blocking(_track_page, Page(request))


def _track_page(page: Page) -> Response:
    code = page.request.path_params["code"]
    key = page.request.query_params.get("clave") or None
    try:
        found = page.ws.requests.tracking(code, lang=page.lang, key=key)
    except Forbidden:  # the request exists: the key is wrong
        return page.error(
            403,
            _("This private link is not valid for this request."),
            _("Use the link in the e-mail you received when you filed the request."),
        )
    except RequestError as error:
        return page.refused(error)
    publisher = found.view["publisher"]
    return page.render(
        "track.html",
        view=found.view,
        publisher_name=(page.ws.directory().get(publisher) or {}).get("name") or publisher,
        key=key if found.own_subject is not None else None,
        own_subject=found.own_subject,
    )


async def requester_action(request: Request) -> Response:
    page = Page(request)
    name = request.path_params["action"]
    if name not in REQUESTER_ACTIONS and name != "confirmar":
        return await blocking(
            page.error, 404, _("Unknown action: {action}."), "", action=echo(name)
        )
    try:
        form = await read_form(request)
    except RequestError as error:
        return await blocking(page.refused, error)
    if name == "confirmar":
        return await blocking(_confirm, page, form)
    return await blocking(_requester_action, page, name, form)


def _requester_action(page: Page, name: str, form: FormData) -> Response:
    code = page.request.path_params["code"]
    key = key_of(form.get("clave"))
    back = f"{PREFIX}/solicitudes/{quote(echo(code))}?clave={quote(key)}"
    problem = page.public_token_problem(form, 0)
    if problem:
        return page.error(400, *form_problem_message(problem))
    action, fields = REQUESTER_ACTIONS[name]
    params = {f: form.get(f) for f in fields}
    try:
        page.ws.requests.act(code, action, REQUESTER, params, key=form.get("clave"))
    except RequestError as error:
        return page.render(
            "message.html",
            error.status,
            title=error.message(page.lang),
            hint="",
            back=back,
            kept={k: text(v) for k, v in params.items()},
        )
    return page.redirect(back)


def _confirm(page: Page, form: FormData) -> Response:
    """The requester confirmed the e-mail: the request is received, here is their link."""
    code = page.request.path_params["code"]
    problem = page.public_token_problem(form, 0)
    if problem:
        return page.error(400, *form_problem_message(problem))
    try:
        confirmed, key = page.ws.requests.confirm(code, form.get("token"))
    except RequestError as error:
        return page.refused(error)
    link = page.ws.requests.link(confirmed, key)
    return page.render("filed.html", 200, request=_filed(confirmed), key=key, private_link=link)


async def statistics(request: Request) -> Response:
    return await blocking(_statistics_page, Page(request))


def _statistics_page(page: Page) -> Response:
    with page.ws.db.read() as session:
        found = stats.compute(session, clock.today())
    return page.render(
        "stats.html",
        overall=found["overall"],
        rows=found["publishers"],
        names=page.publisher_names(),
        outcomes=OUTCOMES,
    )


async def feed(request: Request) -> Response:
    body = await blocking(_feed_body, Page(request))
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _feed_body(page: Page) -> bytes:
    with page.ws.db.read() as session:
        return answers_feed(session, page.ws.settings.public_url, page.lang)


async def attachment(request: Request) -> Response:
    return await blocking(_attachment, Page(request))


def _attachment(page: Page) -> Response:
    found_id = number(page.request.path_params["id"])
    with page.ws.db.read() as session:
        found = session.get(Attachment, found_id) if found_id is not None else None
        owner = session.get(InfoRequest, found.request_id) if found else None
    allowed = owner is not None and (
        owner.published_at is not None or (page.user and page.user.can_act_on(owner.publisher))
    )
    if found is None or not allowed or found.filename != page.request.path_params["name"]:
        return page.error(404, _("File not found."), "")
    try:
        path = attachments.blob_path(page.ws.settings, found.sha256)
    except ValueError:
        path = None
    if path is None or not path.is_file():
        return page.error(404, _("File not found."), "")
    media_type, disposition = _served_as(found.filename, found.media_type)
    return FileResponse(
        path,
        media_type=media_type,
        filename=found.filename,
        content_disposition_type=disposition,
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )


def _served_as(filename: str, recorded: str) -> tuple[str, str]:
    """(Content-Type, disposition) from the file's own checked extension, whatever the
    record says: a type the upload check did not give is served as bytes, downloaded."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    media_type = attachments.TYPES.get(extension, ("application/octet-stream", None))[0]
    if media_type != recorded:
        media_type = "application/octet-stream"
    return media_type, "inline" if media_type in INLINE_TYPES else "attachment"
