"""Every user-facing string has a Spanish translation, with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from catalog import i18n

PACKAGE = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _po_messages(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for po in (PACKAGE / "locale" / lang / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id:
                    messages[str(message.id)] = str(message.string)
    return messages


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _msgids() -> set[tuple[str, str]]:
    """(file, msgid) for ``_("...")``, ``text=``/``hint=`` keywords and CatalogError arguments."""
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            candidates: list[ast.AST] = []
            if name == "_":
                candidates = node.args[:1]
            elif name.endswith("Error"):
                # Error classes take (text, hint); some take a code first, which has no space.
                candidates = [a for a in node.args[:3] if " " in (_string(a) or "")]
            candidates += [kw.value for kw in node.keywords if kw.arg in ("text", "hint")]
            for candidate in candidates:
                text = _string(candidate)
                if text:
                    found.add((str(path.relative_to(PACKAGE)), text))
    return found


def test_every_message_has_a_spanish_translation():
    spanish = _po_messages("es")
    missing = sorted(f"{file}: {msgid!r}" for file, msgid in _msgids() if not spanish.get(msgid))
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders():
    wrong = [
        msgid
        for msgid, msgstr in _po_messages("es").items()
        if msgstr and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert not wrong, wrong


def test_language_selection():
    assert i18n.normalize_lang(None) == "es"
    assert i18n.normalize_lang("en-US,en;q=0.9") == "en"
    assert i18n.normalize_lang("fr-FR, es;q=0.8") == "es"
    assert i18n.normalize_lang("en_GB.UTF-8") == "en"
    assert i18n.normalize_lang("de") == "es"


def test_accept_language_is_read_by_its_q_values():
    assert i18n.normalize_lang("fr;q=1, en;q=0.8, es;q=0.5") == "en"
    assert i18n.normalize_lang("en;q=0.1, es;q=0.9") == "es"
    assert i18n.normalize_lang("en;q=0") == "es"  # q=0: "not this one"
    assert i18n.normalize_lang("en;q=x, es;q=0.2") == "es"  # a malformed weight counts nothing
    assert i18n.normalize_lang("es, en") == "es"  # equal weights: the first listed


def test_one_rule_picks_the_language_of_a_request():
    assert i18n.request_lang() == "es"
    assert i18n.request_lang("en", "es", "es") == "en"  # ?lang= wins
    assert i18n.request_lang(None, "en", "es") == "en"  # then the remembered choice
    assert i18n.request_lang(None, None, "de, en-GB;q=0.9") == "en"  # then the browser
    assert i18n.request_lang("fr", None, "en") == "en"  # a language we lack is no choice
    assert i18n.request_lang("", "", "") == "es"


def test_translate_fills_placeholders_and_survives_bad_ones():
    assert i18n.translate("{n} rows", "en", n=3) == "3 rows"
    assert i18n.translate("{missing} rows", "en") == "{missing} rows"
    assert i18n.translate("{missing} rows", "en", other=1) == "{missing} rows"


def test_spanish_is_the_default_for_a_known_message():
    assert i18n.gettext("Check the path and try again.") != "Check the path and try again."
    assert i18n.gettext("Check the path and try again.", "en") == "Check the path and try again."
