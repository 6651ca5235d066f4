"""Stewards publishing in the browser, the service: upload, detection, schema, metadata,
validation, review, publication into the content root (and git), the build queue, and
the refusals (bad files, the submitter reviewing, two stewards on one draft). Runs on
SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_catalog
from sqlalchemy.exc import DBAPIError

from catalog.errors import CatalogError
from catalog.transparency import accounts, stewards, stewards_builds
from catalog.transparency.models import StewardEvent, User
from catalog.transparency.requests import Conflict, Forbidden, NotFound, RequestError
from catalog.transparency.stewards import StewardService, StewardSettings

PASSWORD = "clave-de-prueba-1"


def make_root(folder: Path, git: bool = True) -> Path:
    root = folder / "contenido"
    (root / "publishers").mkdir(parents=True)
    (root / "datasets").mkdir()
    shutil.copyfile(REPO / "publishers" / "mides.yaml", root / "publishers" / "mides.yaml")
    if git and shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t.gt", "add", "."],
            check=True,
        )
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t.gt"]
            + ["commit", "-q", "-m", "inicio"],
            check=True,
        )
    return root


@pytest.fixture
def setup(workspace, tmp_path):
    root = make_root(tmp_path)
    settings = StewardSettings(
        content_root=root,
        build_dir=tmp_path / "build",
        drafts_dir=tmp_path / "borradores",
        upload_max=5 * 1024 * 1024,
        retry_seconds=0.01,
    )
    stewards.configure(workspace, settings)
    with workspace.db.write() as session:
        for email, role, publisher in (
            ("ana@mides.gob.gt", "steward", "mides"),
            ("bea@mides.gob.gt", "steward", "mides"),
            ("rosa@mides.gob.gt", "reviewer", "mides"),
            ("otro@mineduc.gob.gt", "reviewer", "mineduc"),
        ):
            accounts.add_user(
                session, email, email.split("@")[0].title(), PASSWORD, role, [publisher]
            )
    return workspace, root, tmp_path


def user(ws, email: str) -> User:
    with ws.db.read() as session:
        return accounts.find_user(session, email)


def upload(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / "subidas" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def filled(package: dict) -> dict:
    return {
        **package,
        "title": "Comedores sociales por departamento",
        "description": "Raciones servidas por los comedores sociales, por departamento y año.",
        "keywords": ["comedores", "alimentación"],
        "themes": ["SOCI"],
        "license": "CC-BY-4.0",
        "frequency": "annual",
        "contact": {"name": "Unidad de Información Pública", "email": "uip@mides.gob.gt"},
    }


CSV_1252 = "departamento;año;raciones;nota\n01;2024;1500;Guatemala\n16;2024;320;Alta Verapaz, Cobán\n".encode(
    "cp1252"
)


def test_upload_detects_infers_and_publishes_after_review(setup):
    ws, root, tmp = setup
    service = StewardService(ws)
    ana, rosa = user(ws, "ana@mides.gob.gt"), user(ws, "rosa@mides.gob.gt")
    draft = service.create(
        ana, "mides", "comedores", "new", upload(tmp, "c.csv", CSV_1252), "c.csv"
    )
    assert draft.upload["problem"] is None
    assert draft.upload["encoding"] == "cp1252" and draft.upload["delimiter"] == ";"
    assert draft.upload["rows"] == 2 and draft.upload["columns"] == 4
    types = {f["name"]: f["type"] for f in draft.package["fields"]}
    assert types == {
        "departamento": "string",
        "año": "integer",
        "raciones": "integer",
        "nota": "string",
    }

    # An incomplete draft: the report says what is missing, with its fix; nothing is lost.
    draft = service.validate(ana, draft.id, draft.version)
    assert not draft.report["valid"]
    assert draft.report["errors"]["es"] and draft.report["errors"]["en"]
    with pytest.raises(RequestError):
        service.submit(ana, draft.id, draft.version)
    draft = service.get(ana, draft.id)
    assert draft.status == "draft" and draft.upload["rows"] == 2

    package = filled(draft.package)
    package["fields"][2]["description"] = "Raciones servidas en el año."
    package["fields"][2]["minimum"] = 0
    draft = service.save(ana, draft.id, draft.version, package)
    draft = service.submit(ana, draft.id, draft.version)
    assert draft.status == "submitted" and draft.report["valid"], draft.report

    # Never the submitter, nor a reviewer of another body.
    with pytest.raises(Forbidden):
        service.approve(ana, draft.id, draft.version)
    with pytest.raises(NotFound):  # not even visible to another body
        service.approve(user(ws, "otro@mineduc.gob.gt"), draft.id, draft.version)

    draft = service.approve(rosa, draft.id, draft.version)
    stewards_builds.kick(ws)
    stewards_builds.wait(ws, 600)
    assert draft.status == "published" and draft.build["git"] == "committed"
    folder = root / "datasets" / "mides" / "comedores"
    written = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert written["version"] == "1.0.0" and written["publisher"] == "mides"
    assert (folder / "README.md").is_file()
    data = (folder / "data" / "comedores.csv").read_text("utf-8")
    assert data.startswith("departamento,año,raciones,nota\n01,2024,1500,Guatemala\n")
    assert '"Alta Verapaz, Cobán"' in data
    assert written["resources"][0]["schema"]["fields"][2]["constraints"] == {"minimum": 0}
    assert not list(folder.parent.glob(".comedores.*")), "no temporary folder left"
    log = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%s"], capture_output=True, text=True
    ).stdout
    assert "mides/comedores" in log and "Rosa" in log
    done = run_catalog("validate", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr

    # The build ran in the background: live, with the dataset's address.
    final = service.get(ana, draft.id)
    assert final.build["status"] == "live", final.build
    assert final.build["url"].endswith("/datasets/mides/comedores/")
    assert [e["action"] for e in final.events][-1] == "build-live"


def test_sent_back_with_a_comment_then_a_new_version(setup):
    ws, root, tmp = setup
    service = StewardService(ws)
    ana, bea, rosa = (
        user(ws, e) for e in ("ana@mides.gob.gt", "bea@mides.gob.gt", "rosa@mides.gob.gt")
    )
    csv = b"codigo,valor\n01,10\n02,20\n"
    draft = service.create(ana, "mides", "valores", "new", upload(tmp, "v.csv", csv), "v.csv")
    draft = service.save(ana, draft.id, draft.version, filled(draft.package))
    draft = service.submit(ana, draft.id, draft.version)
    with pytest.raises(RequestError):
        service.send_back(rosa, draft.id, draft.version, "  ")
    draft = service.send_back(rosa, draft.id, draft.version, "Falta describir la columna valor.")
    assert draft.status == "returned" and draft.comment.startswith("Falta")
    assert not (root / "datasets" / "mides" / "valores").exists()
    with pytest.raises(Conflict):  # sent back: nothing to approve
        service.approve(rosa, draft.id, draft.version)

    # Another steward of the body corrects it; the reviewer approves.
    package = dict(draft.package)
    package["fields"] = [dict(f) for f in package["fields"]]
    package["fields"][1]["description"] = "Valor del indicador."
    draft = service.save(bea, draft.id, draft.version, package)
    draft = service.submit(bea, draft.id, draft.version)
    draft = service.approve(rosa, draft.id, draft.version)
    stewards_builds.kick(ws)
    stewards_builds.wait(ws, 600)
    assert service.get(bea, draft.id).build["status"] == "live"

    # A new version replaces the files, bumps version and modified, keeps the metadata.
    again = service.create(
        ana, "mides", "valores", "version", upload(tmp, "v2.csv", csv + b"03,30\n"), "v2.csv"
    )
    assert again.package["title"] == "Comedores sociales por departamento"
    assert again.package["fields"][1]["description"] == "Valor del indicador."
    again = service.submit(ana, again.id, again.version)
    again = service.approve(rosa, again.id, again.version)
    assert again.build["status"] == "queued"
    stewards_builds.kick(ws)
    stewards_builds.wait(ws, 600)
    assert service.get(bea, again.id).build["status"] == "live"  # built over the first release
    written = json.loads((root / "datasets/mides/valores/datapackage.json").read_text("utf-8"))
    assert written["version"] == "1.1.0"
    assert (root / "datasets/mides/valores/data/valores.csv").read_text().endswith("03,30\n")
    with pytest.raises(Conflict):  # a new dataset of that name exists now
        service.create(ana, "mides", "valores", "new", upload(tmp, "x.csv", csv), "x.csv")


def test_two_stewards_on_one_draft(setup):
    ws, _root, tmp = setup
    service = StewardService(ws)
    ana, bea = user(ws, "ana@mides.gob.gt"), user(ws, "bea@mides.gob.gt")
    draft = service.create(
        ana, "mides", "doble", "new", upload(tmp, "d.csv", b"a,b\n1,2\n"), "d.csv"
    )
    seen = draft.version
    first = service.save(ana, draft.id, seen, {**draft.package, "title": "De Ana"})
    with pytest.raises(Conflict) as refused:
        service.save(bea, draft.id, seen, {**draft.package, "title": "De Bea"})
    assert "changed this draft" in refused.value.text
    assert service.get(bea, draft.id).package["title"] == "De Ana"
    assert first.version > seen


def test_history_is_append_only(setup):
    ws, _root, tmp = setup
    service = StewardService(ws)
    ana = user(ws, "ana@mides.gob.gt")
    service.create(ana, "mides", "historia", "new", upload(tmp, "h.csv", b"a\n1\n"), "h.csv")
    with pytest.raises(DBAPIError), ws.db.write() as session:
        event = session.query(StewardEvent).first()
        assert event is not None
        event.comment = "cambiado"


def _xlsx(path: Path, build) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    build(book)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("dup.csv", b"a,b,A\n1,2,3\n", "both named"),
        ("blank.csv", b"a,,c\n1,2,3\n", "no name"),
        ("empty.csv", b"", "empty"),
        ("header.csv", b"a,b\n", "no rows"),
        ("wide.csv", b"a,b\n1,2,3\n", "header names"),
        ("bin.csv", b"a,b\x00\x01\n", "binary"),
        ("notes.pdf", b"%PDF-1.4", "neither a CSV"),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "cannot be read"),
    ],
)
def test_bad_files_are_refused_with_a_fix_and_kept(setup, name, content, words):
    ws, _root, tmp = setup
    service = StewardService(ws)
    ana = user(ws, "ana@mides.gob.gt")
    draft = service.create(ana, "mides", "malo", "new", upload(tmp, name, content), name)
    problem = draft.upload["problem"]
    assert problem and words in problem["text"], problem
    assert problem["hint"]
    assert (service.folder(draft.id) / "upload" / name).is_file(), "the upload is kept"
    with pytest.raises(RequestError):
        service.submit(ana, draft.id, draft.version)
    # A corrected file on the same draft.
    fixed = service.replace_file(
        ana, draft.id, draft.version, upload(tmp, "ok.csv", b"a,b\n1,2\n"), "ok.csv"
    )
    assert fixed.upload["problem"] is None and fixed.upload["rows"] == 1


def test_workbooks_sheets_merged_cells_and_formulas(setup):
    ws, _root, tmp = setup
    service = StewardService(ws)
    ana = user(ws, "ana@mides.gob.gt")

    def book(b):
        first = b.active
        first.title = "Portada"
        datos = b.create_sheet("Datos")
        datos.append(["depto", "total"])
        datos.append(["01", 5])
        datos.append(["02", "=1+1"])  # a formula with no saved value (openpyxl saves none)
        merged = b.create_sheet("Unidas")
        merged.append(["a", "b"])
        merged.append([1, 2])
        merged.merge_cells("A2:B2")
        clean = b.create_sheet("Limpia")
        clean.append(["depto", "total", "fecha"])
        clean.append(["01", 5, "2024-01-31"])

    path = _xlsx(tmp / "libro.xlsx", book)
    draft = service.create(ana, "mides", "libro", "new", path, "libro.xlsx")
    assert draft.upload["sheets"] == ["Portada", "Datos", "Unidas", "Limpia"]
    assert draft.upload["sheet"] == "Datos"  # the first with data
    assert "formula with no saved value" in draft.upload["problem"]["text"]
    draft = service.choose_sheet(ana, draft.id, draft.version, "Unidas")
    assert "merged cells" in draft.upload["problem"]["text"]
    draft = service.choose_sheet(ana, draft.id, draft.version, "Portada")
    assert "empty" in draft.upload["problem"]["text"]
    with pytest.raises(RequestError):
        service.choose_sheet(ana, draft.id, draft.version, "No existe")
    draft = service.choose_sheet(ana, draft.id, draft.version, "Limpia")
    assert draft.upload["problem"] is None
    types = {f["name"]: f["type"] for f in draft.package["fields"]}
    assert types == {"depto": "string", "total": "integer", "fecha": "date"}


def test_roles_and_accounts(setup):
    ws, _root, tmp = setup
    service = StewardService(ws)
    rosa = user(ws, "rosa@mides.gob.gt")
    with pytest.raises(Forbidden):  # a reviewer does not prepare drafts
        service.create(rosa, "mides", "x", "new", upload(tmp, "x.csv", b"a\n1\n"), "x.csv")
    with pytest.raises(Forbidden):
        service.create(
            user(ws, "ana@mides.gob.gt"),
            "mineduc",
            "x",
            "new",
            upload(tmp, "y.csv", b"a\n1\n"),
            "y.csv",
        )
    assert not user(ws, "ana@mides.gob.gt").can_act_on("mides"), "a steward answers no requests"
    with ws.db.write() as session, pytest.raises(CatalogError):
        accounts.add_user(session, "sin@mides.gob.gt", "Sin", PASSWORD, "steward", [])


def test_build_waits_for_the_lock_and_reports_a_failure(setup, monkeypatch):
    ws, root, tmp = setup
    service = StewardService(ws)
    ana, rosa = user(ws, "ana@mides.gob.gt"), user(ws, "rosa@mides.gob.gt")
    draft = service.create(
        ana, "mides", "cola", "new", upload(tmp, "q.csv", b"a,b\n1,2\n"), "q.csv"
    )
    draft = service.save(ana, draft.id, draft.version, filled(draft.package))
    draft = service.submit(ana, draft.id, draft.version)
    outcomes = iter(["busy", "error: the build crashed"])
    monkeypatch.setattr(stewards_builds, "build_once", lambda s: next(outcomes))
    draft = service.approve(rosa, draft.id, draft.version)
    assert draft.build["status"] == "queued"
    stewards_builds.run_queue(ws)
    final = service.get(ana, draft.id)
    assert final.build["status"] == "failed"
    assert final.build["findings"][0]["es"].startswith("error")


def test_no_content_root_is_a_clear_refusal(workspace, tmp_path):
    stewards.configure(
        workspace, StewardSettings(content_root=None, build_dir=None, drafts_dir=tmp_path / "b")
    )
    with workspace.db.write() as session:
        accounts.add_user(session, "ana@mides.gob.gt", "Ana", PASSWORD, "steward", ["mides"])
    with pytest.raises(RequestError) as refused:
        StewardService(workspace).create(
            user(workspace, "ana@mides.gob.gt"),
            "mides",
            "x",
            "new",
            upload(tmp_path, "x.csv", b"a\n1\n"),
            "x.csv",
        )
    assert "content root" in refused.value.text


def test_a_missing_git_never_fails_the_approval(setup, monkeypatch):
    from catalog.transparency import stewards_publish

    ws, root, tmp = setup
    real = subprocess.run

    def no_git(args, *a, **k):
        if args and args[0] == "git":
            raise FileNotFoundError("git")
        return real(args, *a, **k)

    monkeypatch.setattr(stewards_publish.subprocess, "run", no_git)
    service = StewardService(ws)
    ana, rosa = user(ws, "ana@mides.gob.gt"), user(ws, "rosa@mides.gob.gt")
    draft = service.create(
        ana, "mides", "singit", "new", upload(tmp, "g.csv", b"a,b\n1,2\n"), "g.csv"
    )
    draft = service.save(ana, draft.id, draft.version, filled(draft.package))
    draft = service.submit(ana, draft.id, draft.version)
    draft = service.approve(rosa, draft.id, draft.version)
    assert draft.build["git"] == "no-git"
    assert (root / "datasets/mides/singit/datapackage.json").is_file()


def test_two_drafts_of_one_dataset_never_overwrite_each_other(setup):
    ws, root, tmp = setup
    service = StewardService(ws)
    ana, bea, rosa = (
        user(ws, e) for e in ("ana@mides.gob.gt", "bea@mides.gob.gt", "rosa@mides.gob.gt")
    )

    def ready(who, name, kind, content):
        draft = service.create(
            who, "mides", name, kind, upload(tmp, f"{who.id}.csv", content), "t.csv"
        )
        draft = service.save(who, draft.id, draft.version, filled(draft.package))
        return service.submit(who, draft.id, draft.version)

    first = ready(ana, "igual", "new", b"a,b\n1,2\n")
    second = ready(bea, "igual", "new", b"a,b\n3,4\n")
    service.approve(rosa, first.id, first.version)
    with pytest.raises(Conflict):
        service.approve(rosa, second.id, second.version)
    assert (root / "datasets/mides/igual/data/igual.csv").read_text() == "a,b\n1,2\n"
    assert service.get(bea, second.id).status == "submitted", "nothing lost: it can be sent back"

    # Two new versions started from 1.0.0: the second to be approved is refused.
    one = ready(ana, "igual", "version", b"a,b\n5,6\n")
    two = ready(bea, "igual", "version", b"a,b\n7,8\n")
    service.approve(rosa, one.id, one.version)
    with pytest.raises(Conflict) as refused:
        service.approve(rosa, two.id, two.version)
    assert "1.1.0" in refused.value.message("en")
    assert (root / "datasets/mides/igual/data/igual.csv").read_text() == "a,b\n5,6\n"
    # Sent back, the table uploaded again on the new version: approved as 1.2.0.
    two = service.send_back(rosa, two.id, two.version, "Súbala sobre la versión 1.1.0.")
    two = service.replace_file(
        bea, two.id, two.version, upload(tmp, "n.csv", b"a,b\n7,8\n"), "n.csv"
    )
    two = service.submit(bea, two.id, two.version)
    service.approve(rosa, two.id, two.version)
    written = json.loads((root / "datasets/mides/igual/datapackage.json").read_text("utf-8"))
    assert written["version"] == "1.2.0"
    assert not list((root / "datasets/mides").glob(".igual.*")), "no half-published folder"
