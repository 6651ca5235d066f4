"""The administrators' area: local closure days and accounts in the browser, only for
administrators, with CSRF on every form and clear messages for bad input."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from catalog.transparency import accounts
from catalog.transparency.web import create_app

ADMIN = "/transparencia/admin/"
PASSWORD = "clave-de-prueba-1"
FILING = {
    "publisher": "mides",
    "subject": "Comedores sociales activos",
    "description": "Solicito la lista de comedores sociales activos con su dirección y horario.",
    "requester": {"name": "María José Ixcot Tzul", "email": "mjixcot@correo.example"},
}


@pytest.fixture
def app(workspace, tmp_path):
    with workspace.db.write() as session:
        accounts.add_user(session, "admin@gob.gt", "Administración", PASSWORD, "admin")
        accounts.add_user(session, "uip@mides.gob.gt", "UIP MIDES", PASSWORD, "officer", ["mides"])
    return create_app(tmp_path, workspace)


def browser(app):
    return TestClient(app, follow_redirects=False)


def login(client, email, password=PASSWORD):
    page = client.get("/transparencia/oficiales/entrar")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/transparencia/oficiales/entrar",
        data={"email": email, "password": password, "form_token": form_token},
    )


@pytest.fixture
def admin(app):
    client = browser(app)
    assert login(client, "admin@gob.gt").status_code == 303
    return client


def csrf(client, path=ADMIN):
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def post(client, action, **data):
    return client.post(f"{ADMIN}{action}", data={"csrf": csrf(client), **data})


def new_officer(client, **changes):
    data = {
        "name": "UIP Cobán",
        "email": "uip@coban.gob.gt",
        "password": "otra-clave-larga",
        "publishers": ["mineduc", "muni-coban"],
        **changes,
    }
    return post(client, "cuenta", **data)


def due(workspace, publisher="mides"):
    filed, _ = workspace.requests.file({**FILING, "publisher": publisher})
    return filed.tracking_code, filed.due_on


def test_only_administrators_get_in(app, admin):
    anonymous = browser(app)
    response = anonymous.get(ADMIN)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/transparencia/oficiales/entrar?next=")
    assert anonymous.post(f"{ADMIN}cierre", data={}).status_code == 303
    officer = browser(app)
    login(officer, "uip@mides.gob.gt")
    refused = officer.get(ADMIN)
    assert refused.status_code == 403 and "Solo los administradores" in refused.text
    assert 'id="admin-link"' not in officer.get("/transparencia/oficiales/").text
    own = re.search(r'name="csrf" value="([^"]+)"', officer.get("/transparencia/").text)
    assert officer.post(f"{ADMIN}cuenta", data={"csrf": own.group(1)}).status_code == 403
    page = admin.get(ADMIN)
    assert page.status_code == 200 and 'id="admin-link"' in page.text
    assert "uip@mides.gob.gt" in page.text and "Ministerio de Desarrollo Social" in page.text
    english = admin.get(ADMIN + "?lang=en")
    assert "Local closure days" in english.text and "New officer account" in english.text


def test_a_closure_day_moves_new_deadlines_and_can_be_removed(admin, workspace):
    _, before = due(workspace)
    added = post(admin, "cierre", jurisdiction="GT", day=before.isoformat(), reason="Feria local")
    assert added.status_code == 303
    page = admin.get(ADMIN)
    assert before.isoformat() in page.text and "Feria local" in page.text
    _, moved = due(workspace)
    assert moved > before
    removed = post(admin, "quitar-cierre", jurisdiction="GT", day=before.isoformat())
    assert removed.status_code == 303
    assert "Feria local" not in admin.get(ADMIN).text
    assert due(workspace)[1] == before
    again = post(admin, "quitar-cierre", jurisdiction="GT", day=before.isoformat())
    assert again.status_code == 422 and "no es un día de cierre" in again.text


def test_an_administrator_creates_an_officer_who_sees_only_their_publishers(app, admin, workspace):
    mides, _ = due(workspace, "mides")
    mineduc, _ = due(workspace, "mineduc")
    assert new_officer(admin).status_code == 303
    page = admin.get(ADMIN)
    assert "uip@coban.gob.gt" in page.text and "Municipalidad de Cobán" in page.text
    officer = browser(app)
    assert login(officer, "uip@coban.gob.gt", "otra-clave-larga").status_code == 303
    inbox = officer.get("/transparencia/oficiales/")
    assert inbox.status_code == 200
    assert mineduc in inbox.text and mides not in inbox.text
    assert officer.get(f"/transparencia/oficiales/solicitudes/{mides}").status_code == 403
    assert officer.get(ADMIN).status_code == 403


def test_disabling_an_account_ends_its_access(app, admin, workspace):
    officer = browser(app)
    assert login(officer, "uip@mides.gob.gt").status_code == 303
    assert officer.get("/transparencia/oficiales/").status_code == 200
    with workspace.db.write() as session:
        user = accounts.find_user(session, "uip@mides.gob.gt")
        user_id, token = user.id, accounts.create_token(session, user)
    assert post(admin, "desactivar", user=str(user_id)).status_code == 303
    assert officer.get("/transparencia/oficiales/").status_code == 303  # signed out
    assert login(officer, "uip@mides.gob.gt").status_code == 401
    with workspace.db.read() as session:
        assert accounts.user_for_token(session, token) is None
    assert post(admin, "activar", user=str(user_id)).status_code == 303
    assert login(officer, "uip@mides.gob.gt").status_code == 303
    with workspace.db.read() as session:
        me = accounts.find_user(session, "admin@gob.gt").id
    refused = post(admin, "desactivar", user=str(me))
    assert refused.status_code == 422 and "su propia cuenta" in refused.text


def test_forms_without_csrf_are_refused(admin, workspace):
    data = {"jurisdiction": "GT", "day": "2099-01-05", "reason": "Feria local"}
    assert admin.post(f"{ADMIN}cierre", data=data).status_code == 403
    assert admin.post(f"{ADMIN}cierre", data={**data, "csrf": "forged"}).status_code == 403
    assert admin.post(f"{ADMIN}cuenta", data={"email": "x@gob.gt"}).status_code == 403
    assert "2099-01-05" not in admin.get(ADMIN).text
    with workspace.db.read() as session:
        assert [u.email for u in accounts.list_users(session)] == [
            "admin@gob.gt",
            "uip@mides.gob.gt",
        ]


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        (
            "cierre",
            {"jurisdiction": "GT", "day": "7/12/2099", "reason": "Feria"},
            "no es una fecha",
        ),
        ("cierre", {"jurisdiction": "GT", "day": "2000-01-05", "reason": "Feria"}, "ya pasó"),
        ("cierre", {"jurisdiction": "GT", "day": "2099-01-05", "reason": " "}, "motivo del cierre"),
        ("cierre", {"jurisdiction": "XX", "day": "2099-01-05", "reason": "F"}, "desconocida"),
        ("quitar-cierre", {"jurisdiction": "GT", "day": "ayer"}, "no es una fecha"),
        ("cuenta", {"publishers": ["no-existe"]}, "Institución desconocida: no-existe"),
        ("cuenta", {"publishers": []}, "al menos una institución"),
        ("cuenta", {"password": "corta"}, "demasiado corta"),
        ("cuenta", {"email": "uip@mides.gob.gt"}, "Ya existe una cuenta"),
        ("cuenta", {"email": "no-es-correo"}, "no es una dirección de correo"),
        ("desactivar", {"user": "abc"}, "Esa cuenta no existe"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(admin, action, data, message):
    if action == "cuenta":
        response = new_officer(admin, **data)
    else:
        response = post(admin, action, **data)
    assert response.status_code == 422
    assert message in response.text
    if action == "cuenta":
        assert "otra-clave-larga" not in response.text  # the password is never shown again


def test_bad_input_in_english(admin):
    admin.get(ADMIN + "?lang=en")
    response = new_officer(admin, password="short")
    assert response.status_code == 422 and "The password is too short" in response.text
    assert "UIP Cobán" in response.text  # what was written is kept
