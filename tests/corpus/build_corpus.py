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


if __name__ == "__main__":
    build()
