"""Hostile files meet limits: a clear finding and exit 1, never a crash, a hang or exit 3.

Each hostile dataset is generated a little over its limit and validated in one
command with a valid dataset, which must still be reported valid: one bad
dataset never stops the others. The limits are module constants
(catalog/tables.py, catalog/content.py) documented in docs/publishing.md.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_build import write_content, write_dataset

from catalog import tables
from catalog.cli import cli
from catalog.content import MAX_METADATA_VALUES, MAX_NESTING, NestingError, check_json_nesting
from catalog.findings import JSON_KEYS
from catalog.tables import MAX_CELL_BYTES, MAX_COLUMNS, MAX_LINE_BYTES, TableError

VALID = "mides/bono-social"
FIELDS = [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]
RESOURCE = {
    "name": "datos",
    "path": "data/datos.csv",
    "format": "csv",
    "schema": {"fields": FIELDS},
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


def hostile(root: Path, name: str, data: bytes, resource: dict | None = None) -> Path:
    """A dataset of MIDES, complete but for its data file ``data``."""
    resource = resource or RESOURCE
    folder = write_dataset(root, "mides", name, f"Prueba {name}", [resource], {})
    (folder / resource["path"]).write_bytes(data)
    return folder


def validate(root: Path, folder: Path, lang: str) -> tuple[int, dict]:
    """``catalog validate --json`` of a hostile dataset and a valid one, in one command."""
    valid = root / "datasets" / VALID
    result = CliRunner().invoke(
        cli, ["validate", "--json", "--lang", lang, str(folder), str(valid)]
    )
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert set(report) == {"valid", "errors"}
    for error in report["errors"]:
        assert tuple(error) == JSON_KEYS
    return result.exit_code, report


def findings_of(report: dict, dataset: str) -> list[dict]:
    return [e for e in report["errors"] if e["dataset"] == dataset]


def check(root: Path, folder: Path, spanish: str, english: str) -> dict:
    """Exit 1, the message in both languages, and the valid dataset still valid."""
    dataset = f"mides/{folder.name}"
    for lang, text in (("es", spanish), ("en", english)):
        code, report = validate(root, folder, lang)
        assert code == 1 and report["valid"] is False
        found = findings_of(report, dataset)
        assert found and any(text in e["message"] for e in found), (lang, found)
        assert findings_of(report, VALID) == []
    return next(e for e in found if english in e["message"])


# ------------------------------------------------------------------ CSV


def test_header_wider_than_the_limit(root: Path):
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    folder = hostile(root, "ancho", (header + "\n" + "1," * MAX_COLUMNS + "1\n").encode())
    finding = check(
        root,
        folder,
        f"tiene {MAX_COLUMNS + 1} columnas; el límite es {MAX_COLUMNS}",
        f"has {MAX_COLUMNS + 1} columns; the limit is {MAX_COLUMNS}",
    )
    assert finding["type"] == "source-error" and finding["rowNumber"] == 1
    assert finding["resource"] == "datos"


def test_a_data_row_wider_than_the_limit(root: Path):
    rows = "a,b\n1,2\n" + "x," * MAX_COLUMNS + "x\n"
    folder = hostile(root, "fila-ancha", rows.encode())
    finding = check(
        root, folder, "la fila 3 de datos.csv tiene", "row 3 of datos.csv has 1001 columns"
    )
    assert finding["rowNumber"] == 3


def test_a_header_of_empty_columns_fitting_one_line(root: Path):
    # 1,001 empty labels are 1,000 bytes: only the column limit stops them.
    folder = hostile(root, "vacias", ("," * MAX_COLUMNS + "\n1,2\n").encode())
    check(root, folder, "columnas; el límite es", "columns; the limit is")


def test_a_line_longer_than_the_limit_without_line_break(root: Path):
    folder = hostile(root, "linea", b"a,b\n1," + b"x" * (MAX_LINE_BYTES + 1))
    finding = check(
        root,
        folder,
        f"la línea 2 de datos.csv tiene más de {MAX_LINE_BYTES} bytes",
        f"line 2 of datos.csv is longer than {MAX_LINE_BYTES} bytes",
    )
    assert finding["type"] == "source-error"


def test_a_cell_larger_than_the_limit_across_lines(root: Path):
    # A quoted cell may hold line breaks: each line is short, the cell is not.
    cell = ("y" * 1000 + "\n") * (MAX_CELL_BYTES // 1000 + 1)
    folder = hostile(root, "celda", b'a,b\n1,"' + cell.encode() + b'"\n')
    finding = check(
        root,
        folder,
        "el valor de la columna b, fila 2, tiene",
        "the value in column b, row 2, has",
    )
    assert finding["rowNumber"] == 2 and finding["fieldName"] == "b"


def test_a_schema_wider_than_the_limit(root: Path):
    fields = [{"name": f"c{i}", "type": "string"} for i in range(MAX_COLUMNS + 1)]
    resource = {**RESOURCE, "schema": {"fields": fields}}
    folder = hostile(root, "esquema-ancho", b"c0\n1\n", resource)
    finding = check(
        root,
        folder,
        f"tiene {MAX_COLUMNS + 1} campos; el límite es {MAX_COLUMNS}",
        f"has {MAX_COLUMNS + 1} fields; the limit is {MAX_COLUMNS}",
    )
    assert finding["type"] == "schema-error"


def test_a_foreign_key_to_a_resource_over_a_limit(root: Path):
    # Reading the referenced resource for the key lookup hits the limit too: a finding of
    # the referring resource, not an exit 2 that would stop the other datasets.
    wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n"
    referring = {
        **RESOURCE,
        "schema": {
            "fields": FIELDS,
            "foreignKeys": [{"fields": "a", "reference": {"resource": "ancha", "fields": "c0"}}],
        },
    }
    referred = {"name": "ancha", "path": "data/ancha.csv", "format": "csv"}
    referred["schema"] = {"fields": [{"name": "c0", "type": "string"}]}
    folder = write_dataset(root, "mides", "clave", "Clave", [referring, referred], {})
    (folder / "data" / "datos.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "data" / "ancha.csv").write_text(wide, encoding="utf-8")
    check(root, folder, "la fila 1 de ancha.csv tiene", "row 1 of ancha.csv has")
    _code, report = validate(root, folder, "en")
    assert {e["resource"] for e in findings_of(report, "mides/clave")} == {"datos", "ancha"}


# ------------------------------------------------------------------ JSON


def test_a_deeply_nested_descriptor(root: Path):
    folder = hostile(root, "anidado", b"a,b\n1,2\n")
    (folder / "datapackage.json").write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    finding = check(
        root,
        folder,
        f"anida listas y objetos a más de {MAX_NESTING} niveles",
        f"nests lists and objects more than {MAX_NESTING} levels deep",
    )
    assert finding["type"] == "package-error"


def test_a_deeply_nested_schema_file(root: Path):
    resource = {**RESOURCE, "schema": "schema.json"}
    folder = hostile(root, "esquema-anidado", b"a,b\n1,2\n", resource)
    deep = '{"fields": [], "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    (folder / "schema.json").write_text(deep, encoding="utf-8")
    finding = check(root, folder, "niveles de profundidad", "levels deep")
    assert finding["type"] == "schema-error"


def test_a_deeply_nested_json_resource(root: Path):
    resource = {**RESOURCE, "path": "data/datos.json", "format": "json"}
    rows = '[{"a": "1", "b": ' + "[" * 10_000 + "]" * 10_000 + "}]"
    folder = hostile(root, "json-anidado", rows.encode(), resource)
    finding = check(root, folder, "anida listas y objetos", "nests lists and objects")
    assert finding["resource"] == "datos"


# ------------------------------------------------------------------ workbooks


def test_a_workbook_that_unpacks_over_the_limit(root: Path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_RESOURCE_BYTES", 100_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 200_000)  # compresses to ~200 B
    resource = {**RESOURCE, "path": "data/datos.xlsx", "format": "xlsx"}
    folder = hostile(root, "libro", buffer.getvalue(), resource)
    check(root, folder, "ocupa 200000 bytes al descomprimirse", "unpacks to 200000 bytes")


# ------------------------------------------------------------------ YAML


def _publisher(root: Path, slug: str, text: str) -> Path:
    (root / "publishers" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return write_dataset(root, slug, "datos", "Datos", [RESOURCE], {"data/datos.csv": "a,b\n1,2\n"})


def yaml_bomb() -> str:
    """A "billion laughs": 9 levels of 9 aliases, 387 million values once expanded."""
    lines = ["a: &a [" + ", ".join(['"ja"'] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join([*lines, "name: Bomba", "kind: ministry"]) + "\n"


@pytest.mark.parametrize(
    "text",
    ["name: Hondo\nnested: " + "[" * 10_000 + "]" * 10_000 + "\n", yaml_bomb()],
    ids=["deep", "bomb"],
)
def test_hostile_publisher_file_fails_its_datasets_only(root: Path, text: str):
    folder = _publisher(root, "hostil", text)
    valid = root / "datasets" / VALID
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--json", "--lang", "en", str(folder), str(valid)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert findings_of(report, "hostil/datos") and findings_of(report, VALID) == []


@pytest.mark.parametrize(
    ("text", "spanish", "english"),
    [
        (
            "name: Hondo\nnested: " + "[" * 10_000 + "]" * 10_000 + "\n",
            f"anida listas y objetos a más de {MAX_NESTING} niveles",
            f"nests lists and objects more than {MAX_NESTING} levels deep",
        ),
        (
            yaml_bomb(),
            f"más de {MAX_METADATA_VALUES} valores al expandir sus alias YAML",
            f"more than {MAX_METADATA_VALUES} values once its YAML aliases are expanded",
        ),
    ],
    ids=["deep", "bomb"],
)
def test_build_reports_a_hostile_publisher_file_and_publishes_the_rest(
    root: Path, tmp_path: Path, text: str, spanish: str, english: str
):
    _publisher(root, "hostil", text)
    for lang, message in (("es", spanish), ("en", english)):
        out = tmp_path / f"build-{lang}"
        args = ["build", "--root", str(root), "--out", str(out), "--lang", lang]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert any(message in json.dumps(f, ensure_ascii=False) for f in report["findings"])
        statuses = {d["dataset"]: d["status"] for d in report["datasets"]}
        assert statuses[VALID] == "published" and statuses["hostil/datos"] == "rejected"


def test_build_does_not_publish_a_dataset_over_a_limit(root: Path, tmp_path: Path):
    hostile(root, "linea", b"a,b\n1," + b"x" * (MAX_LINE_BYTES + 1))
    out = tmp_path / "build"
    args = ["build", "--root", str(root), "--out", str(out), "--lang", "en", "--strict"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by_id = {d["dataset"]: d for d in report["datasets"]}
    assert by_id[VALID]["status"] == "published"
    assert by_id["mides/linea"]["status"] == "rejected"
    assert any("is longer than" in json.dumps(f) for f in by_id["mides/linea"]["findings"])
    assert not (out / "site" / "datasets" / "mides" / "linea").exists()


# ------------------------------------------------------------------ the scanners


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1000])
def test_json_nesting_scan_ignores_brackets_in_strings_across_chunks(block: int):
    def chunks(data: bytes):
        return [data[i : i + block] for i in range(0, len(data), block)]

    shallow = b'{"a": "' + b"[" * 100 + b'", "b": ["\\"[[[", "x\\\\"]}'
    check_json_nesting(chunks(shallow), limit=3)
    for deep in (b"[" * 4 + b"]" * 4, b'["\\\\", [[["x"]]]]'):
        with pytest.raises(NestingError):
            check_json_nesting(chunks(deep), limit=3)


def test_line_scan_reads_across_blocks(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 8)  # blocks of 32 bytes
    path = tmp_path / "t.csv"
    ok = [b"12345678\n" * 20, b"1234567\r\n" * 20, b"12345678\r" * 20, b"1234\n" * 50 + b"12345678"]
    for data in ok:
        path.write_bytes(data)
        tables._check_lines(path, "t")
    for data, line in ((b"123456789", 1), (b"1234\n" * 30 + b"123456789\n", 31)):
        path.write_bytes(data)
        with pytest.raises(TableError) as caught:
            tables._check_lines(path, "t")
        assert caught.value.params["line"] == line


def test_sniff_sample_is_cut_only_when_quotes_would_make_it_slow():
    normal = "".join(f'{i},"Nombre {i}",Guatemala\n' for i in range(100))
    assert tables.sniff_sample(normal) == normal
    bomb = ',"' * 50_000  # took the sniffer 95 s whole
    cut = tables.sniff_sample(bomb)
    assert 0 < len(cut) and cut.count('"') * len(cut) <= tables.SNIFF_BUDGET
    dialect = csv.Sniffer().sniff(tables.sniff_sample(normal), ",;\t|")
    assert dialect.delimiter == ","


def test_every_limit_is_documented_with_its_value():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "publishing.md").read_text("utf-8")
    section = doc.split("## 10. Limits", 1)[1]
    for name, shown in (
        ("MAX_RESOURCE_BYTES", "1 GiB"),
        ("MAX_LINE_BYTES", f"{MAX_LINE_BYTES:,}"),
        ("MAX_COLUMNS", f"{MAX_COLUMNS:,}"),
        ("MAX_CELL_BYTES", "1 MiB"),
        ("MAX_NESTING", f"{MAX_NESTING} levels"),
        ("MAX_METADATA_VALUES", f"{MAX_METADATA_VALUES:,}"),
        ("MAX_METADATA_BYTES", "5 MiB"),
        ("SNIFF_BUDGET", "SNIFF_BUDGET"),
    ):
        assert f"`{name}`" in section and shown in section, name
    assert tables.MAX_RESOURCE_BYTES == 1 << 30 and MAX_CELL_BYTES == 1 << 20
