"""Censor rules, as in Alaveteli: text hidden before anything is published.

Officers' rules are literal text or regular expressions, for one request or for
every request of a publisher. On top of them, always and without a rule: the
requester's name (every word of it, short ones too), the requester's e-mail and
its fragments, private e-mail addresses (also written ``ana [at] example.org``
or without their domain's last part) and valid Guatemalan CUI/DPI numbers.

How matching works (docs/officers.md, "Redaction", explains it to officers):

- Text and rule are both *folded*: accents and other marks removed (NFKD), so
  ``Perez`` hides ``Pérez`` and ``PÉREZ``; matching ignores case. Every match is
  mapped back to the original text, which keeps its accents where nothing is hidden.
- Officers' regular expressions run on RE2 (``google-re2``): time linear in the
  text, whatever the pattern, so a pattern such as ``(a+)+$`` cannot stall the
  server. RE2 has no backreferences or lookaround; such a rule is refused when it
  is saved, with the reason, as is a pattern that matches empty text.
- All rules find spans in the original text; overlapping spans are merged and
  each merged span is replaced once (by the replacement of the rule whose match
  starts first), so one rule never rewrites the replacement text of another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import re2

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.identifiers import is_valid_cui

MAX_PATTERN = 300  # the column's size
MAX_PROGRAM = 5000  # RE2 program size: a bound on the memory and time one rule may take
MAX_REPLACEMENT = 100
DEFAULT_REPLACEMENT = "[…]"

# E-mail addresses, also disguised ("ana [at] example [dot] org", "ana arroba example
# punto org"), cut after the "@" ("ana.perez@") or without a top-level domain.
# "@" must touch the name on its left ("Síguenos @mides_gt" is a handle, not an address).
_AT = r"(?:@|\s?[\[(]\s?(?:at|arroba)\s?[\])]\s?|\s(?:arroba)\s)"
_DOT = r"(?:\.|\s?[\[(]\s?(?:dot|punto)\s?[\])]\s?|\s(?:punto)\s)"
EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{1,64}}{_AT}(?:[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,8}})?",
    re.IGNORECASE,
)
# Addresses of public bodies stay: citizens need them to reach the office.
OFFICIAL_DOMAIN = re.compile(r"\.(?:gob|gov|gub|mil)\.[a-z]{2}$|\.(?:gob|gov)$", re.I)
# Domains shared by millions: naming one identifies nobody, so it is not hidden alone.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.es",
        "outlook.com",
        "outlook.es",
        "live.com",
        "yahoo.com",
        "yahoo.es",
        "icloud.com",
        "proton.me",
        "protonmail.com",
    }
)
CUI = re.compile(r"(?<!\d)\d{4}[ \-]?\d{5}[ \-]?\d{4}(?!\d)")
# Words that join the parts of a name: never hidden alone (they are everywhere in
# Spanish text), but swallowed when they sit between two hidden parts of a name.
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "i", "da", "das", "do", "dos", "di", "van",
     "von", "der", "den", "le", "mc", "mac", "viuda", "vda"}
)  # fmt: skip
# Name words this short are hidden only where written with a capital ("Paz", "ANA"):
# in lower case they are usually ordinary words ("la paz", "luz").
SHORT_WORD = 3


@dataclass(frozen=True)
class Rule:
    pattern: str
    is_regex: bool = False
    replacement: str = DEFAULT_REPLACEMENT


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    replacement: str


# ------------------------------------------------------------------ folding


@dataclass(frozen=True)
class Folded:
    """``text`` without accents; ``origin[i]`` is the index in the original of character i."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: the same text (plain ASCII)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span [start, end) (non-empty)."""
        if self.origin is None:
            return start, end
        first, last = self.origin[start], self.origin[end - 1] + 1
        # A combining mark written apart ("e" + U+0301) belongs to the letter before it.
        while last < len(self.original) and unicodedata.combining(self.original[last]):
            last += 1
        return first, last


def strip_marks(text: str) -> str:
    """Compatibility decomposition without the combining marks: ``Pérez`` → ``Perez``."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> Folded:
    if text.isascii():
        return Folded(text, text, None)
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in strip_marks(char):
            chars.append(part)
            origin.append(index)
    return Folded(text, "".join(chars), tuple(origin))


# ------------------------------------------------------------ officers' rules


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # a refused pattern is the officer's message, not a log line
    options.max_mem = 8 << 20
    return options


def _rule_source(rule: Rule) -> str:
    """The RE2 pattern of a rule, on folded text. A literal's spaces match any spacing."""
    text = strip_marks(rule.pattern.strip())
    if rule.is_regex:
        return text
    return r"\s+".join(re2.escape(word) for word in text.split())


def _reason(error: Exception) -> str:
    reason = error.args[0] if error.args else ""
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


@lru_cache(maxsize=2048)
def compiled(pattern: str, is_regex: bool) -> re2._Regexp:
    """The rule compiled for RE2, or a CatalogError that says why it is refused."""
    text = (pattern or "").strip()
    if not text or len(text) > MAX_PATTERN:
        raise CatalogError(
            _("A redaction rule needs a text of 1 to {limit} characters."),
            _("Give the exact text to hide, or a regular expression."),
            limit=MAX_PATTERN,
        )
    try:
        regex = re2.compile(_rule_source(Rule(text, is_regex)), _options())
    except re2.error as exc:
        reason = _reason(exc)
        if re.search(r"\\[1-9]|\(\?[=!<]", text):
            raise CatalogError(
                _(
                    "The pattern {pattern} uses a backreference or a lookaround, which are not allowed."
                ),
                _(
                    "Rules run on RE2, which has neither: write the pattern without \\1, (?=, (?! or (?<."
                ),
                pattern=text,
            ) from None
        raise CatalogError(
            _("The pattern {pattern} is not a valid regular expression: {reason}."),
            _("Check the brackets and escapes, or use a literal text rule."),
            pattern=text,
            reason=reason,
        ) from None
    if regex.programsize > MAX_PROGRAM:
        raise CatalogError(
            _("The pattern {pattern} is too complex."),
            _("Split it into several simpler rules, or use smaller repetition counts."),
            pattern=text,
        )
    if regex.search("") is not None:
        raise CatalogError(
            _("The pattern {pattern} matches empty text, so it would hide nothing useful."),
            _("Make it match at least one character: use + instead of *, or drop the ?."),
            pattern=text,
        )
    return regex


def check_rule(rule: Rule) -> None:
    """Refuse, with the reason, a rule that cannot be saved (see ``compiled``)."""
    compiled(rule.pattern, rule.is_regex)
    if len(rule.replacement) > MAX_REPLACEMENT:
        raise CatalogError(
            _("The replacement text has {length} characters; the limit is {limit}."),
            _("Use a short text such as [name] or leave it empty for […]."),
            length=len(rule.replacement),
            limit=MAX_REPLACEMENT,
        )


def _rule_spans(folded: Folded, rules: Iterable[Rule]) -> list[Span]:
    spans = []
    for rule in rules:
        regex = compiled(rule.pattern, rule.is_regex)
        replacement = rule.replacement or DEFAULT_REPLACEMENT
        for match in regex.finditer(folded.text):
            if match.end() > match.start():
                spans.append(Span(*folded.span(match.start(), match.end()), replacement))
    return spans


# -------------------------------------------------------- automatic rules


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", strip_marks(name)) if w]


def _word_pattern(word: str) -> str:
    """One name word, whole; a short one only where it starts with a capital."""
    bare = word.strip(".,;:'\"")
    if len(bare) <= SHORT_WORD:
        head, tail = re.escape(bare[0]), re.escape(bare[1:])
        return rf"(?<!\w)(?-i:{head.upper()}){f'(?:{tail})' if tail else ''}(?!\w)"
    return rf"(?<!\w){re.escape(bare)}(?!\w)"


@lru_cache(maxsize=512)
def _personal_patterns(name: str, email: str) -> tuple[re.Pattern[str], ...]:
    """Patterns of one requester's identity, on folded text (ours: no officer input
    reaches them unescaped, so Python's engine is safe here)."""
    patterns = []
    words = [w for w in _name_words(name) if w.strip(".,;:'\"")]
    hidden = [w for w in words if w.lower().strip(".") not in PARTICLES and len(w.strip(".")) > 1]
    for word in sorted(set(hidden), key=len, reverse=True):
        patterns.append(re.compile(_word_pattern(word), re.IGNORECASE))
    if "@" in email:
        local, domain = strip_marks(email).rsplit("@", 1)
        pieces = [p for p in re.split(r"[._+\-]+", local) if p]
        if len("".join(pieces)) >= 3:
            # "ana.perez", "ana_perez", "ana perez", "anaperez": the local part in any spelling.
            joined = r"[._+\-\s]?".join(re.escape(p) for p in pieces)
            patterns.append(re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE))
        if (
            domain
            and domain.lower() not in PUBLIC_MAIL_DOMAINS
            and not OFFICIAL_DOMAIN.search(domain)
        ):
            patterns.append(re.compile(rf"(?<![\w.-]){re.escape(domain)}(?![\w-])", re.IGNORECASE))
    return tuple(patterns)


def _personal_spans(folded: Folded, personal: Sequence[str]) -> list[Span]:
    name = next((p for p in personal if p and "@" not in p), "")
    email = next((p for p in personal if p and "@" in p), "")
    spans = []
    for pattern in _personal_patterns(name.strip(), email.strip().lower()):
        for match in pattern.finditer(folded.text):
            spans.append(Span(*folded.span(match.start(), match.end()), DEFAULT_REPLACEMENT))
    return _joined(folded.original, spans)


# What may sit between two hidden parts of a name and is hidden with them: spaces
# (not line breaks), commas, hyphens, particles ("de la") and initials ("L.").
_JOINER = re.compile(
    r"(?:[ \t,\-]|(?<!\w)(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")(?!\w)"
    r"|(?<!\w)\w\.)*",
    re.IGNORECASE,
)
MAX_JOINER = 40


def _joined(text: str, spans: list[Span]) -> list[Span]:
    """Name spans separated only by joiners become one: "Pérez de la Cruz" → one […]."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged:
            last = merged[-1]
            gap = text[last.end : span.start]
            if span.start <= last.end or (len(gap) <= MAX_JOINER and _JOINER.fullmatch(gap)):
                merged[-1] = Span(last.start, max(last.end, span.end), last.replacement)
                continue
        merged.append(span)
    return merged


def _email_spans(text: str) -> list[Span]:
    spans = []
    for match in EMAIL.finditer(text):
        found = match.group(0)
        domain = re.split(_AT, found, maxsplit=1, flags=re.IGNORECASE)[-1]
        domain = re.sub(_DOT, ".", domain, flags=re.IGNORECASE)
        if "." in domain and OFFICIAL_DOMAIN.search(domain.strip()):
            continue
        spans.append(Span(match.start(), match.end(), DEFAULT_REPLACEMENT))
    return spans


def _cui_spans(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), DEFAULT_REPLACEMENT)
        for m in CUI.finditer(text)
        if is_valid_cui(m.group(0))
    ]


# ------------------------------------------------------------------ applying


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.replacement)
        else:
            merged.append(span)
    return merged


def redact(text: str | None, rules: Iterable[Rule] = (), personal: Sequence[str] = ()) -> str:
    """``text`` with the officers' ``rules`` and the automatic ones applied.

    ``personal`` holds the requester's name and e-mail address (in any order).
    """
    if not text:
        return ""
    folded = fold(text)
    spans = _rule_spans(folded, rules)
    spans += _personal_spans(folded, personal)
    spans += _email_spans(text)
    spans += _cui_spans(text)
    parts, at = [], 0
    for span in _merge(spans):
        parts.append(text[at : span.start])
        parts.append(span.replacement)
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


@lru_cache(maxsize=512)
def redact_once(text: str, rules: tuple[Rule, ...], personal: tuple[str, ...]) -> str:
    """``redact``, remembered: the officer's preview of one request is computed once
    for its texts and rules, not again at every page view."""
    return redact(text, rules, personal)
