"""The wording of validation findings: a Frictionless error code in words, with its fix."""

from __future__ import annotations

from catalog.wording import problem


def test_no_data_markers_get_the_missing_values_hint():
    finding = problem("type-error", variant="number", field="tasa", value="n/d", type="number")
    assert "missingValues" in finding.fix("en")


def test_long_values_are_shortened():
    finding = problem("type-error", field="x", value="a" * 500, type="integer")
    assert len(finding.value) == 80


def test_a_variant_falls_back_to_its_code_then_to_the_generic_words():
    finding = problem("constraint-error", variant="unheard-of", field="x", value="1", note="n")
    assert finding.what("en") == 'The value "1" in column x breaks a rule: n.'
    unknown = problem("new-frictionless-code", note="something")
    assert unknown.what("en") == "Frictionless reports new-frictionless-code: something."
    assert unknown.params["code"] == "new-frictionless-code"
