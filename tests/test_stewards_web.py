"""The stewards' pages: upload, the draft's form, the report, review; CSRF, sizes,
interrupted uploads, two stewards on one draft, Spanish and English, never a 500."""

from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient
from test_stewards import PASSWORD, make_root

from catalog import bodylimit
from catalog.transparency import accounts, stewards, stewards_builds
from catalog.transparency.stewards import StewardSettings
from catalog.transparency.web import create_app

BASE = "/transparencia/oficiales/datos"


@pytest.fixture
def app(workspace, tmp_path, monkeypatch):
    root = make_root(tmp_path)
    stewards.configure(
        workspace,
        StewardSettings(
            content_root=root,
            build_dir=tmp_path / "build",
            drafts_dir=tmp_path / "borradores",
            upload_max=64 * 1024,
        ),
    )
    monkeypatch.setattr(stewards_builds, "kick", lambda w: None)
    with workspace.db.write() as session:
        for email, role, publisher in (
            ("ana@mides.gob.gt", "steward", "mides"),
            ("bea@mides.gob.gt", "steward", "mides"),
            ("rosa@mides.gob.gt", "reviewer", "mides"),
            ("oficial@mides.gob.gt", "officer", "mides"),
        ):
            accounts.add_user(
                session, email, email.split("@")[0].title(), PASSWORD, role, [publisher]
            )
    return create_app(tmp_path, workspace)


def client(app, email):
    c = TestClient(app, follow_redirects=False)
    page = c.get("/transparencia/oficiales/entrar")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    signed = c.post(
        "/transparencia/oficiales/entrar",
        data={"email": email, "password": PASSWORD, "form_token": form_token},
    )
    assert signed.status_code == 303
    return c


def csrf(c, path=BASE + "/"):
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def version_of(c, draft_url):
    return re.search(r'name="version" value="(\d+)"', c.get(draft_url).text).group(1)


def start(c, content=b"codigo,valor\n01,10\n", name="valores.csv", dataset="valores"):
    return c.post(
        BASE + "/nuevo",
        data={"csrf": csrf(c), "institucion": "mides", "tipo": "new", "nombre": dataset},
        files={"archivo": (name, content, "text/csv")},
    )


def test_the_whole_flow_in_pages(app):
    ana, rosa = client(app, "ana@mides.gob.gt"), client(app, "rosa@mides.gob.gt")
    assert ana.get("/transparencia/oficiales/").headers["location"] == BASE + "/"
    listing = ana.get(BASE + "/")
    assert listing.status_code == 200 and "Publicar conjuntos de datos" in listing.text
    made = start(ana, "codigo;valor\n01;10\n".encode("cp1252"))
    assert made.status_code == 303
    url = made.headers["location"]
    page = ana.get(url)
    assert "Detectado: codificación UTF-8, delimitador punto y coma." in page.text
    token = csrf(ana, url)
    form = {
        "csrf": token,
        "version": version_of(ana, url),
        "titulo": "Valores por código",
        "descripcion": "Valores de ejemplo.",
        "palabras": "valores, ejemplo",
        "temas": "SOCI",
        "licencia": "CC-BY-4.0",
        "frecuencia": "annual",
        "contacto-nombre": "UIP",
        "contacto-correo": "uip@mides.gob.gt",
        "campo-0-tipo": "string",
        "campo-1-tipo": "integer",
        "campo-1-minimo": "0",
        "privacidad-k": "5",
        "paso": "enviar",
    }
    sent = ana.post(url + "/guardar", data=form)
    assert sent.status_code == 303, sent.text
    assert "Esperando revisión" in ana.get(url).text
    english = rosa.get(url + "?lang=en")
    assert "Approve and publish" in english.text
    approved = rosa.post(
        url + "/aprobar", data={"csrf": csrf(rosa, url), "version": version_of(rosa, url)}
    )
    assert approved.status_code == 303
    done = ana.get(url)
    assert "En cola para la próxima compilación" in done.text


def test_refusals_are_pages_not_500s(app):
    ana, rosa = client(app, "ana@mides.gob.gt"), client(app, "rosa@mides.gob.gt")
    oficial = client(app, "oficial@mides.gob.gt")
    assert oficial.get(BASE + "/").status_code == 403
    assert TestClient(app, follow_redirects=False).get(BASE + "/").status_code == 303
    # No CSRF token: refused, nothing made.
    forged = ana.post(
        BASE + "/nuevo",
        data={"institucion": "mides", "tipo": "new"},
        files={"archivo": ("a.csv", b"a\n1\n", "text/csv")},
    )
    assert forged.status_code == 403
    # Too large by its declared length: refused before reading (in English when asked).
    big = ana.post(
        BASE + "/nuevo?lang=en",
        data={"csrf": csrf(ana), "institucion": "mides", "tipo": "new"},
        files={"archivo": ("big.csv", b"a\n" + b"1\n" * 70_000, "text/csv")},
    )
    assert big.status_code == 413 and "too large" in big.text
    # Not a table, no file, a bad name, an unknown publisher.
    assert start(ana, b"%PDF", "x.pdf").status_code == 422
    assert ana.post(
        BASE + "/nuevo", data={"csrf": csrf(ana), "institucion": "mides"}
    ).status_code in (400, 422)
    bad = start(ana, dataset="Nombre Malo")
    assert bad.status_code == 422 and "Nombre Malo" in bad.text
    other = ana.post(
        BASE + "/nuevo",
        data={"csrf": csrf(ana), "institucion": "mineduc", "tipo": "new", "nombre": "x"},
        files={"archivo": ("a.csv", b"a\n1\n", "text/csv")},
    )
    assert other.status_code == 403
    # A draft that does not exist, an action that does not exist, garbage ids.
    assert ana.get(BASE + "/999999").status_code == 404
    assert ana.get(BASE + "/abc").status_code == 404
    url = start(ana).headers["location"]
    assert ana.post(url + "/borrar", data={"csrf": csrf(ana, url)}).status_code == 404
    # The steward cannot approve her own draft; the reviewer cannot edit it.
    assert ana.post(
        url + "/aprobar", data={"csrf": csrf(ana, url), "version": "1"}
    ).status_code in (403, 409)
    edit = rosa.post(
        url + "/guardar", data={"csrf": csrf(rosa, url), "version": "1", "titulo": "x"}
    )
    assert edit.status_code == 403
    # A value too long: refused with its name, nothing lost.
    long = ana.post(
        url + "/guardar",
        data={"csrf": csrf(ana, url), "version": version_of(ana, url), "titulo": "x" * 300},
    )
    assert long.status_code == 422 and "titulo" in long.text


def test_two_stewards_editing_one_draft(app):
    ana, bea = client(app, "ana@mides.gob.gt"), client(app, "bea@mides.gob.gt")
    url = start(ana).headers["location"]
    seen = version_of(ana, url)
    first = ana.post(
        url + "/guardar", data={"csrf": csrf(ana, url), "version": seen, "titulo": "De Ana"}
    )
    assert first.status_code == 303
    second = bea.post(
        url + "/guardar", data={"csrf": csrf(bea, url), "version": seen, "titulo": "Título de Bea"}
    )
    assert second.status_code == 409
    assert "Alguien más cambió este borrador" in second.text
    assert 'value="Título de Bea"' in second.text, "what Bea typed is shown again"


def test_interrupted_upload_changes_nothing(app, tmp_path):
    """The client goes away halfway through the file: a clear answer, no draft, no file."""
    ana = client(app, "ana@mides.gob.gt")
    token = csrf(ana)
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n' + token.encode() + b"\r\n",
        b'--b\r\nContent-Disposition: form-data; name="archivo"; filename="a.csv"\r\n\r\na,b\n1,',
    ]

    async def receive():
        if parts:
            return {"type": "http.request", "body": parts.pop(0), "more_body": True}
        return {"type": "http.disconnect"}

    status = asgi_post(app, ana, receive, {"content-type": "multipart/form-data; boundary=b"})
    assert status == 400
    assert "/datos/1" not in ana.get(BASE + "/").text
    assert not list((tmp_path / "borradores").rglob("*.csv"))


def test_the_body_limit_covers_the_uploads():
    limits = bodylimit.limits_from_env({"CATALOG_UPLOAD_MAX_BYTES": "2m"})
    assert limits.limit_for(BASE + "/nuevo") == 2 * 1024 * 1024
    assert limits.limit_for("/transparencia/oficiales/entrar") == 256 * 1024


def test_administrators_create_stewards_and_reviewers(app, workspace):
    with workspace.db.write() as session:
        accounts.add_user(session, "admin@gob.gt", "Administración", PASSWORD, "admin")
    admin = client(app, "admin@gob.gt")
    token = csrf(admin, "/transparencia/admin/")
    page = admin.get("/transparencia/admin/")
    assert 'value="steward"' in page.text and 'value="reviewer"' in page.text
    for email, role in (("nuevo@mides.gob.gt", "steward"), ("revisa@mides.gob.gt", "reviewer")):
        made = admin.post(
            "/transparencia/admin/cuenta",
            data={
                "csrf": token,
                "email": email,
                "name": "Nueva cuenta",
                "password": PASSWORD,
                "role": role,
                "publishers": "mides",
            },
        )
        assert made.status_code == 303, made.text
    with workspace.db.read() as session:
        assert accounts.find_user(session, "nuevo@mides.gob.gt").role == "steward"
        assert accounts.find_user(session, "revisa@mides.gob.gt").publishers == {"mides"}
    assert client(app, "nuevo@mides.gob.gt").get(BASE + "/").status_code == 200


def test_catalog_users_add_takes_the_new_roles(tmp_path):
    from conftest import run_catalog

    done = run_catalog(
        "users", "add", "ana@mides.gob.gt", "--role", "steward", "--publisher", "mides",
        "--password", PASSWORD, "--data-dir", str(tmp_path), lang="en",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "(steward)" in done.stdout


def asgi_post(target, signed_in, receive, headers) -> int:
    """POST to the upload address straight through ASGI: the status answered."""
    import asyncio

    sent = []

    async def send(message):
        sent.append(message)

    cookies = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": BASE + "/nuevo",
        "raw_path": (BASE + "/nuevo").encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"cookie", cookies.encode())]
        + [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(target(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_a_gigabyte_upload_is_refused_before_reading(app):
    """A declared 1 GB body gets its 413 without a byte of it being read, from the
    handler itself and from the body guard ``catalog serve`` puts in front."""
    ana = client(app, "ana@mides.gob.gt")
    read = []

    async def receive():
        read.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(1024**3)}
    assert asgi_post(app, ana, receive, headers) == 413 and not read
    limits = bodylimit.limits_from_env({})

    def guarded(scope, receive, send):
        return bodylimit.guard(app, scope, receive, send, limits)

    assert asgi_post(guarded, ana, receive, headers) == 413 and not read


def test_a_refused_file_is_explained_in_both_languages(app):
    ana = client(app, "ana@mides.gob.gt")
    url = start(ana, b"nombre,valor,Nombre\n1,2,3\n", dataset="dobles").headers["location"]
    spanish = html.unescape(ana.get(url).text)
    assert 'Las columnas 1 y 3 se llaman ambas "Nombre"' in spanish
    assert "Su archivo se conserva" in spanish
    english = html.unescape(ana.get(url + "?lang=en").text)
    assert 'Columns 1 and 3 are both named "Nombre"' in english
    # A corrected file on the same draft: read, and the form to describe it appears.
    fixed = ana.post(
        url + "/archivo",
        data={"csrf": csrf(ana, url), "version": version_of(ana, url)},
        files={"archivo": ("bien.csv", b"nombre,valor\n1,2\n", "text/csv")},
    )
    assert fixed.status_code == 303
    assert 'id="draft-form"' in ana.get(url).text
