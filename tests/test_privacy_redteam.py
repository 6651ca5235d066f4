"""A red-team pass on the privacy gate: new ministry files, unlike the corpus's.

Each case is a small dataset as a Guatemalan, Chilean or Paraguayan body would export
it (CSV in UTF-8 with ``,``, Windows-1252 with ``;``, or XLSX with number and date
cells), written with its publisher (whose ``jurisdiction.country`` picks the rules).
``catalog validate`` runs on each: the file is stopped or passes, and no personal value
is ever shown in full, neither in a message nor in the JSON report of the CLI.
About a third of the files are traps that must pass.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from test_privacy_corpus import write_case as write_corpus_case

from catalog import identifiers as ids
from catalog.cli import cli
from catalog.content import DatasetRef
from catalog.findings import Finding
from catalog.identifiers import MUNICIPALITIES_PER_DEPARTMENT, rut_check_digit
from catalog.validate import validate_dataset

# Given names and surnames as they appear in Guatemalan registers, Maya ones included.
GIVEN_GT = ["Petrona", "Sebastián", "Marcos", "Juana", "Diego", "Catarina", "Tomás", "Manuela"]
MAYA_SURNAMES = ["Tzoc", "Chuc", "Sic", "Ajú", "Batz", "Cumes", "Tecún", "Xicará", "Sacalxot"]
SURNAMES_GT = ["Pérez", "de la Cruz", "López", "Hernández", "Ramírez", "Chávez", "Morales"]
GIVEN_CL = ["Constanza", "Benjamín", "Francisca", "Vicente", "Josefa", "Matías", "Catalina"]
SURNAMES_CL = ["Muñoz", "Rojas", "Díaz", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda"]
GIVEN_PY = ["Derlis", "Nilda", "Osvaldo", "Mirta", "Celso", "Ramona", "Hugo", "Liz"]
SURNAMES_PY = ["Benítez", "Giménez", "Ortiz", "Villalba", "Duarte", "Cabañas", "Insfrán", "Ayala"]
PLACEHOLDERS = ["NO TIENE", "SIN DATO", "-", "", "S/D", "0"]


@dataclass
class Case:
    name: str
    country: str
    stopped: bool
    header: list[str]
    rows: list[list[object]]
    types: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    kind: str = "csv"  # csv (UTF-8, ","), cp1252 (";"), xlsx
    privacy: dict | None = None
    personal: list[str] = field(default_factory=list)  # never printed in full
    columns: set[str] = field(default_factory=set)  # the columns that must be reported


# --- Values -------------------------------------------------------------------------------


def cui(draw: random.Random) -> str:
    while True:
        serial = f"{draw.randrange(10**7, 10**8):08d}"
        remainder = sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11
        if remainder < 10:
            department = draw.randint(1, 22)
            municipality = draw.randint(1, MUNICIPALITIES_PER_DEPARTMENT[department - 1])
            return f"{serial}{remainder}{department:02d}{municipality:02d}"


def rut_body(draw: random.Random, low: int = 4_000_000, high: int = 26_000_000) -> str:
    return str(draw.randint(low, high))


def rut_k(draw: random.Random) -> str:
    """A RUT whose check digit is K, without dots: ``12345678-K``."""
    while True:
        body = rut_body(draw)
        if rut_check_digit(body) == "K":
            return f"{body}-K"


def dotted(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def gt_mobile(draw: random.Random) -> str:
    return f"{draw.choice('345')}{draw.randint(100, 999)}{draw.randint(1000, 9999)}"


def person_gt(draw: random.Random) -> tuple[str, str]:
    """(given names, surnames) of a Guatemalan person, Maya surnames half of the time."""
    pool = MAYA_SURNAMES if draw.random() < 0.5 else SURNAMES_GT
    return draw.choice(GIVEN_GT), f"{draw.choice(pool)} {draw.choice(MAYA_SURNAMES)}"


def birth(draw: random.Random, low: int = 1945, high: int = 2012) -> dt.date:
    start = dt.date(low, 1, 1)
    return start + dt.timedelta(days=draw.randint(0, (high - low) * 365))


def municipality(draw: random.Random) -> tuple[str, str]:
    d = draw.randint(1, 22)
    return f"{d:02d}", f"{d:02d}{draw.randint(1, MUNICIPALITIES_PER_DEPARTMENT[d - 1]):02d}"


# --- Files that must be stopped -------------------------------------------------------------


def gt_phones_in_notes(draw: random.Random) -> Case:
    """Phones inside case notes, without hyphen, with a phone word before them."""
    rows, personal = [], []
    for i in range(160):
        number = gt_mobile(draw)
        spaced = f"{number[:4]} {number[4:]}"
        note = draw.choice(
            [
                f"Se llamó a la beneficiaria al Tel. {number}, no contestó",
                f"Referir a su hija, cel {spaced}, para coordinar la entrega",
                f"Confirmó por whatsapp +502 {number[:4]}-{number[4:]} que recibió el bono",
                "Entrega sin novedad",
            ]
        )
        personal += [number, spaced, f"{number[:4]}-{number[4:]}"] if "Entrega" not in note else []
        rows.append([f"C-{2024}-{i:05d}", "Alta Verapaz", "Cobán", note])
    header = ["caso", "departamento", "municipio", "seguimiento_visita"]
    return Case(
        "rt-gt-telefonos-en-notas",
        "GT",
        True,
        header,
        rows,
        kind="cp1252",
        personal=personal,
        columns={"seguimiento_visita"},
    )


def gt_phone_column_spaced(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        number = gt_mobile(draw)
        cell = draw.choice([f"{number[:4]} {number[4:]}", number, f"+502 {number}", "NO TIENE"])
        personal += [cell] if cell != "NO TIENE" else []
        rows.append([i + 1, "Quiché", "Nebaj", cell])
    return Case(
        "rt-gt-celular-espacios",
        "GT",
        True,
        ["no", "departamento", "municipio", "cel"],
        rows,
        personal=personal,
        columns={"cel"},
    )


def cl_phones_mobile_and_fixed(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        cell = draw.choice(
            [
                f"+56 9 {draw.randint(5000, 9999)} {draw.randint(1000, 9999)}",
                f"(2) 2{draw.randint(100, 999)} {draw.randint(1000, 9999)}",
                f"9{draw.randint(10000000, 99999999)}",
            ]
        )
        personal.append(cell)
        rows.append([i + 1, "Metropolitana", "Puente Alto", cell, "Bono Invierno"])
    header = ["folio", "region", "comuna", "tel_contacto", "beneficio"]
    return Case(
        "rt-cl-telefonos",
        "CL",
        True,
        header,
        rows,
        kind="cp1252",
        personal=personal,
        columns={"tel_contacto"},
    )


def py_phones_movil(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        cell = draw.choice(
            [
                f"0981 {draw.randint(100, 999)} {draw.randint(100, 999)}",
                f"(021) {draw.randint(200, 699)} {draw.randint(100, 999)}",
                f"0971{draw.randint(100000, 999999)}",
                "NO POSEE",
            ]
        )
        personal += [cell] if cell != "NO POSEE" else []
        rows.append([i + 1, "Central", "Luque", cell])
    return Case(
        "rt-py-movil",
        "PY",
        True,
        ["nro", "departamento", "distrito", "movil"],
        rows,
        personal=personal,
        columns={"movil"},
    )


def gt_dpi_spaced_upper_header(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        number = cui(draw)
        cell = f"{number[:4]} {number[4:9]} {number[9:]}"
        personal.append(cell)
        rows.append([i + 1, cell, draw.choice(["F", "M"]), draw.randint(18, 80)])
    header = ["No.", "NUMERO DE DPI", "SEXO", "EDAD"]
    return Case(
        "rt-gt-dpi-espacios",
        "GT",
        True,
        header,
        rows,
        kind="xlsx",
        personal=personal,
        types={"No.": "integer", "EDAD": "integer"},
        columns={"NUMERO DE DPI"},
    )


def gt_cui_header_bare(draw: random.Random) -> Case:
    cuis = [cui(draw) for _ in range(80)]
    rows = [[i + 1, c, "Bolsa Social"] for i, c in enumerate(cuis)]
    return Case(
        "rt-gt-cui", "GT", True, ["id", "cui", "programa"], rows, personal=cuis, columns={"cui"}
    )


def cl_ruts_k_without_dots(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        if i % 3 == 0:
            cell = rut_k(draw)
        else:
            body = rut_body(draw)
            cell = f"{dotted(int(body))}-{rut_check_digit(body).lower()}"
        personal.append(cell)
        rows.append([i + 1, cell, "Ñuble", "Chillán"])
    return Case(
        "rt-cl-rut-k",
        "CL",
        True,
        ["folio", "run_beneficiario", "region", "comuna"],
        rows,
        personal=personal,
        columns={"run_beneficiario"},
    )


def py_cedula_dotted_by_header(header_name: str) -> Callable[[random.Random], Case]:
    def build(draw: random.Random) -> Case:
        rows, personal = [], []
        for i in range(100):
            number = dotted(draw.randint(600_000, 6_900_000))
            personal.append(number)
            rows.append([i + 1, number, draw.choice(["Caaguazú", "Alto Paraná", "Central"])])
        slug = header_name.lower().replace(" ", "-").replace(".", "")
        return Case(
            f"rt-py-ci-{slug}",
            "PY",
            True,
            ["nro", header_name, "departamento"],
            rows,
            kind="cp1252",
            personal=personal,
            columns={header_name},
        )

    build.__name__ = f"py_cedula_{header_name}"
    return build


def gt_identity_in_generic_column(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(90):
        number = cui(draw)
        personal.append(number)
        rows.append([i + 1, "DPI", number, "Validado"])
    header = ["correlativo", "tipo_dato", "valor", "estado"]
    return Case(
        "rt-gt-dpi-en-valor", "GT", True, header, rows, personal=personal, columns={"valor"}
    )


def cl_rut_in_generic_column(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(90):
        body = rut_body(draw)
        cell = f"{dotted(int(body))}-{rut_check_digit(body)}"
        personal.append(cell)
        rows.append([i + 1, cell, "Ingresada"])
    return Case(
        "rt-cl-rut-en-referencia",
        "CL",
        True,
        ["id", "referencia", "estado"],
        rows,
        personal=personal,
        columns={"referencia"},
    )


def gt_names_surname_first_maya(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        given, surnames = person_gt(draw)
        cell = f"{surnames}, {given}".upper()
        personal.append(cell)
        rows.append([i + 1, cell, "Totonicapán", draw.choice(["Q300.00", "Q500.00"])])
    header = ["No.", "APELLIDOS, NOMBRES", "MUNICIPIO", "MONTO"]
    return Case(
        "rt-gt-apellidos-nombres",
        "GT",
        True,
        header,
        rows,
        kind="cp1252",
        personal=personal,
        columns={"APELLIDOS, NOMBRES"},
    )


def gt_maya_names_unknown_header(draw: random.Random) -> Case:
    """Maya given names and surnames, mostly outside any list, under a plain header."""
    given = ["Xwan", "Ixchel", "Kej", "Nikte'", "Ixmukane", "Balam", "Tojil", "Ixkik'"]
    rows, personal = [], []
    for i in range(120):
        cell = f"{draw.choice(given)} {draw.choice(MAYA_SURNAMES)} {draw.choice(MAYA_SURNAMES)}"
        personal.append(cell)
        rows.append([i + 1, cell, "Sololá", "Nahualá"])
    header = ["correlativo", "nombre_completo", "departamento", "municipio"]
    return Case(
        "rt-gt-nombres-mayas",
        "GT",
        True,
        header,
        rows,
        personal=personal,
        columns={"nombre_completo"},
    )


def py_names_split_upper(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        given = f"{draw.choice(GIVEN_PY)} {draw.choice(GIVEN_PY)}".upper()
        surnames = f"{draw.choice(SURNAMES_PY)} {draw.choice(SURNAMES_PY)}".upper()
        personal.append(f"{given} {surnames}")
        rows.append([i + 1, given, surnames, "Tekoporã"])
    header = ["nro", "NOMBRES", "APELLIDOS", "PROGRAMA"]
    return Case(
        "rt-py-nombres-apellidos",
        "PY",
        True,
        header,
        rows,
        kind="cp1252",
        personal=personal,
        columns={"NOMBRES", "APELLIDOS"},
    )


def gt_birth_dates_xlsx_cells(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        born = birth(draw)
        rows.append([i + 1, born, 2024 - born.year, draw.choice(["F", "M"]), "Chimaltenango"])
    header = ["No.", "FECHA DE NACIMIENTO", "EDAD", "SEXO", "DEPARTAMENTO"]
    return Case(
        "rt-gt-nacimiento-xlsx",
        "GT",
        True,
        header,
        rows,
        kind="xlsx",
        types={"FECHA DE NACIMIENTO": "date", "EDAD": "integer", "No.": "integer"},
        columns={"FECHA DE NACIMIENTO"},
    )


def gt_birth_dates_excel_serials(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        born = birth(draw)
        serial = (born - dt.date(1899, 12, 30)).days
        rows.append([i + 1, serial, draw.choice(["Mujer", "Hombre"]), "Escuintla"])
    header = ["id", "fecha_nac", "sexo", "departamento"]
    return Case(
        "rt-gt-nacimiento-serial",
        "GT",
        True,
        header,
        rows,
        kind="xlsx",
        types={"id": "integer", "fecha_nac": "integer"},
        columns={"fecha_nac"},
    )


def cl_birth_dates_dmy_upper(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        cell = birth(draw).strftime("%d/%m/%Y")
        personal.append(cell)
        rows.append([i + 1, cell, "Valparaíso"])
    return Case(
        "rt-cl-fec-nac",
        "CL",
        True,
        ["folio", "F. NAC.", "region"],
        rows,
        personal=personal,
        columns={"F. NAC."},
    )


def gt_addresses(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(140):
        cell = draw.choice(
            [
                f"{draw.randint(1, 12)}a. Calle {draw.randint(1, 30)}-{draw.randint(10, 99)} "
                f"Zona {draw.randint(1, 21)}",
                f"Km {draw.randint(10, 40)}.5 Carretera a El Salvador, casa {draw.randint(1, 90)}",
                f"Aldea Chuicacá, Caserío Xecanchavox, lote {draw.randint(1, 60)}",
                f"{draw.randint(1, 9)}a. Avenida {draw.randint(1, 20)}-{draw.randint(10, 99)}, "
                f"Colonia El Maestro",
            ]
        )
        personal.append(cell)
        given, surnames = person_gt(draw)
        rows.append([i + 1, cell, "Quetzaltenango", draw.choice(["F", "M"]), draw.randint(5, 90)])
    header = ["No.", "DIRECCION DE RESIDENCIA", "DEPARTAMENTO", "SEXO", "EDAD"]
    return Case(
        "rt-gt-direcciones",
        "GT",
        True,
        header,
        rows,
        kind="cp1252",
        privacy={"quasiIdentifiers": ["DEPARTAMENTO"], "k": 2},
        columns={"DIRECCION DE RESIDENCIA"},
    )


def cl_py_addresses(draw: random.Random) -> Case:
    rows = []
    for i in range(120):
        cell = draw.choice(
            [
                f"Pasaje Los Aromos {draw.randint(100, 9999)}, Depto {draw.randint(1, 99)}",
                f"Villa Los Héroes, Psje. {draw.randint(1, 20)} casa {draw.randint(1, 90)}",
                f"Av. Vicuña Mackenna {draw.randint(1000, 9999)}",
            ]
        )
        rows.append([i + 1, cell, "La Florida"])
    return Case(
        "rt-cl-domicilio", "CL", True, ["folio", "domicilio", "comuna"], rows, columns={"domicilio"}
    )


def py_addresses_between_streets(draw: random.Random) -> Case:
    rows = []
    streets = ["Mcal. López", "España", "Eusebio Ayala", "Tte. Fariña", "Brasil"]
    for i in range(120):
        cell = draw.choice(
            [
                f"Barrio San Pablo c/ {draw.choice(streets)}",
                f"{draw.choice(streets)} {draw.randint(100, 3999)} c/ {draw.choice(streets)}",
                f"Bº Obrero, {draw.choice(streets)} esq. {draw.choice(streets)}",
            ]
        )
        rows.append([i + 1, draw.choice(["F", "M"]), cell, "Asunción"])
    return Case(
        "rt-py-direccion-esquina",
        "PY",
        True,
        ["nro", "sexo", "direccion", "distrito"],
        rows,
        privacy={"quasiIdentifiers": ["sexo"], "k": 2},
        columns={"direccion"},
    )


def gt_beneficiary_coordinates(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        lat = f"{draw.uniform(14.5, 15.9):.6f}"
        lon = f"{draw.uniform(-91.9, -90.1):.6f}"
        rows.append([f"BEN-{i:05d}", "Huehuetenango", lat, lon, "Entregado"])
    header = ["codigo_beneficiario", "departamento", "lat", "lon", "estado_entrega"]
    return Case(
        "rt-gt-coordenadas-beneficiarios",
        "GT",
        True,
        header,
        rows,
        kind="xlsx",
        types={"lat": "number", "lon": "number"},
        columns={"lat", "lon"},
    )


def gt_personal_institutional_emails(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(60):
        given, surnames = person_gt(draw)
        local = (given[0] + surnames.split()[0]).lower().replace("á", "a").replace("ú", "u")
        cell = f"{local}{i}@mineduc.gob.gt"
        personal.append(cell)
        rows.append([i + 1, "Docente", cell, "Sololá"])
    return Case(
        "rt-gt-correo-docentes",
        "GT",
        True,
        ["id", "puesto", "correo_e", "departamento"],
        rows,
        personal=personal,
        columns={"correo_e"},
    )


def gt_undeclared_beneficiary_list(draw: random.Random) -> Case:
    """Microdata with English and abbreviated headers, declaring nothing."""
    rows = []
    for i in range(120):
        dep, mun = municipality(draw)
        rows.append(
            [i + 1, dep, mun, draw.choice(["F", "M"]), draw.randint(60, 95), "Adulto mayor"]
        )
    header = ["id", "dept", "muni", "gender", "age", "program"]
    return Case("rt-gt-microdatos-ingles", "GT", True, header, rows)


def gt_payroll_by_office(draw: random.Random) -> Case:
    """A payroll: names with their post, office ("dependencia") and pay, undeclared.
    The office column must not make it a table of facilities."""
    offices = ["Despacho Superior", "Dirección de Informática", "Unidad de Información Pública"]
    rows, personal = [], []
    for i in range(120):
        given, surnames = person_gt(draw)
        cell = f"{given} {surnames}"
        personal.append(cell)
        salary = f"{draw.randint(4000, 30000)}.00"
        rows.append([2026, 10, i + 1, cell, "Analista", draw.choice(offices), salary])
    header = ["anio", "mes", "correlativo", "nombre", "puesto", "dependencia", "salario_base"]
    return Case("rt-gt-payroll", "GT", True, header, rows, personal=personal, columns={"nombre"})


def gt_names_under_role_header(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        given, surnames = person_gt(draw)
        cell = f"{given} {surnames}"
        personal.append(cell)
        rows.append([i + 1, cell, "Santa Cruz del Quiché", "Q400.00"])
    header = ["correlativo", "beneficiaria", "municipio", "monto"]
    return Case(
        "rt-gt-beneficiaria", "GT", True, header, rows, personal=personal, columns={"beneficiaria"}
    )


def gt_maya_names_in_notes(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        given, surnames = person_gt(draw)
        cell = f"{given} {surnames}"
        note = draw.choice(
            [
                f"Se entregó la bolsa a la señora {cell} en su vivienda",
                f"Visita domiciliaria: atendió {cell}, madre de tres menores",
                "Sin novedad en la entrega",
            ]
        )
        personal += [cell] if "novedad" not in note else []
        rows.append([f"V-{i:04d}", "Sololá", note])
    return Case(
        "rt-gt-nombres-en-notas",
        "GT",
        True,
        ["visita", "departamento", "observaciones"],
        rows,
        kind="cp1252",
        personal=personal,
        columns={"observaciones"},
    )


def cl_rut_and_phone_in_notes(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        body = rut_body(draw)
        run = f"{dotted(int(body))}-{rut_check_digit(body).lower()}"
        phone = f"+56 9 {draw.randint(5000, 9999)} {draw.randint(1000, 9999)}"
        note = f"Solicitante RUN {run} pide revisión; contactar al {phone}"
        personal += [run, phone]
        rows.append([f"SOL-{i:05d}", "Biobío", note])
    return Case(
        "rt-cl-notas",
        "CL",
        True,
        ["folio", "region", "detalle_solicitud"],
        rows,
        personal=personal,
        columns={"detalle_solicitud"},
    )


def py_cedula_and_phone_in_notes(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        ci = dotted(draw.randint(700_000, 6_500_000))
        phone = f"0981 {draw.randint(100, 999)} {draw.randint(100, 999)}"
        note = f"Titular con C.I. N° {ci}, llamar al cel {phone} por la tarde"
        personal += [ci, phone]
        rows.append([i + 1, "Itapúa", note])
    return Case(
        "rt-py-notas",
        "PY",
        True,
        ["nro", "departamento", "observacion"],
        rows,
        kind="cp1252",
        personal=personal,
        columns={"observacion"},
    )


def gt_personal_nit_with_cf(draw: random.Random) -> Case:
    from stdnum.gt import nit

    rows, personal = [], []
    for i in range(120):
        if i % 3 == 0:
            cell = "CF"
        else:
            body = str(draw.randint(1_000_000, 9_999_999))
            cell = f"{body}-{nit.calc_check_digit(body)}"
            personal.append(cell)
        given, surnames = person_gt(draw)
        rows.append([i + 1, f"{given} {surnames}", cell, "Q1,200.00"])
    header = ["no", "nombre_solicitante", "nit", "monto_subsidio"]
    return Case(
        "rt-gt-nit-cf",
        "GT",
        True,
        header,
        rows,
        personal=personal,
        columns={"nit", "nombre_solicitante"},
    )


def gt_household_utm(draw: random.Random) -> Case:
    rows = []
    for i in range(120):
        rows.append(
            [
                f"H-{i:05d}",
                "Alta Verapaz",
                f"{draw.randint(700000, 799999)}",
                f"{draw.randint(1700000, 1799999)}",
                draw.randint(1, 9),
            ]
        )
    header = ["id_hogar", "departamento", "utm_x", "utm_y", "integrantes"]
    return Case("rt-gt-utm-hogares", "GT", True, header, rows, columns={"utm_x", "utm_y"})


def cl_coordinate_pairs(draw: random.Random) -> Case:
    rows = []
    for i in range(120):
        pair = f"{draw.uniform(-37, -36):.6f}, {draw.uniform(-73, -72):.6f}"
        rows.append([i + 1, draw.choice(["F", "M"]), draw.randint(20, 90), pair])
    header = ["folio", "sexo", "edad", "coordenadas"]
    return Case(
        "rt-cl-coordenadas",
        "CL",
        True,
        header,
        rows,
        privacy={"quasiIdentifiers": ["sexo"], "k": 2},
        columns={"coordenadas"},
    )


def gt_birth_dates_compact(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        cell = birth(draw).strftime("%Y%m%d")
        personal.append(cell)
        rows.append([i + 1, cell, "Jutiapa"])
    return Case(
        "rt-gt-fec-nac-compacta",
        "GT",
        True,
        ["id", "fec_nac", "departamento"],
        rows,
        personal=personal,
        columns={"fec_nac"},
    )


def py_emails_with_placeholders(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        if i % 2:
            cell = draw.choice(["NO TIENE", "-", "", "SIN CORREO"])
        else:
            given, surname = draw.choice(GIVEN_PY).lower(), draw.choice(SURNAMES_PY).lower()
            cell = f"{given}.{surname}{i}@{draw.choice(['gmail.com', 'hotmail.com'])}"
            cell = cell.replace("í", "i").replace("á", "a").replace("ñ", "n")
            personal.append(cell)
        rows.append([i + 1, "Central", cell])
    return Case(
        "rt-py-correos",
        "PY",
        True,
        ["nro", "departamento", "CORREO ELECTRONICO"],
        rows,
        kind="cp1252",
        personal=personal,
        columns={"CORREO ELECTRONICO"},
    )


def gt_dpi_hyphens_doc_header(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        number = cui(draw)
        cell = f"{number[:4]}-{number[4:9]}-{number[9:]}"
        personal.append(cell)
        rows.append([i + 1, cell, "Izabal"])
    return Case(
        "rt-gt-doc-identificacion",
        "GT",
        True,
        ["id", "doc_identificacion", "depto"],
        rows,
        personal=personal,
        columns={"doc_identificacion"},
    )


def cl_run_without_check_digit(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        cell = rut_body(draw)
        personal.append(cell)
        rows.append([i + 1, cell, "Araucanía"])
    return Case(
        "rt-cl-run-sin-dv",
        "CL",
        True,
        ["folio", "RUN", "region"],
        rows,
        personal=personal,
        columns={"RUN"},
    )


def gt_three_phone_columns(draw: random.Random) -> Case:
    """tel1, tel2, tel3: three columns named as phones are phones, not amounts."""
    rows, personal = [], []
    for i in range(100):
        phones = [gt_mobile(draw) for _ in range(3)]
        personal += phones
        rows.append([i + 1, *phones])
    return Case(
        "rt-gt-tel1-tel2-tel3",
        "GT",
        True,
        ["id", "tel1", "tel2", "tel3"],
        rows,
        personal=personal,
        columns={"tel1", "tel2", "tel3"},
    )


def py_names_with_guarani_given_names(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        cell = f"{draw.choice(GIVEN_PY)} {draw.choice(SURNAMES_PY)}"
        personal.append(cell)
        rows.append([i + 1, cell, "Concepción"])
    return Case(
        "rt-py-nombre-y-apellido",
        "PY",
        True,
        ["nro", "Nombre y Apellido", "departamento"],
        rows,
        kind="cp1252",
        personal=personal,
        columns={"Nombre y Apellido"},
    )


def cl_birth_datetimes_xlsx(draw: random.Random) -> Case:
    rows = []
    for i in range(100):
        born = birth(draw)
        rows.append([i + 1, dt.datetime(born.year, born.month, born.day, 8, 30), "Los Ríos"])
    return Case(
        "rt-cl-nacimiento-datetime",
        "CL",
        True,
        ["folio", "fecha_nacimiento", "region"],
        rows,
        kind="xlsx",
        types={"folio": "integer", "fecha_nacimiento": "datetime"},
        columns={"fecha_nacimiento"},
    )


def gt_patients_of_a_health_centre(draw: random.Random) -> Case:
    """A health centre's column does not make the patients' phones an office's."""
    rows, personal = [], []
    for i in range(100):
        phone = f"{gt_mobile(draw)[:4]}-{draw.randint(1000, 9999)}"
        personal.append(phone)
        rows.append([f"P-{i:05d}", "Centro de Salud Cobán", phone])
    return Case(
        "rt-gt-pacientes",
        "GT",
        True,
        ["codigo_paciente", "establecimiento", "telefono"],
        rows,
        personal=personal,
        columns={"telefono"},
    )


def gt_students_home_addresses(draw: random.Random) -> Case:
    """A school's code does not make its students' home addresses the school's."""
    rows = []
    for i in range(120):
        rows.append(
            [
                f"16-01-{draw.randint(1, 3):04d}-43",
                draw.choice(["F", "M"]),
                f"{draw.randint(1, 12)}a. Calle {draw.randint(1, 30)}-{draw.randint(10, 99)} "
                f"Zona {draw.randint(1, 21)}, casa {i}",
            ]
        )
    header = ["codigo_establecimiento", "sexo", "direccion_estudiante"]
    return Case(
        "rt-gt-estudiantes-direccion",
        "GT",
        True,
        header,
        rows,
        privacy={"quasiIdentifiers": ["sexo"], "k": 2},
        columns={"direccion_estudiante"},
    )


# --- Traps that must pass ------------------------------------------------------------------


def gt_budget_eight_digits(draw: random.Random) -> Case:
    rows = []
    for _i in range(150):
        amounts = [draw.randint(20_000_000, 79_999_999) for _ in range(3)]
        rows.append([2024, f"{draw.randint(1, 99):03d}", "Funcionamiento", *amounts])
    header = ["ejercicio", "programa", "tipo_gasto", "asignado", "modificado", "ejecutado"]
    return Case(
        "rt-gt-presupuesto",
        "GT",
        False,
        header,
        rows,
        kind="xlsx",
        types={
            "ejercicio": "integer",
            "asignado": "integer",
            "modificado": "integer",
            "ejecutado": "integer",
        },
    )


def py_budget_dotted_guaranies(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        cells = [dotted(draw.randint(2_000_000, 89_000_000)) for _ in range(2)]
        rows.append([2024, f"{i:03d}", "Servicios personales", *cells])
    header = ["anio", "objeto", "descripcion", "plan_financiero", "saldo"]
    return Case("rt-py-presupuesto-puntos", "PY", False, header, rows, kind="cp1252")


def cl_procurement_company_ruts(draw: random.Random) -> Case:
    rows = []
    for i in range(120):
        body = str(draw.randint(76_000_000, 99_999_999))
        rows.append(
            [
                f"1057-{i}-LE24",
                f"{dotted(int(body))}-{rut_check_digit(body)}",
                "Servicios Generales SpA",
                dotted(draw.randint(1_000_000, 90_000_000)),
            ]
        )
    header = ["codigo_licitacion", "rut_proveedor", "razon_social", "monto_adjudicado"]
    return Case("rt-cl-compras", "CL", False, header, rows)


def py_procurement_company_rucs(draw: random.Random) -> Case:
    from stdnum.py import ruc

    rows = []
    for i in range(120):
        body = str(draw.randint(80_000_000, 80_140_000))
        rows.append(
            [
                f"{400000 + i}",
                f"{body}-{ruc.calc_check_digit(body)}",
                "Constructora Guaraní S.A.",
                dotted(draw.randint(10**7, 10**9)),
            ]
        )
    header = ["id_llamado", "ruc_contratista", "razon_social", "monto"]
    return Case("rt-py-contrataciones", "PY", False, header, rows, kind="cp1252")


def gt_school_codes(draw: random.Random) -> Case:
    rows = []
    for _i in range(150):
        code = f"{draw.randint(1, 22):02d}-{draw.randint(1, 17):02d}-{draw.randint(1, 9999):04d}-43"
        rows.append(
            [
                code,
                f"EORM Aldea {draw.choice(['Xecam', 'Pachaj', 'Chuisac'])}",
                f"{draw.uniform(14.5, 15.9):.6f}",
                f"{draw.uniform(-91.9, -90.1):.6f}",
                draw.randint(20, 400),
            ]
        )
    header = [
        "codigo_establecimiento",
        "nombre_establecimiento",
        "latitud",
        "longitud",
        "matricula_total",
    ]
    return Case(
        "rt-gt-escuelas",
        "GT",
        False,
        header,
        rows,
        types={"latitud": "number", "longitud": "number", "matricula_total": "integer"},
    )


def gt_cultural_events(draw: random.Random) -> Case:
    rows = []
    day = dt.date(1990, 1, 1)
    for i in range(200):
        day += dt.timedelta(days=draw.randint(20, 90))
        rows.append(
            [
                i + 1,
                f"Festival de Marimba {i}",
                day.strftime("%d/%m/%Y"),
                "Ministerio de Cultura y Deportes",
                "Antigua Guatemala",
            ]
        )
    header = ["id", "evento", "fecha", "organizador", "municipio"]
    return Case("rt-gt-eventos", "GT", False, header, rows, kind="cp1252")


def cl_weather_stations(draw: random.Random) -> Case:
    rows = []
    day = dt.date(1994, 1, 1)
    for i in range(300):
        rows.append(
            [
                "330020",
                "Quinta Normal",
                "-33.445000",
                "-70.682778",
                (day + dt.timedelta(days=i * 37)).isoformat(),
                f"{draw.uniform(0, 30):.1f}",
                f"{draw.uniform(5, 32):.1f}",
            ]
        )
    header = ["codigo_nacional", "nombre", "lat", "lon", "fecha", "precipitacion_mm", "tmax"]
    return Case("rt-cl-estaciones", "CL", False, header, rows)


def py_aggregate_declared(draw: random.Random) -> Case:
    rows = []
    for dep in ["Concepción", "San Pedro", "Cordillera", "Guairá", "Caaguazú"]:
        for sex in ["Mujer", "Hombre"]:
            for band in ["0-14", "15-29", "30-64", "65+"]:
                rows.append([dep, sex, band, draw.randint(40, 9000)])
    header = ["departamento", "sexo", "rango_edad", "personas"]
    return Case(
        "rt-py-agregado",
        "PY",
        False,
        header,
        rows,
        privacy={
            "quasiIdentifiers": ["departamento", "sexo", "rango_edad"],
            "countFields": ["personas"],
            "k": 5,
            "minCellSize": 5,
        },
    )


def gt_officials_directory(draw: random.Random) -> Case:
    rows = []
    for i in range(60):
        given, surnames = person_gt(draw)
        local = f"{given[0]}{surnames.split()[0]}".lower().replace("ú", "u").replace("á", "a")
        rows.append(
            [
                f"{given} {surnames}",
                "Director de Área",
                "Dirección Financiera",
                f"2411-{draw.randint(1000, 9999)} ext. {draw.randint(100, 999)}",
                f"{local}{i}@mineduc.gob.gt",
            ]
        )
    header = ["nombre", "cargo", "dependencia", "telefono_institucional", "correo"]
    basis = "Decreto 57-2008, art. 10, num. 4"
    return Case(
        "rt-gt-directorio",
        "GT",
        False,
        header,
        rows,
        privacy={
            "publicPersonalData": [
                {"field": "nombre", "legalBasis": basis},
                {"field": "telefono_institucional", "legalBasis": basis},
                {"field": "correo", "legalBasis": basis},
            ]
        },
    )


def gt_office_generic_emails(draw: random.Random) -> Case:
    offices = ["info", "transparencia", "uip", "contacto", "recepcion", "prensa", "despacho"]
    rows = []
    for i, office in enumerate(offices * 5):
        rows.append(
            [
                i + 1,
                f"Sede departamental {i}",
                f"{office}@mides.gob.gt",
                f"2{draw.randint(100, 999)}-{draw.randint(1000, 9999)}",
            ]
        )
    header = ["id", "sede", "correo", "telefono_sede"]
    return Case("rt-gt-correos-oficinas", "GT", False, header, rows)


def gt_invoices_isbn_postal(draw: random.Random) -> Case:
    rows = []
    for _i in range(150):
        rows.append(
            [
                f"{draw.randint(20_000_000, 79_999_999)}",
                f"978-9929-{draw.randint(100, 999)}-{draw.randint(10, 99)}-{draw.randint(0, 9)}",
                f"{draw.choice(['01', '03', '09'])}0{draw.randint(10, 99)}",
                draw.randint(1990, 2024),
                (dt.date(2024, 1, 1) + dt.timedelta(days=draw.randint(0, 300))).strftime(
                    "%d/%m/%Y"
                ),
                f"{draw.randint(100, 99999)}.00",
            ]
        )
    header = ["numero_factura", "isbn", "codigo_postal", "anio_edicion", "fecha_compra", "monto"]
    return Case("rt-gt-facturas-isbn", "GT", False, header, rows, kind="cp1252")


def cl_municipal_founding(draw: random.Random) -> Case:
    """Dates in dd/mm/yyyy of decrees, all days of the week, over a century."""
    rows = []
    for i in range(120):
        day = dt.date(1900, 1, 1) + dt.timedelta(days=draw.randint(0, 120 * 365))
        rows.append([f"{13100 + i}", f"Comuna {i}", day.strftime("%d/%m/%Y"), f"DFL {i}"])
    header = ["codigo_comuna", "comuna", "fecha_decreto", "norma"]
    return Case("rt-cl-comunas", "CL", False, header, rows)


def gt_coverage_by_department(draw: random.Random) -> Case:
    rows = []
    for year in range(2015, 2025):
        for dep in range(1, 23):
            rows.append(
                [year, f"{dep:02d}", draw.randint(1000, 90000), f"{draw.uniform(40, 99):.1f}"]
            )
    header = ["anio", "codigo_departamento", "hogares_cubiertos", "cobertura_pct"]
    return Case(
        "rt-gt-cobertura",
        "GT",
        False,
        header,
        rows,
        kind="xlsx",
        privacy={
            "quasiIdentifiers": ["codigo_departamento"],
            "countFields": ["hogares_cubiertos"],
            "k": 5,
        },
    )


def gt_events_with_institutions(draw: random.Random) -> Case:
    """A plain "fecha" over decades, every day of the week, beside a "responsable" that
    names institutions, not people."""
    rows = []
    for i in range(200):
        day = dt.date(1970, 1, 1) + dt.timedelta(days=draw.randint(0, 50 * 365))
        rows.append(
            [
                i + 1,
                f"Declaratoria de patrimonio {i}",
                day.strftime("%d/%m/%Y"),
                draw.choice(["Ministerio de Cultura y Deportes", "IDAEH", "Municipalidad"]),
            ]
        )
    header = ["id", "descripcion", "fecha", "responsable"]
    return Case("rt-gt-declaratorias", "GT", False, header, rows)


def gt_office_directory(draw: random.Random) -> Case:
    rows = []
    for i in range(40):
        rows.append(
            [
                f"Delegación departamental {i}",
                f"{draw.randint(1, 12)}a. Avenida {draw.randint(1, 20)}-{draw.randint(10, 99)}"
                f" Zona {draw.randint(1, 21)}",
                f"{draw.choice('2367')}{draw.randint(100, 999)}-{draw.randint(1000, 9999)}",
                f"{draw.choice(['info', 'uip', 'contacto'])}.dep{i}@mides.gob.gt",
            ]
        )
    header = ["dependencia", "direccion", "telefono", "correo"]
    return Case("rt-gt-directorio-oficinas", "GT", False, header, rows, kind="cp1252")


def gt_monthly_budget_strings(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        months = [str(int(10 ** draw.uniform(5.5, 8.3))) for _ in range(4)]
        rows.append([f"{i:03d}", "Transferencias corrientes", *months])
    header = ["renglon", "descripcion", "enero", "febrero", "marzo", "abril"]
    return Case("rt-gt-presupuesto-mensual", "GT", False, header, rows)


def cl_procurement_some_sole_traders(draw: random.Random) -> Case:
    rows = []
    for i in range(150):
        body = str(
            draw.randint(5_000_000, 20_000_000)
            if i % 10 == 0
            else draw.randint(76_000_000, 79_999_999)
        )
        rows.append(
            [
                f"2345-{i}-LE24",
                f"{dotted(int(body))}-{rut_check_digit(body)}",
                f"+56 2 2{draw.randint(100, 999)} {draw.randint(1000, 9999)}",
                dotted(draw.randint(1_000_000, 90_000_000)),
            ]
        )
    header = ["codigo_licitacion", "rut_proveedor", "telefono_proveedor", "monto"]
    return Case("rt-cl-compras-personas-naturales", "CL", False, header, rows)


def gt_court_cases(draw: random.Random) -> Case:
    rows = []
    for _i in range(150):
        rows.append(
            [
                f"01073-20{draw.randint(10, 24)}-{draw.randint(1, 999):05d}",
                f"Res. {draw.randint(1000, 7999)}-20{draw.randint(10, 24)}",
                draw.choice(["Amparo", "Inconstitucionalidad"]),
                (dt.date(2020, 1, 1) + dt.timedelta(days=draw.randint(0, 1500))).isoformat(),
            ]
        )
    header = ["numero_expediente", "resolucion", "tipo_proceso", "fecha_resolucion"]
    return Case("rt-gt-expedientes", "GT", False, header, rows, kind="cp1252")


def cl_products(draw: random.Random) -> Case:
    products = [
        "Leche Entera Polvo",
        "Arroz Grado Dos",
        "Aceite Vegetal Maravilla",
        "Legumbres Lenteja Partida",
        "Harina Integral Flor",
    ]
    rows = [[i + 1, draw.choice(products), draw.randint(100, 5000)] for i in range(100)]
    return Case("rt-cl-productos", "CL", False, ["id", "nombre", "cantidad_kg"], rows)


def py_school_coordinates(draw: random.Random) -> Case:
    """Paraguayan schools' coordinates: "-25.123456" must not be read as a landline."""
    rows = []
    for _ in range(150):
        rows.append(
            [
                str(draw.randint(1000, 99999)),
                f"Escuela Básica N° {draw.randint(1, 9000)}",
                f"{draw.uniform(-27, -22):.6f}",
                f"{draw.uniform(-62, -54):.6f}",
            ]
        )
    header = ["codigo_local", "nombre_institucion", "latitud", "longitud"]
    return Case("rt-py-locales-escolares", "PY", False, header, rows, kind="cp1252")


def gt_monthly_budget_as_text(draw: random.Random) -> Case:
    """Monthly 8-digit amounts, typed as text, all from 2 to 7: twelve columns of what
    look like Guatemalan phones one by one."""
    months = ["ENE", "FEB", "MAR", "ABR", "MAY", "JUN"]
    rows = [
        [f"{i:03d}", *[str(draw.randint(20_000_000, 79_999_999)) for _ in months]]
        for i in range(120)
    ]
    return Case("rt-gt-ejecucion-mensual", "GT", False, ["renglon", *months], rows)


def py_amounts_with_cents(draw: random.Random) -> Case:
    rows = [
        [i + 1, f"{draw.randint(2_000_000, 8_999_999)}.50", str(draw.randint(2_000_000, 8_999_999))]
        for i in range(150)
    ]
    return Case("rt-py-pagos", "PY", False, ["id", "importe_pagado", "obligado_gs"], rows)


def gt_health_centres_with_phones(draw: random.Random) -> Case:
    rows = []
    for i in range(80):
        rows.append(
            [
                f"CS-{i:03d}",
                f"Centro de Salud {i}",
                "Alta Verapaz",
                f"7{draw.randint(100, 999)}-{draw.randint(1000, 9999)}",
            ]
        )
    header = ["codigo_establecimiento", "nombre_establecimiento", "departamento", "telefono"]
    return Case("rt-gt-centros-de-salud", "GT", False, header, rows)


def gt_schools_named_after_people(draw: random.Random) -> Case:
    """Schools named after people, with their phones: the school's name and phone."""
    names = [
        "EORM Juan Diéguez Olaverri",
        "INEB José Cecilio del Valle",
        "EOUM Rafael Landívar",
        "INED María Chinchilla",
        "EORM Manuel José Arce",
    ]
    rows = [
        [
            f"16-01-{i:04d}-43",
            draw.choice(names),
            f"7{draw.randint(100, 999)}-{draw.randint(1000, 9999)}",
        ]
        for i in range(120)
    ]
    header = ["codigo_establecimiento", "nombre", "telefono"]
    return Case("rt-gt-escuelas-con-nombre", "GT", False, header, rows, kind="cp1252")


def cl_health_centres_without_a_facility_header(draw: random.Random) -> Case:
    """Health centres whose only sign is their names: address, phone and point are theirs."""
    names = [
        "Hospital Clínico San Borja Arriarán",
        "CESFAM Dr. Salvador Allende",
        "Consultorio Lo Valledor",
        "Posta Rural Los Maquis",
        "SAPU La Granja",
    ]
    rows = []
    for i in range(100):
        rows.append(
            [
                str(100100 + i),
                draw.choice(names),
                f"Av. Santa Rosa {draw.randint(100, 9999)}",
                f"+56 2 2{draw.randint(100, 999)} {draw.randint(1000, 9999)}",
                f"{draw.uniform(-34, -33):.6f}",
                f"{draw.uniform(-71, -70):.6f}",
            ]
        )
    header = ["codigo", "nombre", "direccion", "telefono", "latitud", "longitud"]
    return Case("rt-cl-centros-de-salud", "CL", False, header, rows, kind="cp1252")


def gt_students_with_their_school_point(draw: random.Random) -> Case:
    schools = [
        (f"16-01-{k:04d}-43", f"{draw.uniform(15, 16):.6f}", f"{draw.uniform(-91, -90):.6f}")
        for k in range(4)
    ]
    rows = []
    for _ in range(120):
        code, lat, lon = draw.choice(schools)
        rows.append([code, draw.choice(["F", "M"]), draw.choice(["1ro", "2do", "3ro"]), lat, lon])
    header = ["codigo_establecimiento", "sexo", "grado", "latitud", "longitud"]
    return Case(
        "rt-gt-estudiantes-punto-escuela",
        "GT",
        False,
        header,
        rows,
        privacy={"quasiIdentifiers": ["codigo_establecimiento", "sexo"], "k": 5},
    )


CASES: list[Callable[[random.Random], Case]] = [
    gt_phones_in_notes,
    gt_phone_column_spaced,
    cl_phones_mobile_and_fixed,
    py_phones_movil,
    gt_dpi_spaced_upper_header,
    gt_cui_header_bare,
    cl_ruts_k_without_dots,
    py_cedula_dotted_by_header("doc"),
    py_cedula_dotted_by_header("dni"),
    py_cedula_dotted_by_header("id_number"),
    py_cedula_dotted_by_header("num_id"),
    py_cedula_dotted_by_header("Nro. C.I."),
    gt_identity_in_generic_column,
    cl_rut_in_generic_column,
    gt_names_surname_first_maya,
    gt_maya_names_unknown_header,
    py_names_split_upper,
    gt_birth_dates_xlsx_cells,
    gt_birth_dates_excel_serials,
    cl_birth_dates_dmy_upper,
    gt_addresses,
    cl_py_addresses,
    py_addresses_between_streets,
    gt_beneficiary_coordinates,
    gt_personal_institutional_emails,
    gt_undeclared_beneficiary_list,
    gt_names_under_role_header,
    gt_payroll_by_office,
    gt_maya_names_in_notes,
    cl_rut_and_phone_in_notes,
    py_cedula_and_phone_in_notes,
    gt_personal_nit_with_cf,
    gt_household_utm,
    cl_coordinate_pairs,
    gt_birth_dates_compact,
    py_emails_with_placeholders,
    gt_dpi_hyphens_doc_header,
    cl_run_without_check_digit,
    gt_three_phone_columns,
    py_names_with_guarani_given_names,
    cl_birth_datetimes_xlsx,
    gt_patients_of_a_health_centre,
    gt_students_home_addresses,
    gt_budget_eight_digits,
    py_budget_dotted_guaranies,
    cl_procurement_company_ruts,
    py_procurement_company_rucs,
    gt_school_codes,
    gt_cultural_events,
    cl_weather_stations,
    py_aggregate_declared,
    gt_officials_directory,
    gt_office_generic_emails,
    gt_invoices_isbn_postal,
    cl_municipal_founding,
    gt_coverage_by_department,
    gt_events_with_institutions,
    gt_office_directory,
    gt_monthly_budget_strings,
    cl_procurement_some_sole_traders,
    gt_court_cases,
    cl_products,
    py_school_coordinates,
    gt_monthly_budget_as_text,
    py_amounts_with_cents,
    gt_health_centres_with_phones,
    gt_schools_named_after_people,
    cl_health_centres_without_a_facility_header,
    gt_students_with_their_school_point,
]


# --- Writing a case as a dataset ------------------------------------------------------------

PUBLISHERS = {"GT": "mineduc", "CL": "minsal-cl", "PY": "mspbs-py"}


def write_case(root: Path, case: Case) -> DatasetRef:
    return write_corpus_case(root, case, PUBLISHERS)  # the same Case fields, its own bodies


def privacy_stops(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking and f.type.startswith("privacy-")]


def everything_shown(findings: list[Finding]) -> str:
    parts = []
    for finding in findings:
        parts.append(json.dumps(finding.to_dict(), ensure_ascii=False, default=str))
        for lang in ("es", "en"):
            parts.append(json.dumps(finding.to_json(lang), ensure_ascii=False))
            parts.append(finding.message(lang))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def redteam(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, list[Finding]]]:
    root = tmp_path_factory.mktemp("redteam")
    results = {}
    for number, build in enumerate(CASES):
        case = build(random.Random(100 + number))
        report = validate_dataset(write_case(root, case), root=root)
        results[build.__name__] = (case, report.findings)
    return results


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_each_file_is_stopped_or_passes(redteam, build) -> None:
    case, findings = redteam[build.__name__]
    stops = privacy_stops(findings)
    if case.stopped:
        assert stops, case.name
        flagged = {f.fieldName for f in stops}
        assert case.columns <= flagged, (case.name, case.columns - flagged)
    else:
        assert not stops, [(f.type, f.fieldName, f.message("en")) for f in stops]


def test_the_red_team_corpus_scores_all_caught_and_no_false_alarm(redteam) -> None:
    caught = sum(bool(privacy_stops(f)) for c, f in redteam.values() if c.stopped)
    alarms = sum(bool(privacy_stops(f)) for c, f in redteam.values() if not c.stopped)
    must = sum(c.stopped for c, _ in redteam.values())
    assert (caught, alarms) == (must, 0)
    assert len(redteam) - must >= len(redteam) // 3


def test_no_personal_value_is_printed_in_full(redteam) -> None:
    for case, findings in redteam.values():
        shown = everything_shown(findings)
        for value in case.personal:
            assert str(value) not in shown, (case.name, value)


def test_the_json_report_of_the_cli_shows_no_personal_value(tmp_path: Path) -> None:
    cases = [build(random.Random(7)) for build in CASES if build(random.Random(7)).personal]
    folders = [str(write_case(tmp_path, case).folder) for case in cases]
    result = CliRunner().invoke(cli, ["validate", "--json", *folders])
    report = result.output
    assert '"privacy-direct-identifier"' in report
    for case in cases:
        for value in case.personal:
            assert value not in report, (case.name, value)


# --- The rules behind the fixes, value by value ----------------------------------------------


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("info@mineduc.gob.gt", True),
        ("transparencia@mides.gob.gt", True),
        ("uip.mides@mides.gob.gt", True),
        ("jperez@mineduc.gob.gt", False),
        ("maria.info@gmail.com", False),
        ("ana [at] correo punto gt", False),
    ],
)
def test_mailboxes_of_offices_are_not_personal(address: str, role: bool) -> None:
    assert ids.is_role_email(address) is role


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("id_number", "identity"),
        ("NUMERO DE DPI", "identity"),
        ("doc", "identity"),
        ("dni", "identity"),
        ("cui", "identity"),
        ("tel_contacto", "phone"),
        ("fono", "phone"),
        ("movil", "phone"),
        ("correo_e", "email"),
        ("e_mail", "email"),
        ("FECHA DE NACIMIENTO", "birth"),
        ("F. NAC.", "birth"),
        ("DIRECCION DE RESIDENCIA", "address"),
        ("telefono_sede", "facility"),
        ("dependencia", "facility"),
        ("WhatsApp", "phone"),
        ("tel1", "phone"),
        ("Identificación", "identity"),
        ("Nombre Completo del Beneficiario", "given"),
        ("Nombre del Usuario", "given"),
    ],
)
def test_headers_of_the_red_team_files(label: str, kind: str) -> None:
    assert kind in ids.header_kinds(label)


def test_a_tax_number_is_not_an_identity_document_by_its_header() -> None:
    assert "identity" not in ids.header_kinds("Número de Identificación Tributaria")
    assert not ids.header_kinds("nombre_rio") & {"given", "surname"}


def test_a_beneficiary_code_is_not_a_count() -> None:
    assert "count" not in ids.header_kinds("codigo_beneficiario")
    assert "count" in ids.header_kinds("beneficiarios")


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        ("23.456.789", False),  # guaraníes
        ("1.250.000,00", False),
        ("-25.123456", False),  # a coordinate
        ("2345678.50", False),  # an amount with cents
        ("(021) 283-456", True),
        ("0981 123 456", True),
    ],
)
def test_amounts_and_decimals_do_not_have_the_shape_of_phones(value: str, phone: bool) -> None:
    frame = pl.DataFrame({"v": [value]})
    shaped = frame.select(ids.phone_digits_expr(pl.col("v"), ("PY",))).item()
    assert shaped is phone


def test_birth_dates_as_excel_serials_or_without_separators() -> None:
    context = ids.ColumnContext("fecha_nac", header="fecha_nac", countries="GT")
    serials = pl.Series(
        [str((dt.date(1980, 1, 1) - dt.date(1899, 12, 30)).days + i * 97) for i in range(50)]
    )
    assert [h.kind for h in ids.scan_column(serials, context)] == ["birthdate"]
    compact = pl.Series(
        [(dt.date(1970, 1, 1) + dt.timedelta(days=i * 211)).strftime("%Y%m%d") for i in range(50)]
    )
    assert [h.kind for h in ids.scan_column(compact, context)] == ["birthdate"]
    years = pl.Series([str(1950 + i) for i in range(50)])  # a year of birth may be published
    assert ids.scan_column(years, context) == []


def test_data_errors_in_columns_named_in_abbreviations_are_masked(tmp_path: Path) -> None:
    draw = random.Random(11)
    cedulas = [dotted(draw.randint(700_000, 6_500_000)) for _ in range(30)]
    phones = [f"0981 {draw.randint(100, 999)} {draw.randint(100, 999)}" for _ in range(30)]
    case = Case(
        "rt-py-dni-mal-tipado",
        "PY",
        True,
        ["nro", "dni", "tel_contacto"],
        [[i + 1, c, p] for i, (c, p) in enumerate(zip(cedulas, phones, strict=True))],
        types={"nro": "integer", "dni": "integer", "tel_contacto": "integer"},
    )
    report = validate_dataset(write_case(tmp_path, case), root=tmp_path)
    assert [f for f in report.findings if f.type == "type-error"]
    shown = everything_shown(report.findings)
    assert not any(value in shown for value in cedulas + phones)


@pytest.mark.parametrize("value", ["'55123456", "2411-1900 ext. 123", "2411-1900 Ext 45"])
def test_phones_kept_as_text_or_with_an_extension_have_the_shape_of_phones(value: str) -> None:
    frame = pl.DataFrame({"v": [value]})
    assert frame.select(ids.phone_digits_expr(pl.col("v"), ("GT",))).item()
    assert ids.is_phone(value, ("GT",))
