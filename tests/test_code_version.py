"""What makes the build validate a dataset again: the code that validates and loads it.

The data code version is derived from the import statements of ``catalog.validate``
and ``catalog.build.publish`` (build/state.py), not from a hand-kept list: a reworded
finding must never leave a stale one in the cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.build import state

CATALOG = Path(state.__file__).resolve().parent.parent


def relative(paths: list[Path], base: Path = CATALOG) -> set[str]:
    return {p.relative_to(base).as_posix() for p in paths}


def test_every_root_and_every_file_exists():
    assert all((CATALOG / root).is_file() for root in state.DATA_ROOTS)
    files, _libraries = state.data_code_files()
    assert files and all(path.is_file() for path in files)


def test_the_closure_holds_what_validation_imports_and_nothing_that_only_renders():
    files = relative(state.data_code_files()[0])
    # Imported by validate.py, directly or through another module.
    assert {"validate.py", "wording.py", "metadata.py", "privacy.py", "identifiers.py"} <= files
    assert {"vocabularies/__init__.py", "jurisdictions/__init__.py", "build/sqlite.py"} <= files
    # Data those modules read.
    assert {"vocabularies/themes.yaml", "jurisdictions/gt.yaml", "data/gt_territories.csv"} <= files
    # Renderers and servers cannot change a finding or a table.
    assert not files & {"report.py", "cli.py", "serve.py", "build/site.py", "build/report.py"}
    assert not any(f.startswith(("api/", "site/", "locale/")) for f in files)
    # Of the transparency package, only the law's rules a finding can depend on (a dataset
    # citing an item must follow its template); never the workspace.
    rules = {
        "transparency/obligations.py",
        "transparency/templates.py",
        "transparency/deadlines.py",
    }
    assert {f for f in files if f.startswith("transparency/")} <= rules
    assert "transparency/templates.py" in files


def test_the_libraries_that_validate_are_part_of_the_version():
    _files, libraries = state.data_code_files()
    assert {"frictionless", "polars", "yaml"} <= libraries
    assert not {"jinja2", "fastapi"} & libraries


@pytest.fixture
def copy_of_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package that the version is computed from, to edit freely."""
    copy = tmp_path / "catalog"
    shutil.copytree(CATALOG, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.setattr(state, "_CATALOG", copy)
    monkeypatch.setattr(state, "_REPO", tmp_path)
    state.data_code_version.cache_clear()
    yield copy
    state.data_code_version.cache_clear()


def version_after(edit_path: Path, old: str, new: str) -> tuple[str, str]:
    state.data_code_version.cache_clear()
    before = state.data_code_version()
    text = edit_path.read_text(encoding="utf-8")
    assert old in text
    edit_path.write_text(text.replace(old, new, 1), encoding="utf-8")
    state.data_code_version.cache_clear()
    return before, state.data_code_version()


def test_rewording_a_finding_changes_the_version(copy_of_catalog: Path):
    before, after = version_after(
        copy_of_catalog / "wording.py", "This row is empty.", "This row has no values."
    )
    assert before != after


def test_a_metadata_message_and_a_vocabulary_change_the_version(copy_of_catalog: Path):
    before, after = version_after(
        copy_of_catalog / "metadata.py", "is not a valid slug", "is not a slug"
    )
    assert before != after
    before, after = version_after(
        copy_of_catalog / "vocabularies" / "themes.yaml", "code: SOCI", "code: SOCX"
    )
    assert before != after


def test_the_renderers_and_translations_leave_the_version_alone(copy_of_catalog: Path):
    # A finding is cached as its msgid and translated whenever a report is written.
    before, after = version_after(copy_of_catalog / "report.py", '"✗"', '"x"')
    assert before == after
    po = copy_of_catalog / "locale" / "es" / "LC_MESSAGES" / "validate.po"
    before, after = version_after(po, 'msgstr "Esta fila está vacía."', 'msgstr "Fila vacía."')
    assert before == after


def test_a_module_newly_imported_by_validation_joins_the_version(copy_of_catalog: Path):
    (copy_of_catalog / "helper.py").write_text("LIMIT = 1\n", encoding="utf-8")
    assert "helper.py" not in relative(state.data_code_files()[0], copy_of_catalog)
    validate = copy_of_catalog / "validate.py"
    text = validate.read_text(encoding="utf-8")
    validate.write_text(
        text.replace("import copy\n", "import copy\n\nfrom catalog import helper\n", 1)
    )
    assert "helper.py" in relative(state.data_code_files()[0], copy_of_catalog)
    before, after = version_after(copy_of_catalog / "helper.py", "LIMIT = 1", "LIMIT = 2")
    assert before != after


def test_a_corrected_translation_makes_a_new_release(copy_of_catalog: Path):
    # Pages are worded when a release is written: a .po edit alone must write one.
    po = copy_of_catalog / "locale" / "es" / "LC_MESSAGES" / "site.po"
    before = state.release_code_version()
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "x y"\nmsgstr "x z"\n')
    assert state.release_code_version() != before
