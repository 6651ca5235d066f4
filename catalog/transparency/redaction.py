"""Censor rules, as in Alaveteli: text hidden before anything is published.

Rules are literal text or regular expressions, for one request or for every
request of a publisher. On top of the officers' rules, the requester's own name
and e-mail, private e-mail addresses and valid Guatemalan CUI/DPI numbers are
always hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.identifiers import is_valid_cui

MAX_PATTERN = 300
DEFAULT_REPLACEMENT = "[…]"
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# Addresses of public bodies stay: citizens need them to reach the office.
OFFICIAL_DOMAIN = re.compile(r"\.(?:gob|gov|gub|mil)\.[a-z]{2}$|\.gob$|\.gov$", re.I)
CUI = re.compile(r"\b\d{4}\s?\d{5}\s?\d{4}\b")


@dataclass(frozen=True)
class Rule:
    pattern: str
    is_regex: bool = False
    replacement: str = DEFAULT_REPLACEMENT


def compile_rule(rule: Rule) -> re.Pattern[str]:
    """The rule as a regular expression; a bad pattern is a clear error."""
    text = (rule.pattern or "").strip()
    if not text or len(text) > MAX_PATTERN:
        raise CatalogError(
            _("A redaction rule needs a text of 1 to {limit} characters."),
            _("Give the exact text to hide, or a regular expression."),
            limit=MAX_PATTERN,
        )
    if not rule.is_regex:
        return re.compile(re.escape(text), re.IGNORECASE)
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise CatalogError(
            _("The pattern {pattern} is not a valid regular expression: {reason}."),
            _("Check the brackets and escapes, or use a literal text rule."),
            pattern=text,
            reason=str(exc),
        ) from None


def _private_emails(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        domain = match.group(0).rsplit("@", 1)[1]
        return match.group(0) if OFFICIAL_DOMAIN.search(domain) else DEFAULT_REPLACEMENT

    return EMAIL.sub(hide, text)


def _cuis(text: str) -> str:
    return CUI.sub(lambda m: DEFAULT_REPLACEMENT if is_valid_cui(m.group(0)) else m.group(0), text)


def redact(text: str | None, rules: Iterable[Rule] = (), personal: Iterable[str] = ()) -> str:
    """``text`` with every rule applied, then the automatic ones."""
    if not text:
        return ""
    for rule in rules:
        text = compile_rule(rule).sub(rule.replacement or DEFAULT_REPLACEMENT, text)
    for value in sorted({p.strip() for p in personal if p and len(p.strip()) >= 3}, key=len)[::-1]:
        text = re.compile(re.escape(value), re.IGNORECASE).sub(DEFAULT_REPLACEMENT, text)
        # Each word of a full name is hidden too ("Sra. Pérez").
        for word in value.split():
            if len(word) >= 4 and "@" not in word:
                text = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE).sub(
                    DEFAULT_REPLACEMENT, text
                )
    return _cuis(_private_emails(text))
