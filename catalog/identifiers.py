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
# A tax number after its name in free text ("con NIT 1234567-8", "RUC: 4567890-1").
TAX_LABELLED = (
    r"(?i:" + B + r"{word})(?:\s*(?:n[°ºo]|nro|n[uú]m)\.?)?\s*[:#.]?\s*\d[\d.]{{3,11}}-?[\dkK]" + B
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
    nacional rural urbano oficial mixta mixto comercial
    eorm eoum eorp eoup eop eopm eopa ineb ined inebe inee inva ner nufed ieme cebe cemuced
    pronade prohesa ipem capf cesfam cecosf sapu""".split()
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


def _mask_address(value: str) -> str:
    words = value.split()
    return f"{words[0][:12]} ***" if len(words) > 1 else ""


def _mask_coordinates(value: str) -> str:
    return re.sub(r"(\d+[.,]\d)\d+", r"\1***", value)


_MASKS = {
    "email": lambda v: _mask_email(v if "@" in v else deobfuscate_email(v)),
    "idnumber": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "nit": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "ruc": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "address": _mask_address,
    "coordinates": _mask_coordinates,
    "phone": lambda v: _mask_digits(v, keep_last=2),
    "cui": _mask_cui,
    "rut": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "cedula": lambda v: _mask_digits(v, keep_first=1, also="kK"),
    "birthdate": _mask_date,
    "name": _mask_name,
}


# --- Columns ------------------------------------------------------------------------
#
# Two kinds of rule. Per-value rules (e-mail, obfuscated e-mail, international or
# labelled phone, CUI, formatted RUT, labelled cédula; in free text also national
# phones) are distinctive enough to count every match in the full column. Column
# rules (bare national phone numbers, bare RUT, identity and tax numbers named by
# the header, names, birth dates, addresses, coordinates) look at an evenly spaced
# sample of the column's non-empty values first, because one bare 8-digit number
# proves nothing; only a column that passes is counted in full. Placeholders
# ("NO TIENE", "0", "SIN DATO", "-") are left out of every share, and a cell with
# several values ("5512-3456 / 7951-2345") counts each of them.

SAMPLE_SIZE = 4000
FREE_TEXT_CAP = 20_000  # values of a free-text column read one by one in Python
FREE_TEXT_CHARS = 2_000  # characters of each value those reads look at
IDENTITY_WORDS = ("cedula", "identidad", "identificacion", "documento", "pasaporte")
IDENTITY_TOKENS = frozenset("ci dni dpi cui doc rut run carnet".split())
PHONE_WORDS = ("telefono", "celular", "movil", "phone", "whatsapp")
PHONE_TOKENS = frozenset("tel telf cel fono".split())
CODE_WORDS = ("codigo", "correlativo", "expediente", "boleta", "folio", "registro", "partida")
CODE_TOKENS = frozenset("cod code id clave nit numero nro num no nog snip ruc".split())
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
    "saldo",
    "modificado",
    "ejecutado",
    "comprometido",
    "obligado",
    "financiero",
    "recaudado",
    "transferido",
    "guaranies",
    "quetzales",
)
# Columns named by a month ("enero", "ene_2024") hold a month's amounts or counts.
MONTH_TOKENS = frozenset(
    """enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
    noviembre diciembre ene feb mar abr may jun jul ago sep sept set oct nov dic""".split()
)
BIRTH_WORDS = ("nacimiento", "nacim", "birth", "natal", "fnac", "fec_nac", "fecha_nac")
BIRTH_TOKENS = frozenset("dob nac".split())
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")
IDENTITY_DOCUMENT = {"GT": "cui", "CL": "rut", "PY": "cedula"}
PERSON_KINDS = frozenset(
    "email phone cui rut cedula name idnumber nit ruc address birthdate".split()
)


class ColumnContext:
    """What the descriptor and the table say about a column: its words (label, name,
    title, description), whether its declared type is numeric, its declared date
    format, the publisher's countries, and what the rest of the table is about
    (``person_table``: a table about people, None when unknown; ``facility_table``:
    rows are places such as schools or health centres; ``person_rows``: a person's
    sex, age, identity or birth row by row, as in a list of a school's students)."""

    def __init__(
        self,
        words: str = "",
        numeric: bool = False,
        date_format: str | None = None,
        *,
        header: str | None = None,
        countries: object = None,
        person_table: bool | None = None,
        facility_table: bool = False,
        household: bool = False,
        person_rows: bool = False,
    ):
        self.text = normalize_word(words)
        split = re.split(r"[^a-z0-9]+", self.text)
        self.tokens = frozenset(split) | {w.rstrip("0123456789") for w in split}
        self.numeric = numeric
        self.date_format = date_format
        self.header_label = header if header is not None else words[:300]
        self.kinds = header_kinds(self.header_label)
        self.countries = country_set(countries)
        self.person_table = person_table
        self.facility_table = facility_table
        self.household = household
        self.person_rows = person_rows
        self.free_text = "freetext" in self.kinds

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
            merged[hit.kind] = Hit(hit.kind, max(old.count, hit.count), first.first, first.value)
        else:
            merged[hit.kind] = hit
    if merged.keys() & {"cui", "rut", "cedula", "nit", "ruc"}:
        merged.pop("idnumber", None)  # the document itself was recognised
    if "phone" in merged and _office_phones(context):
        merged.pop("phone")
    return list(merged.values())


def _office_phones(context: ColumnContext) -> bool:
    """The phones of offices, schools, health centres or companies, not of people: the
    header names the facility or the company (``telefono_sede``, ``tel_establecimiento``,
    ``telefono_proveedor``), or the rows are facilities and nothing in the table is about
    people. Free text is always read."""
    if context.free_text or "phone" not in context.kinds:
        return False
    if context.kinds & {"facility", "company"}:
        return True
    return context.facility_table and context.person_table is False


def _first_hit(kind: str, matches: pl.DataFrame) -> Hit | None:
    """``matches`` has the row index ``i`` and the matching text ``m``."""
    if matches.height == 0:
        return None
    matches = matches.unique("i", keep="first", maintain_order=True).sort("i")
    first = matches.row(0, named=True)
    return Hit(kind, matches.height, int(first["i"]), str(first["m"]))


@lru_cache(maxsize=32)
def per_value_patterns(countries: tuple[str, ...], free_text: bool) -> dict[str, str]:
    """The patterns found value by value, anywhere in a cell, for these countries."""
    patterns = {
        "email": EMAIL + "|" + EMAIL_OBFUSCATED,
        "phone": PHONE_INTL + "|" + PHONE_LABELLED,
    }
    if free_text:
        patterns["phone"] += "|" + "|".join(PHONE_IN_TEXT[c] for c in countries)
    if "GT" in countries:
        patterns["cui"] = CUI
    if "CL" in countries:
        patterns["rut"] = RUT
    if "PY" in countries:
        patterns["cedula"] = CEDULA_LABELLED
    if free_text and "GT" in countries:
        patterns["nit"] = TAX_LABELLED.format(word="nit")
    if free_text and "PY" in countries:
        patterns["ruc"] = TAX_LABELLED.format(word="ruc")
    return patterns


def _per_value_hits(indexed: pl.DataFrame, context: ColumnContext) -> list[Hit]:
    patterns = per_value_patterns(context.countries, context.free_text)
    union = "|".join(f"(?:{pattern})" for pattern in patterns.values())
    candidates = indexed.filter(pl.col("v").str.contains(union).fill_null(False))
    if candidates.height == 0:
        return []
    hits = []
    for kind, pattern in patterns.items():
        if kind == "phone" and context.numeric and "phone" not in context.kinds:
            continue  # "+12345678" in a number column is a signed number
        found = candidates.with_columns(m=pl.col("v").str.extract(f"({pattern})", 1)).filter(
            pl.col("m").is_not_null()
        )
        hit = _VALIDATE.get(kind, _validate_plain)(kind, found, context)
        if hit:
            hits.append(hit)
    return hits


def _validate_phone(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    n_digits = pl.col("m").str.count_matches(r"\d")
    found = found.filter(n_digits.is_between(6, 15) & ~pl.col("m").str.contains(YEAR_PAIR_STRICT))
    if found.height == 0:
        return None
    # International and labelled numbers are phones; bare ones in free text must be
    # valid numbers of the country's plan.
    labelled = found.filter(pl.col("m").str.contains(r"^\+|(?i:[a-z])"))
    bare = found.filter(~pl.col("m").str.contains(r"^\+|(?i:[a-z])")).head(FREE_TEXT_CAP)
    countries = context.countries
    valid = bare.filter(pl.col("m").map_elements(lambda m: is_phone(m, countries), pl.Boolean))
    return _first_hit(kind, pl.concat([labelled, valid]).sort("i"))


def _validate_cui(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    clean = pl.col("m").str.replace_all(r"\D", "")
    valid = found.filter(cui_valid_expr(clean))
    # A CUI column validates almost always; random 13-digit numbers about 0.3% of the time.
    if ("identity" in context.kinds and "company" not in context.kinds) or context.free_text:
        return _first_hit(kind, valid)
    return _first_hit(kind, valid) if 2 * valid.height >= found.height else None


def _validate_rut(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    clean = pl.col("m").str.replace_all(r"[.\-]", "").str.to_uppercase()
    valid = found.filter(rut_valid_expr(clean) & (rut_body_expr(clean) < PERSONAL_RUT_LIMIT))
    # A supplier's RUT column (rut_proveedor) holds companies' RUTs and a few of sole
    # traders: it is reported only when most of its RUTs are people's.
    if ("identity" in context.kinds and "company" not in context.kinds) or context.free_text:
        return _first_hit(kind, valid)
    return _first_hit(kind, valid) if 2 * valid.height >= found.height else None


# Mailboxes of an office or a function, not of a person ("info@", "transparencia@",
# "uip.mides@"): the first word of the address before "@" names what it is for.
ROLE_MAILBOXES = frozenset(
    """info informacion informaciones contacto contact contactenos contactanos transparencia
    uip oip oai oirs acceso accesoinformacion informacionpublica solicitudes solicitud
    recepcion prensa comunicacion comunicaciones comunicacionsocial despacho secretaria
    secretariageneral atencion atencionciudadana atencionalusuario consultas consulta
    denuncias denuncia quejas reclamos sugerencias soporte ayuda helpdesk mesadeayuda admin
    administracion administrador webmaster web noreply no notificaciones notificacion rrhh
    recursoshumanos personal compras adquisiciones licitaciones contrataciones tesoreria
    finanzas financiero juridico juridica legal asesoriajuridica partes oficinadepartes
    mesadepartes ventanilla ventanillaunica tramites datos datosabiertos estadistica
    estadisticas biblioteca archivo correspondencia gerencia direccion subdireccion oficina
    sede office mail correo postmaster abuse privacy privacidad protecciondedatos
    auditoria planificacion proyectos cooperacion relacionespublicas eventos inscripciones
    matricula admisiones becas""".split()
)


def is_role_email(address: str) -> bool:
    """An address of an office or a function (``info@``, ``transparencia@``), not of a person."""
    local = re.split(r"@|\s|[\[(<{]", str(address).strip()[:200], maxsplit=1)[0].lower()
    first = re.match(r"[a-z]+", normalize_word(local))
    return bool(first) and first.group() in ROLE_MAILBOXES  # type: ignore[union-attr]


def role_email_expr(match: pl.Expr) -> pl.Expr:
    """Vectorised ``is_role_email`` over matched addresses."""
    local = match.str.to_lowercase().str.extract(r"^([a-z]+)", 1)
    return local.is_in(list(ROLE_MAILBOXES)).fill_null(False)


def _validate_tax(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    """A tax number written after "NIT" or "RUC" in free text: a person's when valid
    (python-stdnum), for a RUC below the companies' range, and the table is about people
    (a supplier's NIT in a procurement table's notes is a company's)."""
    if not context.person_table:
        return None
    number = pl.col("m").str.extract(r"(\d[\d.\-]*[\dkK])$", 1)
    check = is_valid_nit if kind == "nit" else is_personal_ruc
    valid = found.with_columns(n=number).filter(
        pl.col("n").map_elements(check, pl.Boolean, skip_nulls=True).fill_null(False)
    )
    return _first_hit(kind, valid.head(FREE_TEXT_CAP))


def _validate_email(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    """A person's address, at work or not (``jperez@mineduc.gob.gt``); the mailboxes of
    offices and functions (``info@``, ``transparencia@``) are not personal data."""
    return _first_hit(kind, found.filter(~role_email_expr(pl.col("m"))))


def _validate_plain(kind: str, found: pl.DataFrame, context: ColumnContext) -> Hit | None:
    return _first_hit(kind, found)


_VALIDATE = {
    "phone": _validate_phone,
    "cui": _validate_cui,
    "rut": _validate_rut,
    "email": _validate_email,
    "nit": _validate_tax,
    "ruc": _validate_tax,
}


def sample_values(indexed: pl.DataFrame, size: int = SAMPLE_SIZE) -> pl.Series:
    """Up to ``size`` non-empty values, evenly spaced over the column, stripped;
    placeholders left out."""
    values = indexed.get_column("v").drop_nulls()
    values = values.filter(values.str.len_bytes() > 0)
    if values.len() > size:
        values = values.gather_every(values.len() // size)
    values = values.str.strip_chars()
    return real_values(values.filter(values.str.len_bytes() > 0))


def _parts_frame(indexed: pl.DataFrame) -> pl.DataFrame:
    """Row index ``i`` and each value ``v`` of a cell that holds several."""
    parts = (
        indexed.with_columns(
            pl.col("v").str.replace_all(MULTI_SPLIT, "\x1f").str.split("\x1f").alias("v")
        )
        .explode("v")
        .with_columns(pl.col("v").str.strip_chars())
    )
    return parts.filter(~placeholder_expr(pl.col("v")))


def _column_hits(indexed: pl.DataFrame, context: ColumnContext) -> list[Hit]:
    sample = sample_values(indexed)
    if sample.len() == 0:
        return []
    parts = split_parts(sample) if sample.str.contains(MULTI_SPLIT).any() else sample
    hits = []
    for kind, shape, valid, threshold in _shape_rules(context):
        if parts.len() == 0:
            break
        frame = parts.to_frame("v")
        share = frame.select(shape.fill_null(False).mean()).item()
        if share < threshold:
            continue  # most columns stop here, before the costlier check
        rule = (shape & valid).fill_null(False)
        if frame.select(rule.mean()).item() < threshold:
            continue
        if kind == "phone":
            # A column of case numbers ends in their year ("4521-2023"); a column of
            # phones seldom does, and its phones ending in 19xx or 20xx still count.
            if "phone" not in context.kinds and _ends_in_years(frame):
                continue
            if not _phones_confirmed(frame.filter(rule), context):
                continue
        source = _parts_frame(indexed) if parts is not sample else indexed
        found = source.filter(rule).with_columns(m=pl.col("v").str.strip_chars())
        hit = _first_hit(kind, found)
        if hit:
            hits.append(hit)
    for check in (_name_hit, _birthdate_hit, _address_hit, _coordinate_hit):
        hit = check(indexed, sample, context)
        if hit:
            hits.append(hit)
    return hits


def _phones_confirmed(matching: pl.DataFrame, context: ColumnContext) -> bool:
    """Most of the shaped values are valid numbers of the country's numbering plan."""
    values = matching.get_column("v").head(400).to_list()
    if not values:
        return False
    valid = sum(is_phone(v, context.countries) for v in values)
    return valid >= 0.6 * len(values)


def _ends_in_years(frame: pl.DataFrame) -> bool:
    return bool(frame.select(pl.col("v").str.contains(ENDS_IN_YEAR).mean()).item() >= 0.5)


def _shape_rules(context: ColumnContext) -> list[tuple[str, pl.Expr, pl.Expr, float]]:
    """(kind, shape, check, share of values needed) for the bare forms a column may hold;
    expressions over the cell ``v``."""
    v = pl.col("v").str.strip_chars()
    rules = []
    kinds = context.kinds
    phone_hint = "phone" in kinds or context.hints(PHONE_WORDS, PHONE_TOKENS)
    amount_hint = context.hints(AMOUNT_WORDS, MONTH_TOKENS) or "amount" in kinds
    coded = context.hints(CODE_WORDS, CODE_TOKENS) or "code" in kinds or "tax" in kinds
    identity = "identity" in kinds and not amount_hint and "company" not in kinds
    countries = context.countries
    if phone_hint or not (context.numeric or amount_hint or coded or identity):
        shape = phone_digits_expr(v, countries)
        rules.append(("phone", shape, pl.lit(True), 0.5 if phone_hint else 0.8))
    clean = v.str.replace_all(r"[.\-\s]", "").str.to_uppercase()
    if "CL" in countries:
        # Random numbers pass the mod-11 check one time in 11: 90% valid is a RUT column.
        rut_ok = rut_valid_expr(clean) & (rut_body_expr(clean) < PERSONAL_RUT_LIMIT)
        rules.append(("rut", v.str.contains(RUT_BARE), rut_ok, 0.9))
        if identity:
            rut_shape = v.str.contains(r"^\d{1,2}\.?\d{3}\.?\d{3}[\-\s]?[\dkK]$")
            rules.append(("rut", rut_shape, rut_body_expr(clean) < PERSONAL_RUT_LIMIT, 0.8))
    if "PY" in countries and identity:
        rules.append(("cedula", v.str.contains(CEDULA_BARE), pl.lit(True), 0.8))
    if "GT" in countries and identity:
        rules.append(("cui", v.str.contains(r"^" + CUI_SHAPE + r"$"), pl.lit(True), 0.8))
    if "PY" in countries and not identity and _names_an_id_number(context):
        # "num_id", "nro_id": a record's number as often as a cédula; dotted thousands
        # ("4.567.890") are how cédulas are written, never how records are numbered.
        dotted = v.str.contains(r"^\d{1,2}\.\d{3}\.\d{3}$|^\d{3}\.\d{3}$")
        rules.append(("cedula", dotted, pl.lit(True), 0.8))
    if identity:
        # Named as an identity document and holding document-like numbers.
        any_id = v.str.contains(r"^[A-Za-z]{0,2}[\- ]?\d[\d.\- ]{3,16}[\dkK]$")
        personal = (
            rut_body_expr(clean).fill_null(0) < PERSONAL_RUT_LIMIT
            if countries == ("CL",)
            else pl.lit(True)
        )
        rules.append(("idnumber", any_id, personal, 0.8))
    if "tax" in kinds and not amount_hint:
        tax_shape = v.str.contains(TAX_SHAPE)
        if "PY" in countries:
            personal = v.map_elements(is_personal_ruc, pl.Boolean)
            rules.append(("ruc", tax_shape, personal, 0.6))
        person_nit = context.person_table or ("person_role" in kinds and "company" not in kinds)
        if "GT" in countries and person_nit:
            rules.append(("nit", tax_shape, v.map_elements(is_valid_nit, pl.Boolean), 0.6))
    return rules


# A value of 2-6 words of letters ("TZOC CHUC, PETRONA", "de la Cruz Xol Juan").
NAME_WORDS = r"^\p{L}[\p{L}'’\-.]*(?:,?\s+\p{L}[\p{L}'’\-.]*){1,5}$"


def name_list_share(values: list[str]) -> tuple[float, float, float]:
    """(share of values with a listed given name or surname, share with both a listed
    given name and another listed surname, share with a word that makes a place or an
    institution)."""
    if not values:
        return 0.0, 0.0, 0.0
    given, surnames = name_lists()
    known = pairs = blocked = 0
    for value in values:
        tokens = {normalize_word(w) for w in re.split(r"[\s,]+", value[:80]) if w}
        known += bool(tokens & (given | surnames))
        first = tokens & given
        pairs += bool(first) and bool(tokens & surnames - (first if len(first) == 1 else set()))
        blocked += bool(tokens & NOT_A_PERSON)
    return known / len(values), pairs / len(values), blocked / len(values)


# A person's role ("beneficiario", "solicitante") names the person unless the header is
# about something else of theirs (their code, count, sex, date, place...).
NOT_A_NAME_KINDS = frozenset(
    "code count amount date event person_attr place identity tax phone email address "
    "coordinate birth".split()
)


def _named_names(sample: pl.Series, context: ColumnContext) -> bool:
    """Under a header naming a person's name (``nombre_completo``, ``APELLIDOS, NOMBRES``):
    values of 2-6 words of letters, some of them in the name lists, none of a place's or
    an institution's. Catches names outside the lists (many Maya names)."""
    role = "person_role" in context.kinds and not context.kinds & NOT_A_NAME_KINDS
    if not (context.kinds & {"given", "surname"} or role):
        return False
    if context.kinds & {"company", "facility"}:
        return False
    if sample.str.contains(NAME_WORDS).mean() < 0.8:  # type: ignore[operator]
        return False
    known, pairs, blocked = name_list_share(sample.head(2000).to_list())
    # Half the values with a listed name, or a fifth with a listed given name and
    # surname: "Harina Integral Flor" in a list of products is not a person.
    return (known >= 0.5 or pairs >= 0.2) and blocked <= 0.1


# Words that make a name a facility's: a table whose names are these is a table of
# facilities ("Escuela Oficial Rural Mixta ...", "CESFAM Dr. ...", "Hospital ...").
FACILITY_NAME_WORDS = frozenset(
    """escuela colegio instituto liceo universidad hospital centro puesto clinica sanatorio
    cesfam cecosf sapu consultorio posta dispensario unidad oficina sede delegacion
    biblioteca museo estacion eorm eoum eorp eoup eop eopm eopa ineb ined inebe inee inva
    ner nufed ieme cebe jardin parvulario sala cuna guarderia hogar comedor""".split()
)


def names_facilities(values: list[str]) -> bool:
    """Half the values name a school, a health centre, an office..."""
    if not values:
        return False
    hits = 0
    for value in values:
        words = {normalize_word(w) for w in re.split(r"[^\w]+", value[:80]) if w}
        hits += bool(words & FACILITY_NAME_WORDS)
    return 2 * hits >= len(values)


HOUSEHOLD_WORDS = ("hogar", "vivienda", "familia", "jefe_hogar", "jefa_hogar")


def names_a_household(label: str) -> bool:
    return any(w in header_tokens(label)[0] for w in HOUSEHOLD_WORDS)


def _names_an_id_number(context: ColumnContext) -> bool:
    """A header such as ``num_id``, ``nro_id``, ``id_no``: an "id" and a number word."""
    tokens = header_tokens(context.header_label)[1]
    return "id" in tokens and bool(tokens & {"num", "nro", "numero", "number", "no", "n"})


def _name_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    bare = header_tokens(context.header_label)[1] <= {"nombre", "nombres", "name"}
    if bare and context.facility_table and not context.person_table:
        return None  # the name of the school or health centre ("EORM Juan Diéguez")
    sample = sample.filter(sample.str.len_bytes() <= 80)
    if sample.len() == 0 or not sample.str.contains(r"^\p{L}+[ ,]").any():
        return None
    if _named_names(sample, context):
        value = pl.col("v").str.strip_chars()
        found = indexed.filter(value.str.contains(NAME_WORDS) & ~placeholder_expr(value))
        return _first_hit("name", found.with_columns(m=pl.col("v")))
    # Each distinct value is judged once (a column of labels repeats a few values).
    distinct_sample = sample.value_counts()
    names = sum(count for value, count in distinct_sample.iter_rows() if looks_like_name(value))
    if 2 * names < sample.len() or names < min(3, sample.len()):
        return None
    # The column is a list of names: count them exactly, each distinct value once.
    distinct = indexed.get_column("v").drop_nulls().unique()
    matching = [v for v in distinct.to_list() if looks_like_name(v.strip())]
    found = indexed.filter(pl.col("v").is_in(matching)).with_columns(m=pl.col("v"))
    return _first_hit("name", found)


def _birthdate_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    named = "birth" in context.kinds or context.hints(BIRTH_WORDS, BIRTH_TOKENS)
    if not named and ("event" in context.kinds or context.person_table is False):
        return None  # the date of an event, or a table about no one
    if not sample.str.contains(r"^\d").any():
        return None
    if not named and sample.str.contains(TIME_SUFFIX).mean() > 0.2:  # type: ignore[operator]
        if sample.str.contains(MIDNIGHT_SUFFIX).mean() < 0.8:  # type: ignore[operator]
            return None  # times of the day: events, not births
    if named:
        serials = _excel_serial_hit(indexed, sample)
        if serials:
            return serials
    days = sample.str.replace(TIME_SUFFIX, "")
    compact = COMPACT_DATE_FORMATS if named else ()
    fmt, dates = _best_date_format(days, date_part_format(context.date_format), compact)
    if fmt is None:
        return None
    in_range = dates.filter((dates >= dt.date(1900, 1, 1)) & (dates <= clock.today()))
    if 5 * in_range.len() < 4 * days.len() or not _looks_like_birthdates(in_range, named):
        return None
    day = pl.col("v").str.strip_chars().str.replace(TIME_SUFFIX, "")
    parsed = day.str.to_date(fmt, strict=False)
    found = indexed.filter(parsed.is_between(dt.date(1900, 1, 1), clock.today()).fill_null(False))
    return _first_hit("birthdate", found.with_columns(m=pl.col("v")))


# Dates without separators ("19870312", "12031987"), read only under a birth header.
COMPACT_DATE_FORMATS = ("%Y%m%d", "%d%m%Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system)
EXCEL_SERIAL = r"^\d{5}(?:\.0+)?$"  # 10000 (1927-05-18) up to today


def _excel_serial_hit(indexed: pl.DataFrame, sample: pl.Series) -> Hit | None:
    """Birth dates exported as Excel serial day numbers (``31848`` for 1987-03-12), under
    a birth header: 80% of the values are serials of a day between 1927 and today."""
    today = (clock.today() - EXCEL_EPOCH).days
    serial = pl.col("v").str.strip_chars()
    number = serial.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    rule = (serial.str.contains(EXCEL_SERIAL) & number.is_between(10_000, today)).fill_null(False)
    if sample.to_frame("v").select(rule.mean()).item() < 0.8:
        return None
    return _first_hit("birthdate", indexed.filter(rule).with_columns(m=pl.col("v")))


def _best_date_format(
    sample: pl.Series, declared: str | None, extra: tuple[str, ...] = ()
) -> tuple[str | None, pl.Series]:
    formats = ([declared] if declared and "%d" in declared else []) + list(DATE_FORMATS)
    formats += list(extra)
    best: tuple[str | None, pl.Series] = (None, pl.Series([], dtype=pl.Date))
    for fmt in formats:
        try:
            dates = sample.str.to_date(fmt, strict=False).drop_nulls()
        except pl.exceptions.PolarsError:
            continue
        if dates.len() > best[1].len():
            best = (fmt, dates)
    return best


def _looks_like_birthdates(dates: pl.Series, named: bool) -> bool:
    """Birth dates spread over decades and fall on any day of the week; the
    dates of an administrative record cluster in a few years and on weekdays."""
    if dates.len() == 0:
        return False
    if named:
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


def _address_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    """Home addresses: a column named as one (or, in a table about people, holding
    street addresses with a number), unless the rows are facilities."""
    if context.facility_table and not _homes_among_facilities(sample, context):
        return None
    street = pl.col("v").str.contains(STREET_WORDS) & pl.col("v").str.contains(r"\d")
    frame = sample.to_frame("v")
    if "address" in context.kinds:
        rule = pl.col("v").str.contains(STREET_WORDS) | street
        needed = 0.5
    elif context.person_table:
        rule, needed = street, 0.6
    else:
        return None
    if frame.select(rule.fill_null(False).mean()).item() < needed:
        return None
    found = indexed.filter(rule.fill_null(False)).with_columns(m=pl.col("v"))
    return _first_hit("address", found)


def _homes_among_facilities(sample: pl.Series, context: ColumnContext) -> bool:
    """In a table that names facilities, the places are the facilities' unless the rows
    are people (sex, age, identity row by row: a school's students) and the places
    differ from row to row (a home each; a school's point repeats for its students)."""
    if not context.person_rows or sample.len() < 20:
        return False
    return sample.n_unique() >= 0.5 * sample.len()


def _coordinate_hit(indexed: pl.DataFrame, sample: pl.Series, context: ColumnContext) -> Hit | None:
    """Point coordinates (4 decimals or more, about 10 m) of homes: a coordinate column
    in a table about people or households, never in a table of facilities."""
    if "coordinate" not in context.kinds:
        return None
    if context.facility_table and not _homes_among_facilities(sample, context):
        return None
    if not (context.person_table or context.household):
        return None
    precise = pl.col("v").str.contains(COORDINATE) | pl.col("v").str.contains(COORDINATE_PAIR)
    if "utm" in context.tokens or "utm" in context.text:
        precise = precise | pl.col("v").str.contains(UTM)
    if sample.to_frame("v").select(precise.fill_null(False).mean()).item() < 0.8:
        return None
    found = indexed.filter(precise.fill_null(False)).with_columns(m=pl.col("v").str.strip_chars())
    return _first_hit("coordinates", found)


# --- Free text ----------------------------------------------------------------------

_WORD = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'\-]+|[A-ZÁÉÍÓÚÑ]{2,}"


def name_in_text(text: str) -> str | None:
    """The first personal name written inside a text (``... la señora Ana López ...``)."""
    words = re.findall(r"[\wÁÉÍÓÚÑáéíóúñü'\-]+|[^\w\s]", text[:FREE_TEXT_CHARS])
    given, _surnames = name_lists()
    for start, word in enumerate(words):
        if not _is_name_word(word) or normalize_word(word) not in given:
            continue
        if start and normalize_word(words[start - 1]) in NOT_A_PERSON:
            continue
        for size in (4, 3, 2):
            window = words[start : start + size]
            if len(window) == size and looks_like_name(" ".join(window)):
                return " ".join(window)
    return None


def names_in_free_text(indexed: pl.DataFrame) -> Hit | None:
    """Personal names inside the values of a free-text column (capped)."""
    values = indexed.filter(pl.col("v").str.contains(r"\p{Lu}\p{Ll}+\s+\p{Lu}").fill_null(False))
    values = values.head(FREE_TEXT_CAP)
    found = []
    for row, text in zip(
        values.get_column("i").to_list(), values.get_column("v").to_list(), strict=True
    ):
        name = name_in_text(text)
        if name:
            found.append((row, name))
    if not found:
        return None
    return Hit("name", len(found), int(found[0][0]), found[0][1])


# --- Jurisdictions ------------------------------------------------------------------
#
# The national identifiers and phone plans a rule knows. ``None`` means every country
# (a library caller that does not know the publisher); ``catalog validate`` always
# passes the publisher's country, Guatemala by default.

COUNTRIES = ("GT", "CL", "PY")
COUNTRY_KINDS = {"GT": ("cui", "nit"), "CL": ("rut",), "PY": ("cedula", "ruc")}


def country_set(countries: object) -> tuple[str, ...]:
    """The known countries among ``countries`` (a code, a list, or None for all)."""
    if countries is None:
        return COUNTRIES
    items = [countries] if isinstance(countries, str) else countries
    if not isinstance(items, list | tuple | set | frozenset):
        return COUNTRIES
    chosen = tuple(c for c in COUNTRIES if c in {str(i).upper() for i in items})
    return chosen or ("GT",)


# --- Placeholders and multi-valued cells --------------------------------------------

# What people type when there is no value: never counted in a share ("CF", consumidor
# final, is the NIT of whoever gives none in Guatemala).
PLACEHOLDER = (
    r"(?i)^\s*(?:no\s*tiene|no\s*posee|no\s*aplica|no\s*registra|no\s*indica|no\s*reporta|"
    r"sin\s*(?:dato|datos|informaci[oó]n|info|n[uú]mero|numero|tel[eé]fono|correo|registro)|"
    r"s/?d|s/?n|s/?i|n/?a|n/?d|n\.?a\.?|n\.?d\.?|ninguno|ninguna|nada|no|null|none|nan|"
    r"desconocido|ignorado|pendiente|no\s*sabe|ns/?nr|c/?f|x+|0+|-+|\.+|_+|\?+|\*+|#+|"
    r"[0]+[\-\s./]*[0]+)\s*$"
)
# Several values in one cell: "5512-3456 / 7951-2345", "a; b", "a, b", "a y b", "a o b".
MULTI_SPLIT = r"\s*(?:/|;|\||,\s+|\s+y\s+|\s+o\s+|\s+e\s+|\n)\s*"


def placeholder_expr(value: pl.Expr) -> pl.Expr:
    return value.str.contains(PLACEHOLDER).fill_null(True) | (value.str.len_bytes() == 0)


def real_values(values: pl.Series) -> pl.Series:
    """The values that are not empty and not placeholders."""
    frame = values.to_frame("v")
    return frame.filter(~placeholder_expr(pl.col("v").str.strip_chars())).get_column("v")


def split_parts(values: pl.Series) -> pl.Series:
    """Each cell cut where people put several values in one, the parts stripped."""
    parts = values.str.replace_all(MULTI_SPLIT, "\x1f").str.split("\x1f").explode()
    parts = parts.str.strip_chars()
    return real_values(parts.filter(parts.is_not_null()))


# --- Headers as people write them ---------------------------------------------------


def header_tokens(label: str) -> tuple[str, frozenset[str]]:
    """The words of a column label, normalised: lower case, no accents, dotted
    abbreviations joined (``N° C.I.`` -> ``nro ci``; ``R.U.T.`` -> ``rut``;
    ``FechaNacimiento`` -> ``fecha nacimiento``). Returns (text joined by ``_``, tokens)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(label)[:300])
    text = normalize_word(text).replace("°", " nro ").replace("#", " nro ")
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    merged: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            merged.append(run)
            run = ""
        merged.append(word)
    if run:
        merged.append(run)
    return "_".join(merged), frozenset(merged)


HEADER_VOCABULARY: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    # kind: (substrings of the joined text, whole tokens)
    "identity": (
        (
            "cedula",
            "identidad",
            "identificacion_personal",
            "pasaporte",
            "documento_identidad",
            "id_number",
            "idnumber",
            "national_id",
            "id_nacional",
            "nro_identificacion",
            "num_identificacion",
            "numero_identificacion",
        ),
        frozenset(
            "ci dni dpi cui rut run rol carnet cedula nrodoc numdoc documento doc "
            "identificacion".split()
        ),
    ),
    "tax": (("identificacion_tributaria", "registro_tributario"), frozenset("nit ruc".split())),
    "phone": (
        ("telefono", "celular", "movil", "whatsapp", "whats_app", "phone", "telf"),
        frozenset("tel telf cel fono fonos contacto_tel".split()),
    ),
    "email": (("correo", "email", "e_mail", "mail"), frozenset()),
    "given": (
        ("primer_nombre", "segundo_nombre", "nombre_de_pila"),
        frozenset("nombre nombres nombre1 nombre2 name firstname".split()),
    ),
    "surname": (
        ("apellido", "paterno", "materno"),
        frozenset("apellidos apellido surname lastname".split()),
    ),
    "birth": (
        ("nacimiento", "nacim", "birth", "natal", "fnac", "fec_nac", "fecha_nac", "cumple"),
        frozenset("dob nac fnac".split()),
    ),
    "address": (
        (
            "direccion",
            "direcc",
            "domicilio",
            "residencia",
            "address",
            "morada",
            "ubicacion_vivienda",
            "ubicacion_hogar",
            "ubicacion_domicilio",
        ),
        frozenset("dir calle".split()),
    ),
    "coordinate": (
        ("latitud", "longitud", "latitude", "longitude", "coordenada", "georref"),
        frozenset("lat lon lng long coord coords gps utm".split()),
    ),
    "freetext": (
        (
            "observacion",
            "comentario",
            "anotacion",
            "relato",
            "narracion",
            "seguimiento",
            "novedad",
            "bitacora",
            "descripcion_caso",
            "detalle_caso",
            "nota_caso",
        ),
        frozenset("obs nota notas detalle motivo resumen notes comments caso".split()),
    ),
    "facility": (
        (
            "establecimiento",
            "escuela",
            "colegio",
            "instituto",
            "liceo",
            "hospital",
            "clinica",
            "cesfam",
            "centro_educativo",
            "centro_de_salud",
            "centro_salud",
            "puesto_de_salud",
            "puesto_salud",
            "unidad_de_salud",
            "servicio_de_salud",
            "comedor",
            "farmacia",
            "sede",
            "oficina",
            "estacion",
            "sucursal",
            "agencia",
            "institucion",
            "dependencia",
            "delegacion",
            "juzgado",
            "fiscalia",
            "municipalidad",
            "gobernacion",
            "biblioteca",
            "museo",
            "unidad_ejecutora",
        ),
        frozenset("rbd deis udi renae ues ips cs ps caps cap upa sapu".split()),
    ),
    # A person's job and pay: a table with them is about the people who hold the posts
    # (a payroll, a directory), whatever office ("dependencia") they work in.
    "staff": (
        ("salario", "sueldo", "remuneraci", "honorario", "nombramiento"),
        frozenset("puesto cargo plaza".split()),
    ),
    "person_attr": (
        (
            "sexo",
            "genero",
            "edad",
            "etnia",
            "pueblo",
            "discapacidad",
            "estado_civil",
            "nacionalidad",
            "escolaridad",
            "ocupacion",
            "comunidad_linguistica",
            "grupo_etario",
        ),
        frozenset("sex gender age".split()),
    ),
    "person_role": (
        (
            "beneficiari",
            "paciente",
            "estudiante",
            "alumn",
            "docente",
            "emplead",
            "funcionari",
            "trabajador",
            "solicitante",
            "titular",
            "jefe_hogar",
            "jefa_hogar",
            "madre",
            "padre",
            "victima",
            "denunciante",
            "persona",
            "ciudadan",
            "afiliad",
            "pensionad",
            "becari",
            "hogar",
            "vivienda",
            "familia",
            "integrante",
            "usuari",
            "contribuyente",
            "servidor",
            "cliente",
            "propietari",
            "responsable",
            "tutor",
            "apoderad",
            "conyuge",
        ),
        frozenset(),
    ),
    "company": (
        (
            "proveedor",
            "empresa",
            "contratista",
            "razon_social",
            "sociedad",
            "oferente",
            "adjudicatari",
            "licitante",
            "comercio",
        ),
        frozenset("entidad empresa empresas proveedor".split()),
    ),
    "count": (
        (
            "cantidad",
            "beneficiarios",
            "beneficiarias",
            "personas",
            "casos",
            "pacientes",
            "estudiantes",
            "alumnos",
            "matricula",
            "inscritos",
            "hogares",
            "familias",
            "victimas",
            "nacimientos",
            "defunciones",
            "atenciones",
            "consultas",
            "frecuencia",
            "conteo",
            "poblacion",
            "hombres",
            "mujeres",
            "ninos",
            "ninas",
            "numero_de",
            "num_de",
            "nro_de",
            "total",
        ),
        frozenset("n count casos total".split()),
    ),
    "place": (
        (
            "departamento",
            "municipio",
            "region",
            "comuna",
            "provincia",
            "distrito",
            "localidad",
            "aldea",
            "comunidad",
            "barrio",
            "caserio",
            "canton",
            "territorio",
        ),
        frozenset("zona sector ciudad lugar".split()),
    ),
    "date": (("fecha", "date"), frozenset("dia".split())),
    "event": (
        (
            "evento",
            "sismo",
            "terremoto",
            "temblor",
            "incidente",
            "hecho",
            "suceso",
            "ocurrencia",
            "entrega",
            "registro",
            "emision",
            "publicacion",
            "adjudicacion",
            "apertura",
            "corte",
            "actualizacion",
            "inicio",
            "vencimiento",
            "pago",
            "atencion",
            "ingreso",
            "egreso",
            "denuncia",
            "reporte",
            "solicitud",
            "respuesta",
            "visita",
            "inscripcion",
            "vacunacion",
            "consulta",
            "firma",
            "contrato",
            "compra",
            "recepcion",
            "envio",
            "cierre",
            "alta",
            "baja",
            "aprobacion",
            "resolucion",
            "medicion",
            "observacion",
            "captura",
            "despacho",
            "sesion",
            "fallecimiento",
            "defuncion",
            "decreto",
            "creacion",
            "fundacion",
            "promulgacion",
            "vigencia",
            "sentencia",
            "audiencia",
            "nombramiento",
            "posesion",
        ),
        frozenset("fin desde hasta".split()),
    ),
    "code": (
        (
            "codigo",
            "correlativo",
            "expediente",
            "boleta",
            "folio",
            "partida",
            "factura",
            "orden",
            "contrato",
            "licitacion",
            "cuenta",
            "serie",
        ),
        frozenset("cod code id clave nog snip nro num numero no ref".split()),
    ),
    "amount": (
        (
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
            "quetzales",
            "pesos",
            "guaranies",
        ),
        frozenset(),
    ),
}
# A person's name column: "nombre" with nothing that makes it a place's or a body's.
NOT_A_PERSON_COLUMN = (
    "establecimiento",
    "escuela",
    "municipio",
    "departamento",
    "comunidad",
    "aldea",
    "programa",
    "proyecto",
    "entidad",
    "institucion",
    "empresa",
    "proveedor",
    "producto",
    "obra",
    "centro",
    "region",
    "comuna",
    "provincia",
    "distrito",
    "unidad",
    "dependencia",
    "cargo",
    "puesto",
    "lugar",
    "sitio",
    "servicio",
    "vacuna",
    "curso",
    "carrera",
    "calle",
    "barrio",
    "colonia",
    "zona",
    "razon_social",
    "fantasia",
    "comercial",
    "hospital",
    "oficina",
    "archivo",
    "indicador",
    "tipo",
    "categoria",
    "sismo",
    "evento",
    "volcan",
    "rio",
    "lago",
    "cooperante",
    "fuente",
    "banco",
)


@lru_cache(maxsize=4096)
def header_kinds(label: str) -> frozenset[str]:
    """What a column is about, by its label (or label, name, title together)."""
    text, tokens = header_tokens(label)
    tokens |= {t.rstrip("0123456789") for t in tokens}  # "tel1", "apellido2"
    found = set()
    for kind, (parts, words) in HEADER_VOCABULARY.items():
        if any(p in text for p in parts) or tokens & words:
            found.add(kind)
    if "tax" in found and "tributari" in text:
        found.discard("identity")  # "Número de Identificación Tributaria" is the NIT
    # Short words by whole token: "rio" (a river) is in "beneficiario" and "usuario".
    if found & {"given", "surname"} and any(
        w in tokens if len(w) <= 4 else w in text for w in NOT_A_PERSON_COLUMN
    ):
        found -= {"given", "surname"}
    return frozenset(found)


# --- Phone numbers ------------------------------------------------------------------

# National forms, digits only (spaces, hyphens, dots and brackets removed), with an
# optional country code or trunk 0. Confirmed with libphonenumber's plans.
PHONE_DIGITS = {
    "GT": r"(?:502)?[2-7]\d{7}",
    "CL": r"(?:56)?0?(?:9\d{8}|[2-7]\d{8})",
    "PY": r"(?:595|0)?(?:9[6-9]\d{7}|[2-8]\d{5,8})",
}
PHONE_CHARS = r"[\s\-.()/+']"  # ' : Excel's mark of a number kept as text
# Phones inside free text (national forms with their usual separators).
PHONE_IN_TEXT = {
    "GT": B + r"(?:\+?502[ \-]?)?[2-7]\d{3}-\d{4}" + B,
    "CL": B
    + r"(?:\+?56[ \-]?)?(?:9[ \-]?\d{4}[ \-]?\d{4}|\(?0?[2-7]\d?\)?[ \-]?\d{3,4}[ \-]?\d{4})"
    + B,
    "PY": r"(?:"
    + B
    + r"0?9[6-9]\d[ \-]?\d{3}[ \-]?\d{3}|\(0\d{2,3}\)[ \-]?\d{3}[ \-]?\d{3,4}|"
    + B
    + r"0\d{2,3}[ \-]\d{3}[ \-]?\d{3,4})"
    + B,
}
# A real year pair ("2019-2023") is a period, not a phone; a case number ends in a year.
YEAR_PAIR_STRICT = r"^(?:19|20)\d{2}\s*[\-/]\s*(?:19|20)\d{2}$"
ENDS_IN_YEAR = r"^\d{1,6}[ \-/](?:19|20)\d{2}$"
DATE_LIKE = r"^\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}|^\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}"
# Thousands grouped with dots or commas ("23.456.789", "1.250.000,00"): an amount in
# Chile or Paraguay, never how a phone is written (those start with 0 or a code).
GROUPED_AMOUNT = r"^[1-9]\d{0,2}(?:[.,]\d{3}){2,}(?:[.,]\d{1,2})?$"
# Negative numbers, amounts with cents ("2345678.50") and decimals such as coordinates
# ("-25.123456", "14.634915") are numbers, not phones.
DECIMAL_NUMBER = r"^\s*-|^\d+[.,]\d{1,2}$|^\d{1,3}[.,]\d{4,}$"


# An extension after the number ("2411-1900 ext. 123"): the line of one person at work.
EXTENSION = r"(?i)\s*(?:ext|extensi[oó]n|anexo|int)\.?\s*\d{1,6}$"


def phone_digits_expr(value: pl.Expr, countries: tuple[str, ...]) -> pl.Expr:
    """The cell has the national form of a phone of one of ``countries``."""
    pattern = "^(?:" + "|".join(PHONE_DIGITS[c] for c in countries) + ")$"
    clean = value.str.replace(EXTENSION, "").str.replace_all(PHONE_CHARS, "")
    return (
        clean.str.contains(pattern)
        & ~value.str.contains(YEAR_PAIR_STRICT)
        & ~value.str.contains(DATE_LIKE)
        & ~value.str.contains(GROUPED_AMOUNT)
        & ~value.str.contains(DECIMAL_NUMBER)
    )


def is_phone(value: str, countries: tuple[str, ...] = COUNTRIES) -> bool:
    """A valid number in the numbering plan of one of ``countries`` (or any, with ``+``)."""
    import phonenumbers

    text = re.sub(EXTENSION, "", str(value).strip()[:40])
    if not 6 <= sum(ch.isdigit() for ch in text) <= 15:
        return False
    if re.fullmatch(YEAR_PAIR_STRICT, text) or re.match(DATE_LIKE, text):
        return False
    attempts: list[tuple[str, str | None]] = [(text, None)] if text.startswith("+") else []
    for country in countries:
        attempts.append((text, country))
        bare = re.sub(r"[\s\-.()]", "", text)
        if country == "CL" and bare.startswith("0"):
            attempts.append((bare[1:], country))
    for candidate, region in attempts:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


# --- Tax numbers ----------------------------------------------------------------------

PERSONAL_RUC_LIMIT = 80_000_000  # Paraguayan RUC bases from 80,000,000 are companies
TAX_SHAPE = r"^\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]$|^\d{4,9}-?[\dkK]$"


def is_valid_nit(value: str) -> bool:
    """A Guatemalan NIT with a valid check digit (python-stdnum's ``gt.nit``)."""
    from stdnum.gt import nit

    text = str(value).strip()[:20]
    return bool(re.fullmatch(r"\d{1,12}-?[\dkK]", text)) and bool(nit.is_valid(text))


def is_personal_ruc(value: str) -> bool:
    """A Paraguayan RUC of a person (the cédula and a check digit, ``stdnum.py.ruc``)."""
    from stdnum.py import ruc

    text = str(value).strip().replace(".", "")[:20]
    if not re.fullmatch(r"\d{5,8}-?\d", text):
        return False
    return bool(ruc.is_valid(text)) and int(digits(text)[:-1]) < PERSONAL_RUC_LIMIT


def is_personal_rut(value: str) -> bool:
    """A Chilean RUN/RUT of a person: valid (``stdnum.cl.rut``) and below 50,000,000."""
    from stdnum.cl import rut

    text = str(value).strip()[:20]
    if not re.fullmatch(r"\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]", text):
        return False
    return bool(rut.is_valid(text)) and int(digits(text)[:-1]) < PERSONAL_RUT_LIMIT


# --- Obfuscated e-mails, addresses, coordinates -------------------------------------

_AT = r"(?:\s*[\[({<]\s*(?:at|arroba|@)\s*[\])}>]\s*|\s+(?:at|arroba)\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punto)\s*[\])}>]\s*|\s+(?:dot|punto)\s+|\.)"
_TLD = r"(?:com|net|org|edu|gob|gov|gt|cl|py|info|es|mx|ar|co|io|biz)"
EMAIL_OBFUSCATED = (
    r"(?i:[a-z0-9._%+\-]{2,64}" + _AT + r"[a-z0-9\-]{2,63}(?:" + _DOT + r"[a-z0-9\-]{2,20}){0,3}"
    r"(?:" + _DOT + _TLD + r"))" + B
)


# The same for Python's engine (value by value): ASCII word boundaries as plain ones.
EMAIL_OBFUSCATED_RE = re.compile(EMAIL_OBFUSCATED.replace(B, r"\b"))


def deobfuscate_email(value: str) -> str:
    """``ana [at] correo punto gt`` -> ``ana@correo.gt``."""
    text = re.sub(_AT, "@", value, flags=re.IGNORECASE)
    return re.sub(_DOT, ".", text, flags=re.IGNORECASE).replace(" ", "")


STREET_WORDS = (
    r"(?i:" + B + r"(?:calle|avenida|av|avda|zona|casa|lote|km|kil[oó]metro|barrio|pasaje|psje|"
    r"block|blk|depto|dpto|departamento|manzana|mz|mza|colonia|col|sector|villa|poblaci[oó]n|"
    r"residencial|condominio|aldea|caser[ií]o|cant[oó]n|carretera|ruta|diagonal|boulevard|"
    r"bulevar|calzada|callej[oó]n|pje|edificio|torre|apto|apartamento|interior|esquina|"
    r"compa[ñn][ií]a|asentamiento|lotificaci[oó]n|esq|casi|mcal|cuadra|vereda|"
    r"camino|sendero|pasillo|parcela|chacra|quinta)" + B + r")"
    # "c/ España" (casi, con: between streets in Paraguay; not "c/u") and "Bº" (barrio)
    r"|(?i:" + B + r"(?:c/\s|b[º°]))"
)
COORDINATE = r"^-?\d{1,3}[.,]\d{4,}$"
UTM = r"^\d{6,7}(?:[.,]\d+)?$"  # metres east or north: a point to the metre
COORDINATE_PAIR = r"^\(?\s*-?\d{1,3}[.,]\d{4,}\s*[,; ]\s*-?\d{1,3}[.,]\d{4,}\s*\)?$"


# --- Dates with a time --------------------------------------------------------------

TIME_SUFFIX = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[aApP]\.?[mM]\.?)?(?:Z|[+\-]\d{2}:?\d{2})?)$"
)
MIDNIGHT_SUFFIX = r"[ T]0{1,2}:00(?::00(?:[.,]0+)?)?\s*(?:[aA]\.?[mM]\.?)?(?:Z|[+\-]\d{2}:?\d{2})?$"


def date_part_format(fmt: str | None) -> str | None:
    """The date part of a declared ``format`` (``%d/%m/%Y %H:%M`` -> ``%d/%m/%Y``)."""
    if not fmt or "%d" not in fmt:
        return None
    cut = min((i for i in (fmt.find("%H"), fmt.find("%I"), fmt.find("T%")) if i >= 0), default=-1)
    return fmt[:cut].rstrip(" T") if cut > 0 else fmt
