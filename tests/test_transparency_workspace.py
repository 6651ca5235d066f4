"""The workspace's foundation: migrations match the models, the open dataset passes the
privacy gate, statistics, redaction, attachments and the command line."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from catalog.errors import CatalogError
from catalog.transparency import accounts, attachments
from catalog.transparency.models import Base
from catalog.transparency.opendata import export
from catalog.transparency.redaction import Rule, redact
from catalog.transparency.requests import Actor
from catalog.transparency.stats import compute, wilson

FILING = {
    "publisher": "mides",
    "subject": "Escribo como Lucía Chen, lucia.chen@correo.example",
    "description": "Solicito el listado de proveedores de alimentos de los comedores en 2024.",
    "requester": {"name": "Lucía Chen", "email": "lucia.chen@correo.example"},
}


def test_migrations_create_exactly_the_models(workspace):
    with workspace.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


def test_subject_is_not_public_before_an_officer_reviews_it(workspace):
    # The subject becomes public, redacted, at an officer's first action (test_requests.py).
    request, _ = workspace.requests.file(FILING)
    assert request.published_subject is None


def test_open_dataset_is_anonymous_and_valid(workspace, tmp_path, repo):
    from catalog.validate import validate_dataset

    with workspace.db.write() as session:
        officer = Actor(
            "officer",
            accounts.add_user(
                session, "uip@mides.gob.gt", "UIP", "clave-de-prueba-1", "officer", ["mides"]
            ),
        )
    for index in range(6):
        request, _ = workspace.requests.file(
            FILING, at=datetime(2025, 3, 3 + index, 15, tzinfo=UTC)
        )
        if index % 2:
            workspace.requests.act(
                request.tracking_code,
                "answer",
                officer,
                {"outcome": "granted", "text": "Se adjunta el listado solicitado."},
                at=datetime(2025, 3, 12, 15, tzinfo=UTC),
            )
    root = tmp_path / "content"
    shutil.copytree(repo / "publishers", root / "publishers")
    folder, rows = export(workspace, root, "segeplan")
    assert rows == 6
    text = "".join(p.read_text("utf-8") for p in folder.rglob("*") if p.is_file())
    assert "Chen" not in text and "correo.example" not in text
    lines = list(csv.DictReader((folder / "data" / "solicitudes.csv").open(encoding="utf-8")))
    assert {line["resultado"] for line in lines} == {"granted", ""}
    from catalog.content import DatasetRef

    report = validate_dataset(DatasetRef("segeplan", folder.name, folder), root=root)
    assert report.valid, [f.type for f in report.findings]
    with pytest.raises(CatalogError):
        export(workspace, root, "nadie")


def test_statistics_with_wilson_intervals(workspace):
    with workspace.db.write() as session:
        officer = Actor(
            "officer",
            accounts.add_user(
                session, "uip@mides.gob.gt", "UIP", "clave-de-prueba-1", "officer", ["mides"]
            ),
        )
    outcomes = ["granted", "granted", "denied", "not_held"]
    for index, outcome in enumerate(outcomes):
        request, _ = workspace.requests.file(FILING, at=datetime(2025, 3, 3, 15, tzinfo=UTC))
        answered_at = datetime(2025, 3, (4, 10, 14, 20)[index], 15, tzinfo=UTC)  # 1, 5, 9, 13 days
        workspace.requests.act(
            request.tracking_code,
            "answer",
            officer,
            {
                "outcome": outcome,
                "text": "Respuesta de la institución.",
                "legal_ground": "LAIP art. 23",
            },
            at=answered_at,
        )
    workspace.requests.file(FILING, at=datetime(2025, 3, 3, 15, tzinfo=UTC))  # never answered
    with workspace.db.read() as session:
        found = compute(session, date(2025, 4, 1))
    overall = found["overall"]
    assert (overall.received, overall.answered, overall.answered_late, overall.overdue_now) == (
        5,
        4,
        1,
        1,
    )
    assert overall.median_days_to_answer == 7.0
    granted = overall.outcomes["granted"]
    assert granted.count == 2 and granted.share == 0.5
    assert (granted.low, granted.high) == (round(wilson(2, 4)[0], 4), round(wilson(2, 4)[1], 4))
    low, high = wilson(2, 4)
    assert 0.14 < low < 0.16 and 0.84 < high < 0.86  # wide: only four answers
    assert wilson(0, 0) == (0.0, 1.0)


def test_redaction_rules_and_automatic_hiding():
    text = "Contacto: pedro@gmail.com, uip@mides.gob.gt, DPI 1234 56789 0101, tel. 5555-1234."
    hidden = redact(text, [Rule(r"\d{4}-\d{4}", True, "[tel]")])
    assert "pedro@gmail.com" not in hidden and "uip@mides.gob.gt" in hidden
    assert "1234 56789 0101" not in hidden and "[tel]" in hidden
    with pytest.raises(CatalogError, match="regular expression"):
        redact("x", [Rule("([a-z", True)])


def test_attachments_are_checked_named_safely_and_stored_by_hash(workspace):
    assert attachments.safe_name("../../etc/pass wd.PDF") == "pass-wd.pdf"
    assert attachments.safe_name("Informe año 2024.xlsx") == "Informe-ano-2024.xlsx"
    stored = attachments.store(workspace.settings, "informe.pdf", b"%PDF-1.7 contenido")
    path = attachments.blob_path(workspace.settings, stored["sha256"])
    assert path.read_bytes() == b"%PDF-1.7 contenido" and stored["media_type"] == "application/pdf"
    for name, data, message in [
        ("programa.exe", b"MZ", "not accepted"),
        ("falso.pdf", b"<html>", "does not contain"),
        ("vacio.csv", b"", "empty"),
        ("grande.csv", b"a" * (attachments.MAX_BYTES + 1), "too large"),
    ]:
        with pytest.raises(CatalogError, match=message):
            attachments.check(name, data)


def test_command_line_accounts_closures_and_reminders(catalog_cmd, tmp_path):
    data = str(tmp_path / "var")
    env_password = os.environ.get("CATALOG_USER_PASSWORD")
    os.environ["CATALOG_USER_PASSWORD"] = "una-clave-muy-larga"
    try:
        added = catalog_cmd(
            "users",
            "add",
            "uip@mides.gob.gt",
            "--name",
            "UIP",
            "--publisher",
            "mides",
            "--data-dir",
            data,
        )
        assert added.returncode == 0, added.stderr
        assert "uip@mides.gob.gt" in added.stdout
        again = catalog_cmd(
            "users", "add", "uip@mides.gob.gt", "--publisher", "mides", "--data-dir", data
        )
        assert (
            again.returncode == 2
            and "Ya existe" in again.stderr
            and "Traceback" not in again.stderr
        )
        no_publisher = catalog_cmd(
            "users", "add", "x@mides.gob.gt", "--data-dir", data, "--lang", "en"
        )
        assert no_publisher.returncode == 2 and "at least one publisher" in no_publisher.stderr
    finally:
        if env_password is None:
            os.environ.pop("CATALOG_USER_PASSWORD", None)
        else:
            os.environ["CATALOG_USER_PASSWORD"] = env_password
    token = catalog_cmd("users", "token", "uip@mides.gob.gt", "--data-dir", data)
    assert token.stdout.startswith("ctk_")
    assert "mides" in catalog_cmd("users", "list", "--data-dir", data).stdout
    closure = catalog_cmd(
        "workspace", "closure", "2025-08-15", "--reason", "Feria", "--data-dir", data
    )
    assert closure.returncode == 0, closure.stderr
    remind = catalog_cmd("requests", "remind", "--data-dir", data, "--lang", "en")
    assert remind.returncode == 0 and "Reminders:" in remind.stdout
    twice = catalog_cmd("requests", "remind", "--data-dir", data, "--lang", "en")
    assert twice.stdout == remind.stdout
    disabled = catalog_cmd("users", "disable", "uip@mides.gob.gt", "--data-dir", data)
    assert disabled.returncode == 0 and "desactivada" in disabled.stdout


def test_closures_from_the_database_move_deadlines(workspace):
    from catalog.transparency.admin import add_closure

    add_closure(workspace, "GT", date(2025, 3, 5), "Feria local")
    add_closure(workspace, "GT", date(2025, 3, 5), "Feria local")  # idempotent
    request, _ = workspace.requests.file(FILING, at=datetime(2025, 3, 3, 15, tzinfo=UTC))
    assert request.due_on == date(2025, 3, 18)
    assert json.dumps({"due": request.due_on.isoformat()}) == '{"due": "2025-03-18"}'


def test_export_into_generated_content_leaves_the_content_untouched(workspace, tmp_path):
    content = tmp_path / "content"
    (content / "publishers").mkdir(parents=True)
    (content / "publishers" / "segeplan.yaml").write_text(
        "name: SEGEPLAN\nemail: uip@segeplan.gob.gt\n", encoding="utf-8"
    )
    (content / "datasets" / "mides" / "bono").mkdir(parents=True)
    workspace.requests.file(FILING)
    generated = tmp_path / "generated"
    folder, rows = export(workspace, content, "segeplan", generated)
    assert rows == 1
    assert folder == generated / "datasets" / "segeplan" / "registro-solicitudes-acceso"
    # Only the generated datasets (the request log, the approved active-transparency
    # records, the CIO ratings): the build reads the content root and this folder.
    found = sorted(p.relative_to(generated).as_posix() for p in generated.glob("datasets/*/*"))
    assert found == [
        "datasets/segeplan/calificaciones-cio",
        "datasets/segeplan/declaraciones-transparencia-activa",
        "datasets/segeplan/registro-solicitudes-acceso",
    ]
    assert not (content / "datasets" / "segeplan").exists()
    # The contact point is the publisher's, read from the content (no build needed).
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert descriptor["contactPoint"] == {"name": "SEGEPLAN", "email": "uip@segeplan.gob.gt"}


def test_workspace_sqlite_commits_survive_a_power_cut(tmp_path):
    """The workspace's SQLite file syncs every commit (synchronous=FULL, in WAL mode)."""
    from sqlalchemy import text

    from catalog.transparency.db import Database

    db = Database(f"sqlite:///{tmp_path / 'ws.db'}")
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        db.dispose()
