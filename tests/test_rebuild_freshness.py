"""A correction reaches every derived file: downloads, the ZIP, pages, previews, facts.

The site reuses files of the previous release by key (catalog/site/writer.py);
these tests change one thing in the content and rebuild, then read every file
derived from it. They also check that what did not change is still reused, so
builds stay incremental.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_build import COBERTURA, COBERTURA_TABLE, README, write_content

from catalog import urls
from catalog.build import build
from catalog.build.publish import read_manifest
from catalog.build.site import dataset_key
from catalog.build.state import RACY_NS, Hasher
from catalog.release.manifest import CONTENT_HASH
from catalog.site import downloads
from catalog.site.writer import code_files

BONO = "mides/bono-social"
LICENCIAS = "muni-mixco/licencias"
# Row 4 of cobertura.csv, corrected: the same length, so only the bytes tell.
OLD_ROW = "4,2024,01,Bolsa Social,1300,390000.00,2024-02-01,Entrega en centros comunitarios"
NEW_ROW = "4,2024,01,Bolsa Social,1345,390000.00,2024-02-01,Entrega en centros revisados-OK"


# ------------------------------------------------------------------ helpers


def _xlsx_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = [
        "" if v is None else str(v) for row in book.active.iter_rows(values_only=True) for v in row
    ]
    book.close()
    return "\n".join(cells)


def _zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def _json_text(path: Path) -> str:
    records = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(str(value) for record in records for value in record.values())


def _gzip_csv_text(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return "\n".join(",".join(row) for row in csv.reader(fh))


def _ndjson_text(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(str(v) for line in lines if line for v in json.loads(line).values())


def _parquet_text(path: Path) -> str:
    frame = pl.read_parquet(path)
    return "\n".join("" if v is None else str(v) for row in frame.iter_rows() for v in row)


def _csv_text(encoding: str) -> Callable[[Path], str]:
    def read(path: Path) -> str:
        with path.open(encoding=encoding, newline="") as fh:
            return "\n".join(",".join(row) for row in csv.reader(fh))

    return read


# What each kind of download holds, as text: a new kind must be added here.
READERS: dict[str, Callable[[Path], str]] = {
    ".excel.csv": _csv_text("utf-8-sig"),
    ".csv": _csv_text("utf-8"),
    ".csv.gz": _gzip_csv_text,
    ".json": _json_text,
    ".ndjson": _ndjson_text,
    ".parquet": _parquet_text,
    ".xlsx": _xlsx_text,
    ".zip": _zip_text,
}


def _reader(path: str) -> Callable[[Path], str]:
    for suffix, read in READERS.items():
        if path.endswith(suffix):
            return read
    raise AssertionError(f"no reader for the download {path}: add one to READERS")


def site(out: Path) -> Path:
    return (out / "current").resolve() / "site"


def manifest_of(out: Path, dataset: str) -> dict:
    state = json.loads((out / "state" / "state.json").read_text(encoding="utf-8"))
    folder = state["datasets"][dataset]["published"]["snapshot"]
    manifest = read_manifest(out / "state" / "datasets" / folder)
    assert manifest is not None
    return manifest


def cobertura_downloads(out: Path) -> dict[str, Path]:
    """Every download holding the cobertura table (each of its formats and the ZIP): a
    table gets JSON or, when large, NDJSON, never both."""
    paths = downloads.files_of(manifest_of(out, BONO))
    chosen = {p: site(out) / p for p in paths if "/cobertura." in p or p.endswith(".zip")}
    assert len(chosen) == len(downloads.KINDS) - 1 + 1, sorted(chosen)
    return chosen


def page(out: Path, dataset: str, lang: str = "es") -> str:
    publisher, name = dataset.split("/")
    path = urls.dataset(publisher, name, lang).lstrip("/") + "index.html"
    return (site(out) / path).read_text(encoding="utf-8")


def rewrite_keeping_stat(path: Path, text: str) -> None:
    """Change a file's bytes but not its size or mtime, as ``cp -p`` or ``rsync -t`` can."""
    before = path.stat()
    data = text.encode("utf-8")
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    out = tmp_path / "build"
    assert build(content, out).all_published
    return out


def statuses(report) -> dict[str, str]:
    return {d.dataset: d.status for d in report.datasets}


def correct_row(content: Path) -> None:
    path = content / "datasets" / "mides" / "bono-social" / "data" / "cobertura.csv"
    assert OLD_ROW in COBERTURA
    rewrite_keeping_stat(path, COBERTURA.replace(OLD_ROW, NEW_ROW))


# ------------------------------------------------------------------ a corrected value


def test_corrected_value_reaches_every_download(built: Path, content: Path):
    before = {p: _reader(p)(f) for p, f in cobertura_downloads(built).items()}
    for text in before.values():
        assert "comunitarios" in text and "1300" in text
    correct_row(content)
    assert statuses(build(content, built))[BONO] == "published"
    with sqlite3.connect(built / "sql" / "catalogo.db") as conn:
        row = conn.execute(f'select beneficiarios from "{COBERTURA_TABLE}" where id = 4')
        assert row.fetchone()[0] == 1345
    for path, file in cobertura_downloads(built).items():
        text = _reader(path)(file)
        assert "revisados-OK" in text and "1345" in text, path
        assert "comunitarios" not in text and "1300" not in text, path


def test_corrected_value_reaches_pages_previews_and_figures(built: Path, content: Path):
    territory = site(built) / urls.territory("01").lstrip("/") / "index.html"
    assert "1,300" in territory.read_text(encoding="utf-8")
    correct_row(content)
    build(content, built)
    for lang in ("es", "en"):
        html = page(built, BONO, lang)
        assert "revisados-OK" in html and "comunitarios" not in html, lang
    # The territory page shows the department's latest figure, computed from the rows.
    text = (site(built) / urls.territory("01").lstrip("/") / "index.html").read_text("utf-8")
    assert "1,345" in text and "1,300" not in text


def test_a_broken_correction_keeps_the_downloads_of_the_last_good_version(
    built: Path, content: Path
):
    correct_row(content)
    build(content, built)
    path = content / "datasets" / "mides" / "bono-social" / "data" / "cobertura.csv"
    path.write_text(COBERTURA.replace(",1200,", ",muchos,"), encoding="utf-8")
    assert statuses(build(content, built))[BONO] == "kept-previous"
    for name, file in cobertura_downloads(built).items():
        text = _reader(name)(file)
        assert "revisados-OK" in text and "muchos" not in text, name


def test_reverting_a_correction_brings_the_old_value_back(built: Path, content: Path):
    path = content / "datasets" / "mides" / "bono-social" / "data" / "cobertura.csv"
    correct_row(content)
    build(content, built)
    path.write_text(COBERTURA, encoding="utf-8")
    build(content, built)
    for name, file in cobertura_downloads(built).items():
        text = _reader(name)(file)
        assert "comunitarios" in text and "revisados-OK" not in text, name


# ------------------------------------------------------------------ metadata only


def _edit_descriptor(content: Path, change: Callable[[dict], None]) -> None:
    path = content / "datasets" / "mides" / "bono-social" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")


def _cobertura_field(descriptor: dict, name: str) -> dict:
    resource = next(r for r in descriptor["resources"] if r["name"] == "cobertura")
    return next(f for f in resource["schema"]["fields"] if f["name"] == name)


def test_schema_change_reaches_the_zip_the_dictionary_and_the_api(built: Path, content: Path):
    def change(descriptor: dict) -> None:
        fld = _cobertura_field(descriptor, "beneficiarios")
        fld["description"] = "Hogares con el bono entregado"
        fld["title"] = "Hogares atendidos"

    _edit_descriptor(content, change)
    assert statuses(build(content, built))[BONO] == "published"
    zip_path = site(built) / urls.package_zip("mides", "bono-social").lstrip("/")
    with zipfile.ZipFile(zip_path) as archive:
        package = json.loads(archive.read("datapackage.json"))
    fld = _cobertura_field(package, "beneficiarios")
    assert fld["description"] == "Hogares con el bono entregado"
    assert fld["title"] == "Hogares atendidos"
    for lang in ("es", "en"):
        html = page(built, BONO, lang)
        assert "Hogares con el bono entregado" in html and "Hogares beneficiarios" not in html
    index = json.loads((built / "index.json").read_text(encoding="utf-8"))
    entry = next(d for d in index["datasets"] if d["id"] == BONO)
    fields = [f for r in entry["resources"] for f in r["fields"] if f["name"] == "beneficiarios"]
    assert fields[0]["description"] == "Hogares con el bono entregado"


def test_readme_change_reaches_the_page_and_the_zip(built: Path, content: Path):
    readme = content / "datasets" / "mides" / "bono-social" / "README.md"
    readme.write_text(README.replace("Entregas del", "Pagos corregidos del"), encoding="utf-8")
    assert statuses(build(content, built))[BONO] == "published"
    for lang in ("es", "en"):
        html = page(built, BONO, lang)
        assert "Pagos corregidos del" in html and "Entregas del" not in html
    zip_path = site(built) / urls.package_zip("mides", "bono-social").lstrip("/")
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read("README.md").decode("utf-8")
    assert "Pagos corregidos del" in text and "Entregas del" not in text


# ------------------------------------------------------------------ still incremental


def test_unchanged_dataset_is_still_reused(built: Path, content: Path):
    old = site(built)
    other = manifest_of(built, LICENCIAS)
    kept = [*downloads.files_of(other), urls.dataset("muni-mixco", "licencias").lstrip("/")]
    kept[-1] += "index.html"
    correct_row(content)
    report = build(content, built)
    assert statuses(report) == {BONO: "published", LICENCIAS: "unchanged"}
    new = site(built)
    assert new != old
    for path in kept:
        # Hard-linked from the previous release: the same file, not written again.
        assert (new / path).stat().st_ino == (old / path).stat().st_ino, path
    for path in downloads.files_of(manifest_of(built, BONO)):
        assert (new / path).stat().st_ino != (old / path).stat().st_ino, path


def test_the_manifest_carries_the_digest_of_the_published_rows(built: Path, content: Path):
    first = manifest_of(built, BONO)
    correct_row(content)
    build(content, built)
    second = manifest_of(built, BONO)
    assert first[CONTENT_HASH].startswith("sha256:")
    assert first[CONTENT_HASH] != second[CONTENT_HASH]
    assert first["tables"] == second["tables"]  # same rows, same plan: only the digest tells
    assert dataset_key(first) != dataset_key(second)
    # A manifest that cannot prove its rows (no digest) is never reused.
    legacy = {k: v for k, v in first.items() if k != CONTENT_HASH}
    assert dataset_key(legacy) != dataset_key(legacy)


def test_site_keys_cover_every_module_the_site_imports():
    names = {p.relative_to(p.parents[1]).as_posix() for p in code_files()[0]}
    for module in (
        "site/downloads.py",
        "site/pages.py",
        "standards/schemaorg.py",
        "catalog/urls.py",
        "release/naming.py",
    ):
        assert module in names, module


# ------------------------------------------------------------------ file digests


def test_file_digest_cache_is_used_for_settled_files(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    st = path.stat()
    stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    settled = [*stat, max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS + 1, "cached"]
    assert Hasher({str(path): settled}, "code").file(path) == "cached"


def test_file_digest_cache_is_not_trusted_for_racy_files(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    st = path.stat()
    stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    # Hashed in the same tick as the last write: a second edit could share every stat.
    racy = [*stat, st.st_mtime_ns, "stale"]
    digest = Hasher({str(path): racy}, "code").file(path)
    assert digest != "stale" and len(digest) == 64


def test_file_digest_sees_an_edit_that_keeps_size_and_mtime(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    hasher = Hasher({}, "code")
    first = hasher.file(path)
    entry = hasher.new[str(path)]
    entry[4] = max(entry[1], entry[2]) + RACY_NS + 1  # as if hashed long after the write
    rewrite_keeping_stat(path, "a,b\n1,3\n")
    assert Hasher(hasher.new, "code").file(path) != first


def test_corrected_csv_sent_as_raw_bytes_reaches_the_csv_download(built: Path, content: Path):
    correct_row(content)
    build(content, built)
    raw = cobertura_downloads(built)
    plain = next(f for p, f in raw.items() if p.endswith("/cobertura.csv"))
    rows = list(csv.reader(io.StringIO(plain.read_text(encoding="utf-8"))))
    assert rows[4][4] == "1345" and rows[4][7] == "Entrega en centros revisados-OK"
