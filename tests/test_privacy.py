"""The privacy gate: findings for direct identifiers, k-anonymity, small cells, declarations."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest

from catalog import privacy
from catalog.identifiers import MUNICIPALITIES_PER_DEPARTMENT, rut_check_digit
from catalog.privacy import check_resource, mask


def resource(columns: dict[str, str], privacy_rules: object = None, **extra) -> dict:
    descriptor = {
        "name": "personas",
        "path": "data/personas.csv",
        "schema": {"fields": [{"name": n, "type": t} for n, t in columns.items()]},
        **extra,
    }
    if privacy_rules is not None:
        descriptor["privacy"] = privacy_rules
    return descriptor


def text_frame(data: dict[str, list]) -> pl.DataFrame:
    return pl.DataFrame({k: pl.Series(k, v, dtype=pl.Utf8) for k, v in data.items()})


def of_type(findings, kind: str):
    return [f for f in findings if f.type == kind]


def everything_shown(findings) -> str:
    """All a report could print or store about these findings, in both languages."""
    parts = []
    for finding in findings:
        parts.append(json.dumps(finding.to_dict(), ensure_ascii=False, default=str))
        for lang in ("es", "en"):
            parts.append(json.dumps(finding.to_json(lang), ensure_ascii=False))
    return "\n".join(parts)


def make_cui(draw: random.Random) -> str:
    while True:
        serial = f"{draw.randrange(10**8):08d}"
        remainder = sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11
        if remainder < 10:
            department = draw.randint(1, 22)
            municipality = draw.randint(1, MUNICIPALITIES_PER_DEPARTMENT[department - 1])
            return f"{serial}{remainder}{department:02d}{municipality:02d}"


def people(n: int = 300, seed: int = 0) -> pl.DataFrame:
    """A table full of personal data, one kind a column."""
    draw = random.Random(seed)
    given, surnames = ["Juan", "María", "Ana", "Carlos", "Lucía"], ["Pérez", "López", "Xol", "Cruz"]
    bodies = [str(draw.randint(5_000_000, 25_000_000)) for _ in range(n)]
    days = pl.date_range(pl.date(1945, 1, 1), pl.date(2012, 12, 31), eager=True)
    return text_frame(
        {
            "correo": [f"persona{i}.{draw.choice(surnames).lower()}@correo.gt" for i in range(n)],
            "tel": [
                f"+502 {draw.randint(2, 7)}{draw.randint(0, 999):03d}-{draw.randint(0, 9999):04d}"
                for _ in range(n)
            ],
            "dpi": [make_cui(draw) for _ in range(n)],
            "rut": [f"{b[:-6]}.{b[-6:-3]}.{b[-3:]}-{rut_check_digit(b)}" for b in bodies],
            "ci": [f"{draw.randint(1_000_000, 6_000_000):,}".replace(",", ".") for _ in range(n)],
            "titular": [
                f"{draw.choice(given)} {draw.choice(surnames)} {draw.choice(surnames)}"
                for _ in range(n)
            ],
            "nacimiento": days.sample(n, seed=seed).cast(pl.Utf8).to_list(),
        }
    )


PEOPLE_FIELDS = {
    "correo": "string",
    "tel": "string",
    "dpi": "string",
    "rut": "string",
    "ci": "string",
    "titular": "string",
    "nacimiento": "date",
}


# --- Direct identifiers -------------------------------------------------------------


def test_each_kind_of_direct_identifier_is_one_blocking_finding_per_column():
    frame = people()
    findings = check_resource(frame, resource(PEOPLE_FIELDS), "mides/beneficiarios")
    direct = of_type(findings, "privacy-direct-identifier")
    assert sorted(f.fieldName for f in direct) == sorted(PEOPLE_FIELDS)
    for finding in direct:
        assert finding.blocking
        assert finding.dataset == "mides/beneficiarios" and finding.resource == "personas"
        assert finding.rowNumber == 2  # the first data row
        assert finding.params["count"] == 300 and finding.params["total"] == 300
        assert finding.value and finding.value != frame[finding.fieldName][0]
    assert len(findings) == len(direct)


def test_no_finding_shows_a_personal_value_in_full():
    frame = people()
    findings = check_resource(frame, resource(PEOPLE_FIELDS), "d")
    shown = everything_shown(findings)
    for column in frame.columns:
        for value in frame[column].to_list():
            assert value not in shown, (column, value)


def test_messages_say_what_and_how_in_both_languages():
    frame = text_frame({"contacto": ["ok"] * 11 + ["juan.perez@gmail.com"]})
    [finding] = check_resource(frame, resource({"contacto": "string"}), "d")
    english = finding.message("en")
    assert "ju***@g***.com" in english and "row 13" in english and "1 of 12" in english
    assert "Remove the column" in english
    spanish = finding.message("es")
    assert "correo electrónico" in spanish and "fila 13" in spanish and "ju***@g***.com" in spanish


def test_row_numbers_come_from_the_reader_when_given():
    frame = text_frame({"x": ["a", "b", "ana.lopez@correo.gt"]})
    numbers = pl.Series([2, 5, 9])  # e.g. blank rows skipped in the file
    [finding] = check_resource(frame, resource({"x": "string"}), "d", row_numbers=numbers)
    assert finding.rowNumber == 9 and finding.params["row"] == 9
    # a list of the wrong length is ignored rather than trusted
    [finding] = check_resource(frame, resource({"x": "string"}), "d", row_numbers=pl.Series([1]))
    assert finding.rowNumber == 4


def test_an_ordinary_table_passes():
    draw = random.Random(9)
    n = 2000
    frame = text_frame(
        {
            "id": [str(i) for i in range(1, n + 1)],
            "departamento": [f"{draw.randint(1, 22):02d}" for _ in range(n)],
            "municipio": [f"{draw.randint(1, 22):02d}{draw.randint(1, 17):02d}" for _ in range(n)],
            "nombre_municipio": [
                draw.choice(
                    [
                        "San José Pinula",
                        "Mixco",
                        "Santa Catarina Pinula",
                        "Santiago Atitlán",
                        "San Pedro Carchá",
                    ]
                )
                for _ in range(n)
            ],
            "anio": [str(draw.randint(2015, 2024)) for _ in range(n)],
            "fecha_registro": pl.date_range(pl.date(2022, 1, 1), pl.date(2024, 6, 30), eager=True)
            .sample(n, with_replacement=True, seed=2)
            .cast(pl.Utf8)
            .to_list(),
            "monto": [f"{draw.uniform(1e6, 9e7):.2f}" for _ in range(n)],
            "beneficiarios": [str(draw.randint(5, 20000)) for _ in range(n)],
            "programa": [draw.choice(["Bono Social", "Beca Escolar"]) for _ in range(n)],
        }
    )
    types = {c: "string" for c in frame.columns} | {
        "id": "integer",
        "anio": "year",
        "monto": "number",
        "beneficiarios": "integer",
    }
    assert check_resource(frame, resource(types), "d") == []


def test_a_column_is_found_by_content_not_by_name():
    frame = people().rename({"correo": "observaciones", "dpi": "codigo"})
    fields = {
        ("observaciones" if c == "correo" else "codigo" if c == "dpi" else c): t
        for c, t in PEOPLE_FIELDS.items()
    }
    names = {f.fieldName for f in check_resource(frame, resource(fields), "d")}
    assert {"observaciones", "codigo"} <= names


def test_field_names_follow_the_schema_when_labels_differ():
    frame = text_frame({"Correo electrónico": ["ana.lopez@correo.gt"]})
    [finding] = check_resource(frame, resource({"correo": "string"}), "d")
    assert finding.fieldName == "correo"


# --- Public personal data -----------------------------------------------------------


def test_declared_public_personal_data_is_a_notice_not_a_block():
    frame = text_frame(
        {
            "nombre": ["Juan Pérez López", "Ana María Cruz", "Carlos Xol Pop"] * 5,
            "puesto": ["Director", "Analista", "Piloto"] * 5,
            "salario": ["25000.00", "9000.00", "4500.00"] * 5,
        }
    )
    basis = "Decreto 57-2008, art. 10, num. 4"
    rules = {"publicPersonalData": [{"field": "nombre", "legalBasis": basis}]}
    findings = check_resource(frame, resource(dict.fromkeys(frame.columns, "string"), rules), "d")
    [notice] = findings
    assert notice.type == "privacy-public-personal-data" and not notice.blocking
    assert notice.fieldName == "nombre" and basis in notice.message("es")
    # without the declaration, the same names block publication
    findings = check_resource(frame, resource(dict.fromkeys(frame.columns, "string")), "d")
    assert [f.type for f in findings] == ["privacy-direct-identifier"]


def test_public_personal_data_needs_a_legal_basis_and_a_real_field():
    frame = text_frame({"nombre": ["Juan Pérez López", "Ana María Cruz", "Carlos Xol Pop"]})
    rules = {
        "publicPersonalData": [
            {"field": "nombre"},
            {"field": "cargo", "legalBasis": "Ley"},
            "nombre",
            {"field": "nombre", "legalBasis": "  "},
        ]
    }
    findings = check_resource(frame, resource({"nombre": "string"}, rules), "d")
    declaration = of_type(findings, "privacy-declaration")
    assert len(declaration) == 4 and all(f.blocking for f in declaration)
    assert {f.params.get("field") for f in declaration} == {"nombre", "cargo", None}
    # no legal basis, no exemption
    assert of_type(findings, "privacy-direct-identifier")
    assert not of_type(findings, "privacy-public-personal-data")


# --- k-anonymity --------------------------------------------------------------------


def microdata() -> pl.DataFrame:
    rows = (
        [("01", "F", "30-44")] * 12
        + [("01", "M", "30-44")] * 6
        + [("02", "F", "65+")] * 3
        + [("03", "M", "0-14")] * 1
        + [("04", "F", "15-29")] * 4
        + [("05", "F", "15-29")] * 2
    )
    return text_frame(
        {
            "departamento": [r[0] for r in rows],
            "sexo": [r[1] for r in rows],
            "rango_edad": [r[2] for r in rows],
            "atendido": ["si"] * len(rows),
        }
    )


QI = ["departamento", "sexo", "rango_edad"]
MICRO_FIELDS = {
    "departamento": "string",
    "sexo": "string",
    "rango_edad": "string",
    "atendido": "string",
}


def test_k_anonymity_reports_the_smallest_groups_first():
    frame = microdata()
    findings = check_resource(frame, resource(MICRO_FIELDS, {"quasiIdentifiers": QI}), "d")
    groups = of_type(findings, "privacy-k-anonymity")
    assert [f.params["size"] for f in groups] == [1, 2, 3, 4]  # default k = 5
    first = groups[0]
    assert first.blocking and first.params["k"] == 5
    assert first.rowNumber == 2 + 21  # the 22nd data row
    assert 'departamento="03"' in first.params["group"] and 'sexo="M"' in first.message("en")
    assert "k = 5" in first.message("es")
    assert len(findings) == len(groups)


def test_k_can_be_declared_and_rows_are_counted_not_summed():
    frame = microdata()
    findings = check_resource(frame, resource(MICRO_FIELDS, {"quasiIdentifiers": QI, "k": 3}), "d")
    assert [f.params["size"] for f in of_type(findings, "privacy-k-anonymity")] == [1, 2]
    findings = check_resource(frame, resource(MICRO_FIELDS, {"quasiIdentifiers": QI, "k": 13}), "d")
    assert len(of_type(findings, "privacy-k-anonymity")) == 6


def test_k_anonymity_caps_findings_and_summarises_the_rest():
    frame = text_frame({"edad": [str(i) for i in range(40)] + ["99"] * 10})
    rules = {"quasiIdentifiers": ["edad"]}
    findings = check_resource(frame, resource({"edad": "string"}, rules), "d")
    groups = of_type(findings, "privacy-k-anonymity")
    assert len(groups) == privacy.MAX_GROUP_FINDINGS + 1
    summary = groups[-1]
    assert summary.rowNumber is None and summary.params["count"] == 30
    assert summary.params["rows"] == 30 and "30" in summary.message("es")


def test_aggregated_tables_count_people_not_rows():
    # One row per combination with a count: the group's size is the sum of the counts.
    frame = text_frame(
        {
            "departamento": ["01", "02", "03", "03", "04"],
            "beneficiarios": ["120", "300", "2", "4", "0"],
        }
    )
    rules = {"quasiIdentifiers": ["departamento"], "countFields": ["beneficiarios"]}
    fields = {"departamento": "string", "beneficiarios": "integer"}
    findings = check_resource(frame, resource(fields, rules), "d")
    assert of_type(findings, "privacy-k-anonymity") == []  # 03 counts 6 people; 04 nobody
    frame = text_frame({"departamento": ["01", "02"], "beneficiarios": ["120", "3"]})
    groups = of_type(check_resource(frame, resource(fields, rules), "d"), "privacy-k-anonymity")
    assert [g.rowNumber for g in groups] == [3]
    assert groups[0].params["size"] == 3 and "beneficiarios" in groups[0].message("en")


def test_k_anonymity_masks_a_quasi_identifier_that_is_personal():
    frame = text_frame({"correo": [f"persona{i}@correo.gt" for i in range(8)]})
    rules = {"quasiIdentifiers": ["correo"]}
    findings = check_resource(frame, resource({"correo": "string"}, rules), "d")
    assert len(of_type(findings, "privacy-k-anonymity")) == 8
    assert "persona3@correo.gt" not in everything_shown(findings)


def test_k_anonymity_groups_nulls_and_empties():
    frame = text_frame({"sexo": [None] * 3 + [""] * 1 + ["F"] * 5})
    rules = {"quasiIdentifiers": ["sexo"]}
    [finding] = check_resource(frame, resource({"sexo": "string"}, rules), "d")
    assert finding.params["size"] == 4 and 'sexo=""' in finding.params["group"]


# --- Small cells --------------------------------------------------------------------


def test_small_cells_one_finding_each_with_row_and_field():
    frame = text_frame(
        {
            "municipio": ["0101", "0102", "0103", "0104", "0105", "0106"],
            "beneficiarios": ["0", "1", "4", "5", "", "2"],
        }
    )
    rules = {"countFields": ["beneficiarios"]}
    fields = {"municipio": "string", "beneficiarios": "integer"}
    findings = check_resource(frame, resource(fields, rules), "d")
    cells = of_type(findings, "privacy-small-cell")
    assert [(f.rowNumber, f.fieldName, f.value) for f in cells] == [
        (3, "beneficiarios", "1"),
        (4, "beneficiarios", "4"),
        (7, "beneficiarios", "2"),
    ]
    assert all(f.blocking for f in cells)
    message = cells[0].message("en")
    assert "minimum cell size 5" in message and "suppress" in message and "Aggregate" in message


def test_min_cell_size_can_be_declared_and_group_chars_are_read():
    frame = text_frame({"n": ["1.234", "9", "10", "3"]})
    fields = {"n": {"name": "n", "type": "integer", "groupChar": "."}}
    descriptor = {
        "name": "r",
        "schema": {"fields": list(fields.values())},
        "privacy": {"countFields": ["n"], "minCellSize": 10},
    }
    cells = of_type(check_resource(frame, descriptor, "d"), "privacy-small-cell")
    assert [f.value for f in cells] == ["9", "3"]  # 1.234 is one thousand two hundred...


def test_small_cells_are_capped_with_a_summary():
    frame = text_frame({"n": ["1"] * 100 + ["50"]})
    findings = check_resource(frame, resource({"n": "integer"}, {"countFields": ["n"]}), "d")
    cells = of_type(findings, "privacy-small-cell")
    assert len(cells) == privacy.MAX_CELL_FINDINGS + 1
    assert cells[-1].params["count"] == 100 - privacy.MAX_CELL_FINDINGS
    assert "between 1 and 4" in cells[-1].message("en")


# --- The declaration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("todo", 1),
        ([], 1),
        ({"quasiIdentifier": ["sexo"]}, 1),  # misspelt: the rule would silently not run
        ({"quasiIdentifiers": "sexo"}, 1),
        ({"quasiIdentifiers": ["sexo", 3]}, 1),
        ({"quasiIdentifiers": ["genero"]}, 1),
        ({"countFields": ["total", "otro"]}, 2),
        ({"k": 1}, 1),
        ({"k": True}, 1),
        ({"k": "5"}, 1),
        ({"minCellSize": 0}, 1),
        ({"minCellSize": 2.5}, 1),
        ({"publicPersonalData": {"field": "sexo"}}, 1),
        ({"k": 5, "minCellSize": 5, "quasiIdentifiers": [], "countFields": []}, 0),
    ],
)
def test_privacy_declaration_mistakes_are_blocking_findings(rules, expected):
    frame = text_frame({"sexo": ["F"] * 10})
    findings = check_resource(frame, resource({"sexo": "string"}, rules), "d")
    declaration = of_type(findings, "privacy-declaration")
    assert len(declaration) == expected, [f.message("en") for f in findings]
    for finding in declaration:
        assert finding.blocking and finding.resource == "personas" and finding.dataset == "d"
        assert finding.hint and finding.message("es") != finding.message("en")


def test_a_wrong_quasi_identifier_list_turns_k_anonymity_off_but_says_so():
    frame = microdata()
    rules = {"quasiIdentifiers": ["departamento", "edad"]}
    findings = check_resource(frame, resource(MICRO_FIELDS, rules), "d")
    assert [f.type for f in findings] == ["privacy-declaration"]
    assert findings[0].params == {"key": "quasiIdentifiers", "field": "edad"}


# --- Hostile input ------------------------------------------------------------------


def test_empty_frames_and_frames_without_columns():
    assert check_resource(pl.DataFrame(), resource({}), "d") == []
    empty = text_frame({"a": [], "b": []})
    rules = {"quasiIdentifiers": ["a"], "countFields": ["b"]}
    assert check_resource(empty, resource({"a": "string", "b": "integer"}, rules), "d") == []


def test_nulls_everywhere():
    frame = pl.DataFrame({"a": [None] * 1000, "b": pl.Series([None] * 1000, dtype=pl.Utf8)})
    rules = {"quasiIdentifiers": ["a"], "countFields": ["b"]}
    findings = check_resource(frame, resource({"a": "string", "b": "integer"}, rules), "d")
    assert findings == []  # one group of 1000 empty rows, no counts


def test_non_string_junk_columns():
    frame = pl.DataFrame(
        {
            "n": [1, 2, 3],
            "f": [1.5, None, 3.0],
            "l": [[1], [2], []],
            "s": [{"a": 1}, {"a": 2}, {"a": 3}],
            "b": [b"\x00\xff", b"", None],
            "correo": ["ana.lopez@correo.gt", None, "x"],
        }
    )
    findings = check_resource(frame, resource(dict.fromkeys(frame.columns, "string")), "d")
    assert [f.fieldName for f in findings] == ["correo"]


def test_very_long_strings_and_control_characters():
    huge = "Juan Pérez " * 50_000
    frame = text_frame(
        {
            "a": [huge, "\x00" * 1000, "ñ" * 100_000],
            "b": ["x" * 200_000 + "ana.lopez@correo.gt", "", None],
        }
    )
    findings = check_resource(frame, resource({"a": "string", "b": "string"}), "d")
    # "a" is free text with a personal name in it (read up to a cap), "b" an e-mail.
    assert [f.fieldName for f in findings] == ["a", "b"]
    assert all(len(f.message("es")) < 500 for f in findings)


@pytest.mark.parametrize(
    "descriptor",
    [
        None,
        [],
        "resource",
        {},
        {"schema": "x"},
        {"schema": {"fields": "x"}},
        {"schema": {"fields": [None, 3, {"name": 5}, {"type": "string"}]}},
        {"name": 7, "privacy": 3},
    ],
)
def test_malformed_descriptors_never_raise(descriptor):
    frame = text_frame({"correo": ["ana.lopez@correo.gt"] * 3})
    findings = check_resource(frame, descriptor, "d")
    assert "privacy-direct-identifier" in {f.type for f in findings}


def test_mask_is_part_of_the_privacy_api():
    assert mask("juan.perez@gmail.com", "email") == "ju***@g***.com"
    assert mask("2456789010101", "cui") == "2***-*****-**01"
