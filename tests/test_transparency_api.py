"""The requests API (/api/v1/requests...) on the real database, through HTTP."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from catalog.transparency import accounts
from catalog.transparency.api import router
from catalog.transparency.workspace import use

FILING = {
    "publisher": "mides",
    "subject": "Presupuesto del programa Bono Social",
    "description": "Solicito el presupuesto asignado y ejecutado del Bono Social en 2024, por mes.",
    "requester": {"name": "Carlos Eduardo Juárez", "email": "carlos.juarez@correo.example"},
    "preferred_format": "xlsx",
}


@pytest.fixture
def api(workspace):
    use(workspace)
    app = FastAPI()
    app.include_router(router)
    with workspace.db.write() as session:
        mides = accounts.add_user(
            session, "uip@mides.gob.gt", "UIP MIDES", "clave-de-prueba-1", "officer", ["mides"]
        )
        other = accounts.add_user(
            session,
            "uip@mineduc.gob.gt",
            "UIP MINEDUC",
            "clave-de-prueba-1",
            "officer",
            ["mineduc"],
        )
        tokens = {
            "mides": accounts.create_token(session, mides),
            "mineduc": accounts.create_token(session, other),
        }
    client = TestClient(app)
    client.tokens = tokens
    yield client
    use(None)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_file_and_track_without_the_requesters_identity(api, caplog):
    caplog.set_level(logging.DEBUG)
    response = api.post("/api/v1/requests", json=FILING)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"tracking_code", "status", "received_on", "due_date", "requester_key"}
    assert body["status"] == "received"
    assert response.headers["location"] == f"/api/v1/requests/{body['tracking_code']}"
    tracked = api.get(f"/api/v1/requests/{body['tracking_code']}")
    assert tracked.status_code == 200
    assert tracked.json()["due_date"] == body["due_date"]
    listed = api.get("/api/v1/requests")
    for text in (tracked.text, listed.text, caplog.text):
        assert "Juárez" not in text and "carlos.juarez" not in text
    assert listed.json()["total"] == 1


def test_bad_input_gets_clear_messages_in_both_languages(api):
    bad = {**FILING, "requester": {"name": "", "email": "nadie"}}
    spanish = api.post("/api/v1/requests", json=bad)
    english = api.post("/api/v1/requests?lang=en", json=bad)
    assert spanish.status_code == english.status_code == 422
    assert {e["field"] for e in spanish.json()["errors"]} == {"name", "email"}
    assert "correo" in json.dumps(spanish.json(), ensure_ascii=False)
    assert "e-mail" in json.dumps(english.json())
    broken = api.post(
        "/api/v1/requests", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and "JSON" in broken.json()["error"]["message"]
    huge = api.post("/api/v1/requests", content=b"x" * 70000)
    assert huge.status_code == 413
    assert api.get("/api/v1/requests/SOL-2025-NOPE00").status_code == 404
    assert api.get("/api/v1/requests?status=lost").status_code == 400


def test_rate_limit_per_client(api, workspace):
    object.__setattr__(workspace.settings, "filings_per_hour", 2)
    assert api.post("/api/v1/requests", json=FILING).status_code == 201
    assert api.post("/api/v1/requests", json=FILING).status_code == 201
    limited = api.post("/api/v1/requests", json=FILING)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3600"


def test_officer_actions_and_refusals(api):
    code = api.post("/api/v1/requests", json=FILING).json()["tracking_code"]
    assert api.post(f"/api/v1/requests/{code}/assign", json={}).status_code == 401
    assert (
        api.post(
            f"/api/v1/requests/{code}/assign", json={}, headers=bearer("ctk_wrong")
        ).status_code
        == 401
    )
    refused = api.post(
        f"/api/v1/requests/{code}/assign", json={}, headers=bearer(api.tokens["mineduc"])
    )
    assert refused.status_code == 403
    assert "mides" in refused.json()["error"]["message"]
    # The other publisher's officer does not see the private fields either.
    assert (
        "private"
        not in api.get(f"/api/v1/requests/{code}", headers=bearer(api.tokens["mineduc"])).json()
    )
    mine = api.get(f"/api/v1/requests/{code}", headers=bearer(api.tokens["mides"])).json()
    assert mine["private"]["requester"]["email"] == "carlos.juarez@correo.example"
    assigned = api.post(
        f"/api/v1/requests/{code}/assign", json={}, headers=bearer(api.tokens["mides"])
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    wrong = api.post(
        f"/api/v1/requests/{code}/publish", json={}, headers=bearer(api.tokens["mides"])
    )
    assert wrong.status_code == 409 and wrong.json()["error"]["hint"]
    answered = api.post(
        f"/api/v1/requests/{code}/answer",
        json={
            "outcome": "partial",
            "text": "Se entrega el presupuesto; el detalle por beneficiario es confidencial.",
            "legal_ground": "LAIP art. 22",
        },
        headers=bearer(api.tokens["mides"]),
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["answer"] is None  # not published yet
    published = api.post(
        f"/api/v1/requests/{code}/publish", json={}, headers=bearer(api.tokens["mides"])
    )
    assert "confidencial" in published.json()["answer"]
    inbox = api.get("/api/v1/inbox", headers=bearer(api.tokens["mides"])).json()["requests"]
    assert [r["tracking_code"] for r in inbox] == [code]
    assert api.get("/api/v1/inbox", headers=bearer(api.tokens["mineduc"])).json()["requests"] == []
    assert api.post(f"/api/v1/requests/{code}/fly", json={}).status_code == 404


def test_requester_withdraws_with_the_private_key(api):
    filed = api.post("/api/v1/requests", json=FILING).json()
    code = filed["tracking_code"]
    assert (
        api.post(f"/api/v1/requests/{code}/withdraw", json={"requester_key": "nope"}).status_code
        == 403
    )
    done = api.post(
        f"/api/v1/requests/{code}/withdraw",
        json={},
        headers={"X-Requester-Key": filed["requester_key"]},
    )
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"


def test_statistics_and_publishers(api):
    for _ in range(3):
        api.post("/api/v1/requests", json=FILING)
    stats = api.get("/api/v1/requests/statistics").json()
    assert stats["overall"]["received"] == 3 and stats["publishers"][0]["publisher"] == "mides"
    publishers = {p["publisher"]: p for p in api.get("/api/v1/requests/publishers").json()}
    assert publishers["mides"]["deadline_business_days"] == 10
    assert publishers["cplt-demo"]["deadline_business_days"] == 20
