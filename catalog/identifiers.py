"""What personal identifiers look like: value rules, check digits and masking.

Each rule exists twice where the gate needs speed: a plain Python function for
one value (tests, masking, small inputs) and a polars expression for a whole
column. ``tests/test_identifiers.py`` checks that both agree.

Check digits
------------
- Guatemalan CUI (the number on the DPI), 13 digits ``NNNNNNNN V DD MM``: the
  first 8 digits are a serial number, the 9th a check digit, then the department
  (01-22) and the municipality within it (01 up to that department's count,
  RENAP/INE codes). Check: weights 2..9 over the first 8 digits, left to right;
  the sum modulo 11 must equal the 9th digit (a remainder of 10 is never
  issued, so it is invalid).
- Chilean RUT/RUN ``12.345.678-5``: weights 2,3,4,5,6,7,2,3,... over the body
  from right to left; ``11 - sum % 11`` gives the check digit, 11 -> ``0`` and
  10 -> ``K``. Bodies of 50,000,000 and more are companies and public bodies,
  not people, so the gate ignores them (``PERSONAL_RUT_LIMIT``).
- Paraguayan cédula: 5-8 digits with no check digit, so the gate relies on
  context (see ``catalog/privacy.py`` and ``docs/privacy.md``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import polars as pl

from catalog import clock

# Municipalities per department (INE codes 01..22). Escuintla includes Sipacate
# (2015), San Marcos La Blanca (2014), Huehuetenango Petatán (2015): 340 in all.
MUNICIPALITIES_PER_DEPARTMENT = (
    17,
    8,
    16,
    16,
    14,
    14,
    19,
    8,
    24,
    21,
    9,
    30,
    33,
    21,
    8,
    17,
    14,
    5,
    11,
    11,
    7,
    17,
)
PERSONAL_RUT_LIMIT = 50_000_000

# Patterns for the regex engine of polars (Rust). Word boundaries are ASCII ones:
# a Unicode \b makes the engine leave its fast path on accented text (30x slower).
B = r"(?-u:\b)"
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# An international number: "+", then 8-15 digits with spaces, hyphens or brackets.
PHONE_INTL = r"\+\(?\d[\d \-()]{6,20}\d"
# A number introduced by a phone word, in free text ("Tel. 5555-1234").
PHONE_LABELLED = (
    r"(?i:" + B + r"(?:tel|tel[eé]fono|telf|cel|celular|m[oó]vil|whatsapp|fono)" + B + r")"
    r"[\s.:#]*\+?\d[\d \-]{6,16}\d"
)
# National forms, judged column by column (a bare 8-digit number can be an amount).
PHONE_LOCAL = (
    r"^(?:\(?502\)?[ \-]?)?[2-7]\d{3}[ \-]?\d{4}$"  # Guatemala: 8 digits from 2-7
    r"|^(?:\(?56\)?[ \-]?)?9[ \-]?\d{4}[ \-]?\d{4}$"  # Chile: mobile 9 + 8 digits
    r"|^(?:\(?595\)?[ \-]?|0)9[6-9]\d[ \-]?\d{3}[ \-]?\d{3}$"  # Paraguay: mobile 09xx
)
# "2019-2023" and "1234-2023" (a case number and its year) are not phones.
YEAR_PAIR = r"^(?:19|20)\d{2}[ \-]\d{4}$|^\d{4}[ \-](?:19|20)\d{2}$"
CUI_SHAPE = r"\d{4}[ \-]?\d{5}[ \-]?\d{4}"
CUI = B + CUI_SHAPE + B
# Dotted or hyphenated; a bare RUT ("123456785") is judged column by column.
RUT = B + r"\d{1,2}\.\d{3}\.\d{3}-[\dkK]" + B + r"|" + B + r"\d{7,8}-[\dkK]" + B
RUT_BARE = r"^\d{7,8}[\dkK]$"
CEDULA_NUMBER = r"\d{1,2}\.?\d{3}\.?\d{3}|\d{2,3}\.?\d{3}"
CEDULA_LABELLED = (
    r"(?i:" + B + r"c\.\s?i\.?|" + B + r"ci|" + B + r"c[eé]dula(?:\s+de\s+identidad)?)"
    r"(?i:\s*(?:n[°ºo]|nro|n[uú]m)\.?)?\s*[:#]?\s*(?:" + CEDULA_NUMBER + r")" + B
)
CEDULA_BARE = r"^(?:" + CEDULA_NUMBER + r")$"
# The patterns found value by value, anywhere in a cell; their union is the one
# full pass over every column (about 10 ns a cell), the rest runs on its hits.
PER_VALUE = {
    "email": EMAIL,
    "phone": PHONE_INTL + "|" + PHONE_LABELLED,
    "cui": CUI,
    "rut": RUT,
    "cedula": CEDULA_LABELLED,
}
ANY_CANDIDATE = "|".join(f"(?:{pattern})" for pattern in PER_VALUE.values())

_MASK_LIMIT = 200  # longest input a mask looks at: enough for any identifier


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


# --- Guatemalan CUI -----------------------------------------------------------------


def cui_check_digit(serial: str) -> int | None:
    """The check digit of an 8-digit CUI serial, or None when no valid one exists."""
    if len(serial) != 8 or not serial.isdigit():
        return None
    remainder = sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11
    return None if remainder == 10 else remainder


def municipality_exists(department: int, municipality: int) -> bool:
    if not 1 <= department <= len(MUNICIPALITIES_PER_DEPARTMENT):
        return False
    return 1 <= municipality <= MUNICIPALITIES_PER_DEPARTMENT[department - 1]


def is_valid_cui(value: str) -> bool:
    """A CUI/DPI number (spaces or hyphens allowed) with a valid check digit and place."""
    if not isinstance(value, str) or not re.fullmatch(CUI_SHAPE, value.strip()):
        return False
    d = digits(value)
    return cui_check_digit(d[:8]) == int(d[8]) and municipality_exists(int(d[9:11]), int(d[11:13]))


def cui_valid_expr(clean: pl.Expr) -> pl.Expr:
    """Vectorised ``is_valid_cui`` over strings of 13 digits (``clean``); false otherwise."""
    digit = [clean.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(13)]
    remainder = sum(d * w for d, w in zip(digit[:8], range(2, 10), strict=True)) % 11
    department = clean.str.slice(9, 2).cast(pl.Int32, strict=False)
    municipality = clean.str.slice(11, 2).cast(pl.Int32, strict=False)
    mapping = {i + 1: n for i, n in enumerate(MUNICIPALITIES_PER_DEPARTMENT)}
    most = department.replace_strict(mapping, default=0, return_dtype=pl.Int32)
    valid = (
        clean.str.contains(r"^\d{13}$")
        & (remainder == digit[8])
        & (municipality >= 1)
        & (municipality <= most)
    )
    return valid.fill_null(False)


# --- Chilean RUT --------------------------------------------------------------------


def rut_check_digit(body: str) -> str:
    """The check digit (``0``-``9`` or ``K``) of a RUT body of digits."""
    weights = (2, 3, 4, 5, 6, 7)
    total = sum(int(d) * weights[i % 6] for i, d in enumerate(reversed(body)))
    result = 11 - total % 11
    return {11: "0", 10: "K"}.get(result, str(result))


def split_rut(value: str) -> tuple[str, str] | None:
    """(body, check digit) of a RUT written with or without dots and hyphen."""
    if not isinstance(value, str):
        return None
    clean = value.strip().replace(".", "").replace("-", "").upper()
    if not re.fullmatch(r"\d{1,8}[\dK]", clean) or (
        "." in value and not re.fullmatch(r"\d{1,2}(\.\d{3}){2}-?[\dkK]", value.strip())
    ):
        return None
    return clean[:-1], clean[-1]


def is_valid_rut(value: str) -> bool:
    """A Chilean RUT/RUN with a valid check digit.

    Written ``12.345.678-5``, ``12345678-5`` or ``123456785``; the check digit may be ``K``.
    """
    parts = split_rut(value)
    return parts is not None and rut_check_digit(parts[0]) == parts[1]


def rut_valid_expr(clean: pl.Expr) -> pl.Expr:
    """Vectorised ``is_valid_rut`` over clean strings (digits then check digit, upper case)."""
    body = clean.str.head(-1)
    reverse = body.str.reverse()
    weights = (2, 3, 4, 5, 6, 7)
    total = sum(
        reverse.str.slice(i, 1).cast(pl.Int32, strict=False).fill_null(0) * weights[i % 6]
        for i in range(8)
    )
    # ``11 - total % 11`` is the check digit (11 -> 0, 10 -> K): the same as
    # ``(total + check) % 11 == 0`` with K worth 10, which needs no strings.
    last = clean.str.tail(1)
    check = pl.when(last == "K").then(10).otherwise(last.cast(pl.Int32, strict=False))
    valid = clean.str.contains(r"^\d{1,8}[\dK]$") & ((total + check) % 11 == 0)
    return valid.fill_null(False)


def rut_body_expr(clean: pl.Expr) -> pl.Expr:
    return clean.str.head(-1).cast(pl.Int64, strict=False)


# --- Personal names -----------------------------------------------------------------

# Words that make a capitalised phrase a place or an institution, not a person
# ("San José Pinula", "Santa María de Jesús", "Escuela Oficial Rural").
NOT_A_PERSON = frozenset(
    """san santa santo fray el ciudad villa nueva nuevo puerto aldea caserio canton colonia
    finca zona calle avenida barrio municipio municipalidad departamento escuela colegio
    instituto liceo universidad hospital centro puesto clinica sanatorio ministerio secretaria
    programa proyecto fondo bono beca comite asociacion cooperativa fundacion iglesia
    parroquia banco empresa sociedad consejo direccion unidad oficina juzgado tribunal
    nacional rural urbano oficial mixta mixto comercial""".split()
)
PARTICLES = frozenset("de del la las los y e da di van von".split())


def normalize_word(word: str) -> str:
    """Lower case without accents (``Pérez`` -> ``perez``)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), normalised, from ``catalog/data/names.txt``."""
    sections: dict[str, set[str]] = {"given": set(), "surnames": set()}
    current: set[str] | None = None
    path = Path(__file__).parent / "data" / "names.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.get(line[1:-1])
        elif line and not line.startswith("#") and current is not None:
            current.update(normalize_word(word) for word in line.split())
    return frozenset(sections["given"]), frozenset(sections["surnames"])


def _is_name_word(word: str) -> bool:
    letters = word.replace("'", "").replace("-", "")
    return letters.isalpha() and (word.istitle() or word.isupper())


def looks_like_name(value: str) -> bool:
    """2-4 capitalised words with a common given name and a common surname among them."""
    if not isinstance(value, str) or len(value) > 80:
        return False
    words = value.replace(",", " ").split()
    if not 2 <= len(words) <= 7:
        return False
    if not all(_is_name_word(w) or w.lower() in PARTICLES for w in words):
        return False
    tokens = [normalize_word(w) for w in words if w.lower() not in PARTICLES]
    if not 2 <= len(tokens) <= 4 or any(t in NOT_A_PERSON for t in tokens):
        return False
    given, surnames = name_lists()
    for i, first in enumerate(tokens):
        if first in given and any(t in surnames for j, t in enumerate(tokens) if j != i):
            return 2 * sum(t in given or t in surnames for t in tokens) >= len(tokens)
    return False


# --- Masking ------------------------------------------------------------------------


def _mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    keep = 2 if len(local) >= 4 else 1
    host, _, tld = domain.rpartition(".")
    if not host:
        host, tld = domain, ""
    return f"{local[:keep]}***@{host[:1]}***" + (f".{tld[:10]}" if tld else "")


def _mask_digits(value: str, keep_first: int = 0, keep_last: int = 0, also: str = "") -> str:
    """Replace digits (and the characters in ``also``) by ``*``, keeping separators
    and the first ``keep_first`` and last ``keep_last`` of them."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit() or ch in also]
    shown = set(positions[:keep_first])
    if keep_last:
        shown |= set(positions[-keep_last:])
    if 2 * len(shown) >= len(positions):  # too short: showing would give most of it away
        shown = set()
    return "".join("*" if i in positions and i not in shown else ch for i, ch in enumerate(value))


def _mask_cui(value: str) -> str:
    d = digits(value)
    if len(d) != 13:
        return _mask_digits(value, keep_first=1)
    return f"{d[0]}***-*****-**{d[-2:]}"


def _mask_date(value: str) -> str:
    # Keep only the century: "1985-03-12" -> "19**-**-**".
    return re.sub(r"\d+", lambda m: m.group()[:2] + "**" if len(m.group()) == 4 else "**", value)


def _mask_name(value: str) -> str:
    words = value.replace(",", " ").split()[:6]
    return " ".join(w[0] + "***" for w in words) or "***"


def mask(value: str, kind: str) -> str:
    """A personal value as it may be shown: never in full.

    ``kind`` is ``email``, ``phone``, ``cui``, ``rut``, ``cedula``, ``name``, ``birthdate``;
    anything else gets the generic mask (first character only).
    """
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = " ".join(value.split())[:_MASK_LIMIT]
    if not value:
        return "***"
    shown = _MASKS[kind](value) if kind in _MASKS else ""
    # A value without the expected digits or "@" would come back whole: hide it all.
    return shown if shown and value not in shown else value[0] + "***"


_MASKS = {
    "email": lambda v: _mask_email(v) if "@" in v else "",
    "phone": lambda v: _mask_digits(v, keep_last=2),
    "cui": _mask_cui,
    "rut": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "cedula": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "birthdate": _mask_date,
    "name": _mask_name,
}


# --- Columns ------------------------------------------------------------------------
#
# Two kinds of rule. Per-value rules (``PER_VALUE``: e-mail, international or
# labelled phone, CUI, formatted RUT, labelled cédula) are distinctive enough to
# count every match in the full column. Column rules (bare national phone
# numbers, bare RUT, bare cédula, names, birth dates) look at an evenly spaced
# sample of the column's non-empty values first, because one bare 8-digit
# number proves nothing; only a column that passes is counted in full.

SAMPLE_SIZE = 4000
IDENTITY_WORDS = ("cedula", "identidad", "identificacion", "documento", "pasaporte")
IDENTITY_TOKENS = frozenset("ci dni dpi cui doc rut run carnet".split())
PHONE_WORDS = ("telefono", "celular", "movil", "phone", "whatsapp")
PHONE_TOKENS = frozenset("tel telf cel fono".split())
CODE_WORDS = ("codigo", "correlativo", "expediente", "boleta", "folio", "registro", "partida")
CODE_TOKENS = frozenset("cod code id clave nit numero nro num no".split())
AMOUNT_WORDS = (
    "monto",
    "importe",
    "total",
    "presupuesto",
    "salario",
    "sueldo",
    "precio",
    "costo",
    "valor",
    "gasto",
    "pago",
    "amount",
    "ingreso",
    "devengado",
    "pagado",
    "vigente",
    "asignado",
)
BIRTH_WORDS = ("nacimiento", "nacim", "birth", "natal", "fnac", "fec_nac", "fecha_nac")
BIRTH_TOKENS = frozenset("dob nac".split())
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")


class ColumnContext:
    """What the descriptor says about a column: its words (label, name, title,
    description) and whether its declared type is numeric."""

    def __init__(self, words: str = "", numeric: bool = False, date_format: str | None = None):
        self.text = normalize_word(words)
        self.tokens = frozenset(re.split(r"[^a-z0-9]+", self.text))
        self.numeric = numeric
        self.date_format = date_format

    def hints(self, words: tuple[str, ...], tokens: frozenset[str] = frozenset()) -> bool:
        return any(w in self.text for w in words) or bool(self.tokens & tokens)


class Hit:
    """A column that holds identifiers of one kind: how many, and the first one."""

    def __init__(self, kind: str, count: int, first: int, value: str):
        self.kind, self.count, self.first, self.value = kind, count, first, value

    def __repr__(self) -> str:  # never the value: it is personal
        return f"Hit({self.kind!r}, count={self.count}, first={self.first})"


def scan_column(column: pl.Series, context: ColumnContext | None = None) -> list[Hit]:
    """The direct identifiers in one column of cell strings, one ``Hit`` per kind."""
    context = context or ColumnContext()
    indexed = pl.DataFrame({"v": column.cast(pl.Utf8, strict=False)}).with_row_index("i")
    hits = _per_value_hits(indexed, context) + _column_hits(indexed, context)
    merged: dict[str, Hit] = {}
    for hit in hits:  # e.g. international and local phones in one column
        if hit.kind in merged:
            old = merged[hit.kind]
            first = old if old.first <= hit.first else hit
            merged[hit.kind] = Hit(hit.kind, old.count + hit.count, first.first, first.value)
        else:
            merged[hit.kind] = hit
    return list(merged.values())


def _first_hit(kind: str, matches: pl.DataFrame) -> Hit | None:
    """``matches`` has the row index ``i`` and the matching text ``m``."""
    if matches.height == 0:
        return None
    first = matches.row(0, named=True)
    return Hit(kind, matches.height, int(first["i"]), str(first["m"]))


def _per_value_hits(indexed: pl.DataFrame, context: ColumnContext) -> list[Hit]:
    candidates = indexed.filter(pl.col("v").str.contains(ANY_CANDIDATE).fill_null(False))
    if candidates.height == 0:
        return []
    hits = []
    for kind, pattern in PER_VALUE.items():
        if kind == "phone" and context.numeric and not context.hints(PHONE_WORDS, PHONE_TOKENS):
            continue  # "+12345678" in a number column is a signed number
        found = candidates.with_columns(m=pl.col("v").str.extract(f"({pattern})", 1)).filter(
            pl.col("m").is_not_null()
        )
        hit = _VALIDATE.get(kind, _first_hit)(kind, found)
        if hit:
            hits.append(hit)
    return hits


def _validate_phone(kind: str, found: pl.DataFrame) -> Hit | None:
    n_digits = pl.col("m").str.count_matches(r"\d")
    return _first_hit(kind, found.filter(n_digits.is_between(8, 15)))


def _validate_cui(kind: str, found: pl.DataFrame) -> Hit | None:
    clean = pl.col("m").str.replace_all(r"\D", "")
    valid = found.filter(cui_valid_expr(clean))
    # A CUI column validates almost always; random 13-digit numbers about 0.3% of the time.
    return _first_hit(kind, valid) if 2 * valid.height >= found.height else None


def _validate_rut(kind: str, found: pl.DataFrame) -> Hit | None:
    clean = pl.col("m").str.replace_all(r"[.\-]", "").str.to_uppercase()
    valid = found.filter(rut_valid_expr(clean) & (rut_body_expr(clean) < PERSONAL_RUT_LIMIT))
    return _first_hit(kind, valid) if 2 * valid.height >= found.height else None


_VALIDATE = {"phone": _validate_phone, "cui": _validate_cui, "rut": _validate_rut}


def sample_values(indexed: pl.DataFrame, size: int = SAMPLE_SIZE) -> pl.Series:
    """Up to ``size`` non-empty values, evenly spaced over the column, stripped."""
    values = indexed.get_column("v").drop_nulls()
    values = values.filter(values.str.len_bytes() > 0)
    if values.len() > size:
        values = values.gather_every(values.len() // size)
    values = values.str.strip_chars()
    return values.filter(values.str.len_bytes() > 0)


def _column_hits(indexed: pl.DataFrame, context: ColumnContext) -> list[Hit]:
    sample = sample_values(indexed)
    if sample.len() == 0:
        return []
    hits = []
    for kind, shape, valid, threshold in _shape_rules(context):
        share = sample.to_frame("v").select(shape.fill_null(False).mean()).item()
        if share < threshold:
            continue  # most columns stop here, before the costlier check
        rule = (shape & valid).fill_null(False)
        if sample.to_frame("v").select(rule.mean()).item() >= threshold:
            found = indexed.filter(rule).with_columns(m=pl.col("v").str.strip_chars())
            hit = _first_hit(kind, found)
            if hit:
                hits.append(hit)
    for check in (_name_hit, _birthdate_hit):
        hit = check(indexed, sample, context)
        if hit:
            hits.append(hit)
    return hits


def _shape_rules(context: ColumnContext) -> list[tuple[str, pl.Expr, pl.Expr, float]]:
    """(kind, shape, check, share of values needed) for the bare forms a column may hold;
    expressions over the cell ``v``."""
    v = pl.col("v").str.strip_chars()
    rules = []
    phone_hint = context.hints(PHONE_WORDS, PHONE_TOKENS)
    amount_hint = context.hints(AMOUNT_WORDS)
    if phone_hint or not (context.numeric or amount_hint or context.hints(CODE_WORDS, CODE_TOKENS)):
        rules.append(("phone", v.str.contains(PHONE_LOCAL), ~v.str.contains(YEAR_PAIR), 0.8))
    clean = v.str.to_uppercase()
    # Random numbers pass the mod-11 check one time in 11: 90% valid is a RUT column.
    rut_ok = rut_valid_expr(clean) & (rut_body_expr(clean) < PERSONAL_RUT_LIMIT)
    rules.append(("rut", v.str.contains(RUT_BARE), rut_ok, 0.9))
    if context.hints(IDENTITY_WORDS, IDENTITY_TOKENS) and not amount_hint:
        rules.append(("cedula", v.str.contains(CEDULA_BARE), pl.lit(True), 0.8))
    return rules


def _name_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    sample = sample.filter(sample.str.len_bytes() <= 80)
    if sample.len() == 0 or not sample.str.contains(r"^\p{L}+[ ,]").any():
        return None
    names = sum(looks_like_name(v) for v in sample.to_list())
    if 2 * names < sample.len() or names < min(3, sample.len()):
        return None
    # The column is a list of names: count them exactly, each distinct value once.
    distinct = indexed.get_column("v").drop_nulls().unique()
    matching = [v for v in distinct.to_list() if looks_like_name(v.strip())]
    found = indexed.filter(pl.col("v").is_in(matching)).with_columns(m=pl.col("v"))
    return _first_hit("name", found)


def _birthdate_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    fmt, dates = _best_date_format(sample, context.date_format)
    if fmt is None:
        return None
    in_range = dates.filter((dates >= dt.date(1900, 1, 1)) & (dates <= clock.today()))
    if 5 * in_range.len() < 4 * sample.len() or not _looks_like_birthdates(in_range, context):
        return None
    parsed = pl.col("v").str.strip_chars().str.to_date(fmt, strict=False)
    found = indexed.filter(parsed.is_between(dt.date(1900, 1, 1), clock.today()).fill_null(False))
    return _first_hit("birthdate", found.with_columns(m=pl.col("v")))


def _best_date_format(sample: pl.Series, declared: str | None) -> tuple[str | None, pl.Series]:
    formats = ([declared] if declared and "%d" in declared else []) + list(DATE_FORMATS)
    best: tuple[str | None, pl.Series] = (None, pl.Series([], dtype=pl.Date))
    for fmt in formats:
        if not sample.str.contains(r"^\d").any():
            break
        try:
            dates = sample.str.to_date(fmt, strict=False).drop_nulls()
        except pl.exceptions.PolarsError:
            continue
        if dates.len() > best[1].len():
            best = (fmt, dates)
    return best


def _looks_like_birthdates(dates: pl.Series, context: ColumnContext) -> bool:
    """Birth dates spread over decades and fall on any day of the week; the
    dates of an administrative record cluster in a few years and on weekdays."""
    if dates.len() == 0:
        return False
    if context.hints(BIRTH_WORDS, BIRTH_TOKENS):
        return True
    if dates.len() < 20:
        return False
    years = dates.dt.year()
    high, low = years.quantile(0.95), years.quantile(0.05)
    if high is None or low is None:
        return False
    spread = high - low
    # Shares of a boolean column without nulls (the dates were parsed, nulls dropped).
    weekend = (dates.dt.weekday() >= 6).sum() / dates.len()
    day_one = (dates.dt.day() == 1).sum() / dates.len()
    distinct = dates.n_unique() / dates.len()
    return spread >= 10 and weekend >= 0.15 and day_one < 0.5 and distinct >= 0.3
