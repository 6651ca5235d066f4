"""Redaction, case by case: what is hidden, what stays, and which rules are refused.

docs/officers.md ("Redaction") explains the same cases to officers.
"""

from __future__ import annotations

import pytest
import re2

from catalog.errors import CatalogError
from catalog.transparency.redaction import Rule, check_rule, compiled, fold, redact, redact_once

# The requester of most cases: short name words ("Ana", "Paz"), particles ("de la"),
# and an address at a private domain.
ANA = ("Ana Paz de la Cruz", "ana.paz@cruzfamilia.net")


# ------------------------------------------------------------ officers' rules


def test_a_literal_rule_ignores_accents_case_and_spacing_and_keeps_the_rest():
    rule = Rule("José Pérez", False, "[nombre]")
    text = "José Pérez y JOSE PEREZ y jose  perez y Jose\u0301 Pe\u0301rez en Cobán"
    assert redact(text, [rule]) == "[nombre] y [nombre] y [nombre] y [nombre] en Cobán"
    # Written without accents, the rule still hides the accented text.
    assert redact("Informe de Cobán", [Rule("coban", False, "[lugar]")]) == "Informe de [lugar]"


def test_folding_maps_every_match_back_to_the_original_text():
    folded = fold("Año: Ｐｅｒｅｚ")  # an accent and full-width letters
    assert folded.text == "Ano: Perez"
    start = folded.text.index("Perez")
    assert folded.span(start, start + 5) == (5, 10)
    assert redact("Año: Ｐｅｒｅｚ.", [Rule("perez", False, "[x]")]) == "Año: [x]."


def test_a_regular_expression_runs_on_re2_in_linear_time():
    rule = Rule(r"(a+)+$", True, "[x]")
    check_rule(rule)  # accepted: RE2 runs it without backtracking
    assert isinstance(compiled(rule.pattern, rule.is_regex), re2._Regexp)
    # The pattern that makes a backtracking engine take ages ends at once here.
    assert redact("b" + "a" * 50_000 + "!", [rule]) == "b" + "a" * 50_000 + "!"
    assert redact("baaa", [rule]) == "b[x]"
    assert redact("Tel. 5555-1234", [Rule(r"\d{4}-\d{4}", True, "[tel]")]) == "Tel. [tel]"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (Rule(r"(\w+) \1", True), "backreference"),
        (Rule(r"Pérez(?= Cruz)", True), "lookaround"),
        (Rule(r"x*", True), "matches empty text"),
        (Rule(r"[a-z", True), "not a valid regular expression"),
        (Rule(r"(\w{1,1000}){1,1000}", True), "not a valid regular expression"),
        (Rule(r"[a-z]{1,1000}" * 10, True), "too complex"),
        (Rule("x" * 301), "1 to 300 characters"),
        (Rule("   "), "1 to 300 characters"),
        (Rule("Pérez", False, "r" * 101), "limit is 100"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_when_saved_with_the_reason(rule, says):
    with pytest.raises(CatalogError) as caught:
        check_rule(rule)
    assert says in caught.value.message("en")


def test_overlapping_rules_give_one_replacement_and_never_rewrite_each_other():
    rules = [Rule("programa mi bono", False, "[programa]"), Rule("Bono", False, "[b]")]
    assert redact("Archivo del programa Mi Bono", rules) == "Archivo del [programa]"
    # "exp" would match inside "[exp]" if rules ran one after the other on the output.
    rules = [Rule(r"\d+-\d{4}", True, "[exp]"), Rule("exp", False, "X")]
    assert redact("Caso 12-2024", rules) == "Caso [exp]"


# ------------------------------------------------------- the requester's name


def test_every_word_of_the_name_is_hidden_in_any_case_and_spelling():
    text = "Firmado: ANA PAZ DE LA CRUZ. Copia a Ana P. de la Cruz."
    assert redact(text, [], ANA) == "Firmado: […]. Copia a […]."
    assert redact("Pregunta de la Sra. Cruz-Paz", [], ANA) == "Pregunta de la Sra. […]"


def test_short_name_words_are_hidden_only_with_a_capital():
    # "Ana" and "Paz" are names here, "paz" and "ana" ordinary words: particles alone stay.
    text = "Acuerdos de Paz; la paz social; la ana del cuento; Ana, Paz."
    assert redact(text, [], ANA) == "Acuerdos de […]; la paz social; la ana del cuento; […]."


def test_parts_of_a_name_merge_but_line_breaks_stay():
    assert redact("Pérez de la Cruz, Ana", [], ("Ana Pérez de la Cruz", "")) == "[…]"
    assert redact("Cruz\n\nAna", [], ANA) == "[…]\n\n[…]"


# ------------------------------------------------------------- e-mail addresses


def test_the_requesters_address_is_hidden_whole_and_in_fragments():
    cases = {
        "Escriba a ana.paz@cruzfamilia.net.": "Escriba a […].",
        "Sin dominio final: ana.paz@cruzfamilia.": "Sin dominio final: […].",
        "Cortada: ana.paz@ y nada más": "Cortada: […] y nada más",
        "Disfrazada: ana.paz [at] cruzfamilia [dot] net": "Disfrazada: […]",
        "En palabras: ana.paz arroba cruzfamilia punto net": "En palabras: […]",
        "El usuario anapaz o ana_paz": "El usuario […] o […]",
        "El dominio cruzfamilia.net es suyo": "El dominio […] es suyo",
    }
    for text, hidden in cases.items():
        assert redact(text, [], ANA) == hidden, text


def test_other_private_addresses_are_hidden_and_official_ones_stay():
    text = "Otro: juan@gmail.com, juan@gmail; oficina: uip@mides.gob.gt; el dominio gmail.com"
    assert redact(text, [], ANA) == (
        "Otro: […], […]; oficina: uip@mides.gob.gt; el dominio gmail.com"
    )
    assert redact("Síganos en @mides_gt", [], ANA) == "Síganos en @mides_gt"  # a handle


def test_valid_dpi_numbers_are_hidden_and_other_numbers_stay():
    text = "DPI 2456 78905 0101, 2456-78905-0101; expediente 2456 78901 0101"
    assert redact(text, [], ANA) == "DPI […], […]; expediente 2456 78901 0101"


def test_redact_once_remembers_its_answers():
    rules = (Rule("Bono", False, "[b]"),)
    first = redact_once("El Bono de Ana", rules, ANA)
    assert first == "El [b] de […]"
    assert redact_once("El Bono de Ana", rules, ANA) is first
