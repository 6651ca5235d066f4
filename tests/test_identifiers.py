"""Identifier rules: check digits, name and date heuristics, masking, column scans."""

from __future__ import annotations

import random

import polars as pl
import pytest

from catalog import identifiers as ids

# --- Guatemalan CUI -----------------------------------------------------------------


def make_cui(draw: random.Random) -> str:
    """A CUI with a valid check digit and place, built by hand from the rule."""
    while True:
        serial = f"{draw.randrange(10**8):08d}"
        remainder = sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11
        if remainder < 10:
            break
    department = draw.randint(1, 22)
    municipality = draw.randint(1, ids.MUNICIPALITIES_PER_DEPARTMENT[department - 1])
    return f"{serial}{remainder}{department:02d}{municipality:02d}"


def make_rut(draw: random.Random, low: int = 1_000_000, high: int = 30_000_000) -> str:
    body = str(draw.randint(low, high))
    return f"{int(body):,}".replace(",", ".") + "-" + ids.rut_check_digit(body)


@pytest.mark.parametrize(
    "value",
    [
        "1234 56789 0101",
        "1234567890101",
        "1234-56789-0101",
        "9876 54322 0101",
        "0000 00019 0101",
        "1234 56789 0117",
        "1234 56789 2217",
        "1234 56789 1333",
    ],
)
def test_valid_cui(value):
    assert ids.is_valid_cui(value)


@pytest.mark.parametrize(
    "value",
    [
        "1234567800101",  # check digit 0, should be 9
        "1234567810101",  # check digit 1
        "9876543200101",
        "1234 56789 0118",  # Guatemala (01) has 17 municipalities
        "1234 56789 2301",  # there is no department 23
        "1234 56789 0001",  # nor department 00
        "1234 56789 0100",  # nor municipality 00
        "123456789010",  # 12 digits
        "12345678901011",  # 14 digits
        "ABCDEFGHIJKLM",
        "",
    ],
)
def test_invalid_cui(value):
    assert not ids.is_valid_cui(value)


def test_cui_check_digit_by_hand():
    # 1*2 + 2*3 + 3*4 + 4*5 + 5*6 + 6*7 + 7*8 + 8*9 = 240; 240 % 11 = 9
    assert ids.cui_check_digit("12345678") == 9
    # a remainder of 10 is never issued: no check digit exists
    serial = next(
        f"{n:08d}"
        for n in range(10**8)
        if sum(int(d) * w for d, w in zip(f"{n:08d}", range(2, 10), strict=True)) % 11 == 10
    )
    assert ids.cui_check_digit(serial) is None
    assert not any(ids.is_valid_cui(f"{serial}{d}0101") for d in range(10))
    assert ids.cui_check_digit("1234") is None


def test_cui_expression_agrees_with_python():
    draw = random.Random(7)
    values = [make_cui(draw) for _ in range(300)]
    values += [f"{draw.randrange(10**13):013d}" for _ in range(3000)]
    frame = pl.DataFrame({"v": values})
    vectorised = frame.select(ids.cui_valid_expr(pl.col("v"))).to_series().to_list()
    assert vectorised == [ids.is_valid_cui(v) for v in values]
    assert sum(vectorised) >= 300


# --- Chilean RUT --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "12.345.678-5",
        "12345678-5",
        "123456785",
        "11.111.111-1",
        "1.000.005-K",
        "1000005-k",
        "1.000.030-0",
        "6-K",
    ],
)
def test_valid_rut(value):
    assert ids.is_valid_rut(value)


@pytest.mark.parametrize(
    "value",
    [
        "12.345.678-K",
        "12.345.678-4",
        "12345678-0",
        "1.000.005-1",
        "1.000.030-K",
        "12.34.5678-5",
        "",
        "K",
        "12.345.678-",
        "abc",
    ],
)
def test_invalid_rut(value):
    assert not ids.is_valid_rut(value)


def test_rut_check_digit_by_hand():
    # 8*2 + 7*3 + 6*4 + 5*5 + 4*6 + 3*7 + 2*2 + 1*3 = 138; 138 % 11 = 6; 11 - 6 = 5
    assert ids.rut_check_digit("12345678") == "5"
    assert ids.rut_check_digit("1000005") == "K"  # 11 - 1 = 10 -> K
    assert ids.rut_check_digit("1000030") == "0"  # 11 - 0 = 11 -> 0


def test_rut_expression_agrees_with_python():
    draw = random.Random(11)
    values = [make_rut(draw).replace(".", "").replace("-", "") for _ in range(300)]
    values += [f"{draw.randint(10**6, 10**9)}" for _ in range(3000)]
    values += [f"{draw.randint(10**6, 10**8)}K" for _ in range(300)]
    frame = pl.DataFrame({"v": values})
    vectorised = frame.select(ids.rut_valid_expr(pl.col("v"))).to_series().to_list()
    assert vectorised == [ids.is_valid_rut(v) for v in values]
    assert sum(vectorised) >= 300


# --- Names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Juan Pérez",
        "María José López García",
        "JUAN CARLOS PEREZ",
        "Pérez López, Ana",
        "Ana María de los Ángeles Cruz",
    ],
)
def test_looks_like_name(value):
    assert ids.looks_like_name(value)


@pytest.mark.parametrize(
    "value",
    [
        "San José Pinula",
        "Santa María de Jesús",
        "Santiago Atitlán",
        "Fray Bartolomé de las Casas",
        "Escuela Oficial Rural Mixta",
        "Bono Social",
        "María Cristina",  # no surname
        "Juan",
        "juan pérez",  # not capitalised
        "Juan Pérez 12",
        "Ministerio de Salud Pública",
        "Hospital Roosevelt",
        "x" * 500,
        "",
    ],
)
def test_does_not_look_like_name(value):
    assert not ids.looks_like_name(value)


def test_name_list_is_package_data():
    given, surnames = ids.name_lists()
    assert len(given) >= 200 and len(surnames) >= 200
    assert "maria" in given and "perez" in surnames  # accents folded


# --- Masking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        ("juan.perez@gmail.com", "email", "ju***@g***.com"),
        ("ana@mides.gob.gt", "email", "a***@m***.gt"),
        ("+502 5555-1234", "phone", "+*** ****-**34"),
        ("2456789010101", "cui", "2***-*****-**01"),
        ("2456 78901 0101", "cui", "2***-*****-**01"),
        ("12.345.678-5", "rut", "1*.***.***-*"),
        ("1.000.005-K", "rut", "1.***.***-*"),
        ("1.234.567", "cedula", "1.***.***"),
        ("Juan Pérez López", "name", "J*** P*** L***"),
        ("1985-03-12", "birthdate", "19**-**-**"),
        ("12/03/1985", "birthdate", "**/**/19**"),
        ("secret", "something-else", "s***"),
    ],
)
def test_mask(value, kind, masked):
    assert ids.mask(value, kind) == masked
    assert value not in ids.mask(value, kind)


@pytest.mark.parametrize("junk", [None, 12345678, "", "   ", "@", "x" * 100_000, "🙂" * 50])
def test_mask_survives_junk(junk):
    for kind in ("email", "phone", "cui", "rut", "cedula", "name", "birthdate", "other"):
        shown = ids.mask(junk, kind)
        assert isinstance(shown, str) and len(shown) <= 210
        if isinstance(junk, str) and len(junk.strip()) > 1:
            assert junk.strip() not in shown


# --- Column scans -------------------------------------------------------------------


def kinds(values: list[str | None], **context) -> dict[str, ids.Hit]:
    column = pl.Series("c", values, dtype=pl.Utf8)
    return {hit.kind: hit for hit in ids.scan_column(column, ids.ColumnContext(**context))}


def test_scan_finds_one_email_hidden_in_free_text():
    values = ["sin observaciones"] * 5000
    values[3210] = "escribir a maria.lopez@correo.gt para más datos"
    hits = kinds(values)
    assert set(hits) == {"email"}
    assert (hits["email"].count, hits["email"].first) == (1, 3210)
    assert hits["email"].value == "maria.lopez@correo.gt"  # the match, not the whole cell


def test_scan_finds_identifiers_in_accented_free_text():
    draw = random.Random(8)
    cui, rut = make_cui(draw), make_rut(draw)
    notes = ["Atención en Sololá, señora de edad avanzada, sin números"] * 2000
    notes[5] = f"Número de DPI del señor: {cui[:4]} {cui[4:9]} {cui[9:]}, según acta"
    notes[7] = f"Solicitante chileno, RUT {rut}; teléfono +56 9 8765 4321"
    notes[9] = "Cédula de identidad N° 3.456.789, Asunción"
    hits = kinds(notes)
    assert {k: (h.count, h.first) for k, h in hits.items()} == {
        "cui": (1, 5),
        "rut": (1, 7),
        "phone": (1, 7),
        "cedula": (1, 9),
    }


def test_scan_phones_of_each_country():
    assert "phone" in kinds(["+56 9 8765 4321", "+595 981 123456", "+502 5555-1234"])
    assert kinds(["5555-1234", "2233 4455", "77889900"] * 10)["phone"].count == 30
    assert "phone" in kinds(["0981 123 456", "0971123456"] * 10)
    assert "phone" in kinds(["9 8765 4321", "987654321"] * 10)
    assert "phone" in kinds(["Tel. 5555-1234"] + ["ok"] * 100)


def test_scan_bare_numbers_are_not_phones_when_they_are_amounts_or_codes():
    eight_digit = [str(20_000_000 + 7919 * i) for i in range(500)]
    assert "phone" not in kinds(eight_digit, numeric=True)
    assert "phone" not in kinds(eight_digit, words="monto_ejecutado")
    assert "phone" not in kinds(eight_digit, words="codigo_establecimiento")
    assert "phone" in kinds(eight_digit, words="telefono", numeric=True)
    assert "phone" not in kinds(["2019-2023", "2020-2024"] * 20)  # periods
    assert "phone" not in kinds(["+12345678.50", "+23456789.10"], numeric=True)


def test_scan_cui_and_rut_columns():
    draw = random.Random(3)
    cuis = [make_cui(draw) for _ in range(200)]
    assert kinds(cuis)["cui"].count == 200
    spaced = [f"{c[:4]} {c[4:9]} {c[9:]}" for c in cuis]
    assert kinds(spaced)["cui"].count == 200
    ruts = [make_rut(draw) for _ in range(200)]
    assert kinds(ruts)["rut"].count == 200
    bare = [r.replace(".", "").replace("-", "") for r in ruts]
    assert kinds(bare)["rut"].count == 200


def test_scan_random_13_digit_and_company_numbers_are_not_identifiers():
    draw = random.Random(5)
    barcodes = [f"{draw.randrange(10**12, 10**13)}" for _ in range(2000)]
    assert "cui" not in kinds(barcodes)
    companies = [make_rut(draw, 60_000_000, 99_000_000) for _ in range(200)]
    assert "rut" not in kinds(companies)
    ids_column = [str(i) for i in range(1_000_000, 1_002_000)]  # sequential keys
    assert kinds(ids_column, words="id") == {}


def test_scan_cedula_needs_context_or_a_label_in_the_value():
    numbers = [f"{n:,}".replace(",", ".") for n in range(1_234_567, 1_234_567 + 300 * 997, 997)]
    assert "cedula" in kinds(numbers, words="nro_cedula")
    assert "cedula" in kinds([n.replace(".", "") for n in numbers], words="documento de identidad")
    assert "cedula" not in kinds(numbers, words="monto")
    assert "cedula" not in kinds(numbers, words="poblacion")
    assert kinds(["Titular: C.I. N° 1.234.567", "ok"])["cedula"].count == 1


def test_scan_names_but_not_places():
    draw = random.Random(1)
    given = ["Juan", "María", "José", "Ana", "Luis", "Rosa"]
    surnames = ["Pérez", "López", "Xol", "Cruz"]
    people = [
        f"{draw.choice(given)} {draw.choice(surnames)} {draw.choice(surnames)}" for _ in range(500)
    ]
    hit = kinds(people)["name"]
    assert hit.count == 500 and hit.first == 0
    places = [
        "San José Pinula",
        "Santa Catarina Pinula",
        "Santiago Atitlán",
        "Mixco",
        "Villa Nueva",
        "San Juan Sacatepéquez",
        "Chinautla",
        "Fraijanes",
        "Palencia",
        "Amatitlán",
        "Pedro de Alvarado",
    ] * 20
    assert kinds(places) == {}


def test_scan_birth_dates_but_not_event_dates():
    draw = random.Random(2)
    births = (
        pl.date_range(pl.date(1940, 1, 1), pl.date(2010, 12, 31), eager=True)
        .sample(800, seed=1)
        .cast(pl.Utf8)
        .to_list()
    )
    assert kinds(births)["birthdate"].count == 800
    slashed = [f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in births]
    assert "birthdate" in kinds(slashed)
    records = (
        pl.date_range(pl.date(2021, 1, 1), pl.date(2023, 12, 31), eager=True)
        .sample(800, with_replacement=True, seed=3)
        .cast(pl.Utf8)
        .to_list()
    )
    assert kinds(records) == {}
    # forty years of office dates (weekdays only) are not births either
    days = pl.date_range(pl.date(1980, 1, 1), pl.date(2020, 1, 1), eager=True)
    weekdays = days.filter(days.dt.weekday() <= 5).cast(pl.Utf8).to_list()
    assert kinds(draw.sample(weekdays, 800)) == {}
    # a column called "fecha_nacimiento" is judged on fewer, closer dates
    assert "birthdate" in kinds(["2015-03-02", "2016-07-21"], words="fecha_nacimiento")


def test_scan_leaves_codes_years_amounts_and_enums_alone():
    draw = random.Random(4)
    columns = {
        "departamento": [f"{draw.randint(1, 22):02d}" for _ in range(3000)],
        "municipio": [f"{draw.randint(1, 22):02d}{draw.randint(1, 17):02d}" for _ in range(3000)],
        "anio": [str(draw.randint(2000, 2024)) for _ in range(3000)],
        "monto": [f"{draw.uniform(0, 9e7):.2f}" for _ in range(3000)],
        "monto_entero": [str(draw.randint(10**6, 10**9)) for _ in range(3000)],
        "sexo": [draw.choice(["F", "M"]) for _ in range(3000)],
        "programa": [draw.choice(["Bono Social", "Beca Escolar"]) for _ in range(3000)],
        "codigo": [f"GT-{draw.randint(0, 9999):04d}" for _ in range(3000)],
    }
    for name, values in columns.items():
        assert kinds(values, words=name) == {}, name


def test_scan_survives_hostile_columns():
    assert kinds([]) == {}
    assert kinds([None] * 1000) == {}
    assert kinds(["", " ", None] * 100) == {}
    long = "a" * 1_000_000
    assert kinds([long, long + "@x", "\x00\x01"]) == {}
    assert "email" in kinds(["x" * 100_000 + " ana.lopez@correo.gt"])
    numbers = pl.Series("c", [1, 2, 3])
    assert ids.scan_column(numbers) == []
