"""Writes the conformance corpus: small broken Data Packages, one concern each.

Run ``python tests/corpus/build_corpus.py`` to regenerate; the output is committed.
Each package folder holds a ``datapackage.json`` and its data files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).parent


def field(name: str, kind: str = "string", **extra: object) -> dict:
    return {"name": name, "type": kind, **extra}


def package(name: str, resources: list[dict], files: dict[str, bytes | str]) -> None:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    descriptor = {"name": name, "resources": resources}
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)


def csv_resource(name: str, fields: list[dict], path: str | None = None, **extra: object) -> dict:
    schema = {"fields": fields}
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if key in extra:
            schema[key] = extra.pop(key)
    return {
        "name": name,
        "path": path or f"data/{name}.csv",
        "format": "csv",
        "schema": schema,
        **extra,
    }


def one(name: str, fields: list[dict], text: str | bytes, **extra: object) -> None:
    package(name, [csv_resource("tabla", fields, **extra)], {"data/tabla.csv": text})


def build() -> None:
    muni = field("municipio", constraints={"pattern": "[0-9]{4}"})
    one(
        "bad-integer",
        [field("id", "integer"), field("beneficiarios", "integer")],
        "id,beneficiarios\n1,120\n2,12.5\n3,1 200\n4,+7\n5, 8 \n6,abc\n7,\n",
    )
    one(
        "bad-date-format",
        [field("id", "integer"), field("fecha", "date", format="%d/%m/%Y")],
        "id,fecha\n1,31/01/2024\n2,2024-01-31\n3,31/02/2024\n4,1/2/2024\n5,\n",
    )
    one(
        "bad-iso-date",
        [field("id", "integer"), field("fecha", "date")],
        "id,fecha\n1,2024-01-31\n2,31/01/2024\n3,2024-02-30\n4,2024-1-5\n5,0999-01-01\n",
    )
    one(
        "decimal-char",
        [field("id", "integer"), field("monto", "number", decimalChar=",")],
        'id,monto\n1,"12,5"\n2,12.5\n3,"1,5e3"\n4,7\n5,"-0,25"\n',
    )
    one(
        "group-char",
        [field("id", "integer"), field("monto", "number", decimalChar=",", groupChar=".")],
        "id;monto\n1;1.234,56\n2;1234,5\n3;12.5\n4;1,2,3\n5;1.000.000\n",
        dialect={"delimiter": ";"},
    )
    one(
        "missing-values",
        [field("id", "integer"), field("tasa", "number", constraints={"required": True})],
        "id,tasa\n1,3.5\n2,n/d\n3,-\n4,\n5,NA\n",
        missingValues=["", "n/d", "-"],
    )
    one(
        "enum",
        [
            field("id", "integer"),
            field("sexo", constraints={"enum": ["Mujer", "Hombre"]}),
            field("area", "integer", constraints={"enum": [1, 2]}),
        ],
        "id,sexo,area\n1,Mujer,1\n2,mujer,2\n3,Hombre,3\n4,,01\n5,Otro,x\n",
    )
    one(
        "pattern",
        [field("id", "integer"), muni],
        "id,municipio\n1,0101\n2,101\n3,01011\n4,01a1\n5,\n",
    )
    one(
        "minimum-maximum",
        [
            field("id", "integer"),
            field("edad", "integer", constraints={"minimum": 0, "maximum": 120}),
            field("tasa", "number", constraints={"minimum": 0.1, "maximum": 1}),
            field("fecha", "date", constraints={"minimum": "2020-01-01"}),
        ],
        "id,edad,tasa,fecha\n1,5,0.1,2020-01-01\n2,-1,0.09999999999999999999,2019-12-31\n"
        "3,121,1.0000000000000001,2021-01-01\n4,120,1,2020-06-01\n5,0,1E0,2025-01-01\n",
    )
    one(
        "required",
        [
            field("id", "integer"),
            field("nombre_programa", constraints={"required": True}),
            field("monto", "number", constraints={"required": True}),
        ],
        "id,nombre_programa,monto\n1,Bono Social,10\n2,,5\n3,Bolsa Social,\n4,,\n",
    )
    one(
        "length",
        [field("id", "integer"), field("codigo", constraints={"minLength": 2, "maxLength": 4})],
        "id,codigo\n1,ab\n2,a\n3,abcde\n4,ñañá\n",
    )
    one(
        "unique",
        [field("id", "integer"), field("codigo", "integer", constraints={"unique": True})],
        "id,codigo\n1,10\n2,11\n3,10\n4,010\n5,\n6,\n7,x\n8,x\n",
    )
    one(
        "primary-key",
        [field("id", "integer"), field("nombre")],
        "id,nombre\n1,a\n2,b\n1,c\n,d\n02,e\n",
        primaryKey=["id"],
    )
    one(
        "composite-primary-key",
        [
            field("departamento"),
            field("municipio"),
            field("anio", "year"),
            field("valor", "integer"),
        ],
        "departamento,municipio,anio,valor\n01,0101,2023,5\n01,0101,2024,6\n01,0101,2023,7\n"
        "01,,2023,8\n01,,2023,9\n,,,10\n",
        primaryKey=["departamento", "municipio", "anio"],
    )
    package(
        "foreign-key",
        [
            csv_resource(
                "departamentos", [field("codigo"), field("nombre")], primaryKey=["codigo"]
            ),
            csv_resource(
                "cobertura",
                [field("departamento"), field("hogares", "integer")],
                foreignKeys=[
                    {
                        "fields": ["departamento"],
                        "reference": {"resource": "departamentos", "fields": ["codigo"]},
                    }
                ],
            ),
        ],
        {
            "data/departamentos.csv": "codigo,nombre\n01,Guatemala\n02,El Progreso\n16,Alta Verapaz\n",
            "data/cobertura.csv": "departamento,hogares\n01,10\n02,20\n03,30\n,40\n1,50\n16,60\n",
        },
    )
    package(
        "foreign-key-integer",
        [
            csv_resource("departamentos", [field("codigo", "integer"), field("nombre")]),
            csv_resource(
                "cobertura",
                [field("departamento", "integer"), field("hogares", "integer")],
                foreignKeys=[
                    {
                        "fields": "departamento",
                        "reference": {"resource": "departamentos", "fields": "codigo"},
                    }
                ],
            ),
        ],
        {
            "data/departamentos.csv": "codigo,nombre\n1,Guatemala\n2,El Progreso\nx,Error\n",
            "data/cobertura.csv": "departamento,hogares\n1,10\n02,20\n3,30\n,40\nx,50\n",
        },
    )
    one(
        "self-foreign-key",
        [field("codigo"), field("padre")],
        "codigo,padre\n01,\n0101,01\n0102,01\n0201,02\n",
        foreignKeys=[{"fields": ["padre"], "reference": {"resource": "", "fields": ["codigo"]}}],
    )
    one(
        "blank-row",
        [field("id", "integer"), field("valor", "integer")],
        "id,valor\n1,2\n\n,\n3,4\n\n",
    )
    one(
        "extra-cell",
        [field("id", "integer"), field("valor", "integer")],
        "id,valor\n1,2\n3,4,5\n6,7,,\n8,x,9\n",
    )
    one(
        "missing-cell",
        [
            field("id", "integer"),
            field("valor", "integer"),
            field("otro", constraints={"required": True}),
        ],
        "id,valor,otro\n1,2,a\n3,4\n5\n6,x\n",
    )
    one(
        "missing-label",
        [field("id", "integer"), field("valor", "integer"), field("extra")],
        "id,valor\n1,2\n3,4\n5,x\n",
    )
    one("extra-label", [field("id", "integer")], "id,valor,otro\n1,2,3\n4,5\n6,7,8,9\n")
    one(
        "duplicate-label",
        [field("id", "integer"), field("valor", "integer"), field("valor2", "integer")],
        "id,valor,valor\n1,2,3\n4,x,5\n",
    )
    one(
        "incorrect-label",
        [field("id", "integer"), field("departamento"), field("municipio")],
        "id,depto,\n1,01,0101\n2,02,\n",
    )
    one(
        "semicolon-declared",
        [field("id", "integer"), field("monto", "number", decimalChar=",")],
        "id;monto\n1;12,5\n2;x\n3;4\n",
        dialect={"delimiter": ";"},
    )
    one(
        "semicolon-sniffed",
        [field("id", "integer"), field("municipio")],
        "id;municipio\n1;Mixco\n2;Villa Nueva\nx;Cobán\n",
    )
    one(
        "windows-1252-declared",
        [field("id", "integer"), field("municipio")],
        "id,municipio\n1,Cobán\n2,Sololá\nx,Petén\n".encode("cp1252"),
        encoding="windows-1252",
    )
    one(
        "windows-1252-undeclared",
        [field("id", "integer"), field("municipio")],
        "id,municipio\n1,Cobán\n2,Sololá\n3,Petén\n".encode("cp1252"),
    )
    one(
        "utf8-declared-latin1-bytes",
        [field("id", "integer"), field("municipio")],
        "id,municipio\n1,Cobán\n2,Sololá\n".encode("cp1252"),
        encoding="utf-8",
    )
    one(
        "bom",
        [field("id", "integer"), field("municipio")],
        "\ufeffid,municipio\n1,Cobán\nx,Sololá\n",
    )
    one(
        "quoted-newlines",
        [field("id", "integer"), field("nota"), field("valor", "integer")],
        'id,nota,valor\n1,"una\nlínea",2\n2,"dos, con coma",x\n3,"con ""comillas""",4\n'
        '4,"tres\nlíneas\naquí",y\n5,fin,z\n',
    )
    one(
        "quoted-cells",
        [field("id", "integer"), field("nota"), field("valor", "integer")],
        'id,nota,valor\n1,"Guatemala, Guatemala",2\n2,"con ""comillas""",x\n"3",simple,4\n4,"",5\n',
    )
    one(
        "crlf",
        [field("id", "integer"), field("valor", "integer")],
        "id,valor\r\n1,2\r\n3,x\r\n4,5\r\n",
    )
    one(
        "boolean",
        [
            field("id", "integer"),
            field("activo", "boolean", trueValues=["sí", "si"], falseValues=["no"]),
            field("ok", "boolean"),
        ],
        "id,activo,ok\n1,sí,true\n2,no,0\n3,Sí,yes\n4,si,TRUE\n",
    )
    one(
        "year-datetime",
        [field("id", "integer"), field("anio", "year"), field("registro", "datetime")],
        "id,anio,registro\n1,2024,2024-01-31T10:00:00Z\n2,24,2024-01-31\n"
        "3,20245,2024-01-31 10:00:00\n4,+202,2024-13-01T00:00:00Z\n",
    )
    one(
        "string-formats",
        [field("id", "integer"), field("correo", format="email"), field("sitio", format="uri")],
        "id,correo,sitio\n1,uip@mides.gob.gt,https://mides.gob.gt\n2,no-es-correo,mides\n",
    )
    one(
        "many-errors",
        [field("id", "integer"), field("valor", "integer")],
        "id,valor\n" + "".join(f"{i},x{i}\n" for i in range(1, 1201)),
    )
    one("empty-file", [field("id", "integer")], "")
    one("header-only", [field("id", "integer")], "id\n")
    one(
        "schema-mismatch",
        [field("id", "integer"), field("nombre"), field("monto", "number")],
        "fecha,departamento,valor,otro\n2024-01-01,01,5,a\n2024-01-02,02,x,b\n",
    )
    package(
        "schema-file",
        [
            {
                "name": "tabla",
                "path": "data/tabla.csv",
                "format": "csv",
                "schema": "tabla.schema.json",
            }
        ],
        {
            "data/tabla.csv": "id,valor\n1,2\nx,3\n",
            "tabla.schema.json": json.dumps(
                {"fields": [field("id", "integer"), field("valor", "integer")]}
            ),
        },
    )
    _xlsx()
    spec_cases()
    package(
        "json-rows",
        [
            {
                "name": "tabla",
                "type": "table",
                "path": "data/tabla.json",
                "format": "json",
                "schema": {
                    "fields": [field("id", "integer"), field("valor", "integer")],
                    "primaryKey": ["id"],
                },
            }
        ],
        {"data/tabla.json": json.dumps([["id", "valor"], [1, 2], [2, "x"], [2, 3]])},
    )


def _xlsx() -> None:
    from openpyxl import Workbook

    package(
        "xlsx",
        [
            {
                "name": "tabla",
                "path": "data/tabla.xlsx",
                "format": "xlsx",
                "schema": {
                    "fields": [
                        field("id", "integer"),
                        field("valor", "number"),
                        field("fecha", "date"),
                    ]
                },
            }
        ],
        {},
    )
    book = Workbook()
    sheet = book.active
    for row in (["id", "valor", "fecha"], [1, 2.5, "2024-01-01"], ["x", 3, "hoy"], [3, "n", None]):
        sheet.append(row)
    book.save(HERE / "xlsx" / "data" / "tabla.xlsx")


def spec_cases() -> None:
    """Cases written from the Table Schema and Data Package specifications (and from how
    Frictionless reads what they leave open), beyond the project's own bugs."""
    import gzip
    import zipfile

    five = [
        field("id", "integer"),
        field("departamento"),
        field("municipio"),
        field("programa"),
        field("beneficiarios", "integer"),
    ]
    # No "header" in the dialect: Frictionless takes as header the first record about as
    # wide as the table, so a title line above it is skipped (row numbers still count it).
    one(
        "header-after-title",
        five,
        "Cobertura de programas sociales, 2024\n"
        "id,departamento,municipio,programa,beneficiarios\n"
        "1,01,0101,Bono Social,10\n2,01,0102,Bono Social,diez\n3,02,0201,Beca Social,7\n",
    )
    # ... but a declared header row is line 1, title or not.
    one(
        "header-declared-title",
        five,
        "Cobertura de programas sociales, 2024\n"
        "id,departamento,municipio,programa,beneficiarios\n1,01,0101,Bono Social,10\n",
        dialect={"header": True},
    )
    # A file with its header only is still a table: its labels are checked.
    one("header-only-labels", [field("id", "integer"), field("nombre")], "id,nombre_mal\n")
    # Labels are compared stripped of surrounding spaces (an Excel export's "name ").
    one(
        "label-spaces",
        [field("id", "integer"), field("nombre")],
        "id , nombre \n1,Ana\nx,Luis\n",
    )
    # arrayItem: each item of an array is read and checked as a field of its own.
    one(
        "array-item",
        [
            field("id", "integer"),
            field(
                "sexos",
                "array",
                arrayItem={"type": "string", "constraints": {"enum": ["F", "M"]}},
            ),
            field("edades", "array", arrayItem={"type": "integer"}),
        ],
        'id,sexos,edades\n1,"[""F"",""M""]","[1,2]"\n2,"[""F"",""X""]","[3]"\n'
        '3,"[]","[""a""]"\n4,no,"[4]"\n',
    )
    # A declared row count (Data Package: "rows", the data rows without the header).
    one(
        "row-count",
        [field("id", "integer"), field("nombre")],
        "id,nombre\n1,Ana\n2,Luis\n",
        rows=3,
    )
    one("row-count-right", [field("id", "integer")], "id\n1\n2\n", rows=2)
    # Compression: declared on a path that ends in .csv, implied by .csv.gz, and zip.
    rows = "id,nombre\n1,Ana\nx,Luis\n3,Eva\n"
    one(
        "compression-declared",
        [field("id", "integer"), field("nombre")],
        gzip.compress(rows.encode(), mtime=0),
        compression="gz",
    )
    package(
        "compression-extension",
        [
            csv_resource(
                "tabla", [field("id", "integer"), field("nombre")], path="data/tabla.csv.gz"
            )
        ],
        {"data/tabla.csv.gz": gzip.compress(rows.encode(), mtime=0)},
    )
    package(
        "compression-zip",
        [
            csv_resource(
                "tabla",
                [field("id", "integer"), field("nombre")],
                path="data/tabla.zip",
                compression="zip",
            )
        ],
        {},
    )
    info = zipfile.ZipInfo("tabla.csv", date_time=(2024, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(HERE / "compression-zip" / "data" / "tabla.zip", "w") as archive:
        archive.writestr(info, rows)
    # Multipart: the parts are one table; the parts after the first have no header.
    package(
        "multipart",
        [
            {
                **csv_resource("tabla", [field("id", "integer"), field("nombre")]),
                "path": ["data/parte1.csv", "data/parte2.csv"],
            }
        ],
        {"data/parte1.csv": "id,nombre\n1,Ana\n2,Luis\n", "data/parte2.csv": "3,Eva\nx,Juan\n"},
    )
    # Inline data: rows as lists (header first) and as objects.
    schema = {"fields": [field("id", "integer"), field("nombre")], "primaryKey": ["id"]}
    package(
        "inline-lists",
        [
            {
                "name": "tabla",
                "data": [["id", "nombre"], [1, "Ana"], ["x", "Luis"], [1, "Eva"]],
                "schema": schema,
            }
        ],
        {},
    )
    package(
        "inline-objects",
        [
            {
                "name": "tabla",
                "data": [{"id": 1, "nombre": "Ana"}, {"id": "dos", "nombre": "Luis"}],
                "schema": schema,
            }
        ],
        {},
    )
    # Data Package v2: missingValues as objects {value, label}.
    package(
        "missing-values-v2",
        [
            {
                **csv_resource("tabla", [field("id", "integer"), field("monto", "number")]),
                "schema": {
                    "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
                    "fields": [field("id", "integer"), field("monto", "number")],
                    "missingValues": [{"value": "ND", "label": "no disponible"}, {"value": ""}],
                },
            }
        ],
        {"data/tabla.csv": "id,monto\n1,2.5\n2,ND\n3,SD\n"},
    )
    v2 = HERE / "missing-values-v2" / "datapackage.json"
    descriptor = json.loads(v2.read_text(encoding="utf-8"))
    descriptor = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", **descriptor}
    v2.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # ... which a v1 package may not use: a finding, never a crash.
    one(
        "missing-values-object-v1",
        [field("id", "integer", missingValues=[{"value": "ND", "label": "no disponible"}])],
        "id\n1\nND\n",
    )
    # An optional format whose reader is an extra that is not installed (wkt):
    # a finding on the resource, and the other resources are still validated.
    package(
        "format-extra-missing",
        [
            csv_resource("geo", [field("id", "integer"), field("geom", format="wkt")]),
            csv_resource("otra", [field("id", "integer")]),
        ],
        {"data/geo.csv": "id,geom\n1,POINT (1 2)\n", "data/otra.csv": "id\n1\nx\n"},
    )
    _ods()


def _ods() -> None:
    import ezodf

    package(
        "ods",
        [
            {
                "name": "tabla",
                "path": "data/tabla.ods",
                "format": "ods",
                "schema": {"fields": [field("id", "integer"), field("valor", "number")]},
            }
        ],
        {},
    )
    doc = ezodf.newdoc(doctype="ods", filename=str(HERE / "ods" / "data" / "tabla.ods"))
    sheet = ezodf.Sheet("tabla", size=(4, 2))
    doc.sheets += sheet
    for r, row in enumerate([["id", "valor"], [1, 2.5], ["x", 3], [3, "n"]]):
        for c, value in enumerate(row):
            sheet[r, c].set_value(value)
    doc.save()


if __name__ == "__main__":
    build()
