"""The workspace's pages: the public form with its anti-spam and CSRF checks, tracking,
the public list, statistics, the feed, officers' login, inbox and actions."""

from __future__ import annotations

import re

import feedparser
import pytest
from starlette.testclient import TestClient

from catalog.transparency import accounts
from catalog.transparency.web import create_app

FORM = {
    "publisher": "mides",
    "subject": "Comedores sociales activos",
    "description": "Solicito la lista de comedores sociales activos con su dirección y horario.",
    "name": "María José Ixcot Tzul",
    "email": "mjixcot@correo.example",
    "preferred_format": "csv",
}


@pytest.fixture
def web(workspace, tmp_path):
    with workspace.db.write() as session:
        accounts.add_user(
            session, "uip@mides.gob.gt", "UIP MIDES", "clave-de-prueba-1", "officer", ["mides"]
        )
        accounts.add_user(
            session,
            "uip@mineduc.gob.gt",
            "UIP MINEDUC",
            "clave-de-prueba-1",
            "officer",
            ["mineduc"],
        )
    return TestClient(create_app(tmp_path, workspace), follow_redirects=False)


def token(client, path="/transparencia/solicitudes/nueva"):
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def csrf(client, path):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def file(client, **changes):
    data = {**FORM, **changes}
    data.setdefault("form_token", token(client))
    return client.post("/transparencia/solicitudes/nueva", data=data)


def login(client, email="uip@mides.gob.gt"):
    response = client.post(
        "/transparencia/oficiales/entrar",
        data={
            "email": email,
            "password": "clave-de-prueba-1",
            "form_token": token(client, "/transparencia/oficiales/entrar"),
        },
    )
    assert response.status_code == 303
    return response


def test_file_track_and_never_show_the_requester(web):
    filed = file(web)
    assert filed.status_code == 201
    code = re.search(r'id="tracking-code">([^<]+)<', filed.text).group(1)
    key = re.search(r"clave=([\w-]+)", filed.text).group(1)
    public = [
        web.get(f"/transparencia/solicitudes/{code}"),
        web.get("/transparencia/solicitudes/"),
        web.get("/transparencia/estadisticas"),
        web.get("/transparencia/respuestas.atom"),
    ]
    for page in public:
        assert page.status_code == 200
        assert "Ixcot" not in page.text and "mjixcot" not in page.text
    assert code in public[1].text
    mine = web.get(f"/transparencia/solicitudes/{code}?clave={key}")
    assert "desistir" in mine.text
    assert web.get(f"/transparencia/solicitudes/{code}?clave=wrong").status_code == 403


def test_bad_filings_keep_what_was_written(web):
    response = file(web, email="no-es-correo", subject="")
    assert response.status_code == 422
    assert "no es una dirección de correo" in response.text
    assert "Solicito la lista de comedores" in response.text  # nothing is lost
    english = web.post(
        "/transparencia/solicitudes/nueva?lang=en",
        data={**FORM, "email": "bad", "form_token": token(web)},
    )
    assert "is not a valid e-mail address" in english.text


def test_anti_spam_and_csrf_on_the_public_form(web, workspace):
    assert file(web, form_token="forged").status_code == 400
    assert file(web, website="http://spam.example").status_code == 400
    fresh = TestClient(web.app)  # another browser: no cookie matching the token
    stolen = fresh.post("/transparencia/solicitudes/nueva", data={**FORM, "form_token": token(web)})
    assert stolen.status_code == 400
    object.__setattr__(workspace.settings, "min_fill_seconds", 30.0)
    too_fast = file(web)
    assert too_fast.status_code == 400 and "demasiado rápido" in too_fast.text


def test_language_switch_sticks(web):
    english = web.get("/transparencia/?lang=en")
    assert "File a request" in english.text and english.cookies.get("lang") == "en"
    assert "File a request" in web.get("/transparencia/solicitudes/nueva").text
    assert "Presentar una solicitud" in web.get("/transparencia/?lang=es").text


def test_officer_works_a_request_from_login_to_publication(web):
    code = re.search(r'id="tracking-code">([^<]+)<', file(web).text).group(1)
    assert web.get("/transparencia/oficiales/").status_code == 303  # login first
    login(web)
    inbox = web.get("/transparencia/oficiales/")
    assert code in inbox.text
    detail = f"/transparencia/oficiales/solicitudes/{code}"
    assert "mjixcot@correo.example" in web.get(detail).text  # officers see the requester
    token_ = csrf(web, detail)
    assert (
        web.post(f"{detail}/prorroga", data={"reason": "Volumen de la información."}).status_code
        == 403
    )
    assert (
        web.post(
            f"{detail}/prorroga", data={"reason": "Volumen de la información.", "csrf": token_}
        ).status_code
        == 303
    )
    pdf = b"%PDF-1.4 listado de comedores"
    answered = web.post(
        f"{detail}/responder",
        data={
            "outcome": "granted",
            "text": "Se adjunta el listado. Gracias, María José Ixcot Tzul.",
            "csrf": token_,
        },
        files=[("files", ("../../listado comedores.pdf", pdf, "application/pdf"))],
    )
    assert answered.status_code == 303
    bad = web.post(
        f"{detail}/responder",
        data={"outcome": "granted", "text": "Otra respuesta.", "csrf": token_},
        files=[("files", ("virus.exe", b"MZ", "application/octet-stream"))],
    )
    assert bad.status_code in (409, 422)
    assert (
        web.post(
            f"{detail}/regla",
            data={"pattern": "listado", "csrf": token_, "scope": "request", "replacement": "[doc]"},
        ).status_code
        == 303
    )
    assert web.post(f"{detail}/publicar", data={"csrf": token_}).status_code == 303
    public = web.get(f"/transparencia/solicitudes/{code}")
    assert "[doc]" in public.text and "Ixcot" not in public.text
    link = re.search(
        r'href="(/transparencia/adjuntos/\d+/listado-comedores.pdf)"', public.text
    ).group(1)
    download = web.get(link)
    assert download.status_code == 200 and download.content == pdf
    feed = feedparser.parse(web.get("/transparencia/respuestas.atom").text)
    assert feed.entries and code in feed.entries[0].title and "Ixcot" not in str(feed)


def test_officers_of_other_publishers_are_refused(web):
    code = re.search(r'id="tracking-code">([^<]+)<', file(web).text).group(1)
    login(web, "uip@mineduc.gob.gt")
    assert code not in web.get("/transparencia/oficiales/").text
    detail = f"/transparencia/oficiales/solicitudes/{code}"
    assert web.get(detail).status_code == 403
    own = csrf(web, "/transparencia/oficiales/")
    refused = web.post(f"{detail}/asignar", data={"csrf": own})
    assert refused.status_code == 403


def test_wrong_password_and_unknown_pages(web):
    response = web.post(
        "/transparencia/oficiales/entrar",
        data={
            "email": "uip@mides.gob.gt",
            "password": "otra",
            "form_token": token(web, "/transparencia/oficiales/entrar"),
        },
    )
    assert response.status_code == 401 and "incorrectos" in response.text
    missing = web.get("/transparencia/no-existe")
    assert missing.status_code == 404 and "Página no encontrada" in missing.text
    assert web.get("/transparencia/solicitudes/SOL-2025-ZZZZZZ").status_code == 404


def test_where_the_law_asks_for_an_address_the_request_waits_for_the_email(web, workspace):
    from sqlalchemy import select

    from catalog.transparency.models import OutboxMessage

    filed = file(web, publisher="cplt-demo")
    assert filed.status_code == 201 and 'id="confirmation-needed"' in filed.text
    assert "clave=" not in filed.text  # no private link before the address is confirmed
    code = re.search(r'id="tracking-code">([^<]+)<', filed.text).group(1)
    assert code not in web.get("/transparencia/solicitudes/").text
    waiting = web.get(f"/transparencia/solicitudes/{code}")
    assert waiting.status_code == 404 and "confirmación" in waiting.text
    with workspace.db.read() as session:
        body = session.scalars(select(OutboxMessage.body)).one()
    link = re.search(r"(/transparencia/solicitudes/\S+/confirmar\?token=\S+)", body).group(1)
    page = web.get(link)  # opening the link changes nothing: mail scanners open links
    assert page.status_code == 200 and 'id="confirm"' in page.text
    assert web.get(f"/transparencia/solicitudes/{code}").status_code == 404
    form = dict(re.findall(r'name="(form_token|token)" value="([^"]+)"', page.text))
    confirmed = web.post(f"/transparencia/solicitudes/{code}/confirmar", data=form)
    assert confirmed.status_code == 200 and "clave=" in confirmed.text
    assert web.get(f"/transparencia/solicitudes/{code}").status_code == 200
    again = web.post(f"/transparencia/solicitudes/{code}/confirmar", data=form)
    assert again.status_code == 409
    forged = web.post(
        f"/transparencia/solicitudes/{code}/confirmar", data={**form, "token": "x.y.z"}
    )
    assert forged.status_code in (403, 409)


def test_attachments_are_served_with_a_safe_type_and_downloaded_unless_harmless(web, workspace):
    from datetime import UTC, datetime

    from catalog.transparency import attachments
    from catalog.transparency.models import Attachment, InfoRequest

    code = re.search(r'id="tracking-code">([^<]+)<', file(web).text).group(1)
    login(web)
    detail = f"/transparencia/oficiales/solicitudes/{code}"
    answered = web.post(
        f"{detail}/responder",
        data={"outcome": "granted", "text": "Se adjuntan los archivos.", "csrf": csrf(web, detail)},
        files=[
            ("files", ("listado.pdf", b"%PDF-1.4 listado", "text/html")),
            ("files", ("datos.csv", b"<script>alert(1)</script>", "text/html")),
        ],
    )
    assert answered.status_code == 303
    # A row from before the upload check (any type, any name), as the old API allowed.
    stored = attachments.store(workspace.settings, "viejo.csv", b"<html><script>x</script>")
    with workspace.db.write() as session:
        owner = session.query(InfoRequest).one()
        session.add(
            Attachment(
                request_id=owner.id,
                filename="viejo.html",
                media_type="text/html",
                size=stored["size"],
                sha256=stored["sha256"],
                created_at=datetime.now(UTC),
            )
        )
    assert web.post(f"{detail}/publicar", data={"csrf": csrf(web, detail)}).status_code == 303
    public = web.get(f"/transparencia/solicitudes/{code}").text
    links = re.findall(r'href="(/transparencia/adjuntos/\d+/[^"]+)"', public)
    served = {link.rsplit("/", 1)[1]: web.get(link) for link in links}
    assert served["listado.pdf"].headers["content-type"] == "application/pdf"
    assert served["listado.pdf"].headers["content-disposition"].startswith("inline")
    assert served["datos.csv"].headers["content-type"].startswith("text/csv")
    assert served["datos.csv"].headers["content-disposition"].startswith("attachment")
    assert served["viejo.html"].headers["content-type"] == "application/octet-stream"
    assert served["viejo.html"].headers["content-disposition"].startswith("attachment")
    for response in served.values():
        assert response.headers["x-content-type-options"] == "nosniff"
    huge = web.get("/transparencia/adjuntos/12345678901234567890123/listado.pdf")
    assert huge.status_code == 404


def test_database_and_redaction_work_runs_off_the_event_loop(web, workspace, monkeypatch):
    """A filing, a page and a redaction preview run in worker threads: the event loop
    (which serves every other page of the process) never waits on them."""
    import asyncio

    from catalog.transparency import redaction

    seen: list[str] = []
    redaction.redact_once.cache_clear()  # so that the preview redacts again here

    def watch(name, function):
        def watched(*args, **kwargs):
            seen.append(f"{name}:{'loop' if asyncio._get_running_loop() else 'thread'}")
            return function(*args, **kwargs)

        return watched

    monkeypatch.setattr(workspace.requests, "file", watch("file", workspace.requests.file))
    monkeypatch.setattr(workspace.requests, "get", watch("get", workspace.requests.get))
    monkeypatch.setattr(redaction, "redact", watch("redact", redaction.redact))
    code = re.search(r'id="tracking-code">([^<]+)<', file(web).text).group(1)
    login(web)
    web.get(f"/transparencia/oficiales/solicitudes/{code}")
    web.get(f"/transparencia/solicitudes/{code}")
    assert {"file:thread", "get:thread", "redact:thread"} <= set(seen)
    assert not [s for s in seen if s.endswith(":loop")]


def test_every_string_of_the_workspace_templates_has_a_spanish_translation():
    from catalog.i18n import gettext
    from catalog.site.render import TEMPLATES

    msgids: set[str] = set()
    for template in (TEMPLATES / "transparencia").glob("*.html"):
        msgids |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', template.read_text(encoding="utf-8")))
    assert len(msgids) > 100
    assert not sorted(m for m in msgids if gettext(m, "es") == m)


def test_the_pages_use_the_catalogues_base_header_and_stylesheet(web):
    page = web.get("/transparencia/solicitudes/nueva?lang=en")
    assert '<link rel="stylesheet" href="/assets/style.css">' in page.text
    assert '<header class="site-header">' in page.text and "<style>" not in page.text
    for link in ('href="/en/search/"', 'href="/en/publishers/"', 'href="/sql/"', 'href="/api/"'):
        assert link in page.text, link
    switch = 'href="/transparencia/solicitudes/nueva?lang=es" hreflang="es"'
    assert switch in page.text and "Sign out" not in page.text
    login(web)
    inbox = web.get("/transparencia/oficiales/")
    assert 'action="/transparencia/oficiales/salir"' in inbox.text and "UIP MIDES" in inbox.text
