"""The request lifecycle on the real database: filing, the state machine, the
append-only history, officers' permissions, redaction, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from catalog.transparency import accounts
from catalog.transparency.models import Event, InfoRequest, OutboxMessage
from catalog.transparency.requests import (
    REQUESTER,
    Actor,
    Conflict,
    FilingErrors,
    Forbidden,
    NotFound,
    RateLimited,
    RequestError,
    RequestService,
)
from catalog.transparency.workspace import Workspace

MONDAY = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 09:00 in Guatemala


def filing(**changes):
    data = {
        "publisher": "mides",
        "subject": "Listado de beneficiarios del Bono Social 2024",
        "description": "Solicito el número de hogares beneficiarios del Bono Social por municipio en 2024.",
        "requester": {"name": "Ana Lucía Pérez", "email": "ana.perez@example.org"},
        "preferred_format": "csv",
    }
    data.update(changes)
    return data


def confirmation_token(workspace: Workspace, code: str) -> str:
    """The token of the confirmation link e-mailed for request ``code``."""
    with workspace.db.read() as session:
        bodies = session.scalars(select(OutboxMessage.body)).all()
    links = [b for b in bodies if f"{code}/confirmar?token=" in b]
    assert links, "no confirmation e-mail was queued"
    return links[-1].split("token=", 1)[1].split()[0]


def file_confirmed(workspace: Workspace, data: dict, at: datetime):
    """File where the profile asks for a confirmed e-mail, and confirm it at ``at``."""
    request, key = workspace.requests.file(data, at=at)
    assert key is None and request.status == "unconfirmed"
    token = confirmation_token(workspace, request.tracking_code)
    return workspace.requests.confirm(request.tracking_code, token, at=at)


@pytest.fixture
def officers(workspace: Workspace):
    with workspace.db.write() as session:
        mides = accounts.add_user(
            session,
            "oficial@mides.gob.gt",
            "Oficial MIDES",
            "clave-segura-123",
            "officer",
            ["mides"],
        )
        other = accounts.add_user(
            session,
            "oficial@mineduc.gob.gt",
            "Oficial MINEDUC",
            "clave-segura-123",
            "officer",
            ["mineduc"],
        )
        admin = accounts.add_user(
            session, "admin@portal.gob.gt", "Admin", "clave-segura-123", "admin"
        )
    return Actor("officer", mides), Actor("officer", other), Actor("officer", admin)


def test_filing_gives_code_dates_and_a_private_key(workspace):
    request, key = workspace.requests.file(filing(), at=MONDAY)
    assert request.tracking_code.startswith("SOL-2025-") and len(request.tracking_code) == 15
    assert request.status == "received"
    assert (request.start_on, request.due_on) == (date(2025, 3, 3), date(2025, 3, 17))
    assert len(key) >= 20 and key not in request.requester_key_hash
    with workspace.db.read() as session:
        events = session.scalars(select(Event)).all()
        mail = session.scalars(select(OutboxMessage)).one()
    assert [e.action for e in events] == ["file"]
    assert mail.to_addr == "ana.perez@example.org" and request.tracking_code in mail.subject
    assert f"clave={key}" in mail.body


def test_chilean_and_paraguayan_publishers_use_their_own_law(workspace):
    chile, _ = file_confirmed(workspace, filing(publisher="cplt-demo"), MONDAY)
    paraguay, _ = file_confirmed(workspace, filing(publisher="py-demo"), MONDAY)
    assert chile.jurisdiction == "CL" and chile.due_on == date(2025, 3, 31)  # 20 days
    # 3 March 2025 is Patriots Day in Paraguay: the 15 days start on the 4th.
    assert paraguay.jurisdiction == "PY" and paraguay.due_on == date(2025, 3, 25)


def test_every_bad_field_is_named(workspace):
    with pytest.raises(FilingErrors) as caught:
        workspace.requests.file(
            filing(
                publisher="nadie",
                subject="",
                requester={"name": "A", "email": "no"},
                preferred_format="doc",
            )
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"publisher", "subject", "name", "email", "preferred_format"}
    assert caught.value.status == 422
    assert "nadie" in caught.value.errors[0].message("es")
    with pytest.raises(FilingErrors) as caught:
        workspace.requests.file(filing(description="x" * 5001))
    assert "5000" in caught.value.errors[0].message("en")


def test_rate_limit_per_client(tmp_path):
    from catalog.transparency.testing import workspace_for_tests

    with workspace_for_tests("sqlite", tmp_path, filings_per_hour=2) as ws:
        ws.requests.file(filing(), client="abc", at=MONDAY)
        ws.requests.file(filing(), client="abc", at=MONDAY)
        ws.requests.file(filing(), client="other", at=MONDAY)
        with pytest.raises(RateLimited) as caught:
            ws.requests.file(filing(), client="abc", at=MONDAY)
        assert caught.value.status == 429
        ws.requests.file(filing(), client="abc", at=datetime(2025, 3, 3, 16, 1, tzinfo=UTC))


def test_full_lifecycle_with_extension_answer_and_publication(workspace, officers):
    mides, _, _ = officers
    request, key = workspace.requests.file(filing(), at=MONDAY)
    code = request.tracking_code
    svc = workspace.requests
    svc.act(code, "assign", mides, {"assignee": "oficial@mides.gob.gt"}, at=MONDAY)
    extended = svc.act(
        code,
        "extend",
        mides,
        {"reason": "Volumen de información a recopilar."},
        at=datetime(2025, 3, 14, 15, tzinfo=UTC),
    )
    assert extended.status == "extended" and extended.due_on == date(2025, 3, 31)
    with pytest.raises(Conflict) as caught:
        svc.act(
            code,
            "extend",
            mides,
            {"reason": "Otra vez, por favor."},
            at=datetime(2025, 3, 17, 15, tzinfo=UTC),
        )
    assert "already extended" in caught.value.message("en")
    answered = svc.act(
        code,
        "answer",
        mides,
        {
            "outcome": "granted",
            "text": "Adjuntamos el listado. Consultas: ana.perez@example.org o Ana Lucía Pérez.",
        },
        at=datetime(2025, 3, 20, 15, tzinfo=UTC),
    )
    assert (
        answered.status == "answered"
        and answered.answered_late is False
        and answered.answer_days == 13
    )
    svc.add_rule(mides, "mides", "listado", code=code, replacement="[documento]")
    published = svc.act(code, "publish", mides, at=datetime(2025, 3, 20, 16, tzinfo=UTC))
    assert "ana.perez@example.org" not in published.published_answer
    assert "Pérez" not in published.published_answer and "[documento]" in published.published_answer
    with workspace.db.read() as session:
        actions = [e.action for e in session.scalars(select(Event).order_by(Event.id))]
    assert actions == ["file", "assign", "extend", "answer", "publish"]


def test_late_answer_and_no_extension_after_the_deadline(workspace, officers):
    mides, _, _ = officers
    request, _ = workspace.requests.file(filing(), at=MONDAY)
    with pytest.raises(Conflict) as caught:
        workspace.requests.act(
            request.tracking_code,
            "extend",
            mides,
            {"reason": "Demasiado tarde ya."},
            at=datetime(2025, 3, 18, 15, tzinfo=UTC),
        )
    assert "2025-03-17" in caught.value.message("es")
    answered = workspace.requests.act(
        request.tracking_code,
        "answer",
        mides,
        {"outcome": "not_held", "text": "La información no existe en los archivos."},
        at=datetime(2025, 3, 19, 15, tzinfo=UTC),
    )
    assert answered.answered_late is True


def test_paraguay_allows_no_extension(workspace, officers):
    _, _, admin = officers
    request, _ = file_confirmed(workspace, filing(publisher="py-demo"), MONDAY)
    with pytest.raises(Conflict) as caught:
        workspace.requests.act(
            request.tracking_code, "extend", admin, {"reason": "Necesitamos más tiempo."}, at=MONDAY
        )
    assert "PY" in caught.value.message("en")


def test_denial_needs_a_legal_ground(workspace, officers):
    mides, _, _ = officers
    request, _ = workspace.requests.file(filing(), at=MONDAY)
    with pytest.raises(Exception) as caught:
        workspace.requests.act(
            request.tracking_code,
            "answer",
            mides,
            {"outcome": "denied", "text": "No se puede entregar esto."},
        )
    assert caught.value.status == 422 and caught.value.field == "legal_ground"


def test_invalid_transitions_are_refused_clearly(workspace, officers):
    mides, _, _ = officers
    request, key = workspace.requests.file(filing(), at=MONDAY)
    code = request.tracking_code
    with pytest.raises(Conflict) as caught:
        workspace.requests.act(code, "publish", mides)
    assert "Recibida" in caught.value.message("es") and "Received" in caught.value.message("en")
    workspace.requests.act(code, "withdraw", REQUESTER, key=key)
    with pytest.raises(Conflict):
        workspace.requests.act(
            code, "answer", mides, {"outcome": "granted", "text": "Respuesta tardía."}
        )
    with pytest.raises(NotFound):
        workspace.requests.act("SOL-2025-XXXXXX", "assign", mides)


def test_officers_act_only_on_their_publishers(workspace, officers):
    mides, mineduc, admin = officers
    request, key = workspace.requests.file(filing(), at=MONDAY)
    with pytest.raises(Forbidden) as caught:
        workspace.requests.act(request.tracking_code, "assign", mineduc)
    assert caught.value.status == 403 and "mides" in caught.value.message("en")
    with pytest.raises(Forbidden):
        workspace.requests.add_rule(mineduc, "mides", "secreto")
    with pytest.raises(Forbidden):  # the requester's key, not just the code, is needed
        workspace.requests.act(request.tracking_code, "withdraw", REQUESTER, key="wrong")
    with pytest.raises(Forbidden):  # an officer cannot withdraw in the requester's name
        workspace.requests.act(request.tracking_code, "withdraw", mides)
    assert workspace.requests.act(request.tracking_code, "assign", admin).status == "assigned"


def test_clarification_stops_the_clock_and_abandonment_closes(workspace, officers):
    from catalog.transparency.reminders import remind

    mides, _, _ = officers
    svc = workspace.requests
    request, key = svc.file(filing(), at=MONDAY)  # due 2025-03-17
    # Asked on Wednesday 5 March: 8 business days are left.
    asked = svc.act(
        request.tracking_code,
        "request_clarification",
        mides,
        {"question": "¿De qué municipios exactamente?"},
        at=datetime(2025, 3, 5, 15, tzinfo=UTC),
    )
    assert asked.status == "clarification" and asked.paused_days == 8
    # Clarified on Monday 10 March: the 8 days run again from then.
    clarified = svc.act(
        request.tracking_code,
        "clarify",
        REQUESTER,
        {"text": "Todos los municipios de Alta Verapaz."},
        key=key,
        at=datetime(2025, 3, 10, 15, tzinfo=UTC),
    )
    assert clarified.status == "received" and clarified.due_on == date(2025, 3, 20)

    other, _ = svc.file(filing(), at=MONDAY)
    svc.act(
        other.tracking_code,
        "request_clarification",
        mides,
        {"question": "¿Qué período le interesa?"},
        at=MONDAY,
    )
    report = remind(workspace, at=datetime(2025, 3, 12, 15, tzinfo=UTC), send=False)
    assert report.abandoned == 0
    report = remind(workspace, at=datetime(2025, 3, 18, 15, tzinfo=UTC), send=False)
    assert report.abandoned == 1
    with workspace.db.read() as session:
        closed = svc.get(session, other.tracking_code)
    assert closed.status == "closed" and closed.outcome == "abandoned"


def test_appeal_has_its_own_deadline(workspace, officers):
    mides, _, _ = officers
    svc = workspace.requests
    request, key = svc.file(filing(), at=MONDAY)
    with pytest.raises(Conflict):  # still within the deadline, not answered
        svc.act(request.tracking_code, "appeal", REQUESTER, key=key, at=MONDAY)
    svc.act(
        request.tracking_code,
        "answer",
        mides,
        {"outcome": "denied", "text": "Información reservada.", "legal_ground": "LAIP art. 23"},
        at=datetime(2025, 3, 6, 15, tzinfo=UTC),
    )
    appealed = svc.act(
        request.tracking_code,
        "appeal",
        REQUESTER,
        {"reason": "No estoy de acuerdo."},
        key=key,
        at=datetime(2025, 3, 7, 15, tzinfo=UTC),
    )
    assert appealed.status == "appealed" and appealed.appeal_due_on == date(2025, 3, 14)
    closed = svc.act(
        request.tracking_code, "resolve_appeal", mides, {"resolution": "Se confirma la reserva."}
    )
    assert closed.status == "closed"


def test_history_is_append_only(workspace, officers):
    request, _ = workspace.requests.file(filing(), at=MONDAY)
    for statement in ("UPDATE events SET action = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"):
            with workspace.db.write() as session:
                session.execute(text(statement))
    with workspace.db.read() as session:
        assert session.scalars(select(Event.action)).all() == ["file"]


def test_a_stale_form_is_refused(workspace, officers):
    mides, _, _ = officers
    request, _ = workspace.requests.file(filing(), at=MONDAY)
    seen = request.version
    workspace.requests.act(request.tracking_code, "assign", mides)
    with pytest.raises(Conflict) as caught:
        workspace.requests.act(
            request.tracking_code, "extend", mides, {"reason": "Volumen de datos."}, version=seen
        )
    assert "Reload" in caught.value.message("en")


def test_two_app_instances_never_lose_or_double_an_update(workspace, officers):
    """Two workspaces (two engines, two pools) on one database extend the same request at
    once, many times over: exactly one extension each time, never two, never none."""
    mides, _, _ = officers
    second = Workspace(
        workspace.settings,
        schema=workspace.db.schema,
        publishers=workspace.directory.fallback,
        migrate=False,
    )
    try:
        for _round in range(5):
            request, _ = workspace.requests.file(filing(), at=MONDAY)
            outcomes: list[str] = []
            barrier = threading.Barrier(2)

            def extend(
                service: RequestService, code: str, barrier: threading.Barrier, outcomes: list[str]
            ) -> None:
                barrier.wait()
                try:
                    service.act(
                        code,
                        "extend",
                        mides,
                        {"reason": "Volumen de información."},
                        at=MONDAY,
                    )
                    outcomes.append("ok")
                except Conflict:
                    outcomes.append("conflict")

            threads = [
                threading.Thread(target=extend, args=(s, request.tracking_code, barrier, outcomes))
                for s in (workspace.requests, second.requests)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["conflict", "ok"]
            with second.db.read() as session:
                row = session.scalar(
                    select(InfoRequest).where(InfoRequest.tracking_code == request.tracking_code)
                )
                extensions = session.scalars(
                    select(Event).where(Event.request_id == row.id, Event.action == "extend")
                ).all()
            assert row.extensions == 1 and len(extensions) == 1 and row.due_on == date(2025, 3, 31)
    finally:
        second.close()


def test_accounts_passwords_and_tokens(workspace):
    with workspace.db.write() as session:
        user = accounts.add_user(
            session, "Oficial@Mides.gob.gt", "Oficial", "una clave larga", "officer", ["mides"]
        )
        token = accounts.create_token(session, user, "cliente")
        assert user.password_hash.startswith("$argon2id$")
        with pytest.raises(Exception, match="already"):
            accounts.add_user(
                session, "oficial@mides.gob.gt", "Otro", "una clave larga", "officer", ["mides"]
            )
    with pytest.raises(Exception, match="too short"):
        with workspace.db.write() as session:
            accounts.add_user(session, "x@mides.gob.gt", "X", "corta", "officer", ["mides"])
    with pytest.raises(Exception, match="at least one publisher"):
        with workspace.db.write() as session:
            accounts.add_user(session, "y@mides.gob.gt", "Y", "una clave larga", "officer", [])
    with workspace.db.write() as session:
        assert accounts.authenticate(session, "oficial@mides.gob.gt", "una clave larga") is not None
        assert accounts.authenticate(session, "oficial@mides.gob.gt", "otra clave") is None
        assert accounts.authenticate(session, "nadie@mides.gob.gt", "una clave larga") is None
        assert accounts.user_for_token(session, token).email == "oficial@mides.gob.gt"
        assert accounts.user_for_token(session, token + "x") is None
        accounts.set_active(session, "oficial@mides.gob.gt", False)
    with workspace.db.write() as session:
        assert accounts.authenticate(session, "oficial@mides.gob.gt", "una clave larga") is None
        assert accounts.user_for_token(session, token) is None


# ------------------------------------------------ e-mail confirmation (CL, PY)


def test_a_chilean_filing_waits_for_its_email_to_be_confirmed(workspace, officers):
    from catalog.transparency import stats

    mides, _, admin = officers
    request, key = workspace.requests.file(filing(publisher="cplt-demo"), at=MONDAY)
    assert key is None and request.status == "unconfirmed"
    code = request.tracking_code
    with workspace.db.read() as session:
        with pytest.raises(NotFound) as caught:
            workspace.requests.get(session, code)  # not public, not for officers either
        assert "confirmation e-mail" in caught.value.message("en")
        assert workspace.requests.inbox(admin.user) == []
        assert stats.compute(session, MONDAY.date())["overall"].received == 0
        mail = session.scalars(select(OutboxMessage)).one()
    # The e-mail repeats nothing the filer wrote (it may reach someone who never asked).
    assert "Ana" not in mail.body and "Bono" not in mail.body and "Bono" not in mail.subject
    with pytest.raises(NotFound):  # no officer can act on it meanwhile
        workspace.requests.act(code, "assign", admin, at=MONDAY)
    with pytest.raises(Forbidden):
        workspace.requests.confirm(code, "forged.token", at=MONDAY)
    # Confirmed on Wednesday 5 March: received then, 20 business days from then.
    token = confirmation_token(workspace, code)
    confirmed, key = workspace.requests.confirm(
        code, token, at=datetime(2025, 3, 5, 15, tzinfo=UTC)
    )
    assert confirmed.status == "received" and confirmed.start_on == date(2025, 3, 5)
    assert confirmed.due_on == date(2025, 4, 2)
    with pytest.raises(Conflict):  # the link works once
        workspace.requests.confirm(code, token)
    assert workspace.requests.act(code, "withdraw", REQUESTER, key=key).status == "withdrawn"
    with workspace.db.read() as session:
        bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert f"clave={key}" in bodies[1]  # the receipt, with the private link, after confirming


def test_an_expired_confirmation_link_is_refused(workspace, monkeypatch):
    import itsdangerous.timed

    request, _ = workspace.requests.file(filing(publisher="py-demo"), at=MONDAY)
    token = confirmation_token(workspace, request.tracking_code)
    later = itsdangerous.timed.time.time() + 8 * 86400
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    with pytest.raises(Forbidden) as caught:
        workspace.requests.confirm(request.tracking_code, token)
    assert "7" in caught.value.message("en") and "expired" in caught.value.message("en")


def test_unconfirmed_filings_expire_and_forget_the_address(workspace):
    from catalog.transparency.reminders import remind

    request, _ = workspace.requests.file(filing(publisher="cplt-demo"), at=MONDAY)
    assert remind(workspace, at=datetime(2025, 3, 9, 15, tzinfo=UTC), send=False).expired == 0
    report = remind(workspace, at=datetime(2025, 3, 11, 15, tzinfo=UTC), send=False)
    assert report.expired == 1
    assert remind(workspace, at=datetime(2025, 3, 12, 15, tzinfo=UTC), send=False).expired == 0
    with workspace.db.read() as session:
        row = session.scalar(select(InfoRequest))
        mails = session.scalars(select(OutboxMessage)).all()
    assert row.status == "expired" and row.requester_email == "" and row.requester_name == ""
    assert len(mails) == 1  # the confirmation request only: nothing more to that address
    with pytest.raises(Conflict) as caught:
        workspace.requests.confirm(
            row.tracking_code, confirmation_token(workspace, row.tracking_code)
        )
    assert "Expired" in caught.value.message("en")


def test_one_address_cannot_be_flooded_with_confirmation_emails(workspace):
    for _ in range(3):
        workspace.requests.file(filing(publisher="cplt-demo"), at=MONDAY)
    with pytest.raises(RateLimited) as caught:
        workspace.requests.file(filing(publisher="cplt-demo"), at=MONDAY)
    assert "3" in caught.value.message("en")
    # Guatemala asks for no confirmation: the same address files there as before.
    assert workspace.requests.file(filing(), at=MONDAY)[0].status == "received"


# ----------------------------------------------------- what is public, and when


def test_the_subject_is_public_only_after_an_officer_acts_and_redacted(workspace, officers):
    from catalog.transparency.public import detail

    mides, _, _ = officers
    svc = workspace.requests
    subject = "Beca de Ana Lucía Pérez y de Josué Tun"
    request, _ = svc.file(filing(subject=subject), at=MONDAY)
    code = request.tracking_code
    assert request.published_subject is None
    with workspace.db.read() as session:
        assert detail(svc.get(session, code), "es", MONDAY)["subject"] is None
    svc.add_rule(mides, "mides", "Josué Tun", code=code, replacement="[tercero]")
    assigned = svc.act(code, "assign", mides, at=MONDAY)
    assert assigned.published_subject == "Beca de […] y de [tercero]"
    # A rule for every request of the body redacts the subjects already public at once.
    svc.add_rule(mides, "mides", "Beca", replacement="[programa]")
    with workspace.db.read() as session:
        assert svc.get(session, code).published_subject == "[programa] de […] y de [tercero]"


def test_officers_words_in_the_public_timeline_are_redacted_when_written(workspace, officers):
    from catalog.transparency.public import detail

    mides, _, _ = officers
    svc = workspace.requests
    request, _ = svc.file(filing(), at=MONDAY)
    reason = "La Sra. Pérez pidió 40 archivos; ana.perez@example.org recibirá aviso."
    svc.act(request.tracking_code, "extend", mides, {"reason": reason}, at=MONDAY)
    with workspace.db.read() as session:
        found = svc.get(session, request.tracking_code)
        public = detail(found, "es", MONDAY)["timeline"][-1]["details"]["reason"]
        kept = found.events[-1].data["reason"]
    assert public == "La Sra. […] pidió 40 archivos; […] recibirá aviso."
    assert kept == reason  # officers keep the words as written


def test_assigning_twice_and_to_a_colleague(workspace, officers):
    mides, _, admin = officers
    request, _ = workspace.requests.file(filing(), at=MONDAY)
    code = request.tracking_code
    assert workspace.requests.act(code, "assign", mides).assignee.email == "oficial@mides.gob.gt"
    again = workspace.requests.act(code, "assign", mides)  # the same officer, again
    assert again.status == "assigned" and again.assignee_id == mides.user.id
    moved = workspace.requests.act(code, "assign", admin, {"assignee": "oficial@mides.gob.gt"})
    assert moved.assignee_id == mides.user.id


# ---------------------------------------------------------------- attachments


def test_an_answer_attaches_only_files_the_server_stored_for_it(workspace, officers):
    from catalog.transparency import attachments

    mides, mineduc, _ = officers
    svc = workspace.requests
    mine, _ = svc.file(filing(), at=MONDAY)
    other, _ = svc.file(filing(publisher="mineduc"), at=MONDAY)
    stored = attachments.store(workspace.settings, "listado.pdf", b"%PDF-1.4 listado")
    elsewhere = attachments.store(workspace.settings, "ajeno.csv", b"a,b\n1,2\n")
    svc.upload(other.tracking_code, mineduc, elsewhere)
    with pytest.raises(Forbidden):  # an officer uploads only to their own body's requests
        svc.upload(other.tracking_code, mides, elsewhere)
    upload = svc.upload(mine.tracking_code, mides, stored)
    answer = {"outcome": "granted", "text": "Se adjunta el listado solicitado."}
    forged = [{"filename": "x.html", "media_type": "text/html", "size": 1, "sha256": "0" * 64}]
    for attached in (forged, [elsewhere["sha256"]], "no-es-lista"):
        with pytest.raises(RequestError) as caught:
            svc.act(mine.tracking_code, "answer", mides, {**answer, "attachments": attached})
        assert caught.value.status == 422 and caught.value.field == "attachments"
    svc.act(mine.tracking_code, "answer", mides, {**answer, "attachments": [upload["upload_id"]]})
    with workspace.db.read() as session:
        answered = svc.get(session, mine.tracking_code)
    assert [(a.filename, a.media_type, a.sha256) for a in answered.attachments] == [
        ("listado.pdf", "application/pdf", stored["sha256"])
    ]
