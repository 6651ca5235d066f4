"""Notifications through the outbox and a real SMTP server (aiosmtpd on a free port)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from catalog.transparency import accounts, notify
from catalog.transparency.models import OutboxMessage
from catalog.transparency.reminders import remind
from catalog.transparency.requests import REQUESTER, Actor

FILING = {
    "publisher": "mides",
    "subject": "Beneficiarios de Beca Social",
    "description": "Solicito el número de becarios de Beca Social por departamento en 2024.",
    "requester": {"name": "Pedro Sis Caal", "email": "pedro.sis@correo.example"},
}


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(workspace):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    object.__setattr__(workspace.settings, "smtp_host", "127.0.0.1")
    object.__setattr__(workspace.settings, "smtp_port", controller.port)
    yield inbox
    controller.stop()


def test_requester_gets_an_email_on_every_change(workspace, smtp):
    with workspace.db.write() as session:
        officer = Actor(
            "officer",
            accounts.add_user(
                session, "uip@mides.gob.gt", "UIP", "clave-de-prueba-1", "officer", ["mides"]
            ),
        )
    request, key = workspace.requests.file(FILING)
    workspace.requests.act(request.tracking_code, "assign", officer)
    workspace.requests.act(
        request.tracking_code, "extend", officer, {"reason": "Volumen de información."}
    )
    report = notify.send_pending(workspace.db, workspace.settings)
    assert report.sent == 3 and len(smtp.messages) == 3
    first = smtp.messages[0]
    assert first["To"] == "pedro.sis@correo.example" and request.tracking_code in first["Subject"]
    assert key in first.get_payload(decode=True).decode()
    assert "Prorrogada" in smtp.messages[2].get_payload(decode=True).decode()
    assert notify.send_pending(workspace.db, workspace.settings).sent == 0  # nothing twice


def test_reminders_are_idempotent_and_sent_once(workspace, smtp):
    with workspace.db.write() as session:
        accounts.add_user(
            session, "uip@mides.gob.gt", "UIP", "clave-de-prueba-1", "officer", ["mides"]
        )
        accounts.add_user(
            session, "uip@mineduc.gob.gt", "UIP 2", "clave-de-prueba-1", "officer", ["mineduc"]
        )
    workspace.requests.file(FILING, at=datetime(2025, 3, 3, 15, tzinfo=UTC))  # due 17 March
    soon = remind(workspace, at=datetime(2025, 3, 13, 15, tzinfo=UTC))
    assert (soon.due_soon, soon.overdue, soon.sent) == (1, 0, 2)  # the requester's + the reminder
    again = remind(workspace, at=datetime(2025, 3, 14, 15, tzinfo=UTC))
    assert (again.due_soon, again.sent) == (0, 0)
    late = remind(workspace, at=datetime(2025, 3, 19, 15, tzinfo=UTC))
    assert (late.overdue, late.sent) == (1, 1)
    assert remind(workspace, at=datetime(2025, 3, 20, 15, tzinfo=UTC)).sent == 0
    to = [m["To"] for m in smtp.messages]
    assert to.count("uip@mides.gob.gt") == 2 and "uip@mineduc.gob.gt" not in to
    assert "Vencida" in smtp.messages[-1]["Subject"]


def test_an_unreachable_server_keeps_messages_for_later(workspace, caplog):
    object.__setattr__(workspace.settings, "smtp_host", "127.0.0.1")
    object.__setattr__(workspace.settings, "smtp_port", free_port())  # nobody listens
    workspace.requests.file(FILING)
    report = notify.send_pending(workspace.db, workspace.settings)
    assert report.failed == 1
    with workspace.db.read() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert "pedro.sis" not in caplog.text  # logs never name the address


def test_withdrawal_by_the_requester_is_notified(workspace, smtp):
    request, key = workspace.requests.file(FILING)
    workspace.requests.act(request.tracking_code, "withdraw", REQUESTER, key=key)
    notify.send_pending(workspace.db, workspace.settings)
    assert "Desistida" in smtp.messages[-1].get_payload(decode=True).decode()
