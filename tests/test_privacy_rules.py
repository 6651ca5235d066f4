"""The privacy gate's building blocks: headers, placeholders, phones, tax numbers, legal bases."""

from __future__ import annotations

import polars as pl
import pytest

from catalog import identifiers as ids
from catalog import privacy
from catalog.findings import Finding


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("C.I.", "identity"),
        ("N° C.I.", "identity"),
        ("Nro. Cédula", "identity"),
        ("R.U.T.", "identity"),
        ("D.P.I.", "identity"),
        ("nro_documento", "identity"),
        ("num_doc", "identity"),
        ("Teléfono", "phone"),
        ("FechaNacimiento", "birth"),
        ("apellido_paterno", "surname"),
        ("primer_nombre", "given"),
        ("Observaciones", "freetext"),
        ("codigo_establecimiento", "facility"),
        ("NIT", "tax"),
    ],
)
def test_headers_are_read_as_people_write_them(label, kind):
    assert kind in ids.header_kinds(label)


def test_a_place_or_a_body_named_nombre_is_not_a_person():
    assert not ids.header_kinds("nombre_establecimiento") & {"given", "surname"}
    assert not ids.header_kinds("nombre_municipio") & {"given", "surname"}
    assert "identity" not in ids.header_kinds("documento de identidad") - {"identity"}


def test_placeholders_leave_the_share():
    values = pl.Series(["NO TIENE", "0", "SIN DATO", "-", "N/A", "s/d", "5512-3456", "ninguno"])
    assert ids.real_values(values).to_list() == ["5512-3456"]


def test_cells_with_several_values_are_split():
    values = pl.Series(["5512-3456 / 7951-2345", "a; b", "c y d", "e o f"])
    assert ids.split_parts(values).to_list() == [
        "5512-3456",
        "7951-2345",
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
    ]


def test_phones_of_each_plan_and_no_year_pairs():
    assert ids.is_phone("(021) 283-456", ("PY",))
    assert ids.is_phone("0981 123 456", ("PY",))
    assert ids.is_phone("2 2345 6789", ("CL",))
    assert ids.is_phone("(041) 2234567", ("CL",))
    assert ids.is_phone("2234-5678", ("GT",))
    assert ids.is_phone("5512-2019", ("GT",))  # a real number that ends like a year
    assert not ids.is_phone("2019-2023", ("GT",))
    assert not ids.is_phone("2021-03-04", ("PY",))


def test_a_phone_column_keeps_its_numbers_ending_in_a_year():
    phones = [f"55{i:02d}-20{i % 25:02d}" for i in range(40)] + ["7951-2345"] * 40
    column = pl.Series("c", phones)
    [hit] = ids.scan_column(column, ids.ColumnContext("telefono", countries="GT"))
    assert hit.kind == "phone" and hit.count == 80
    cases = pl.Series("c", [f"{4000 + i}-20{i % 25:02d}" for i in range(80)])
    assert ids.scan_column(cases, ids.ColumnContext("expediente", countries="GT")) == []


def test_tax_numbers_with_python_stdnum():
    from stdnum.gt import nit

    assert ids.is_valid_nit(f"576090-{nit.calc_check_digit('576090')}")
    assert ids.is_personal_ruc("1234567-9")
    assert not ids.is_personal_ruc("80012345-0")  # a company
    assert ids.is_personal_rut("12.345.678-5")
    assert not ids.is_personal_rut("76.086.428-5")


def test_obfuscated_emails_are_found_and_masked():
    column = pl.Series("c", ["sin dato"] * 30 + ["ana.lopez [at] gmail punto com"])
    [hit] = ids.scan_column(column, ids.ColumnContext("contacto", countries="CL"))
    assert hit.kind == "email"
    assert "lopez" not in ids.mask(hit.value, "email")


@pytest.mark.parametrize(
    "basis",
    [
        "Decreto 57-2008, art. 10, num. 4",
        "Ley 20.285, art. 7, letra d",
        "Ley 5282/2014, artículo 8",
        "Acuerdo Gubernativo 123-2019, numeral 3",
    ],
)
def test_a_legal_basis_cites_a_law_and_an_article(basis):
    assert privacy.cites_legal_text(basis)


@pytest.mark.parametrize("basis", ["N/A", "pendiente", "Ley de transparencia", "Ley 5189/2014"])
def test_what_is_not_a_legal_basis(basis):
    assert not privacy.cites_legal_text(basis)


def test_data_errors_are_masked_by_column_name_or_by_value():
    resource = {"schema": {"fields": [{"name": "dpi"}, {"name": "monto"}, {"name": "x"}]}}
    findings = [
        Finding(type="type-error", fieldName="dpi", value="2456 78901 0101", params={}),
        Finding(type="type-error", fieldName="monto", value="abc", params={}),
        Finding(type="unique-error", fieldName="x", value="ana.lopez@correo.gt", params={}),
        Finding(type="primary-key", value="1234", params={"fields": "dpi, anio", "value": "1234"}),
    ]
    privacy.mask_data_errors(findings, [], resource)
    assert findings[0].value == "2••••••••••••"
    assert findings[1].value == "abc"
    assert "lopez" not in str(findings[2].value)
    assert findings[3].value != "1234" and findings[3].params["value"] == findings[3].value


def test_the_jurisdiction_picks_the_identifiers():
    from stdnum.gt import nit

    bodies = [str(1_000_000 + 7919 * i) for i in range(100)]
    nits = [f"{b}-{nit.calc_check_digit(b)}" for b in bodies]
    frame = pl.DataFrame(
        {"nit_proveedor": nits, "proveedor": ["Constructora El Roble, S.A."] * 100}
    )
    resource = {
        "name": "compras",
        "schema": {"fields": [{"name": "nit_proveedor"}, {"name": "proveedor"}]},
    }
    assert privacy.check_resource(frame, resource, "d", country="GT") == []
    with privacy.use_jurisdiction("GT"):
        assert privacy.check_resource(frame, resource, "d") == []
