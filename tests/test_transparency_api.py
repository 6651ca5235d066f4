"""The requests API (/api/v1/requests...) on the real database, through HTTP."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.transparency import accounts

FILING = {
    "publisher": "mides",
    "subject": "Presupuesto del programa Bono Social",
    "description": "Solicito el presupuesto asignado y ejecutado del Bono Social en 2024, por mes.",
    "requester": {"name": "Carlos Eduardo Juárez", "email": "carlos.juarez@correo.example"},
    "preferred_format": "xlsx",
}


@pytest.fixture
def api(workspace):
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
    # The whole API as served (its error handlers too), its workspace given, no rate limits.
    client = TestClient(served(workspace))
    client.tokens = tokens
    return client


def served(workspace):
    return create_api(lambda: None, limits=LimitSettings(None), workspace=workspace)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def file_via_api(api, body=FILING, path="/api/v1/requests", **kwargs):
    """File as an API client does: get the anti-spam token first, send it with the filing."""
    token = api.get("/api/v1/requests/filing-token").json()["filing_token"]
    return api.post(path, json={**body, "filing_token": token}, **kwargs)


def test_file_and_track_without_the_requesters_identity(api, caplog):
    caplog.set_level(logging.DEBUG)
    response = file_via_api(api)
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
    spanish = file_via_api(api, bad)
    english = file_via_api(api, bad, "/api/v1/requests?lang=en")
    assert spanish.status_code == english.status_code == 422
    error = spanish.json()["error"]
    assert error["status"] == 422 and error["type"] == "invalid-request"
    assert set(error["fields"]) == {"name", "email"}
    assert "correo" in json.dumps(spanish.json(), ensure_ascii=False)
    assert "e-mail" in json.dumps(english.json())
    broken = api.post(
        "/api/v1/requests", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and "JSON" in broken.json()["error"]["message"]
    huge = api.post(
        "/api/v1/requests", content=b"x" * 70000, headers={"content-type": "application/json"}
    )
    assert huge.status_code == 413
    assert api.get("/api/v1/requests/SOL-2025-NOPE00").status_code == 404
    assert api.get("/api/v1/requests?status=lost").status_code == 400


def test_rate_limit_per_client(api, workspace):
    object.__setattr__(workspace.settings, "filings_per_hour", 2)
    assert file_via_api(api).status_code == 201
    assert file_via_api(api).status_code == 201
    limited = file_via_api(api)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3600"


def test_officer_actions_and_refusals(api):
    code = file_via_api(api).json()["tracking_code"]
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
    filed = file_via_api(api).json()
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
        file_via_api(api)
    stats = api.get("/api/v1/requests/statistics").json()
    assert stats["overall"]["received"] == 3 and stats["publishers"][0]["publisher"] == "mides"
    publishers = {p["publisher"]: p for p in api.get("/api/v1/requests/publishers").json()}
    assert publishers["mides"]["deadline_business_days"] == 10
    assert publishers["cplt-demo"]["deadline_business_days"] == 20


def test_filings_need_json_and_a_filing_token_and_answers_to_writes_carry_no_cors(workspace):
    client = TestClient(served(workspace))
    site = {"Origin": "https://evil.example"}
    # JSON sent as text/plain needs no CORS preflight: refused.
    plain = client.post(
        "/api/v1/requests",
        content=json.dumps(FILING),
        headers={**site, "content-type": "text/plain"},
    )
    assert plain.status_code == 415 and "application/json" in plain.json()["error"]["message"]
    no_token = client.post("/api/v1/requests", json=FILING, headers=site)
    assert no_token.status_code == 400 and "filing_token" in no_token.json()["error"]["hint"]
    filed = file_via_api(client, headers=site)
    assert filed.status_code == 201
    for response in (plain, no_token, filed):
        assert "access-control-allow-origin" not in response.headers
    # Reads stay open to every site.
    read = client.get(f"/api/v1/requests/{filed.json()['tracking_code']}", headers=site)
    assert read.headers["access-control-allow-origin"] == "*"
    # A browser's preflight for a JSON post from another site is refused.
    preflight = client.options(
        "/api/v1/requests",
        headers={**site, "Access-Control-Request-Method": "POST"},
    )
    assert "POST" not in preflight.headers.get("access-control-allow-methods", "")


def test_a_filing_token_must_have_waited_and_come_from_the_same_client(api, workspace):
    object.__setattr__(workspace.settings, "min_fill_seconds", 30.0)
    too_fast = file_via_api(api)
    assert too_fast.status_code == 400
    assert "30" in too_fast.json()["error"]["message"]
    token = workspace.signer.form_token(workspace.signer.client_hash("10.9.9.9"))
    elsewhere = api.post("/api/v1/requests", json={**FILING, "filing_token": token})
    assert elsewhere.status_code == 400  # minted for another address


def test_where_the_law_asks_for_an_address_the_api_filing_waits_for_confirmation(api):
    filed = file_via_api(api, {**FILING, "publisher": "py-demo"}, "/api/v1/requests?lang=en")
    body = filed.json()
    assert filed.status_code == 201 and body["status"] == "unconfirmed"
    assert body["requester_key"] is None and body["due_date"] is None
    assert "confirmation link" in body["message"]
    assert api.get(f"/api/v1/requests/{body['tracking_code']}").status_code == 404
    assert api.get("/api/v1/requests").json()["total"] == 0
    inbox = api.get("/api/v1/inbox", headers=bearer(api.tokens["mides"])).json()
    assert inbox["requests"] == []


def test_answers_attach_uploaded_files_by_id_with_the_servers_name_and_type(api, workspace):
    code = file_via_api(api).json()["tracking_code"]
    mides, mineduc = bearer(api.tokens["mides"]), bearer(api.tokens["mineduc"])
    pdf = b"%PDF-1.4 presupuesto"
    url = f"/api/v1/uploads/{code}?name=../presupuesto 2024.pdf"
    assert api.post(url, content=pdf).status_code == 401
    assert api.post(url, content=pdf, headers=mineduc).status_code == 403
    html = api.post(f"/api/v1/uploads/{code}?name=pagina.html", content=b"<script>", headers=mides)
    assert html.status_code == 422 and "no se aceptan" in html.json()["error"]["message"]
    uploaded = api.post(url, content=pdf, headers=mides)
    assert uploaded.status_code == 201
    upload = uploaded.json()
    assert (upload["filename"], upload["media_type"]) == ("presupuesto-2024.pdf", "application/pdf")
    answer = {"outcome": "granted", "text": "Se adjunta el presupuesto solicitado."}
    forged = api.post(
        f"/api/v1/requests/{code}/answer",
        json={
            **answer,
            "attachments": [
                {"filename": "x.html", "media_type": "text/html", "size": 1, "sha256": "0" * 64}
            ],
        },
        headers=mides,
    )
    assert forged.status_code == 422 and "attachments" in forged.json()["error"]["fields"]
    answered = api.post(
        f"/api/v1/requests/{code}/answer",
        json={**answer, "attachments": [upload["upload_id"]]},
        headers=mides,
    )
    assert answered.status_code == 200, answered.text
    api.post(f"/api/v1/requests/{code}/publish", json={}, headers=mides)
    files = api.get(f"/api/v1/requests/{code}").json()["attachments"]
    assert [(f["name"], f["media_type"], f["sha256"]) for f in files] == [
        ("presupuesto-2024.pdf", "application/pdf", upload["sha256"])
    ]


def test_assigning_twice_answers_200_both_times(api):
    code = file_via_api(api).json()["tracking_code"]
    for _ in range(2):
        again = api.post(
            f"/api/v1/requests/{code}/assign", json={}, headers=bearer(api.tokens["mides"])
        )
        assert again.status_code == 200 and again.json()["status"] == "assigned"


def test_the_upload_route_takes_a_whole_attachment_behind_the_body_limits():
    from catalog.bodylimit import limits_from_env
    from catalog.transparency import attachments

    limits = limits_from_env({})
    assert limits.limit_for("/api/v1/uploads/SOL-2025-7K3M9Q") > attachments.MAX_BYTES
    assert limits.limit_for("/api/v1/requests") < attachments.MAX_BYTES  # JSON stays small


def test_every_api_v1_error_has_the_one_envelope(api):
    """The workspace's routes answer errors as the native API does (catalog.httperrors)."""
    keys = {"status", "type", "message", "hint", "fields"}
    native = api.get("/api/v1/no-such-endpoint?lang=en")
    assert native.status_code == 404 and set(native.json()["error"]) <= keys
    missing = api.get("/api/v1/requests/SOL-2025-NOPE00?lang=en")
    error = missing.json()["error"]
    assert missing.status_code == 404 and set(missing.json()) == {"error"}
    assert set(error) <= keys and error["status"] == 404 and error["type"] == "not-found"
    assert error["message"] == "No request with tracking code SOL-2025-NOPE00."
    assert error["hint"].startswith("Check the code in the e-mail")
    assert missing.headers["content-language"] == "en"
    unknown = api.get("/api/v1/requests?publisher=../x").json()["error"]
    assert unknown["status"] == 400 and unknown["type"] == "bad-request"
    assert unknown["message"] == "Institución desconocida: ../x."
    code = file_via_api(api).json()["tracking_code"]
    anonymous = api.post(f"/api/v1/requests/{code}/assign", json={})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["error"]["type"] == "unauthorized"
    mides = bearer(api.tokens["mides"])
    early = api.post(f"/api/v1/requests/{code}/publish?lang=en", json={}, headers=mides)
    conflict = early.json()["error"]
    assert early.status_code == 409 and conflict["type"] == "conflict"
    # The state names in the message are translated with it.
    assert "Publish the answer" in conflict["message"] and "Answered" in conflict["hint"]
