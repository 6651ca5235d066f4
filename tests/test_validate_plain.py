"""The validation's fast paths give Frictionless's answers without importing it.

A plainly well-formed descriptor (validate._plain_structure) is one whose structure
Frictionless finds nothing wrong with; a plain Table Schema (schema.PlainSchema) reads
cells with Frictionless's own readers. Both only spare importing Frictionless (a third
of a second) on the common case: every test here compares them with Frictionless.
"""

from __future__ import annotations

import copy
import decimal
import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import validate
from catalog.bench.data import descriptor as bench_descriptor
from catalog.bench.data import make_large_package
from catalog.schema import PLAIN_CONSTRAINTS, PlainSchema, load_schema

REPO = Path(__file__).resolve().parents[1]


def frictionless_structure(package: dict, folder: Path = REPO) -> list[str]:
    return [f.message("en") for f in validate._structure(copy.deepcopy(package), folder)]


def repository_packages() -> list[tuple[str, dict, Path]]:
    found = []
    for path in sorted(REPO.glob("datasets/**/datapackage.json")) + sorted(
        REPO.glob("tests/**/datapackage.json")
    ):
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(descriptor, dict):
            package, findings = validate._resolve(descriptor, path.parent)
            if not findings:
                found.append((str(path.relative_to(REPO)), package, path.parent))
    return found


def test_every_plain_descriptor_of_the_repository_is_valid_for_frictionless():
    packages = repository_packages()
    plain = [(name, p, folder) for name, p, folder in packages if validate._plain_structure(p)]
    assert len(plain) >= 10  # the fast path is the common case
    for name, package, folder in plain:
        assert frictionless_structure(package, folder) == [], name


def bench() -> dict:
    return bench_descriptor("grande", "bench", 1000)


def field(package: dict, name: str) -> dict:
    return next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == name)


def mutate(change) -> dict:
    package = bench()
    change(package)
    return package


MUTATIONS = {
    "package name in capitals": lambda p: p.update(name="Grande"),
    "package name not a string": lambda p: p.update(name=5),
    "no resources": lambda p: p.pop("resources"),
    "resources not a list": lambda p: p.update(resources={}),
    "resource name in capitals": lambda p: p["resources"][0].update(name="Cobertura"),
    "resource without a name": lambda p: p["resources"][0].pop("name"),
    "resource names repeated": lambda p: p["resources"].append(copy.deepcopy(p["resources"][0])),
    "absolute path": lambda p: p["resources"][0].update(path="/etc/passwd"),
    "path going up": lambda p: p["resources"][0].update(path="../otro/datos.csv"),
    "path with a variable": lambda p: p["resources"][0].update(path="$HOME/datos.csv"),
    "file URI": lambda p: p["resources"][0].update(path="file:///etc/passwd"),
    "no path": lambda p: p["resources"][0].pop("path"),
    "bytes as text": lambda p: p["resources"][0].update(bytes="10"),
    "rows as a boolean": lambda p: p["resources"][0].update(rows=True),
    "encoding not a string": lambda p: p["resources"][0].update(encoding=8),
    "description null": lambda p: p.update(description=None),
    "keywords not a list": lambda p: p.update(keywords="a, b"),
    "keyword not a string": lambda p: p.update(keywords=["a", 1]),
    "license without name or path": lambda p: p.update(licenses=[{"title": "Libre"}]),
    "license not an object": lambda p: p.update(licenses=["CC-BY-4.0"]),
    "missing values on the package": lambda p: p.update(missingValues=["NA"]),
    "missing values on the resource": lambda p: p["resources"][0].update(missingValues=["NA"]),
    "created not a date": lambda p: p.update(created="ayer"),
    "contributor e-mail": lambda p: p.update(contributors=[{"title": "A", "email": "no"}]),
    "field names repeated": lambda p: field(p, "anio").update(name="mes"),
    "field name empty": lambda p: field(p, "anio").update(name=""),
    "primary key of no field": lambda p: p["resources"][0]["schema"].update(primaryKey=["x"]),
    "primary key as text": lambda p: p["resources"][0]["schema"].update(primaryKey="id"),
    "unknown field type": lambda p: field(p, "anio").update(type="entero"),
    "constraint of another type": lambda p: field(p, "anio")["constraints"].update(minLength=1),
    "exclusive bound in v1": lambda p: field(p, "anio")["constraints"].update(exclusiveMinimum=1),
    "required outside constraints": lambda p: field(p, "anio").update(required=True),
    "wrong example": lambda p: field(p, "anio").update(example="dos mil"),
    "required not a boolean": lambda p: field(p, "id")["constraints"].update(required="yes"),
    "pattern not a string": lambda p: field(p, "municipio")["constraints"].update(pattern=4),
    "enum not a list": lambda p: field(p, "area")["constraints"].update(enum="rural"),
    "minimum not a number": lambda p: field(p, "anio")["constraints"].update(minimum="dos"),
    "date bound not a date": lambda p: field(p, "fecha_corte").update(
        constraints={"minimum": "2020-13-01"}
    ),
    "unknown format": lambda p: field(p, "area").update(format="correo"),
    "field without a name": lambda p: field(p, "area").pop("name"),
    "fields not a list": lambda p: p["resources"][0]["schema"].update(fields={}),
    "schema name in capitals": lambda p: p["resources"][0]["schema"].update(name="Tabla"),
    "fields match unknown": lambda p: p["resources"][0]["schema"].update(fieldsMatch="todo"),
    "title not a string": lambda p: field(p, "area").update(title=["a"]),
    "dialect": lambda p: p["resources"][0].update(dialect={"delimiter": ";"}),
    "profile": lambda p: p.update(profile="tabular-data-package"),
    "schema of version 2": lambda p: p.update(
        {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"}
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_descriptor_frictionless_finds_wrong_is_never_plain(name):
    package = mutate(MUTATIONS[name])
    found = frictionless_structure(package)
    if validate._plain_structure(package):
        assert found == [], name


def test_the_benchmark_descriptor_is_plain_and_most_mutations_are_errors():
    assert validate._plain_structure(bench())
    wrong = [n for n, change in MUTATIONS.items() if frictionless_structure(mutate(change))]
    assert len(wrong) >= 30  # the mutations do test what they name


def test_a_plain_package_is_validated_without_importing_frictionless(tmp_path):
    folder = make_large_package(tmp_path / "datasets" / "bench" / "grande", 2000)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from catalog.validate import validate_paths\n"
        f"run = validate_paths([Path({str(folder)!r})])\n"
        "print(run.valid, 'frictionless' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["True", "False"], done.stderr


# ---------------------------------------------------------------- plain schemas


def test_plain_fields_have_frictionless_constraints_in_its_order():
    from frictionless import fields

    classes = {
        "string": fields.StringField,
        "integer": fields.IntegerField,
        "number": fields.NumberField,
        "date": fields.DateField,
    }
    for kind, cls in classes.items():
        assert PLAIN_CONSTRAINTS[kind] == list(cls.supported_constraints), kind


SCHEMA = {
    "fields": [
        {"name": "s", "type": "string", "constraints": {"pattern": "[a-z]+", "maxLength": 3}},
        {"name": "i", "type": "integer", "constraints": {"minimum": 0, "enum": [0, 1, 5]}},
        {"name": "n", "type": "number", "constraints": {"minimum": 0, "maximum": 2.5}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2020-01-01"}},
    ],
    "missingValues": ["", "NA"],
    "primaryKey": ["s"],
}
CELLS = [
    "", "NA", "na", "0", "1", "5", "+5", "-0", " 7 ", "1_000", "٣", "1e3", "2.5", "2.50",
    "2.5000000000000001", "-0.0", ".5", "5.", "inf", "-Infinity", "NaN", "nan", "abc", "ab",
    "abcd", "2020-01-01", "2019-12-31", "2020-02-30", "2020-1-1", " 2020-01-01", "0999-01-01",
    "２", "1,5", "0x10", "True", "\n", "a\n",
]  # fmt: skip


def test_plain_readers_read_every_cell_as_frictionless_does():
    plain = load_schema(SCHEMA)
    assert isinstance(plain, PlainSchema)
    real = plain.real()
    for ours, theirs in zip(plain.fields, real.fields, strict=True):
        read_ours, read_theirs = ours.create_cell_reader(), theirs.create_cell_reader()
        value_ours, value_theirs = ours.create_value_reader(), theirs.create_value_reader()
        for cell in CELLS:
            (got, notes), (want, their_notes) = read_ours(cell), read_theirs(cell)
            assert _same(got, want) and notes == their_notes, (ours.name, cell)
            assert _same(value_ours(cell), value_theirs(cell)), (ours.name, cell)
        for constant in (0, 1, 2.5, True, "3", decimal.Decimal("2.5"), None):
            assert _same(value_ours(constant), value_theirs(constant)), (ours.name, constant)
        assert ours.missing_values == list(real.missing_values)
        assert ours.constraints == theirs.constraints


def _same(a, b) -> bool:
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal) and a.is_nan():
        return b.is_nan()
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(
    "descriptor",
    [
        {"fields": [{"name": "a", "type": "boolean"}]},
        {"fields": [{"name": "a", "type": "string", "format": "email"}]},
        {"fields": [{"name": "a", "type": "number", "decimalChar": ","}]},
        {"fields": [{"name": "a", "type": "integer", "missingValues": ["-"]}]},
        {"fields": [{"name": "a"}]},
        {"fields": [{"name": "a", "type": "number", "constraints": {"enum": [1, 2]}}]},
        {"fields": [{"name": "a", "type": "integer", "constraints": {"minimum": "1"}}]},
        {"fields": [{"name": "a", "type": "string"}], "fieldsMatch": "subset"},
        {"fields": [{"name": "a", "type": "string"}], "missingValues": [{"value": "-"}]},
        {
            "fields": [{"name": "a", "type": "string"}],
            "foreignKeys": [{"fields": ["a"], "reference": {"resource": "", "fields": ["a"]}}],
        },
    ],
)
def test_other_schemas_are_read_by_frictionless(descriptor):
    assert not PlainSchema.fits(descriptor)
