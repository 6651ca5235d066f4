"""Accounts and sessions of the workspace: login throttling and lockouts, server-side
sessions (logout, disable, new password, idle and absolute limits), the administrator's
sessions and lockouts, hostile forms, API-token throttling, and no blocking work on the
event loop. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select
from starlette.testclient import TestClient

from catalog.errors import CatalogError
from catalog.transparency import accounts, logins, sessions, throttle
from catalog.transparency.auth import DEVICE_COOKIE, SESSION_COOKIE
from catalog.transparency.models import LoginThrottle
from catalog.transparency.testing import PUBLISHERS
from catalog.transparency.web import create_app
from catalog.transparency.workspace import Workspace

ENTRAR = "/transparencia/oficiales/entrar"
INBOX = "/transparencia/oficiales/"
ADMIN = "/transparencia/admin/"
PASSWORD = "clave-de-prueba-1"
OFFICER = "uip@mides.gob.gt"


class Clock:
    """The workspace's clock, moved by hand: sessions and lockouts expire without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(workspace):
    workspace.clock = Clock()
    return workspace.clock


@pytest.fixture
def app(workspace, tmp_path, clock):
    with workspace.db.write() as session:
        accounts.add_user(session, "admin@gob.gt", "Administración", PASSWORD, "admin")
        accounts.add_user(session, OFFICER, "UIP MIDES", PASSWORD, "officer", ["mides"])
        accounts.add_user(
            session, "uip@mineduc.gob.gt", "UIP MINEDUC", PASSWORD, "officer", ["mineduc"]
        )
    return create_app(tmp_path, workspace)


def browser(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def login(client, email=OFFICER, password=PASSWORD, **extra):
    page = client.get(ENTRAR)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    data = {"email": email, "password": password, "form_token": form_token, **extra}
    return client.post(ENTRAR, data=data)


def signed_in(client) -> bool:
    response = client.get(INBOX)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def csrf(client, path=INBOX):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def copy_of(client, app) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = browser(app)
    thief.cookies.set(SESSION_COOKIE, client.cookies.get(SESSION_COOKIE), path="/transparencia")
    return thief


def fail(client, times, email=OFFICER):
    for _ in range(times):
        assert login(client, email, "no-es-la-clave").status_code in (401, 429)


# ------------------------------------------------------------------ lockouts


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app, clock):
    attacker = browser(app)
    fail(attacker, 4)
    fifth = login(attacker, password="no-es-la-clave")
    assert fifth.status_code == 429
    assert "incorrectos" in fifth.text and "bloqueada durante 15 minutos" in fifth.text
    assert fifth.headers["Retry-After"] == "900"
    right = login(attacker)
    assert right.status_code == 429 and SESSION_COOKIE not in right.cookies
    assert "Demasiados intentos fallidos" in right.text and "administrador" in right.text
    english = browser(app)
    english.get(ENTRAR + "?lang=en")
    refused = login(english)
    assert (
        refused.status_code == 429 and "Too many failed sign-ins for this account" in refused.text
    )
    assert "locked for 15 minutes" in refused.text and "ask an administrator" in refused.text
    assert login(browser(app), "uip@mineduc.gob.gt").status_code == 303  # others sign in
    clock.advance(minutes=15, seconds=1)
    assert login(browser(app)).status_code == 303


def test_lockouts_grow_and_unknown_accounts_lock_the_same(app, clock):
    attacker = browser(app)
    fail(attacker, 5)
    clock.advance(minutes=16)
    fail(attacker, 4)
    second = login(attacker, password="no-es-la-clave")
    assert second.status_code == 429 and second.headers["Retry-After"] == "1800"
    fail(attacker, 4, email="nadie@mides.gob.gt")
    unknown = login(attacker, "nadie@mides.gob.gt", "no-es-la-clave")
    # The same answer as for an account that exists: a lockout reveals no account.
    assert unknown.status_code == 429 and unknown.headers["Retry-After"] == "900"


def test_a_right_password_resets_the_account_counter(app):
    officer = browser(app)
    fail(officer, 4)
    assert login(officer).status_code == 303
    fail(officer, 4)
    assert login(officer).status_code == 303


def test_twenty_failures_from_one_client_lock_that_client(app, clock):
    attacker = browser(app)
    for index in range(20):
        assert login(attacker, f"persona{index % 5}@mides.gob.gt", "adivinanza").status_code in (
            401,
            429,
        )
    refused = login(browser(app), "uip@mineduc.gob.gt")  # same address, right password
    assert refused.status_code == 429 and "desde su dirección de red" in refused.text
    clock.advance(minutes=15, seconds=1)
    assert login(browser(app), "uip@mineduc.gob.gt").status_code == 303


def test_an_attacker_cannot_lock_the_officer_out_of_their_own_browser(app):
    officer = browser(app)
    assert login(officer).status_code == 303
    assert officer.cookies.get(DEVICE_COOKIE)
    officer.post("/transparencia/oficiales/salir", data={"csrf": csrf(officer)})
    attacker = browser(app)
    fail(attacker, 6)
    assert login(attacker).status_code == 429
    assert login(officer).status_code == 303  # the trusted browser still signs in
    assert signed_in(officer)
    # The trusted browser has its own counter: it is not a way around the limit.
    thief = browser(app)
    thief.cookies.set(DEVICE_COOKIE, officer.cookies.get(DEVICE_COOKIE), path=ENTRAR)
    fail(thief, 5)
    assert login(thief).status_code == 429
    assert login(officer).status_code == 429  # the same device: its counter is locked now


def test_an_administrator_unlocks_from_the_page(app, workspace):
    fail(browser(app), 5)
    admin = browser(app)
    assert login(admin, "admin@gob.gt").status_code == 303
    page = admin.get(ADMIN)
    assert "Bloqueos de inicio de sesión" in page.text
    row = re.search(
        r"<tr><td>uip@mides.gob.gt</td>.*?name=\"kind\" value=\"(\w+)\">"
        r"<input type=\"hidden\" name=\"key\" value=\"([^\"]+)\"",
        page.text,
        re.S,
    )
    assert row is not None and row.group(1) == "account"
    unlocked = admin.post(
        f"{ADMIN}desbloquear",
        data={"csrf": csrf(admin, ADMIN), "kind": "account", "key": row.group(2)},
    )
    assert unlocked.status_code == 303
    assert login(browser(app)).status_code == 303
    again = admin.post(
        f"{ADMIN}desbloquear",
        data={"csrf": csrf(admin, ADMIN), "kind": "account", "key": row.group(2)},
    )
    assert again.status_code == 422 and "Ese bloqueo ya terminó" in again.text


def _cli_env(workspace, tmp_path) -> dict[str, str]:
    url = workspace.db.url
    if workspace.db.schema:  # the test's own PostgreSQL schema, as libpq options
        url += f"?options=-csearch_path%3D{workspace.db.schema}"
    return {
        "DATABASE_URL": url,
        "CATALOG_SECRET_KEY": workspace.settings.secret_key,
        "CATALOG_DATA_DIR": str(tmp_path / "var"),
    }


def test_an_administrator_unlocks_from_the_command_line(app, workspace, tmp_path):
    from catalog.cli import cli

    fail(browser(app), 5)
    for index in range(20 - 5):
        login(browser(app), f"x{index}@gob.gt", "adivinanza")
    assert login(browser(app), "uip@mineduc.gob.gt").status_code == 429  # the client too
    runner = CliRunner()
    env = _cli_env(workspace, tmp_path)
    done = runner.invoke(cli, ["users", "unlock", OFFICER, "--lang", "en"], env=env)
    assert done.exit_code == 0, done.output
    assert f"Sign-in unlocked for {OFFICER}." in done.output
    assert login(browser(app), "uip@mineduc.gob.gt").status_code == 429  # the client is not
    client = runner.invoke(
        cli, ["users", "unlock", "--client", "testclient", "--lang", "es"], env=env
    )
    assert client.exit_code == 0 and "desbloqueado para la dirección testclient" in client.output
    assert login(browser(app)).status_code == 303
    nothing = runner.invoke(cli, ["users", "unlock", OFFICER, "--lang", "en"], env=env)
    assert nothing.exit_code == 0 and "was not locked" in nothing.output
    usage = runner.invoke(cli, ["users", "unlock", "--lang", "en"], env=env)
    assert usage.exit_code == 2
    assert "Say what to unlock" in usage.output or "Indique qué desbloquear" in usage.output


# ------------------------------------------------------------------ sessions


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app):
    officer = browser(app)
    assert login(officer).status_code == 303
    thief = copy_of(officer, app)
    assert signed_in(thief)
    out = officer.post("/transparencia/oficiales/salir", data={"csrf": csrf(officer)})
    assert out.status_code == 303
    assert not signed_in(thief) and not signed_in(officer)
    # Signing out again (an old page, a second tab) is not an error.
    assert officer.post("/transparencia/oficiales/salir", data={}).status_code == 303


def test_logout_needs_the_csrf_token(app):
    officer = browser(app)
    login(officer)
    refused = officer.post("/transparencia/oficiales/salir", data={"csrf": "forged"})
    assert refused.status_code == 403 and signed_in(officer)


def test_disabling_or_a_new_password_ends_every_session(app, workspace):
    officer, colleague = browser(app), browser(app)
    assert login(officer).status_code == 303 and login(colleague).status_code == 303
    with workspace.db.write() as session:
        accounts.set_password(session, OFFICER, "una-clave-nueva-larga")
    assert not signed_in(officer) and not signed_in(colleague)
    assert login(officer, password="una-clave-nueva-larga").status_code == 303
    thief = copy_of(officer, app)
    admin = browser(app)
    login(admin, "admin@gob.gt")
    with workspace.db.read() as session:
        user_id = accounts.find_user(session, OFFICER).id
    disabled = admin.post(f"{ADMIN}desactivar", data={"csrf": csrf(admin, ADMIN), "user": user_id})
    assert disabled.status_code == 303
    assert not signed_in(officer) and not signed_in(thief)


def test_idle_and_absolute_limits(app, clock):
    officer = browser(app)
    login(officer)
    for _ in range(3):  # in use: each request keeps it alive
        clock.advance(minutes=50)
        assert signed_in(officer)
    clock.advance(minutes=61)
    assert not signed_in(officer)  # idle for more than an hour
    login(officer)
    for _ in range(14):  # 11 h 40 min of work
        clock.advance(minutes=50)
        assert signed_in(officer)
    clock.advance(minutes=50)
    assert not signed_in(officer)  # more than 12 hours after signing in


def test_the_administrator_lists_and_ends_sessions(app, workspace):
    officer, other = browser(app), browser(app)
    login(officer)
    login(other, "uip@mineduc.gob.gt")
    admin = browser(app)
    login(admin, "admin@gob.gt")
    page = admin.get(ADMIN)
    assert page.status_code == 200 and "Sesiones abiertas" in page.text
    assert "(esta sesión)" in page.text
    with workspace.db.read() as session:
        officer_id = accounts.find_user(session, OFFICER).id
        live = sessions.live_sessions(session, workspace.clock())
        other_session = next(s.id for s in live if s.user.email == "uip@mineduc.gob.gt")
    ended = admin.post(f"{ADMIN}sesiones", data={"csrf": csrf(admin, ADMIN), "user": officer_id})
    assert ended.status_code == 303 and not signed_in(officer)
    one = admin.post(f"{ADMIN}sesion", data={"csrf": csrf(admin, ADMIN), "session": other_session})
    assert one.status_code == 303 and not signed_in(other)
    twice = admin.post(
        f"{ADMIN}sesion", data={"csrf": csrf(admin, ADMIN), "session": other_session}
    )
    assert twice.status_code == 422 and "Esa sesión ya terminó" in twice.text
    assert admin.get(ADMIN).status_code == 200  # the administrator's own session goes on


def test_two_app_instances_on_one_database_share_lockouts_and_sessions(app, workspace, tmp_path):
    second = Workspace(workspace.settings, schema=workspace.db.schema, publishers=PUBLISHERS)
    other_app = create_app(tmp_path, second)  # its own engine and connection pool
    try:
        # Each app answers with its own workspace (app.state), as two workers would.
        one, two = browser(app), browser(other_app)
        for _ in range(3):
            login(one, password="no-es-la-clave")
        for _ in range(2):
            login(two, password="no-es-la-clave")
        assert login(one).status_code == 429
        assert login(two).status_code == 429
        logins.unlock_account(workspace, OFFICER)
        assert login(two).status_code == 303
        thief = TestClient(app, follow_redirects=False)
        thief.cookies.set(SESSION_COOKIE, two.cookies.get(SESSION_COOKIE), path="/transparencia")
        assert signed_in(thief)  # a session made by one is known to the other
        token = csrf(two)
        two.post("/transparencia/oficiales/salir", data={"csrf": token})
        assert not signed_in(thief)  # and ended by one, ended for both
    finally:
        second.close()


# ------------------------------------------------------------------ hostile forms


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"email=a%40b.gt&password=" + b"x" * 300_000, None, 413, "demasiado grande"),
        (None, None, 400, "demasiado largo"),
        (b"email=a%40b.gt&email=c%40d.gt&password=clave-larga-1", None, 400, "un solo texto"),
        (b"email=a%00%40b.gt&password=clave-larga-1", None, 400, "no son texto"),
        (b"password=clave-larga-1", None, 400, "No se pudo verificar el formulario"),
        (b"", None, 400, "No se pudo verificar el formulario"),
        (b"\xff\xfe=%ZZ&&=", None, 400, ""),
        (
            b'--XX\r\nContent-Disposition: form-data; name="email"; filename="a.txt"\r\n\r\nx\r\n--XX--\r\n',
            "multipart/form-data; boundary=XX",
            400,
            "No se pudo leer el formulario",
        ),
        (b"--XX\r\nbroken", "multipart/form-data; boundary=XX", 400, ""),
    ],
)
def test_hostile_login_forms_get_a_message_never_a_500(app, body, content_type, status, message):
    client = browser(app)
    if body is None:  # a password of 2,000 characters: refused before hashing
        body = b"email=a%40b.gt&password=" + b"p" * 2000
    headers = {"content-type": content_type or "application/x-www-form-urlencoded"}
    response = client.post(ENTRAR, content=body, headers=headers)
    assert response.status_code == status, response.text[:500]
    assert message in response.text


def test_a_lone_surrogate_is_a_wrong_password_and_a_missing_field_is_named(app):
    client = browser(app)
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(ENTRAR).text).group(1)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    body = f"email=uip%40mides.gob.gt&password=%ED%A0%80&form_token={token}".encode()
    response = client.post(ENTRAR, content=body, headers=headers)
    assert response.status_code == 401 and "incorrectos" in response.text
    missing = client.post(
        ENTRAR, content=f"password=x&form_token={token}".encode(), headers=headers
    )
    assert missing.status_code == 400 and "Escriba su dirección de correo" in missing.text


@pytest.mark.parametrize(
    ("action", "data", "status", "message"),
    [
        ("desactivar", {"user": "1" * 23}, 422, "Esa cuenta no existe"),
        ("sesiones", {"user": "-1"}, 422, "Esa cuenta no existe"),
        ("activar", {}, 422, "Esa cuenta no existe"),
        ("sesion", {"session": "9" * 23}, 422, "Esa sesión ya terminó"),
        ("desbloquear", {"kind": "otra", "key": "abc"}, 422, "Ese bloqueo ya terminó"),
        ("desbloquear", {"kind": "account", "key": "k" * 500}, 400, "demasiado largo"),
        ("cuenta", {"name": ["Ana", "Eva"], "email": "a@b.gt"}, 400, "un solo texto"),
        ("cuenta", {"name": "N" * 300, "email": "a@b.gt"}, 400, "demasiado largo"),
        ("cuenta", {"email": "a\x00@b.gt", "name": "A"}, 400, "no son texto"),
        ("cuenta", {"email": "", "publishers": ["mides"]}, 422, "no es una dirección"),
        ("cierre", {"jurisdiction": ["GT", "CL"]}, 400, "un solo texto"),
        (
            "cierre",
            {"jurisdiction": "GT", "day": "2099-13-45", "reason": "x"},
            422,
            "no es una fecha",
        ),
    ],
)
def test_hostile_administration_forms_get_a_message(app, action, data, status, message):
    admin = browser(app)
    login(admin, "admin@gob.gt")
    form = {"password": "clave-larga-de-prueba", "publishers": ["mides"], **data}
    response = admin.post(f"{ADMIN}{action}", data={"csrf": csrf(admin, ADMIN), **form})
    assert response.status_code == status, response.text[:500]
    assert message in response.text


def test_a_huge_administration_form_is_refused(app):
    admin = browser(app)
    login(admin, "admin@gob.gt")
    body = f"csrf={csrf(admin, ADMIN)}&reason=".encode() + b"r" * 300_000
    response = admin.post(
        f"{ADMIN}cierre",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413 and "demasiado grande" in response.text


def test_a_long_password_cannot_be_set():
    with pytest.raises(CatalogError, match="too long"):
        accounts.check_password("p" * (accounts.MAX_PASSWORD + 1))
    assert accounts.verify_password(None, "p" * 5000) is False


# ------------------------------------------------------------------ API tokens


def test_unknown_api_tokens_are_throttled_with_retry_after(workspace, clock):
    from catalog.api.app import create_api
    from catalog.api.limits import LimitSettings

    with workspace.db.write() as session:
        user = accounts.add_user(session, OFFICER, "UIP", PASSWORD, "officer", ["mides"])
        token = accounts.create_token(session, user)
    api = TestClient(create_api(lambda: None, limits=LimitSettings(None), workspace=workspace))
    good = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/inbox", headers=good).status_code == 200
    for index in range(throttle.CLIENT.failures):
        bad = {"Authorization": f"Bearer ctk_adivinanza{index}"}
        unknown = api.get("/api/v1/inbox", headers=bad)
        assert unknown.status_code == 401 and unknown.headers["WWW-Authenticate"] == "Bearer"
        assert unknown.json()["error"]["type"] == "unauthorized"
    refused = api.get("/api/v1/inbox?lang=en", headers=good)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    assert "Too many unknown API tokens" in refused.json()["error"]["message"]
    clock.advance(minutes=15, seconds=1)
    assert api.get("/api/v1/inbox", headers=good).status_code == 200


# ------------------------------------------------------------------ the event loop


def _on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_passwords_and_the_database_stay_off_the_event_loop(app, workspace, monkeypatch):
    seen: list[tuple[str, bool]] = []

    def record(*args, **kwargs):
        seen.append(("sql", _on_the_event_loop()))

    event.listen(workspace.db.engine, "before_cursor_execute", record)
    checked = accounts.verify_password

    def verify(password_hash, password):
        seen.append(("argon2", _on_the_event_loop()))
        return checked(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", verify)
    try:
        admin = browser(app)
        login(admin, "admin@gob.gt", "no-es-la-clave")
        assert login(admin, "admin@gob.gt").status_code == 303
        assert admin.get("/transparencia/").status_code == 200  # a page reading the session
        assert admin.get(ADMIN).status_code == 200
        assert (
            admin.post(
                f"{ADMIN}sesiones", data={"csrf": csrf(admin, ADMIN), "user": "2"}
            ).status_code
            == 303
        )
        assert (
            admin.post(
                "/transparencia/oficiales/salir", data={"csrf": csrf(admin, ADMIN)}
            ).status_code
            == 303
        )
    finally:
        event.remove(workspace.db.engine, "before_cursor_execute", record)
    assert ("argon2", False) in seen and ("sql", False) in seen
    assert [kind for kind, on_loop in seen if on_loop] == []


def test_old_counts_are_forgotten_and_kept_ones_are_not_lost(workspace, clock):
    stale = throttle.Key("account", "olvidada")
    kept = throttle.Key("client", "reciente")
    with workspace.db.write() as session:
        throttle.admit(session, [stale, kept], clock())
    clock.advance(days=2)
    with workspace.db.write() as session:
        admission = throttle.admit(session, [kept], clock())
    assert admission.allowed
    with workspace.db.read() as session:
        rows = {r.key: r.failures for r in session.scalars(select(LoginThrottle))}
    assert rows == {"reciente": 1}  # the other one, a day without failures, is gone
