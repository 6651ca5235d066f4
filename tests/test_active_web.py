"""The officers' pages of active transparency: the calendar, an item's page, its forms
(CSRF, hostile input, nothing lost), the audit download and the public documents."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from catalog import clock
from catalog.transparency import accounts
from catalog.transparency.web import create_app

ITEM = "/transparencia/oficiales/activa/mides/GT-LAIP-10.12"
PERMANENT = "/transparencia/oficiales/activa/mides/GT-LAIP-10.1"
_today = clock.today()
# Last month: inside the calendar's window, whatever today is.
PERIOD = f"{_today.year - (_today.month == 1):04d}-{(_today.month - 2) % 12 + 1:02d}"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(workspace, tmp_path):
    with workspace.db.write() as session:
        for email, name, publishers in [
            ("ana@mides.gob.gt", "Ana", ["mides"]),
            ("luis@mides.gob.gt", "Luis", ["mides"]),
            ("uip@mineduc.gob.gt", "Otro", ["mineduc"]),
        ]:
            accounts.add_user(session, email, name, "clave-de-prueba-1", "officer", publishers)
    return create_app(tmp_path, workspace)


def client(app, email):
    c = TestClient(app, follow_redirects=False)
    page = c.get("/transparencia/oficiales/entrar")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    signed = c.post(
        "/transparencia/oficiales/entrar",
        data={"email": email, "password": "clave-de-prueba-1", "form_token": form_token},
    )
    assert signed.status_code == 303
    return c


def csrf(c, path=ITEM):
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def test_link_submit_approve_and_the_calendar(app):
    ana, luis = client(app, "ana@mides.gob.gt"), client(app, "luis@mides.gob.gt")
    assert "/transparencia/oficiales/activa/" in ana.get("/transparencia/oficiales/").text
    calendar = ana.get("/transparencia/oficiales/activa/")
    assert calendar.status_code == 200 and "GT-LAIP-10.12" in calendar.text
    token = csrf(ana)
    assigned = ana.post(ITEM + "/asignar", data={"csrf": token, "preparer": "ana@mides.gob.gt",
                                                 "reviewer": "luis@mides.gob.gt"})  # fmt: skip
    assert assigned.status_code == 303
    data = {"csrf": token, "period": PERIOD, "kind": "link", "url": "https://mides.gob.gt/v"}
    assert ana.post(ITEM + "/registrar", data=data).status_code == 303
    assert ana.post(ITEM + "/registrar", data=data).status_code == 303  # twice: harmless
    sent = {"csrf": token, "period": PERIOD}
    assert ana.post(ITEM + "/enviar", data=sent).status_code == 303
    assert "Enviada, en espera de revisión" in ana.get("/transparencia/oficiales/activa/").text
    refused = ana.post(ITEM + "/aprobar", data=sent)
    assert refused.status_code == 403 and "otra persona" in refused.text
    approved = luis.post(ITEM + "/aprobar", data={**sent, "csrf": csrf(luis)})
    assert approved.status_code == 303
    page = luis.get(ITEM)
    assert "Aprobada" in page.text and "https://mides.gob.gt/v" in page.text
    assert "Aprobada y publicada" in page.text  # the history


def test_refused_forms_keep_what_was_typed(app):
    ana = client(app, "ana@mides.gob.gt")
    token = csrf(ana)
    bad = ana.post(ITEM + "/registrar", data={"csrf": token, "period": "2025-05", "kind": "link",
                                             "url": "javascript:alert(1)"})  # fmt: skip
    assert bad.status_code == 422
    assert "no es una dirección web" in bad.text and "http://" in bad.text
    assert 'value="javascript:alert(1)"' in bad.text  # what was typed is there
    english = ana.post(ITEM + "/registrar?lang=en", data={"csrf": token, "period": "2099-01",
                                                         "kind": "link", "url": "https://a.example"})  # fmt: skip
    assert english.status_code == 422 and "has not started yet" in english.text
    assert 'value="2099-01"' in english.text
    reason = "Motivo largo que se conserva"
    unknown = ana.post(
        "/transparencia/oficiales/activa/mides/GT-LAIP-99/registrar?lang=es",
        data={"csrf": token, "period": "2025-05", "kind": "not-applicable", "reason": reason},
    )
    assert unknown.status_code == 404 and "desconocido" in unknown.text
    na = ana.post(ITEM + "/registrar", data={"csrf": token, "period": "2025-05",
                                            "kind": "not-applicable", "reason": ""})  # fmt: skip
    assert na.status_code == 422 and "por qué" in na.text.lower()


def test_csrf_and_other_bodies(app):
    ana, otro = client(app, "ana@mides.gob.gt"), client(app, "uip@mineduc.gob.gt")
    forged = ana.post(ITEM + "/registrar", data={"csrf": "forjado", "period": "2025-05",
                                                "kind": "link", "url": "https://a.example"})  # fmt: skip
    assert forged.status_code == 403
    assert otro.get(ITEM).status_code == 403
    token = csrf(otro, "/transparencia/oficiales/activa/")
    assert otro.post(ITEM + "/registrar", data={"csrf": token, "period": "2025-05", "kind": "link",
                                               "url": "https://a.example"}).status_code == 403  # fmt: skip
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get(ITEM).status_code == 303
    assert anonymous.post(ITEM + "/registrar", data={}).status_code == 303
    assert ana.post(ITEM + "/borrar", data={"csrf": csrf(ana)}).status_code == 404


def test_documents_are_public_once_approved(app):
    ana, luis = client(app, "ana@mides.gob.gt"), client(app, "luis@mides.gob.gt")
    token = csrf(ana, PERMANENT)
    wrong = ana.post(PERMANENT + "/registrar", data={"csrf": token, "period": "*", "kind": "document"},
                     files={"document": ("virus.exe", b"MZ\x90\x00")})  # fmt: skip
    assert wrong.status_code == 422 and "no se aceptan" in wrong.text
    big = ana.post(PERMANENT + "/registrar", data={"csrf": token, "period": "*", "kind": "document"},
                   files={"document": ("grande.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10))})  # fmt: skip
    assert big.status_code == 413
    ok = ana.post(PERMANENT + "/registrar", data={"csrf": token, "period": "*", "kind": "document"},
                  files={"document": ("Organigrama.pdf", PDF)})  # fmt: skip
    assert ok.status_code == 303
    sha = re.search(r"SHA-256 ([0-9a-f]{12})", ana.get(PERMANENT).text).group(1)
    import hashlib

    digest = hashlib.sha256(PDF).hexdigest()
    assert digest.startswith(sha)
    public = TestClient(app)
    address = f"/transparencia/activa/documentos/{digest}/Organigrama.pdf"
    assert public.get(address).status_code == 404  # a draft is not public
    ana.post(PERMANENT + "/enviar", data={"csrf": token, "period": "*"})
    luis.post(PERMANENT + "/aprobar", data={"csrf": csrf(luis, PERMANENT), "period": "*"})
    served = public.get(address)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert public.get(f"/transparencia/activa/documentos/{digest}/otro.pdf").status_code == 404
    assert public.get("/transparencia/activa/documentos/zzz/../x").status_code == 404


def test_audit_download(app):
    ana = client(app, "ana@mides.gob.gt")
    token = csrf(ana)
    ana.post(ITEM + "/registrar", data={"csrf": token, "period": "2025-05", "kind": "link",
                                       "url": "https://mides.gob.gt/=HYPERLINK"})  # fmt: skip
    base = "/transparencia/oficiales/activa/mides/exportar"
    got = ana.get(base + "?desde=2025-01&hasta=2025-06&formato=csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "GT-LAIP-10.12" in got.text and "2025-05" in got.text
    xlsx = ana.get(base + "?desde=2025-01&hasta=2025-06&formato=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert ana.get(base + "?desde=2025-06&hasta=2025-01").status_code == 422
    assert ana.get(base + "?desde=nada&hasta=2025-01").status_code == 422
    assert ana.get(base + "?desde=2025-01&hasta=2025-02&formato=exe").status_code == 422
    otro = client(app, "uip@mineduc.gob.gt")
    assert otro.get(base + "?desde=2025-01&hasta=2025-02").status_code == 403
