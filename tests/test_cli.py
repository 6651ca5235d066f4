"""The command line as a user meets it: exit statuses, languages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _write_package(folder: Path, rows: str, schema_fields: list[dict]) -> Path:
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text(rows, encoding="utf-8")
    descriptor = {
        "name": folder.name,
        "resources": [
            {
                "name": "datos",
                "path": "data.csv",
                "format": "csv",
                "schema": {"fields": schema_fields},
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def test_help_is_spanish_by_default_and_english_on_request(catalog_cmd):
    spanish = catalog_cmd("--help")
    assert spanish.returncode == 0
    assert "Valida conjuntos de datos" in spanish.stdout
    english = catalog_cmd("--help", lang="en")
    assert "Validate datasets" in english.stdout


def test_unknown_option_is_a_usage_error_in_spanish(catalog_cmd):
    result = catalog_cmd("validate", "--bogus")
    assert result.returncode == 2
    assert "No existe la opción" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_exits_2_with_the_fix(catalog_cmd, tmp_path):
    result = catalog_cmd("validate", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "No se encontró la ruta" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_path_with_json_still_prints_one_json_object(catalog_cmd, tmp_path):
    result = catalog_cmd("validate", "--json", "--lang", "en", str(tmp_path / "nope"))
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["errors"][0]["type"] == "usage-error"
    assert "Path not found" in report["errors"][0]["message"]


def test_a_folder_without_descriptor_is_a_usage_error(catalog_cmd, tmp_path):
    result = catalog_cmd("validate", str(tmp_path))
    assert result.returncode == 2
    assert "datapackage.json" in result.stderr


def test_invalid_data_exits_1_and_reports_the_contract(catalog_cmd, tmp_path):
    folder = _write_package(
        tmp_path / "datasets" / "pub" / "bad",
        "id,cantidad\n1,10\n2,diez\n",
        [{"name": "id", "type": "integer"}, {"name": "cantidad", "type": "integer"}],
    )
    result = catalog_cmd("validate", "--json", str(folder))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert set(report) == {"valid", "errors"}
    for error in report["errors"]:
        assert set(error) == {"type", "dataset", "resource", "rowNumber", "fieldName", "message"}
    type_errors = [e for e in report["errors"] if e["type"] == "type-error"]
    assert type_errors and type_errors[0]["rowNumber"] == 3
    assert type_errors[0]["fieldName"] == "cantidad"


def test_human_report_names_row_column_and_value(catalog_cmd, tmp_path):
    folder = _write_package(
        tmp_path / "datasets" / "pub" / "bad",
        "id,cantidad\n1,10\n2,diez\n",
        [{"name": "id", "type": "integer"}, {"name": "cantidad", "type": "integer"}],
    )
    result = catalog_cmd("validate", str(folder))
    assert result.returncode == 1
    assert "cantidad" in result.stdout and "diez" in result.stdout and "3" in result.stdout


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02\xff\xfe garbage \x00" * 50, b"", b"\xff\xfe\x00a\x00b"],
    ids=["binary", "empty", "utf16-ish"],
)
def test_hostile_data_files_never_show_a_traceback(catalog_cmd, tmp_path, content):
    folder = tmp_path / "datasets" / "pub" / "junk"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_bytes(content)
    descriptor = {
        "name": "junk",
        "resources": [{"name": "datos", "path": "data.csv", "schema": {"fields": [{"name": "a"}]}}],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    result = catalog_cmd("validate", "--json", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert json.loads(result.stdout)["valid"] is False


def test_malformed_descriptor_is_reported_not_crashed(catalog_cmd, tmp_path):
    folder = tmp_path / "datasets" / "pub" / "broken"
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text('{"name": "broken", "resources": [', encoding="utf-8")
    result = catalog_cmd("validate", "--json", str(folder))
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr + result.stdout
    assert json.loads(result.stdout)["valid"] is False


def test_path_tricks_in_resource_paths_are_refused(catalog_cmd, tmp_path):
    folder = tmp_path / "datasets" / "pub" / "tricky"
    folder.mkdir(parents=True)
    descriptor = {
        "name": "tricky",
        "resources": [
            {"name": "a", "path": "../../../../etc/passwd", "schema": {"fields": [{"name": "x"}]}},
            {"name": "b", "path": "/etc/passwd", "schema": {"fields": [{"name": "x"}]}},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    result = catalog_cmd("validate", "--json", str(folder))
    assert result.returncode == 1
    assert "root:" not in result.stdout  # nothing of /etc/passwd leaks
    assert "Traceback" not in result.stderr + result.stdout


def test_build_refuses_a_root_without_datasets(catalog_cmd, tmp_path):
    result = catalog_cmd("build", "--root", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_the_request_log_is_exported_then_built_without_touching_the_content(tmp_path, repo):
    import os
    import shutil
    import subprocess
    import sys

    root = tmp_path / "content"
    shutil.copytree(repo / "publishers", root / "publishers")
    shutil.copytree(
        repo / "datasets" / "ine" / "territorios", root / "datasets" / "ine" / "territorios"
    )
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    env = {**os.environ, "CATALOG_DATA_DIR": str(tmp_path / "var"), "LANG": "C.UTF-8"}
    env.pop("DATABASE_URL", None)
    out = tmp_path / "out"

    def catalog(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "catalog", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done

    generated = tmp_path / "generated"
    # The data flows one way: the workspace needs no build (its demo reads the content's
    # publishers), and the build reads content folders, never the workspace.
    catalog("workspace", "migrate")
    catalog("workspace", "demo", "--root", str(root))
    export = ("requests", "export", "--root", str(root), "--publisher", "segeplan")
    catalog(*export, "--into", str(generated))
    assert not out.exists()
    catalog("build", "--root", str(root), "--build-dir", str(out))
    # --out is the old name of --build-dir: the same folder, so ine/territorios is unchanged.
    catalog("build", "--root", str(root), "--out", str(out), "--extra-content", str(generated))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    statuses = {d["dataset"]: d["status"] for d in report["datasets"]}
    assert statuses["segeplan/registro-solicitudes-acceso"] == "published"
    assert statuses["ine/territorios"] == "unchanged"
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    log = generated / "datasets" / "segeplan" / "registro-solicitudes-acceso"
    rows = (log / "data" / "solicitudes.csv").read_text(encoding="utf-8")
    assert len(rows.splitlines()) > 1 and "@" not in rows


# ------------------------------------------------------------- shared options


def test_build_writes_to_build_dir_and_out_is_its_old_name(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import catalog.build
    from catalog.cli import cli

    calls = []

    class Report:  # what the command reads of a build report
        all_published = True

        def summary(self, lang: str) -> str:
            return "ok"

    def fake_build(root, out, *, lang, extra):
        calls.append((root, out))
        return Report()

    monkeypatch.setattr(catalog.build, "build", fake_build)
    runner = CliRunner()
    root = str(tmp_path)
    for args, out in (
        (["--build-dir", str(tmp_path / "a")], tmp_path / "a"),
        (["--out", str(tmp_path / "b")], tmp_path / "b"),
        ([], tmp_path / "build"),  # default: ROOT/build
    ):
        result = runner.invoke(cli, ["build", "--root", root, *args])
        assert result.exit_code == 0, result.output
        assert calls.pop() == (tmp_path, out)


def test_demo_takes_the_shared_root_option(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import catalog.demo
    from catalog.cli import cli, root_option

    written = []
    monkeypatch.setattr(catalog.demo, "generate", written.append)
    result = CliRunner().invoke(cli, ["demo", "--root", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert written == [tmp_path] and str(tmp_path) in result.output
    shared = root_option(lambda root: None).__click_params__[0]
    [demo_root] = [p for p in cli.commands["demo"].params if p.name == "root"]
    assert demo_root.help == shared.help and demo_root.default == shared.default


def test_serve_has_no_lang_option(catalog_cmd):
    result = catalog_cmd("serve", "--lang", "en", "--port", "1")
    assert result.returncode == 2  # a usage error, before anything is served
    assert "--lang" in result.stderr and "Traceback" not in result.stderr
