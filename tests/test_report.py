"""The validation report: the JSON contract and the human text in Spanish and English."""

from __future__ import annotations

import json
import re
from pathlib import Path

from catalog.findings import Finding
from catalog.report import render_json, render_text
from catalog.validate import DatasetReport, ValidationRun
from catalog.wording import TEXTS, problem

ROOT = Path(__file__).parent.parent


def a_run() -> ValidationRun:
    error = problem(
        "type-error", variant="integer", row=3, field="beneficiarios", value="12.5", type="integer"
    )
    error.resource, error.file, error.dataset = "cobertura", "data/cobertura.csv", "mides/bono"
    notice = Finding(
        type="privacy-public-personal-data",
        dataset="mides/bono",
        resource="cobertura",
        fieldName="nombre",
        text="Column {field} holds personal data published by law ({basis}).",
        params={"field": "nombre", "basis": "Decreto 57-2008, art. 10"},
        blocking=False,
        file="data/cobertura.csv",
    )
    bad = DatasetReport(dataset="mides/bono", valid=False, findings=[error, notice])
    good = DatasetReport(dataset="mides/otro", valid=True)
    return ValidationRun([bad, good])


def test_json_is_exactly_the_contract():
    data = json.loads(render_json(a_run(), "en"))
    assert set(data) == {"valid", "errors"}
    assert data["valid"] is False
    [error] = data["errors"]  # the notice is not an error
    assert set(error) == {"type", "dataset", "resource", "rowNumber", "fieldName", "message"}
    assert error["type"] == "type-error"
    assert (error["dataset"], error["resource"]) == ("mides/bono", "cobertura")
    assert (error["rowNumber"], error["fieldName"]) == (3, "beneficiarios")
    assert "12.5" in error["message"] and "whole number" in error["message"]


def test_json_of_a_valid_run():
    data = json.loads(render_json(ValidationRun([DatasetReport("a/b", True)]), "es"))
    assert data == {"valid": True, "errors": []}


def test_json_message_is_spanish_by_default():
    [error] = json.loads(render_json(a_run()))["errors"]
    assert "no es válido" in error["message"]


def test_text_report_in_spanish_by_default():
    text = render_text(a_run())
    assert "mides/bono: NO válido" in text
    assert "data/cobertura.csv" in text
    assert "fila 3, columna beneficiarios" in text
    assert '"12.5"' in text
    assert "Corrección:" in text
    assert "mides/otro: válido" in text
    assert text.rstrip().splitlines()[-1].startswith("2 conjunto(s) de datos revisado(s)")


def test_text_report_in_english():
    text = render_text(a_run(), "en")
    assert "mides/bono: NOT valid" in text
    assert "row 3, column beneficiarios" in text
    assert "Fix: Write a whole number" in text
    assert "2 dataset(s) checked: 1 not valid, 1 error(s), 1 note(s)." in text


def test_allowed_personal_data_is_shown_as_allowed_with_its_legal_basis():
    lines = render_text(a_run(), "en").splitlines()
    [line] = [x for x in lines if "nombre" in x]
    assert line.strip().startswith("✓")
    assert "Decreto 57-2008, art. 10" in line


def test_every_validate_msgid_has_a_spanish_translation():
    from babel.messages.pofile import read_po

    with (ROOT / "catalog/locale/es/LC_MESSAGES/validate.po").open("rb") as fh:
        catalogue = {m.id: m.string for m in read_po(fh, locale="es") if m.id}
    msgids = sorted(
        {
            msgid
            for name in ("wording.py", "report.py", "validate.py", "tables.py", "schema.py")
            for msgid in _msgids((ROOT / "catalog" / name).read_text(encoding="utf-8"))
        }
    )
    assert len(msgids) > 60
    missing = [m for m in msgids if not catalogue.get(m)]
    assert missing == []
    for msgid in msgids:  # placeholders must survive translation
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", catalogue[msgid]))
    assert set(TEXTS.values()) <= set(msgids)


def _msgids(source: str) -> list[str]:
    """Every string passed to _() (adjacent literals joined)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "_"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append(node.args[0].value)
    return sorted(set(found))
