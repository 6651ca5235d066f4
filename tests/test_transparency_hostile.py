"""Every access-request route, fed hostile input: each answer is a 4xx with a message,
never a 500, and a refused request stores nothing, not even half of itself.

The walk covers the public form, tracking, the requester's actions, the e-mail
confirmation, the officers' pages and actions, attachments, and the JSON API
(filing, reading, acting, uploading). It runs on SQLite and on PostgreSQL, which
refuses what SQLite lets pass (NUL bytes, integers past 64 bits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.transparency import accounts
from catalog.transparency.models import Attachment, Event, InfoRequest, OutboxMessage, RedactionRule
from catalog.transparency.web import create_app

FILING = {
    "publisher": "mides",
    "subject": "Presupuesto del comedor social",
    "description": "Solicito el presupuesto ejecutado del comedor social de Cobán en 2024.",
    "requester": {"name": "Rosa Xol", "email": "rosa.xol@correo.example"},
}
SURROGATE = '"\\ud800"'  # a JSON string holding a lone UTF-16 surrogate
HUGE = 10**30
TABLES = (InfoRequest, Event, Attachment, RedactionRule, OutboxMessage)


@dataclass
class Site:
    web: TestClient
    api: TestClient
    token: str  # an officer's API token (mides)
    code: str  # a received request of mides
    key: str  # its requester's key

    def filing_token(self) -> str:
        return self.api.get("/api/v1/requests/filing-token").json()["filing_token"]


@pytest.fixture
def site(workspace, tmp_path):
    with workspace.db.write() as session:
        user = accounts.add_user(
            session, "uip@mides.gob.gt", "UIP MIDES", "clave-de-prueba-1", "officer", ["mides"]
        )
        token = accounts.create_token(session, user)
    request, key = workspace.requests.file(FILING)
    web = TestClient(create_app(tmp_path, workspace), follow_redirects=False)
    # The whole API as served (its error handlers and middleware too), without rate limits.
    api = create_api(lambda: None, limits=LimitSettings(None), workspace=workspace)
    return Site(web, TestClient(api), token, request.tracking_code, key)


def counts(workspace) -> dict[str, int]:
    with workspace.db.read() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES
        }


def refused(workspace, send: Callable[[], object], label: str) -> None:
    """``send`` is answered with a 4xx that says something, and nothing is stored."""
    before = counts(workspace)
    response = send()
    assert 400 <= response.status_code < 500, (label, response.status_code, response.text[:300])
    if response.headers.get("content-type", "").startswith("application/json"):
        message = response.json()["error"]["message"]
    else:
        message = " ".join(re.findall(r"<h1>([^<]+)</h1>", response.text))
    assert message.strip(), (label, response.text[:300])
    assert counts(workspace) == before, label


def raw_json(client: TestClient, path: str, text: str, **headers: str):
    return client.post(
        path, content=text.encode(), headers={"content-type": "application/json", **headers}
    )


# ----------------------------------------------------------------- JSON API


def test_filing_through_the_api(site, workspace):
    token = site.filing_token()
    filing = {**FILING, "filing_token": token}
    body = json.dumps(filing)
    cases = {
        "lone surrogate": body.replace('"Presupuesto del comedor social"', SURROGATE),
        "surrogate in the name": body.replace('"Rosa Xol"', SURROGATE),
        "200 KB of [": "[" * 200_000,
        "60 KB of [": "[" * 60_000,
        "deep but small": json.dumps(
            {**filing, "subject": [[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]}
        ),
        "a list": json.dumps([filing]),
        "a string": json.dumps("hola"),
        "null": "null",
        "a 5000-digit number": body.replace('"Rosa Xol"', "1" * 5000),
        "NaN": body.replace('"Rosa Xol"', "NaN"),
        "not JSON": "{publisher: mides",
        "invalid UTF-8": '{"subject": "\xff\xfe"}',
        "a surrogate as the filing token": body.replace(json.dumps(token), SURROGATE),
        "a filing token that is not ASCII": body.replace(json.dumps(token), '"ñandú.x.y"'),
        "a number as the filing token": body.replace(json.dumps(token), "7"),
    }
    for label, text in cases.items():
        refused(workspace, lambda t=text: raw_json(site.api, "/api/v1/requests", t), label)
    fields = {
        "publisher as a list": {"publisher": ["mides"]},
        "subject as a number": {"subject": HUGE},
        "description as an object": {"description": {"text": "x" * 30}},
        "requester as a list": {"requester": ["Rosa Xol", "rosa@correo.example"]},
        "requester as text": {"requester": "Rosa Xol"},
        "name as a list": {"requester": {"name": ["Rosa"], "email": "rosa@correo.example"}},
        "email as a number": {"requester": {"name": "Rosa Xol", "email": 5}},
        "format as a list": {"preferred_format": ["csv"]},
        "over-long subject": {"subject": "x" * 201},
        "over-long description": {"description": "x" * 5001},
        "over-long name": {"requester": {"name": "x" * 201, "email": "rosa@correo.example"}},
        "over-long e-mail": {"requester": {"name": "Rosa", "email": "r" * 250 + "@correo.example"}},
        "missing everything": {k: None for k in FILING},
    }
    for label, change in fields.items():
        data = {**filing, **change}
        response_of = lambda d=data: site.api.post("/api/v1/requests", json=d)  # noqa: E731
        refused(workspace, response_of, label)
    refused(
        workspace,
        lambda: site.api.post("/api/v1/requests", json={**FILING, "filing_token": ["x"]}),
        "filing token as a list",
    )
    refused(
        workspace,
        lambda: site.api.post(
            "/api/v1/requests", content=json.dumps(filing), headers={"content-type": "text/plain"}
        ),
        "text/plain",
    )
    big = json.dumps({**filing, "description": "x" * 300_000})
    refused(workspace, lambda: raw_json(site.api, "/api/v1/requests", big), "body over 256 KB")


def test_reading_through_the_api(site, workspace):
    paths = [
        "/api/v1/requests?page=1000000000000000000000000",
        "/api/v1/requests?page=0",
        "/api/v1/requests?page=-5",
        "/api/v1/requests?page=dos",
        "/api/v1/requests?publisher=%00",
        "/api/v1/requests?publisher=" + "m" * 500,
        "/api/v1/requests?status=unconfirmed",
        "/api/v1/requests?status=%00",
        "/api/v1/requests/" + "9" * 23,
        "/api/v1/requests/SOL-2025-%00",
        "/api/v1/requests/" + "A" * 500,
    ]
    for path in paths:
        refused(workspace, lambda p=path: site.api.get(p), path)
    inbox = site.api.get(
        "/api/v1/inbox?status=%00&due=%ff&assignee=" + "x" * 1000,
        headers={"Authorization": f"Bearer {site.token}"},
    )
    assert inbox.status_code == 200  # unknown filters filter nothing


def test_acting_through_the_api(site, workspace):
    officer = {"Authorization": f"Bearer {site.token}"}
    act = f"/api/v1/requests/{site.code}"
    cases: dict[str, Callable[[], object]] = {
        "requester_key as a list": lambda: site.api.post(
            f"{act}/withdraw", json={"requester_key": [site.key]}
        ),
        "requester_key as a number": lambda: site.api.post(
            f"{act}/withdraw", json={"requester_key": HUGE}
        ),
        "requester_key as a surrogate": lambda: raw_json(
            site.api, f"{act}/withdraw", '{"requester_key": ' + SURROGATE + "}"
        ),
        "requester_key far too long": lambda: site.api.post(
            f"{act}/withdraw", json={"requester_key": "k" * 100_000}
        ),
        "a 23-digit code": lambda: site.api.post(
            "/api/v1/requests/" + "9" * 23 + "/withdraw", json={"requester_key": site.key}
        ),
        "an unknown action": lambda: site.api.post(f"{act}/fly", json={}, headers=officer),
        "a body that is a list": lambda: site.api.post(f"{act}/assign", json=[], headers=officer),
        "text/plain body": lambda: site.api.post(
            f"{act}/assign", content=b'{"a": 1}', headers={**officer, "content-type": "text/plain"}
        ),
        "version as text": lambda: site.api.post(
            f"{act}/assign", json={"version": "1"}, headers=officer
        ),
        "version as true": lambda: site.api.post(
            f"{act}/assign", json={"version": True}, headers=officer
        ),
        "a huge version": lambda: site.api.post(
            f"{act}/assign", json={"version": HUGE}, headers=officer
        ),
        "assignee as a list": lambda: site.api.post(
            f"{act}/assign", json={"assignee": ["uip@mides.gob.gt"]}, headers=officer
        ),
        "question as an object": lambda: site.api.post(
            f"{act}/clarification", json={"question": {"q": "¿Cuál?"}}, headers=officer
        ),
        "reason far too long": lambda: site.api.post(
            f"{act}/extend", json={"reason": "x" * 20_001}, headers=officer
        ),
        "outcome as a list": lambda: site.api.post(
            f"{act}/answer",
            json={"outcome": ["granted"], "text": "Respuesta suficiente."},
            headers=officer,
        ),
        "answer text as a number": lambda: site.api.post(
            f"{act}/answer", json={"outcome": "granted", "text": HUGE}, headers=officer
        ),
        "legal ground too long": lambda: site.api.post(
            f"{act}/answer",
            json={"outcome": "denied", "text": "No se entrega.", "legal_ground": "x" * 3000},
            headers=officer,
        ),
        "attachments as objects": lambda: site.api.post(
            f"{act}/answer",
            json={
                "outcome": "granted",
                "text": "Se adjunta lo pedido.",
                "attachments": [{"sha256": "0" * 64, "media_type": "text/html"}],
            },
            headers=officer,
        ),
        "referred_to too long": lambda: site.api.post(
            f"{act}/refer", json={"referred_to": "x" * 201}, headers=officer
        ),
        "a surrogate in an answer": lambda: raw_json(
            site.api,
            f"{act}/answer",
            '{"outcome": "granted", "text": ' + SURROGATE + "}",
            **officer,
        ),
        "close reason too long": lambda: site.api.post(
            f"{act}/close", json={"reason": "x" * 501}, headers=officer
        ),
        "no credentials": lambda: site.api.post(f"{act}/assign", json={}),
        "a wrong token": lambda: site.api.post(
            f"{act}/assign", json={}, headers={"Authorization": "Bearer " + "x" * 5000}
        ),
    }
    for label, send in cases.items():
        refused(workspace, send, label)
    with workspace.db.read() as session:
        row = workspace.requests.get(session, site.code)
        assert (row.status, row.version) == ("received", 1)  # untouched by all of it


def test_uploading_through_the_api(site, workspace):
    officer = {"Authorization": f"Bearer {site.token}"}
    url = f"/api/v1/uploads/{site.code}"
    cases = {
        "no name": lambda: site.api.post(url, content=b"%PDF-1.4", headers=officer),
        "an empty file": lambda: site.api.post(f"{url}?name=a.pdf", content=b"", headers=officer),
        "a lying extension": lambda: site.api.post(
            f"{url}?name=a.pdf", content=b"<html>", headers=officer
        ),
        "over 10 MB": lambda: site.api.post(
            f"{url}?name=a.csv", content=b"a" * (10 * 1024 * 1024 + 1), headers=officer
        ),
        "a 23-digit code": lambda: site.api.post(
            "/api/v1/uploads/" + "9" * 23 + "?name=a.pdf",
            content=b"%PDF-1.4",
            headers=officer,
        ),
        "a name of 10,000 characters": lambda: site.api.post(
            f"{url}?name={'n' * 10_000}.exe", content=b"MZ", headers=officer
        ),
    }
    for label, send in cases.items():
        refused(workspace, send, label)


# ---------------------------------------------------------------- web pages


def form_token(client: TestClient, path: str = "/transparencia/solicitudes/nueva") -> str:
    return re.search(r'name="form_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_public_form_and_the_requesters_pages(site, workspace):
    web = site.web
    good = {
        "publisher": "mides",
        "subject": "Presupuesto del comedor",
        "description": "x" * 30,
        "name": "Rosa Xol",
        "email": "rosa@correo.example",
    }

    def post_form(body: bytes, kind: str = "application/x-www-form-urlencoded"):
        return web.post(
            "/transparencia/solicitudes/nueva", content=body, headers={"content-type": kind}
        )

    token = form_token(web)
    encoded = "&".join(f"{k}={v}" for k, v in {**good, "form_token": token}.items()).encode()
    cases = {
        "a lone surrogate": lambda: post_form(encoded.replace(b"Presupuesto", b"%ED%A0%80")),
        "raw bytes that are not UTF-8": lambda: post_form(encoded.replace(b"Presupuesto", b"\xff")),
        "a body over 256 KB": lambda: post_form(encoded + b"&description=" + b"x" * 300_000),
        "a streamed body over 256 KB": lambda: web.post(
            "/transparencia/solicitudes/nueva",
            content=(b"x" * 1024 for _ in range(300)),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "a file where text belongs": lambda: web.post(
            "/transparencia/solicitudes/nueva",
            data={**good, "form_token": token},
            files=[("subject", ("a.txt", b"hola"))],
        ),
        "missing fields": lambda: web.post(
            "/transparencia/solicitudes/nueva", data={"form_token": form_token(web)}
        ),
        "over-long subject": lambda: web.post(
            "/transparencia/solicitudes/nueva",
            data={**good, "subject": "x" * 300, "form_token": form_token(web)},
        ),
        "NUL everywhere": lambda: web.post(
            "/transparencia/solicitudes/nueva",
            data={**{k: "\x00" for k in good}, "form_token": form_token(web)},
        ),
        "too many fields": lambda: post_form(b"&".join(b"f%d=1" % i for i in range(200))),
    }
    for label, send in cases.items():
        refused(workspace, send, label)
    code = site.code
    pages = [
        f"/transparencia/solicitudes/{'9' * 23}",
        "/transparencia/solicitudes/SOL-2025-%00",
        f"/transparencia/solicitudes/{code}?clave=%00",
        f"/transparencia/solicitudes/{code}?clave={'k' * 5000}",
        "/transparencia/adjuntos/" + "9" * 23 + "/a.pdf",
        "/transparencia/adjuntos/-1/a.pdf",
        "/transparencia/adjuntos/uno/a.pdf",
    ]
    for path in pages:
        refused(workspace, lambda p=path: web.get(p), path)
    for path in ("/transparencia/solicitudes/?pagina=" + "9" * 30 + "&institucion=%00&estado=%00",):
        assert web.get(path).status_code == 200  # odd filters are ignored, not failed on
    token = form_token(web, f"/transparencia/solicitudes/{code}?clave={site.key}")
    actions = {
        "a key of the wrong shape": {"clave": "x" * 3000, "text": "Aclaración suficiente."},
        "no key": {"text": "Aclaración suficiente."},
        "clarify when none was asked": {"clave": site.key, "text": "Aclaración suficiente."},
        "text far too long": {"clave": site.key, "reason": "x" * 200_000},
    }
    for label, data in actions.items():
        action = "apelar" if "reason" in data else "aclarar"
        refused(
            workspace,
            lambda d=data, a=action: web.post(
                f"/transparencia/solicitudes/{code}/{a}", data={**d, "form_token": token}
            ),
            label,
        )
    refused(
        workspace,
        lambda: web.post(f"/transparencia/solicitudes/{code}/volar", data={"form_token": token}),
        "an unknown requester action",
    )
    refused(
        workspace,
        lambda: web.post(
            f"/transparencia/solicitudes/{code}/desistir",
            content=b"clave=" + b"x" * 300_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "a requester's body over 256 KB",
    )
    for token_value in ("", "x.y.z", "\x00", "t" * 2000):
        refused(
            workspace,
            lambda t=token_value: web.post(
                f"/transparencia/solicitudes/{code}/confirmar",
                data={"token": t, "form_token": form_token(web)},
            ),
            f"confirmation token {token_value[:5]!r}",
        )


def test_the_officers_pages(site, workspace):
    web = site.web
    response = web.post(
        "/transparencia/oficiales/entrar",
        data={
            "email": "uip@mides.gob.gt",
            "password": "clave-de-prueba-1",
            "form_token": form_token(web, "/transparencia/oficiales/entrar"),
        },
    )
    assert response.status_code == 303
    detail = f"/transparencia/oficiales/solicitudes/{site.code}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', web.get(detail).text).group(1)
    cases = {
        "asignar": {"assignee": "nadie@mides.gob.gt"},
        "aclaracion": {"question": "x" * 20_001},
        "prorroga": {"reason": "corta"},
        "responder": {"outcome": "quizá", "text": "Respuesta suficiente."},
        "remitir": {"referred_to": "x" * 201},
        "publicar": {},
        "cerrar": {"reason": "x" * 600},
        "resolver-apelacion": {"resolution": "Resuelta."},
        "volar": {},
    }
    for action, data in cases.items():
        refused(
            workspace,
            lambda a=action, d=data: web.post(f"{detail}/{a}", data={**d, "csrf": csrf}),
            action,
        )
    versions = ("abc", "9" * 30, "-1", "1.5")
    for version in versions:
        refused(
            workspace,
            lambda v=version: web.post(
                f"{detail}/asignar", data={"csrf": csrf, "version": v, "assignee": ""}
            ),
            f"version {version}",
        )
    rules = {
        "a backreference": {"pattern": r"(a)\1", "is_regex": "on"},
        "a lookahead": {"pattern": "a(?=b)", "is_regex": "on"},
        "an empty match": {"pattern": "a*", "is_regex": "on"},
        "a pattern too long": {"pattern": "x" * 301},
        "a replacement too long": {"pattern": "Xol", "replacement": "r" * 101},
        "a reason too long": {"pattern": "Xol", "reason": "r" * 201},
        "no pattern": {},
    }
    for label, data in rules.items():
        refused(
            workspace,
            lambda d=data: web.post(f"{detail}/regla", data={**d, "csrf": csrf}),
            label,
        )
    refused(
        workspace,
        lambda: web.post(
            f"{detail}/responder",
            data={"outcome": "granted", "text": "Se adjunta.", "csrf": csrf},
            files=[("files", ("pagina.html", b"<script>", "text/html"))],
        ),
        "an attachment of a refused type",
    )
    refused(
        workspace,
        lambda: web.post(
            f"{detail}/responder",
            data={"outcome": "granted", "text": "Se adjunta.", "csrf": csrf},
            files=[("files", (f"a{i}.csv", b"a,b\n", "text/csv")) for i in range(6)],
        ),
        "too many attachments",
    )
    # The pathological pattern of the review is accepted, and the page stays quick.
    added = web.post(f"{detail}/regla", data={"pattern": "(a+)+$", "is_regex": "on", "csrf": csrf})
    assert added.status_code == 303
    assert web.get(detail).status_code == 200


def test_control_characters_are_removed_not_stored(site, workspace):
    """PostgreSQL refuses NUL in text: it never reaches the database."""
    filed = site.api.post(
        "/api/v1/requests",
        json={
            **FILING,
            "publisher": "mides\x00",
            "subject": "Presupuesto\x00 del comedor\x07",
            "filing_token": site.filing_token(),
        },
    )
    assert filed.status_code == 201
    with workspace.db.read() as session:
        row = workspace.requests.get(session, filed.json()["tracking_code"])
    assert (row.publisher, row.subject) == ("mides", "Presupuesto del comedor")
    assigned = site.api.post(
        f"/api/v1/requests/{site.code}/assign",
        json={"assignee": "uip@mides.gob.gt\x00"},
        headers={"Authorization": f"Bearer {site.token}"},
    )
    assert assigned.status_code == 200


def test_a_rule_saved_before_re2_stops_publication_with_a_message(site, workspace):
    """A rule stored when patterns ran on Python's engine may not compile on RE2."""
    from datetime import UTC, datetime

    with workspace.db.write() as session:
        session.add(
            RedactionRule(
                publisher="mides",
                pattern=r"(\w+) \1",
                is_regex=True,
                replacement="[…]",
                created_at=datetime.now(UTC),
            )
        )
    officer = {"Authorization": f"Bearer {site.token}"}
    refused(
        workspace,
        lambda: site.api.post(f"/api/v1/requests/{site.code}/assign", json={}, headers=officer),
        "an officer action with an unusable rule",
    )
    web = site.web
    web.post(
        "/transparencia/oficiales/entrar",
        data={
            "email": "uip@mides.gob.gt",
            "password": "clave-de-prueba-1",
            "form_token": form_token(web, "/transparencia/oficiales/entrar"),
        },
    )
    page = web.get(f"/transparencia/oficiales/solicitudes/{site.code}")
    assert page.status_code == 200 and "regla de censura" in page.text
