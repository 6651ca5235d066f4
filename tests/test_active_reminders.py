"""Active-transparency reminders through the outbox and a real SMTP server (aiosmtpd):
before the due date and when overdue, to the preparer (else the body's officers),
each once however often, or however many copies at once, the command runs."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import func, select

from catalog.transparency import accounts
from catalog.transparency.active_reminders import remind
from catalog.transparency.models import OutboxMessage
from catalog.transparency.requests import Actor

SOON = datetime(2025, 6, 26, 15, tzinfo=UTC)  # May's monthly items are due on 30 June
LATE = datetime(2025, 7, 2, 15, tzinfo=UTC)


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


@pytest.fixture
def ana(workspace):
    with workspace.db.write() as session:
        user = accounts.add_user(
            session, "ana@mides.gob.gt", "Ana", "clave-de-prueba-1", "officer", ["mides"]
        )
        accounts.add_user(
            session, "luis@mides.gob.gt", "Luis", "clave-de-prueba-1", "officer", ["mides"]
        )
        session.flush()
        session.expunge(user)
    actor = Actor("officer", user)
    workspace.active.assign(
        actor, "mides", "GT-LAIP-10.12", "ana@mides.gob.gt", "luis@mides.gob.gt"
    )
    return actor


def _to(smtp, item):
    return sorted({m["To"] for m in smtp.messages if f"{item} (" in m["Subject"]})


def test_due_soon_then_overdue_once_each(workspace, smtp, ana):
    first = remind(workspace, at=SOON)
    # May's items are due soon; April's were due on 30 May: overdue, and recent enough.
    assert first.due_soon > 0 and first.sent == first.due_soon + first.overdue
    assert _to(smtp, "GT-LAIP-10.12") == ["ana@mides.gob.gt"]  # the preparer only
    assert _to(smtp, "GT-LAIP-10.22") == ["ana@mides.gob.gt", "luis@mides.gob.gt"]  # no preparer
    assert any(m["Subject"].startswith("Vence pronto") for m in smtp.messages)
    again = remind(workspace, at=SOON)
    assert (again.due_soon, again.overdue, again.sent) == (0, 0, 0)
    # May of 10.22 is submitted: it waits for review, nobody is reminded of it.
    workspace.active.record(ana, "mides", "GT-LAIP-10.22", "2025-05", "link",
                            url="https://mides.gob.gt/compras", at=SOON)  # fmt: skip
    workspace.active.submit(ana, "mides", "GT-LAIP-10.22", "2025-05", at=SOON)
    late = remind(workspace, at=LATE)
    assert late.overdue > 0 and late.due_soon == 0 and late.sent == late.overdue
    overdue = [m for m in smtp.messages if m["Subject"].startswith("Vencida")]
    assert any("GT-LAIP-10.12 (2025-05)" in m["Subject"] for m in overdue)
    assert not any("GT-LAIP-10.22 (2025-05)" in m["Subject"] for m in overdue)
    assert remind(workspace, at=LATE).sent == 0


def test_two_copies_at_once_queue_each_reminder_once(workspace, ana):
    reports = []

    def run() -> None:
        reports.append(remind(workspace, at=LATE, send=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with workspace.db.read() as session:
        queued = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.key.like("active:%"))
        )
    assert queued and sum(r.overdue + r.due_soon for r in reports) == queued


def test_the_command_runs_from_cron(catalog_cmd, tmp_path):
    done = catalog_cmd("obligations", "remind", "--no-send", "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Recordatorios de transparencia activa" in done.stdout
