"""The privacy gate on realistic ministry files of Guatemala, Chile and Paraguay.

Each case is a small dataset as a ministry would export it (CSV in UTF-8, or in
Windows-1252 with ``;``; XLSX with number and date cells), written by openpyxl or
the csv module into a content root with its publisher (whose ``jurisdiction``
picks the rules). About a third are traps that must pass. ``catalog validate``
runs on each: stopped or not, and never a personal value in full in a message or
in the JSON report.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from catalog.content import DatasetRef
from catalog.identifiers import MUNICIPALITIES_PER_DEPARTMENT, rut_check_digit
from catalog.validate import validate_dataset

GIVEN = ["Juan", "María", "Ana", "Carlos", "Lucía", "José", "Rosa", "Pedro", "Marta", "Luis"]
SURNAMES = ["Pérez", "López", "García", "Xol", "Cruz", "Benítez", "González", "Rojas", "Díaz"]
PLACEHOLDERS = ["NO TIENE", "0", "SIN DATO", "-", "N/A", "", "S/D"]


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


def cui(draw: random.Random) -> str:
    while True:
        serial = f"{draw.randrange(10**7, 10**8):08d}"
        remainder = sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11
        if remainder < 10:
            department = draw.randint(1, 22)
            municipality = draw.randint(1, MUNICIPALITIES_PER_DEPARTMENT[department - 1])
            return f"{serial}{remainder}{department:02d}{municipality:02d}"


def rut(draw: random.Random, low: int = 5_000_000, high: int = 25_000_000) -> str:
    body = str(draw.randint(low, high))
    return f"{int(body):,}".replace(",", ".") + "-" + rut_check_digit(body)


def gt_nit(draw: random.Random) -> str:
    from stdnum.gt import nit

    body = str(draw.randint(100_000, 9_999_999))
    return f"{body}-{nit.calc_check_digit(body)}"


def py_ruc(draw: random.Random, low: int = 800_000, high: int = 6_000_000) -> str:
    from stdnum.py import ruc

    body = str(draw.randint(low, high))
    return f"{body}-{ruc.calc_check_digit(body)}"


def gt_phone(draw: random.Random) -> str:
    return f"{draw.choice('234567')}{draw.randint(0, 999):03d}-{draw.randint(0, 9999):04d}"


def py_mobile(draw: random.Random) -> str:
    prefix = draw.choice(
        ["0961", "0971", "0972", "0973", "0975", "0981", "0982", "0983", "0985", "0991"]
    )
    return f"{prefix} {draw.randint(100, 999)} {draw.randint(100, 999)}"


def person(draw: random.Random) -> str:
    return f"{draw.choice(GIVEN)} {draw.choice(SURNAMES)} {draw.choice(SURNAMES)}"


def birth(draw: random.Random) -> dt.date:
    return dt.date(1940, 1, 1) + dt.timedelta(days=draw.randint(0, 70 * 365))


def departments(draw: random.Random) -> tuple[str, str]:
    d = draw.randint(1, 22)
    return f"{d:02d}", f"{d:02d}{draw.randint(1, MUNICIPALITIES_PER_DEPARTMENT[d - 1]):02d}"


# --- Files that must be stopped -----------------------------------------------------------


def gt_phones_with_placeholders(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(300):
        dep, mun = departments(draw)
        phone = gt_phone(draw) if i % 2 else draw.choice(PLACEHOLDERS)
        if i % 50 == 1:
            phone = f"{draw.choice('3457')}{draw.randint(100, 999)}-20{draw.randint(10, 24)}"
        if phone[:1].isdigit() and len(phone) > 2:
            personal.append(phone)
        rows.append([i + 1, dep, mun, "Bono Social", phone, f"{draw.randint(3, 9) * 100}.00"])
    header = ["correlativo", "departamento", "municipio", "programa", "telefono", "monto_q"]
    return Case("gt-telefonos-sin-dato", "GT", True, header, rows, kind="cp1252", personal=personal)


def py_two_phones_in_a_cell(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(200):
        a, b = py_mobile(draw), f"(021) {draw.randint(200, 699)}-{draw.randint(100, 999)}"
        cell = draw.choice([f"{a} / {b}", f"{a}; {b}", f"{a} y {b}", a, "NO TIENE"])
        personal += [a, b] if cell != "NO TIENE" else []
        rows.append([f"EXP-{i:04d}", "Central", "Asunción", cell])
    header = ["expediente", "departamento", "distrito", "contacto"]
    return Case("py-dos-telefonos", "PY", True, header, rows, personal=personal)


def py_landlines(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(120):
        phone = f"(021) {draw.randint(200, 699)}-{draw.randint(100, 999)}"
        personal.append(phone)
        rows.append([i + 1, "Asunción", "Tekoporã", phone])
    header = ["id", "distrito", "programa", "Teléfono"]
    return Case("py-lineas-fijas", "PY", True, header, rows, kind="cp1252", personal=personal)


def cl_landlines(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        phone = draw.choice(
            [
                f"(41) 2{draw.randint(10, 99)} {draw.randint(1000, 9999)}",
                f"2 2{draw.randint(100, 999)} {draw.randint(1000, 9999)}",
                f"+56 9 {draw.randint(5000, 9999)} {draw.randint(1000, 9999)}",
            ]
        )
        personal.append(phone)
        rows.append([i + 1, "Biobío", "Concepción", "Subsidio Familiar", phone])
    header = ["folio", "region", "comuna", "beneficio", "fono"]
    return Case("cl-fonos-fijos", "CL", True, header, rows, personal=personal)


def gt_landlines_as_numbers(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        phone = int(f"{draw.choice('2367')}{draw.randint(1000000, 9999999)}")
        personal.append(str(phone))
        rows.append([i + 1, "Cobán", phone, draw.choice(["Agua", "Drenaje"])])
    header = ["no", "municipio", "Tel. Casa", "servicio"]
    return Case(
        "gt-telefonos-xlsx",
        "GT",
        True,
        header,
        rows,
        types={"Tel. Casa": "integer"},
        kind="xlsx",
        personal=personal,
    )


def py_cedulas_by_header(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        ci = draw.randint(800_000, 6_500_000)
        personal.append(f"{ci:,}".replace(",", "."))
        rows.append([i + 1, ci, "Tekoporã", draw.choice(["Caaguazú", "Itapúa", "Central"])])
    header = ["nro", "N° C.I.", "programa", "departamento"]
    return Case(
        "py-ci-xlsx",
        "PY",
        True,
        header,
        rows,
        types={"N° C.I.": "integer"},
        kind="xlsx",
        personal=[p.replace(".", "") for p in personal],
    )


def cl_ruts_by_header(draw: random.Random) -> Case:
    ruts = [rut(draw) for _ in range(150)]
    rows = [[i + 1, r, "Pensión Garantizada Universal", "Maule"] for i, r in enumerate(ruts)]
    return Case("cl-rut", "CL", True, ["id", "R.U.T.", "beneficio", "region"], rows, personal=ruts)


def gt_dpi_as_numbers(draw: random.Random) -> Case:
    cuis = [cui(draw) for _ in range(120)]
    rows = [
        [i + 1, int(c), "Beca Social", f"{draw.randint(1, 22):02d}"] for i, c in enumerate(cuis)
    ]
    return Case(
        "gt-dpi-xlsx",
        "GT",
        True,
        ["no", "D.P.I.", "programa", "departamento"],
        rows,
        types={"D.P.I.": "integer"},
        kind="xlsx",
        personal=cuis,
    )


def cl_names_in_columns(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(200):
        given, first, second = draw.choice(GIVEN), draw.choice(SURNAMES), draw.choice(SURNAMES)
        rows.append([i + 1, given, first, second, "La Florida", f"{draw.randint(50, 200)}000"])
    header = ["id", "nombres", "apellido_paterno", "apellido_materno", "comuna", "monto"]
    return Case("cl-nombres-separados", "CL", True, header, rows, personal=personal)


def py_case_notes(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(300):
        note = "Visita de seguimiento sin novedades en la comunidad."
        if i % 40 == 7:
            name, ci = person(draw), f"{draw.randint(1_000_000, 5_999_999):,}".replace(",", ".")
            phone = py_mobile(draw)
            note = f"Se comunicó con la Sra. {name}, C.I. {ci}, al {phone} para la entrega."
            personal += [ci, phone]
        rows.append([f"C-{i:05d}", "Concepción", note])
    header = ["caso", "departamento", "observaciones"]
    return Case("py-notas-de-caso", "PY", True, header, rows, kind="cp1252", personal=personal)


def gt_birth_dates_with_time(draw: random.Random) -> Case:
    dates = [f"{birth(draw).isoformat()} 00:00:00" for _ in range(250)]
    rows = [[i + 1, "Bolsa Social", d, "300.00"] for i, d in enumerate(dates)]
    return Case(
        "gt-nacimiento-con-hora",
        "GT",
        True,
        ["id", "programa", "fnac", "monto"],
        rows,
        personal=dates,
    )


def gt_birth_dates_typed_xlsx(draw: random.Random) -> Case:
    dates = [dt.datetime.combine(birth(draw), dt.time(0)) for _ in range(150)]
    rows = [[i + 1, d, "Beca"] for i, d in enumerate(dates)]
    return Case(
        "gt-nacimiento-xlsx",
        "GT",
        True,
        ["id", "Fecha de Nacimiento", "programa"],
        rows,
        types={"Fecha de Nacimiento": "datetime"},
        kind="xlsx",
        personal=[d.date().isoformat() for d in dates],
    )


def cl_birth_dates_declared_format(draw: random.Random) -> Case:
    dates = [birth(draw).strftime("%d/%m/%Y") + " 00:00" for _ in range(150)]
    rows = [[i + 1, d, "Los Ríos"] for i, d in enumerate(dates)]
    return Case(
        "cl-nacimiento-formato",
        "CL",
        True,
        ["folio", "nacimiento", "region"],
        rows,
        types={"nacimiento": "datetime"},
        formats={"nacimiento": "%d/%m/%Y %H:%M"},
        personal=dates,
    )


def gt_home_addresses(draw: random.Random) -> Case:
    addresses = [
        f"{draw.randint(1, 12)}a. Calle {draw.randint(1, 30)}-{draw.randint(10, 99)} Zona "
        f"{draw.randint(1, 21)}, Mixco"
        for _ in range(150)
    ]
    rows = [[i + 1, a, "Bono Social", "0108"] for i, a in enumerate(addresses)]
    return Case(
        "gt-direcciones",
        "GT",
        True,
        ["id", "direccion", "programa", "municipio"],
        rows,
        personal=addresses,
    )


def py_household_coordinates(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(150):
        lat, lon = f"{-25.2 - draw.random():.6f}", f"{-57.5 - draw.random():.6f}"
        personal += [lat, lon]
        rows.append([f"H-{i:05d}", "Central", lat, lon, draw.randint(1, 9)])
    header = ["codigo_hogar", "departamento", "latitud", "longitud", "miembros_hogar"]
    return Case("py-hogares-gps", "PY", True, header, rows, personal=personal)


def gt_personal_nit(draw: random.Random) -> Case:
    nits = [gt_nit(draw) for _ in range(150)]
    rows = [[i + 1, n, f"{draw.randint(1, 9)}00.00", "01"] for i, n in enumerate(nits)]
    header = ["id", "nit_contribuyente", "monto_devolucion", "departamento"]
    return Case("gt-nit-personas", "GT", True, header, rows, kind="cp1252", personal=nits)


def py_personal_ruc(draw: random.Random) -> Case:
    rucs = [py_ruc(draw) for _ in range(150)]
    rows = [[i + 1, r, "Asunción", "150000"] for i, r in enumerate(rucs)]
    return Case(
        "py-ruc-personas", "PY", True, ["id", "RUC", "distrito", "monto"], rows, personal=rucs
    )


def cl_obfuscated_emails(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(100):
        user = f"{draw.choice(GIVEN).lower()}.{draw.choice(['rojas', 'diaz', 'soto'])}{i}"
        cell = draw.choice([f"{user} [at] gmail punto com", f"{user}(arroba)hotmail.cl", "-"])
        if cell != "-":
            personal.append(cell)
        rows.append([i + 1, "Valparaíso", cell])
    return Case(
        "cl-correos-ofuscados", "CL", True, ["id", "region", "contacto"], rows, personal=personal
    )


def gt_public_names_hiding_dpi(draw: random.Random) -> Case:
    rows, personal = [], []
    for i in range(60):
        name = person(draw)
        cell = name
        if i % 15 == 3:
            c = cui(draw)
            cell = f"{name} (DPI {c[:4]} {c[4:9]} {c[9:]})"
            personal.append(c[4:9])
        rows.append([name if cell == name else cell, "Técnico", f"{draw.randint(5, 15)}000.00"])
    privacy = {
        "publicPersonalData": [
            {"field": "nombre", "legalBasis": "Decreto 57-2008, art. 10, num. 4"}
        ]
    }
    return Case(
        "gt-publicos-con-dpi",
        "GT",
        True,
        ["nombre", "puesto", "salario"],
        rows,
        privacy=privacy,
        personal=personal,
    )


def gt_public_names_without_legal_text(draw: random.Random) -> Case:
    rows = [[person(draw), "Asistente", "4500.00"] for _ in range(40)]
    privacy = {"publicPersonalData": [{"field": "nombre", "legalBasis": "N/A"}]}
    return Case(
        "gt-base-legal-na", "GT", True, ["nombre", "puesto", "salario"], rows, privacy=privacy
    )


def gt_undeclared_microdata(draw: random.Random) -> Case:
    rows = []
    for i in range(300):
        dep, mun = departments(draw)
        day = dt.date(2023, 1, 1) + dt.timedelta(days=draw.randint(0, 360))
        rows.append([i + 1, dep, mun, draw.choice("FM"), draw.randint(0, 90), day.isoformat()])
    header = ["id", "departamento", "municipio", "sexo", "edad", "fecha_atencion"]
    return Case("gt-microdatos-sin-declarar", "GT", True, header, rows, kind="cp1252")


def cl_undeclared_aggregate(draw: random.Random) -> Case:
    rows = []
    for region in ["Arica", "Tarapacá", "Atacama"]:
        for sex in ["Hombre", "Mujer"]:
            for age in ["0-14", "15-29", "30-44", "45-64", "65+"]:
                rows.append([region, sex, age, draw.randint(1, 40)])
    header = ["region", "sexo", "rango_edad", "casos"]
    return Case("cl-agregado-sin-declarar", "CL", True, header, rows)


# --- Traps: files that must pass ----------------------------------------------------------


def gt_procurement(draw: random.Random) -> Case:
    companies = [
        "Constructora El Roble, S.A.",
        "Distribuidora La Económica, S.A.",
        "Tecnología y Redes de Guatemala, S.A.",
        "Servicios Médicos Integrales, Sociedad Anónima",
    ]
    rows = []
    for i in range(200):
        day = dt.date(2024, 1, 2) + dt.timedelta(days=draw.randint(0, 300))
        rows.append(
            [
                20_041_370 + i * 17,
                draw.choice(companies),
                gt_nit(draw),
                day.isoformat(),
                f"{draw.randint(10_000, 9_000_000)}.{draw.randint(0, 99):02d}",
            ]
        )
    header = ["nog", "proveedor", "nit_proveedor", "fecha_adjudicacion", "monto_adjudicado"]
    return Case("gt-adquisiciones", "GT", False, header, rows, kind="cp1252")


def gt_earthquakes(draw: random.Random) -> Case:
    rows = []
    for _ in range(400):
        day = dt.date(1976, 2, 4) + dt.timedelta(days=draw.randint(0, 48 * 365))
        rows.append(
            [
                day.isoformat(),
                f"{draw.randint(0, 23):02d}:{draw.randint(0, 59):02d}",
                f"{13.5 + draw.random() * 4:.4f}",
                f"{-92 + draw.random() * 3:.4f}",
                draw.randint(5, 200),
                f"{3 + draw.random() * 4:.1f}",
            ]
        )
    header = ["fecha", "hora", "latitud", "longitud", "profundidad_km", "magnitud"]
    return Case("gt-sismos", "GT", False, header, rows)


def gt_earthquakes_xlsx(draw: random.Random) -> Case:
    rows = []
    for _ in range(300):
        moment = dt.datetime(1976, 2, 4, 3, 1) + dt.timedelta(minutes=draw.randint(0, 25_000_000))
        rows.append([moment, 13.5 + draw.random() * 4, -92 + draw.random() * 3, 4.5])
    header = ["fecha_sismo", "latitud", "longitud", "magnitud"]
    types = {
        "fecha_sismo": "datetime",
        "latitud": "number",
        "longitud": "number",
        "magnitud": "number",
    }
    return Case("gt-sismos-xlsx", "GT", False, header, rows, types=types, kind="xlsx")


def gt_school_coordinates(draw: random.Random) -> Case:
    rows = []
    for i in range(200):
        rows.append(
            [
                f"16-01-{i:04d}-43",
                f"Escuela Oficial Rural Mixta Aldea {draw.choice(['Chirrepec', 'Chicojl'])}",
                f"{draw.randint(1, 9)}a. Calle {draw.randint(1, 20)}-{draw.randint(10, 99)} Zona 1",
                f"{15.4 + draw.random() / 10:.5f}",
                f"{-90.3 - draw.random() / 10:.5f}",
            ]
        )
    header = [
        "codigo_establecimiento",
        "nombre_establecimiento",
        "direccion",
        "latitud",
        "longitud",
    ]
    return Case("gt-escuelas", "GT", False, header, rows)


def gt_public_officials(draw: random.Random) -> Case:
    rows = [[person(draw), "Director", f"{draw.randint(10, 30)}000.00"] for _ in range(60)]
    privacy = {
        "publicPersonalData": [
            {"field": "nombre", "legalBasis": "Decreto 57-2008, art. 10, num. 4"}
        ]
    }
    return Case(
        "gt-funcionarios", "GT", False, ["nombre", "puesto", "salario"], rows, privacy=privacy
    )


def py_declared_aggregate(draw: random.Random) -> Case:
    rows = []
    for dep in ["Central", "Itapúa", "Alto Paraná"]:
        for sex in ["Hombre", "Mujer"]:
            for age in ["0-17", "18-59", "60+"]:
                rows.append([dep, sex, age, draw.randint(40, 900)])
    privacy = {
        "quasiIdentifiers": ["departamento", "sexo", "rango_edad"],
        "countFields": ["beneficiarios"],
        "k": 10,
        "minCellSize": 10,
    }
    header = ["departamento", "sexo", "rango_edad", "beneficiarios"]
    return Case("py-agregado-declarado", "PY", False, header, rows, kind="cp1252", privacy=privacy)


def cl_company_ruts(draw: random.Random) -> Case:
    rows = [
        [rut(draw, 60_000_000, 99_000_000), "Servicios Generales SpA", "Licitación"]
        for _ in range(100)
    ]
    return Case(
        "cl-rut-empresas", "CL", False, ["rut_proveedor", "razon_social", "modalidad"], rows
    )


def py_case_numbers(draw: random.Random) -> Case:
    rows = [
        [
            f"{draw.randint(1000, 9999)}-20{draw.randint(15, 24)}",
            "Asunción",
            f"{draw.randint(1, 900)}000",
        ]
        for _ in range(200)
    ]
    return Case("py-expedientes", "PY", False, ["expediente", "distrito", "monto"], rows)


def py_deliveries(draw: random.Random) -> Case:
    rows = []
    for i in range(300):
        day = dt.date(2004, 1, 1) + dt.timedelta(days=draw.randint(0, 20 * 365))
        rows.append([i + 1, day.isoformat(), "Merienda escolar", draw.randint(100, 9000)])
    return Case("py-entregas", "PY", False, ["id", "fecha_entrega", "producto", "raciones"], rows)


def cl_budget_cp1252(draw: random.Random) -> Case:
    rows = [
        [
            2024,
            f"{m:02d}",
            "Subtítulo 22",
            f"{draw.randint(10**6, 10**9):,}".replace(",", ".") + ",00",
        ]
        for m in range(1, 13)
    ]
    return Case(
        "cl-presupuesto",
        "CL",
        False,
        ["año", "mes", "partida", "monto_devengado"],
        rows,
        kind="cp1252",
    )


def gt_clean_notes(draw: random.Random) -> Case:
    notes = [
        "Entrega realizada en la Escuela Oficial Rural Mixta de San José Pinula sin novedades.",
        "Se suspendió la entrega por lluvias en la aldea; se reprograma para la próxima semana.",
        "Obra supervisada por la Dirección Municipal de Planificación, avance conforme.",
    ]
    rows = [[i + 1, "San José Pinula", draw.choice(notes)] for i in range(200)]
    return Case("gt-observaciones-limpias", "GT", False, ["id", "municipio", "observaciones"], rows)


CASES: list[Callable[[random.Random], Case]] = [
    gt_phones_with_placeholders,
    py_two_phones_in_a_cell,
    py_landlines,
    cl_landlines,
    gt_landlines_as_numbers,
    py_cedulas_by_header,
    cl_ruts_by_header,
    gt_dpi_as_numbers,
    cl_names_in_columns,
    py_case_notes,
    gt_birth_dates_with_time,
    gt_birth_dates_typed_xlsx,
    cl_birth_dates_declared_format,
    gt_home_addresses,
    py_household_coordinates,
    gt_personal_nit,
    py_personal_ruc,
    cl_obfuscated_emails,
    gt_public_names_hiding_dpi,
    gt_public_names_without_legal_text,
    gt_undeclared_microdata,
    cl_undeclared_aggregate,
    gt_procurement,
    gt_earthquakes,
    gt_earthquakes_xlsx,
    gt_school_coordinates,
    gt_public_officials,
    py_declared_aggregate,
    cl_company_ruts,
    py_case_numbers,
    py_deliveries,
    cl_budget_cp1252,
    gt_clean_notes,
]


# --- Writing a case as a dataset ------------------------------------------------------------

PUBLISHERS = {"GT": "mides", "CL": "mds-chile", "PY": "mides-py"}


def write_case(root: Path, case: Case, publishers: dict[str, str] = PUBLISHERS) -> DatasetRef:
    """A case as a dataset of a publisher of its country: CSV (UTF-8 or Windows-1252 with
    ``;``) or XLSX, with its Table Schema and privacy declaration."""
    slug = publishers[case.country]
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    (root / "publishers" / f"{slug}.yaml").write_text(
        f"name: Ministerio\nkind: ministry\njurisdiction:\n  country: {case.country}\n"
        "email: info@example.org\n",
        encoding="utf-8",
    )
    folder = root / "datasets" / slug / case.name
    (folder / "data").mkdir(parents=True)
    resource: dict = {"name": "datos", "profile": "tabular-data-resource"}
    if case.kind == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(case.header)
        for row in case.rows:
            sheet.append(row)
        book.save(folder / "data" / "datos.xlsx")
        resource.update(path="data/datos.xlsx", format="xlsx")
    else:
        encoding = "cp1252" if case.kind == "cp1252" else "utf-8"
        delimiter = ";" if case.kind == "cp1252" else ","
        with (folder / "data" / "datos.csv").open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, delimiter=delimiter)
            writer.writerow(case.header)
            writer.writerows(case.rows)
        resource.update(path="data/datos.csv", format="csv", encoding=encoding)
        if delimiter != ",":
            resource["dialect"] = {"delimiter": delimiter}
    fields = []
    for name in case.header:
        described = {"name": name, "type": case.types.get(name, "string")}
        if name in case.formats:
            described["format"] = case.formats[name]
        fields.append(described)
    resource["schema"] = {"fields": fields}
    if case.privacy is not None:
        resource["privacy"] = case.privacy
    package = {"name": case.name, "title": case.name, "resources": [resource]}
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    return DatasetRef(slug, case.name, folder)


def privacy_stops(findings) -> list:
    return [f for f in findings if f.blocking and f.type.startswith("privacy-")]


def everything_shown(findings) -> str:
    parts = []
    for finding in findings:
        parts.append(json.dumps(finding.to_dict(), ensure_ascii=False, default=str))
        for lang in ("es", "en"):
            parts.append(json.dumps(finding.to_json(lang), ensure_ascii=False))
            parts.append(finding.message(lang))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Case, list]]:
    root = tmp_path_factory.mktemp("corpus")
    results = {}
    for number, build in enumerate(CASES):
        case = build(random.Random(number))
        report = validate_dataset(write_case(root, case), root=root)
        results[case.name] = (case, report.findings)
    return results


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_each_file_is_stopped_or_passes(corpus, build):
    case, findings = corpus[build(random.Random(0)).name]
    stops = privacy_stops(findings)
    if case.stopped:
        assert stops, case.name
    else:
        assert not stops, [(f.type, f.fieldName, f.message("en")) for f in stops]


def test_the_whole_corpus_scores_all_caught_and_no_false_alarm(corpus):
    caught = sum(bool(privacy_stops(f)) for c, f in corpus.values() if c.stopped)
    alarms = sum(bool(privacy_stops(f)) for c, f in corpus.values() if not c.stopped)
    must = sum(c.stopped for c, _ in corpus.values())
    assert (caught, alarms) == (must, 0)
    assert must >= 20 and len(corpus) - must >= 10


def test_no_personal_value_is_printed_in_full(corpus):
    for case, findings in corpus.values():
        shown = everything_shown(findings)
        for value in case.personal:
            assert str(value) not in shown, (case.name, value)


def test_messages_name_the_document_of_the_jurisdiction(corpus):
    def messages(name: str) -> str:
        return " ".join(f.message("en") for f in corpus[name][1])

    assert "cédula" in messages("py-ci-xlsx")
    assert "RUT" in messages("cl-rut")
    assert "DPI" in messages("gt-dpi-xlsx") or "CUI" in messages("gt-dpi-xlsx")
    assert "NIT" in messages("gt-nit-personas")
    assert "RUC" in messages("py-ruc-personas")
    assert "legal" in messages("gt-base-legal-na").lower()
    assert "quasiIdentifiers" in messages("gt-microdatos-sin-declarar")
    assert "countFields" in messages("cl-agregado-sin-declarar")


def test_split_names_are_flagged_as_a_set(corpus):
    _case, findings = corpus["cl-nombres-separados"]
    flagged = {f.fieldName for f in privacy_stops(findings)}
    assert {"nombres", "apellido_paterno", "apellido_materno"} <= flagged


def test_a_public_column_exempts_only_its_declared_kind(corpus):
    _case, findings = corpus["gt-publicos-con-dpi"]
    kinds = {(f.type, f.fieldName, f.blocking) for f in findings if f.type.startswith("privacy-")}
    assert ("privacy-public-personal-data", "nombre", False) in kinds
    assert ("privacy-direct-identifier", "nombre", True) in kinds
    [stop] = privacy_stops(findings)
    assert "DPI" in stop.message("en") or "CUI" in stop.message("en")


def test_data_errors_in_personal_columns_are_masked(tmp_path):
    draw = random.Random(4)
    phones = [gt_phone(draw) for _ in range(30)]
    case = Case(
        "gt-telefono-mal-tipado",
        "GT",
        True,
        ["id", "celular"],
        [[i + 1, p] for i, p in enumerate(phones)],
        types={"celular": "integer"},
    )
    report = validate_dataset(write_case(tmp_path, case), root=tmp_path)
    errors = [f for f in report.findings if f.type == "type-error"]
    assert errors
    shown = everything_shown(report.findings)
    assert not any(p in shown for p in phones)
