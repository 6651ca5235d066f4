"""Active transparency, the officers' service: assign, record, submit, approve, return,
withdraw; permissions; hostile input; declarations and the stamp (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import threading
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from catalog.transparency import accounts
from catalog.transparency.active import check_document, check_link
from catalog.transparency.models import ActiveEvent, ActiveRecord
from catalog.transparency.requests import Actor, Conflict, Forbidden, NotFound, RequestError

AT = datetime(2025, 6, 20, 15, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def people(workspace):
    with workspace.db.write() as session:
        made = {
            "ana": accounts.add_user(
                session, "ana@mides.gob.gt", "Ana", "clave-de-prueba-1", "officer", ["mides"]
            ),
            "luis": accounts.add_user(
                session, "luis@mides.gob.gt", "Luis", "clave-de-prueba-1", "officer", ["mides"]
            ),
            "eva": accounts.add_user(
                session, "eva@mides.gob.gt", "Eva", "clave-de-prueba-1", "officer", ["mides"]
            ),
            "otro": accounts.add_user(
                session, "uip@mineduc.gob.gt", "Otro", "clave-de-prueba-1", "officer", ["mineduc"]
            ),
            "admin": accounts.add_user(
                session, "admin@gob.gt", "Admin", "clave-de-prueba-1", "admin", []
            ),
        }
        for user in made.values():
            session.flush()
            session.expunge(user)
    return {k: Actor("officer", u) for k, u in made.items()}


@pytest.fixture
def who(workspace):
    return people(workspace)


def test_record_submit_approve_and_declare(workspace, who):
    service = workspace.active
    before = service.stamp()
    service.assign(who["ana"], "mides", "GT-LAIP-10.12", "ana@mides.gob.gt", "luis@mides.gob.gt")
    service.record(
        who["ana"], "mides", "GT-LAIP-10.12", "2025-05", "link",
        url="https://mides.gob.gt/viajes/2025-05", at=AT,
    )  # fmt: skip
    service.submit(who["ana"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    assert service.declarations() == [] and service.stamp() == before
    with pytest.raises(Forbidden):  # the preparer never approves their own work
        service.approve(who["ana"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    with pytest.raises(Forbidden):  # only the assigned reviewer
        service.approve(who["eva"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    with pytest.raises(Forbidden):  # another body's officer
        service.approve(who["otro"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    record = service.approve(who["luis"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    assert record.status == "approved" and record.approved_at == AT
    again = service.approve(who["luis"], "mides", "GT-LAIP-10.12", "2025-05", at=AT)
    assert again.status == "approved"  # a double click changes nothing
    (declared,) = service.declarations()
    assert declared.kind == "link" and declared.published == date(2025, 6, 20)
    assert declared.url == "https://mides.gob.gt/viajes/2025-05" and declared.period == "2025-05"
    assert service.stamp() != before
    history = service.history("mides", "GT-LAIP-10.12")
    assert [e["action"] for e in history] == ["approve", "submit", "record", "assign"]
    with pytest.raises(Conflict):  # approved is final
        service.record(who["ana"], "mides", "GT-LAIP-10.12", "2025-05", "link",
                       url="https://mides.gob.gt/otra", at=AT)  # fmt: skip


def test_return_withdraw_and_record_again(workspace, who):
    service = workspace.active
    args = ("mides", "GT-LAIP-10.27", "2025-05")
    service.record(
        who["ana"], *args, "not-applicable", reason="La institución no tiene fideicomisos.", at=AT
    )
    service.submit(who["ana"], *args, at=AT)
    with pytest.raises(RequestError, match="fix|corregir"):
        service.return_(who["luis"], *args, "", at=AT)
    service.return_(who["luis"], *args, "Cite el acuerdo que lo dice.", at=AT)
    with workspace.db.read() as session:
        row = session.scalars(select(ActiveRecord)).one()
    assert row.status == "returned" and row.comment == "Cite el acuerdo que lo dice."
    service.record(
        who["ana"], *args, "not-applicable", reason="Sin fideicomisos (Acuerdo 12-2025).", at=AT
    )
    service.withdraw(who["ana"], *args, at=AT)
    service.withdraw(who["ana"], *args, at=AT)  # twice: harmless
    with pytest.raises(Conflict):
        service.submit(who["ana"], *args, at=AT)
    assert service.declarations() == []


def test_double_record_and_submit_are_harmless(workspace, who):
    service = workspace.active
    args = ("mides", "GT-LAIP-10.12", "2025-04")
    for _ in range(2):
        service.record(who["ana"], *args, "link", url="https://mides.gob.gt/v", at=AT)
        service.submit(who["ana"], *args, at=AT)
    with workspace.db.read() as session:
        assert len(session.scalars(select(ActiveRecord)).all()) == 1
        actions = session.scalars(select(ActiveEvent.action).order_by(ActiveEvent.id)).all()
    assert actions == ["record", "submit"]


def test_two_records_at_once_make_one(workspace, who):
    errors: list[Exception] = []

    def record() -> None:
        try:
            workspace.active.record(
                who["ana"], "mides", "GT-LAIP-10.12", "2025-03", "link",
                url="https://mides.gob.gt/x", at=AT,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=record) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(e, Conflict) for e in errors), errors
    with workspace.db.read() as session:
        assert len(session.scalars(select(ActiveRecord)).all()) == 1


def test_admin_may_approve_their_own(workspace, who):
    service = workspace.active
    args = ("mides", "GT-LAIP-10.1", "*")
    service.record(who["admin"], *args, "document", document=("organigrama.pdf", PDF), at=AT)
    service.submit(who["admin"], *args, at=AT)
    service.approve(who["admin"], *args, at=AT)
    (declared,) = service.declarations()
    assert (
        declared.period == "*"
        and declared.sha256
        and declared.url.endswith(
            f"/transparencia/activa/documentos/{declared.sha256}/organigrama.pdf"
        )
    )


@pytest.mark.parametrize(
    ("item", "period", "words"),
    [
        ("GT-LAIP-99", "2025-05", "Unknown item|desconocido"),
        ("GT-LAIP-10.12", "2031-01", "has not started|no ha comenzado"),
        ("GT-LAIP-10.12", "2025", "is not a period of|no es un período de"),
        ("GT-LAIP-10.5", "2025-05", "is not a period of|no es un período de"),
        ("GT-LAIP-10.12", "*", "Only a permanent|Solo un ítem permanente"),
        ("GT-LAIP-10.12", "mayo", "is not a period|no es un período"),
        ("CL-20285-7.d", "2025-05", "Unknown item|desconocido"),
    ],
)
def test_bad_slots_are_refused_clearly(workspace, who, item, period, words):
    with pytest.raises(RequestError, match=words) as caught:
        workspace.active.record(who["ana"], "mides", item, period, "link",
                                url="https://a.example", at=AT)  # fmt: skip
    assert caught.value.status in (404, 422)
    assert caught.value.message("es") and caught.value.message("en")


def test_officers_only_for_their_bodies(workspace, who):
    with pytest.raises(Forbidden):
        workspace.active.record(who["otro"], "mides", "GT-LAIP-10.12", "2025-05", "link",
                                url="https://a.example", at=AT)  # fmt: skip
    with pytest.raises(NotFound):
        workspace.active.record(who["ana"], "nadie", "GT-LAIP-10.12", "2025-05", "link",
                                url="https://a.example", at=AT)  # fmt: skip
    with pytest.raises(RequestError, match="two different|dos personas"):
        workspace.active.assign(who["ana"], "mides", "GT-LAIP-10.12",
                                "ana@mides.gob.gt", "ana@mides.gob.gt")  # fmt: skip
    with pytest.raises(RequestError, match="not an active officer|no es un oficial"):
        workspace.active.assign(who["ana"], "mides", "GT-LAIP-10.12", "uip@mineduc.gob.gt", "")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,hola",
        "ftp://mides.gob.gt/a",
        "https://",
        "https://user:pw@mides.gob.gt/",
        "https://mides.gob.gt/a b",
        "//mides.gob.gt/a",
        "https://mides.gob.gt/" + "a" * 2100,
        "",
        ["https://a.example"],
    ],
)
def test_only_http_links(url):
    with pytest.raises(RequestError):
        check_link(url)


def test_links_that_are_fine():
    assert check_link(" https://mides.gob.gt/viajes?mes=5 ") == "https://mides.gob.gt/viajes?mes=5"
    assert check_link("http://muni.gob.gt/") == "http://muni.gob.gt/"


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_documents_by_their_sniffed_type():
    assert check_document("Organigrama 2025.pdf", PDF) == (
        "Organigrama-2025.pdf",
        "application/pdf",
    )
    docx = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
    assert check_document("manual.docx", docx)[1].endswith("wordprocessingml.document")
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})
    assert check_document("plan.ods", ods)[0] == "plan.ods"
    refused = [
        ("virus.exe", b"MZ\x90\x00"),
        ("pagina.html", b"<script>alert(1)</script>"),
        ("falso.pdf", b"<html>not a pdf</html>"),
        ("falso.docx", _zip({"hola.txt": b"x"})),  # a ZIP, not an Office document
        ("falso.ods", docx),
        ("binario.csv", b"\x00\x01\x02"),
        ("grande.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1)),
    ]
    for name, data in refused:
        with pytest.raises(RequestError):
            check_document(name, data)


def test_the_history_is_append_only(workspace, who):
    workspace.active.record(who["ana"], "mides", "GT-LAIP-10.12", "2025-05", "link",
                            url="https://a.example", at=AT)  # fmt: skip
    for statement in ("UPDATE active_events SET action = 'x'", "DELETE FROM active_events"):
        with pytest.raises(DBAPIError), workspace.db.write() as session:
            session.execute(text(statement))
