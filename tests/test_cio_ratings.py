"""CIO ratings: the role, the append-only history, the refusals (in Spanish and English,
4xx never 500), the pages, the admin's new CIO account, the export and the demo seed;
on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from catalog.transparency import accounts, cio
from catalog.transparency.cio_export import export_ratings
from catalog.transparency.models import Base
from catalog.transparency.requests import Conflict, Forbidden, RequestError
from catalog.transparency.web import create_app

PASSWORD = "clave-de-prueba-1"
INVESTMENTS = {
    ("mides", "TI-MIDES-01"): {
        "name": "Sistema Nacional de Información Social",
        "period": "2026-09",
    },
    ("mides", "TI-MIDES-02"): {"name": "Integración con RENAP", "period": "2026-09"},
    ("mineduc", "TI-MINEDU-04"): {"name": "SIRE", "period": "2026-09"},
}
PAGE = "/transparencia/oficiales/ti/mides/TI-MIDES-01"
AT = datetime(2026, 10, 5, 15, tzinfo=UTC)


@pytest.fixture
def ws(workspace):
    cio.use_investments(workspace, lambda: INVESTMENTS)
    with workspace.db.write() as session:
        accounts.add_user(
            session, "cio@mides.gob.gt", "Ana María López", PASSWORD, "cio", ["mides"]
        )
        accounts.add_user(session, "uip@mides.gob.gt", "Oficial", PASSWORD, "officer", ["mides"])
        accounts.add_user(session, "admin@demo.gob.gt", "Admin", PASSWORD, "admin", [])
    return workspace


def user(ws, email):
    with ws.db.read() as session:
        found = accounts.find_user(session, email)
        session.expunge(found)
        return found


def rate(
    ws, email="cio@mides.gob.gt", investment="TI-MIDES-01", rating="4", comment="En curso.", **kw
):
    return cio.CioService(ws).rate(
        user(ws, email), "mides", investment, rating, comment, kw.get("submission") or cio.new_submission(), at=kw.get("at", AT)
    )  # fmt: skip


# ---------------------------------------------------------------- the service


def test_the_migration_creates_exactly_the_model(ws):
    with ws.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert [d for d in compare_metadata(context, Base.metadata) if "cio" in str(d)] == []


def test_every_rating_is_kept_with_date_and_author(ws):
    first = rate(ws, rating="4", comment="Avanza según lo previsto.")
    second = rate(
        ws, rating="2", comment="El proveedor se atrasó.", at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    history = cio.CioService(ws).history("mides", "TI-MIDES-01")
    assert [r.id for r in history] == [second.id, first.id]  # newest first
    assert [r.rating for r in history] == [2, 4]
    assert history[0].rated_on == date(2026, 11, 2) and history[1].rated_on == date(2026, 10, 5)
    assert history[0].author == "CIO (A. M. L.)"  # role and initials, never the e-mail
    latest = cio.CioService(ws).latest(["mides"])
    assert latest[("mides", "TI-MIDES-01")].rating == 2


def test_ratings_are_never_edited_or_deleted(ws):
    rate(ws)
    for statement in ("UPDATE cio_ratings SET rating = 5", "DELETE FROM cio_ratings"):
        with pytest.raises(DBAPIError):
            with ws.db.write() as session:
                session.execute(text(statement))
    assert [r.rating for r in cio.CioService(ws).all()] == [4]


@pytest.mark.parametrize(
    ("email", "investment", "rating", "comment", "error", "status", "spanish", "english"),
    [
        ("uip@mides.gob.gt", "TI-MIDES-01", "4", "Bien.", Forbidden, 403, "Solo el CIO", "Only a body's CIO"),
        ("cio@mides.gob.gt", "TI-MIDES-99", "4", "Bien.", cio.NotFound, 404, "desconocida", "Unknown IT investment"),
        ("cio@mides.gob.gt", "TI-MIDES-01", "6", "Bien.", RequestError, 422, "de 1 (riesgo alto) a 5", "from 1 (high risk) to 5"),
        ("cio@mides.gob.gt", "TI-MIDES-01", "0", "Bien.", RequestError, 422, "no 0", "not 0"),
        ("cio@mides.gob.gt", "TI-MIDES-01", "3.5", "Bien.", RequestError, 422, "número entero", "whole number"),
        ("cio@mides.gob.gt", "TI-MIDES-01", "4", "x" * 2001, RequestError, 413, "demasiado largo", "too long"),
        ("cio@mides.gob.gt", "TI-MIDES-01", "4", "", RequestError, 422, "Explique", "Explain"),
    ],
)  # fmt: skip
def test_refusals(ws, email, investment, rating, comment, error, status, spanish, english):
    with pytest.raises(error) as refused:
        rate(ws, email, investment, rating, comment)
    assert refused.value.status == status
    assert spanish in refused.value.message("es") and english in refused.value.message("en")
    assert cio.CioService(ws).all() == []


def test_a_cio_rates_only_its_own_bodies(ws):
    service = cio.CioService(ws)
    with pytest.raises(Forbidden) as refused:
        service.rate(
            user(ws, "cio@mides.gob.gt"),
            "mineduc",
            "TI-MINEDU-04",
            "3",
            "Bien.",
            cio.new_submission(),
        )
    assert "mineduc" in refused.value.message("es")


def test_the_same_form_twice_is_one_rating(ws):
    token = cio.new_submission()
    rate(ws, submission=token)
    with pytest.raises(Conflict) as twice:
        rate(ws, submission=token)
    assert twice.value.status == 409 and "dos veces" in twice.value.message("es")
    assert len(cio.CioService(ws).all()) == 1


def test_a_cio_does_not_act_on_requests_nor_use_the_api(ws):
    found = user(ws, "cio@mides.gob.gt")
    assert found.role == "cio" and not found.can_act_on("mides")
    with ws.db.write() as session:
        account = accounts.find_user(session, "cio@mides.gob.gt")
        token = accounts.create_token(session, account)
    with ws.db.read() as session:
        assert accounts.user_for_token(session, token) is None


# ---------------------------------------------------------------- the pages


def signed_in(app, email):
    c = TestClient(app, follow_redirects=False)
    page = c.get("/transparencia/oficiales/entrar")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    done = c.post(
        "/transparencia/oficiales/entrar",
        data={"email": email, "password": PASSWORD, "form_token": form_token},
    )
    assert done.status_code == 303
    return c


def form_of(c, path=PAGE):
    page = c.get(path).text
    return {
        "csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
        "envio": re.search(r'name="envio" value="([^"]+)"', page).group(1),
    }


@pytest.fixture
def app(ws, tmp_path):
    return create_app(tmp_path, ws)


def test_the_pages_record_a_rating_and_show_the_history(app):
    c = signed_in(app, "cio@mides.gob.gt")
    assert c.get("/transparencia/oficiales/").headers["location"] == "/transparencia/oficiales/ti/"
    home = c.get("/transparencia/oficiales/ti/")
    assert (
        home.status_code == 200 and "TI-MIDES-01" in home.text and "TI-MINEDU-04" not in home.text
    )
    form = c.get(PAGE).text
    assert "públicos" in form or "público" in form  # the form says comments are public
    done = c.post(
        PAGE, data={**form_of(c), "calificacion": "2", "comentario": "Atraso del proveedor."}
    )
    assert done.status_code == 303
    page = c.get(done.headers["location"]).text
    assert "2: riesgo moderadamente alto" in page and "Atraso del proveedor." in page
    assert "CIO (A. M. L.)" in page and "cio@mides.gob.gt" not in page.split("</header>", 1)[1]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"calificacion": "9", "comentario": "Bien."}, 422, "número entero"),
        ({"calificacion": "3", "comentario": "x" * 2500}, 413, "demasiado largo"),
        ({"calificacion": ["3", "4"], "comentario": "Bien."}, 422, "No se pudo leer"),
        ({"calificacion": "3", "comentario": "Bien.", "envio": "corto"}, 422, "verificar"),
    ],
)
def test_refused_forms_say_why_and_keep_what_was_typed(app, data, status, message):
    c = signed_in(app, "cio@mides.gob.gt")
    refused = c.post(PAGE, data={**form_of(c), **data})
    assert refused.status_code == status, refused.text[:500]
    assert message in refused.text
    if status == 422 and data.get("comentario") == "Bien.":
        assert ">Bien.</textarea>" in refused.text


def test_csrf_double_submission_and_english(app):
    c = signed_in(app, "cio@mides.gob.gt")
    form = form_of(c)
    forged = c.post(PAGE, data={**form, "csrf": "x", "calificacion": "3", "comentario": "Bien."})
    assert forged.status_code == 403
    assert (
        c.post(PAGE, data={**form, "calificacion": "3", "comentario": "Bien."}).status_code == 303
    )
    twice = c.post(PAGE + "?lang=en", data={**form, "calificacion": "3", "comentario": "Bien."})
    assert twice.status_code == 409 and "sent twice" in twice.text
    unknown = c.get("/transparencia/oficiales/ti/mides/NOPE?lang=en")
    assert unknown.status_code == 404 and "Unknown IT investment" in unknown.text
    other = c.get("/transparencia/oficiales/ti/mineduc/TI-MINEDU-04")
    assert other.status_code == 403


def test_officers_are_refused_and_visitors_sent_to_sign_in(app):
    officer = signed_in(app, "uip@mides.gob.gt")
    assert officer.get("/transparencia/oficiales/ti/").status_code == 403
    refused = officer.post(
        PAGE, data={**form_of(signed_in(app, "cio@mides.gob.gt")), "calificacion": "3"}
    )
    assert refused.status_code == 403
    visitor = TestClient(app, follow_redirects=False)
    assert "/oficiales/entrar" in visitor.get(PAGE).headers["location"]


def test_an_admin_creates_a_cio_account(app, ws):
    admin = signed_in(app, "admin@demo.gob.gt")
    page = admin.get("/transparencia/admin/").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert 'value="cio"' in page
    done = admin.post(
        "/transparencia/admin/cuenta",
        data={"csrf": token, "email": "cio@mineduc.gob.gt", "name": "Luis Pérez",
              "password": PASSWORD, "role": "cio", "publishers": ["mineduc"]},
    )  # fmt: skip
    assert done.status_code == 303
    made = user(ws, "cio@mineduc.gob.gt")
    assert made.role == "cio" and made.publishers == {"mineduc"}
    bad = admin.post(
        "/transparencia/admin/cuenta",
        data={"csrf": token, "email": "x@mineduc.gob.gt", "name": "X", "password": PASSWORD,
              "role": "superuser", "publishers": ["mineduc"]},
    )  # fmt: skip
    assert bad.status_code == 400


# ---------------------------------------------------------------- export and demo


def test_the_export_is_the_dataset_the_build_reads(ws, tmp_path, repo):
    from catalog.build.itportfolio import read_ratings

    rate(ws, comment="Dos\nlíneas.")
    folder, rows = export_ratings(ws, repo, "segeplan", {"name": "SEGEPLAN"}, tmp_path)
    assert rows == 1 and folder == tmp_path / "datasets" / "segeplan" / "calificaciones-cio"
    table = list(csv.DictReader((folder / "data" / "calificaciones.csv").open(encoding="utf-8")))
    assert list(table[0]) == ["institucion", "inversion", "calificacion", "comentario", "fecha",
                              "autor", "datos_de_ejemplo"]  # fmt: skip
    assert table[0]["autor"] == "CIO (A. M. L.)" and table[0]["datos_de_ejemplo"] == "false"
    assert table[0]["comentario"] == "Dos líneas."
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert descriptor["name"] == "calificaciones-cio" and descriptor["modified"] == "2026-10-05"
    found = read_ratings(folder / "data" / "calificaciones.csv")
    assert [(r.publisher, r.investment_id, r.rating) for r in found] == [
        ("mides", "TI-MIDES-01", 4)
    ]
    before = (folder / "datapackage.json").stat().st_mtime_ns
    export_ratings(ws, repo, "segeplan", {"name": "SEGEPLAN"}, tmp_path)
    assert (folder / "datapackage.json").stat().st_mtime_ns == before  # unchanged: untouched


def test_the_demo_seeds_sample_ratings_once(ws, tmp_path, repo):
    from catalog.demo.itportfolio import sample_ratings

    created = cio.seed_demo(ws, PASSWORD)
    assert created == len(sample_ratings()) >= 100
    assert cio.seed_demo(ws, PASSWORD) == 0  # idempotent
    ratings = cio.CioService(ws).all()
    assert len(ratings) == created and all(r.sample for r in ratings)
    assert user(ws, cio.DEMO_CIO_EMAIL).role == "cio"
    folder, _rows = export_ratings(ws, repo, "segeplan", {}, tmp_path)
    text_ = (folder / "data" / "calificaciones.csv").read_text("utf-8")
    assert "@" not in text_ and "datos de ejemplo" in (folder / "datapackage.json").read_text(
        "utf-8"
    )


def test_the_cio_pages_pass_axe(app, browser):
    from axe_playwright_python.sync_playwright import Axe

    c = signed_in(app, "cio@mides.gob.gt")
    c.post(PAGE, data={**form_of(c), "calificacion": "4", "comentario": "Bien."})
    for path in ("/transparencia/oficiales/ti/", PAGE, PAGE + "?lang=en"):
        context = browser.new_context()
        tab = context.new_page()
        tab.set_content(c.get(path).text)
        violations = Axe().run(tab).response["violations"]
        context.close()
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, (path, serious)
