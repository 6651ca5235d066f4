"""Conformance: our validator against ``frictionless validate`` on a corpus of broken packages.

Each folder of ``tests/corpus/`` is a small Data Package with one concern. Both
engines run in-process and must report the same set of
(type, resource, rowNumber, fieldName). Our columnar engine runs twice: with the
fast polars reader and with the exact csv-module reader.

Deliberate differences are listed in DIFFERENCES and asserted as such.
"""

from __future__ import annotations

from pathlib import Path

import frictionless
import pytest

from catalog.content import DatasetRef
from catalog.validate import LIMIT_ERRORS, validate_dataset

CORPUS = Path(__file__).parent / "corpus"
PACKAGES = sorted(p.name for p in CORPUS.iterdir() if (p / "datapackage.json").is_file())

# Where we differ from Frictionless on purpose: (errors only we report, errors only it reports).
DIFFERENCES = {
    # Frictionless guesses an undeclared encoding with chardet and reads the file as
    # whatever it guessed; we flag a file that is not UTF-8 and does not declare its
    # encoding, and say which encoding it looks like, so that the publisher declares
    # "windows-1252" or re-saves as UTF-8 (a wrong guess garbles names like "Cobán").
    "windows-1252-undeclared": ({("encoding-error", "tabla", None, None)}, set()),
}

Key = tuple[str, str | None, int | None, str | None]


def ours(folder: Path, *, fast: bool) -> set[Key]:
    report = validate_dataset(DatasetRef("corpus", folder.name, folder), fast=fast)
    return {
        (f.type, f.resource, f.rowNumber, f.fieldName or None)
        for f in report.findings
        # Catalogue metadata and privacy are ours alone; Frictionless knows nothing of them.
        if f.blocking and f.type != "metadata-error" and not f.type.startswith("privacy-")
    }


def theirs(folder: Path) -> set[Key]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    found: set[Key] = {(e.type, None, None, None) for e in report.errors}
    for task in report.tasks:
        for error in task.errors:
            # Frictionless gives fieldName "" for extra cells; we give null: no field.
            found.add(
                (
                    error.type,
                    task.name,
                    getattr(error, "row_number", None),
                    getattr(error, "field_name", None) or None,
                )
            )
    return found


def test_corpus_is_not_empty():
    assert len(PACKAGES) >= 30


@pytest.mark.parametrize("name", PACKAGES)
@pytest.mark.parametrize("fast", [True, False], ids=["polars", "csv-module"])
def test_same_findings_as_frictionless(name: str, fast: bool):
    folder = CORPUS / name
    expected = theirs(folder)
    only_ours, only_theirs = DIFFERENCES.get(name, (set(), set()))
    assert ours(folder, fast=fast) == (expected - only_theirs) | only_ours


@pytest.mark.parametrize("name", sorted(DIFFERENCES))
def test_deliberate_differences_are_real(name: str):
    # If Frictionless starts agreeing with us, the difference (and its comment) must go.
    folder = CORPUS / name
    only_ours, only_theirs = DIFFERENCES[name]
    assert only_ours and not (only_ours & theirs(folder))
    assert only_theirs <= theirs(folder)


def test_every_corpus_package_is_broken_except_the_controls():
    controls = {"header-only", "windows-1252-declared", "bom", "crlf", "row-count-right"}
    for name in PACKAGES:
        folder = CORPUS / name
        if name in controls:
            continue
        assert theirs(folder) or name in DIFFERENCES, name


def test_error_limit_matches_frictionless():
    folder = CORPUS / "many-errors"
    report = validate_dataset(DatasetRef("corpus", folder.name, folder))
    errors = [f for f in report.findings if f.blocking and f.type == "type-error"]
    assert len(errors) == LIMIT_ERRORS == len(theirs(folder))
    assert errors[-1].rowNumber == LIMIT_ERRORS + 1
    notices = [f for f in report.findings if f.type == "error-limit"]
    assert len(notices) == 1 and not notices[0].blocking


def test_row_numbers_count_records_not_lines():
    # A quoted cell spanning lines is one record, as in Frictionless.
    folder = CORPUS / "quoted-newlines"
    rows = sorted(r for (_t, _res, r, _f) in ours(folder, fast=True))
    assert rows == [3, 5, 6]


def test_spec_cases_are_in_the_corpus():
    # Written from the Table Schema and Data Package specifications, not from our bugs.
    spec = {
        "header-after-title",
        "header-declared-title",
        "header-only-labels",
        "label-spaces",
        "array-item",
        "row-count",
        "compression-declared",
        "compression-extension",
        "compression-zip",
        "multipart",
        "inline-lists",
        "inline-objects",
        "missing-values-v2",
        "missing-values-object-v1",
        "format-extra-missing",
        "ods",
    }
    assert spec <= set(PACKAGES)


def test_a_missing_extra_is_a_finding_and_the_other_datasets_still_run():
    import json
    import subprocess
    import sys

    broken, fine = CORPUS / "format-extra-missing", CORPUS / "enum"
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "validate", str(broken), str(fine), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    found = {(e["dataset"], e["resource"], e["type"]) for e in report["errors"]}
    assert ("corpus/format-extra-missing", "geo", "error") in found
    assert ("corpus/format-extra-missing", "otra", "type-error") in found
    assert any(d == "corpus/enum" and t == "constraint-error" for d, _r, t in found)
