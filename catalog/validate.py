"""Validating datasets: descriptor, catalogue metadata, every row against its Table Schema, privacy.

The rows are checked with Frictionless semantics on polars columns (``schema.py``
types and checks the cells; this module adds what spans cells and rows: header
labels, blank rows, missing and extra cells, unique fields, primary and foreign
keys), and findings come out with the codes and row numbers Frictionless gives.
Whatever that columnar path does not reproduce exactly (XLSX, JSON, unusual
dialects, ``fieldsMatch`` other than ``exact``...) is validated by Frictionless
itself, resource by resource.
"""

from __future__ import annotations

import contextvars
import copy
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from catalog import metadata, privacy, territory_values
from catalog.content import DatasetRef, inside, read_json, resolve_target, root_of
from catalog.errors import ContentError
from catalog.findings import Finding
from catalog.i18n import _
from catalog.indicators import declaration as indicator_declarations
from catalog.keystore import KEYS_IN_MEMORY, KeyStore
from catalog.schema import (
    BOUNDS,
    FieldCheck,
    PlainSchema,
    Unsupported,
    check_field,
    load_schema,
    read_date,
)
from catalog.tables import (
    CSV_FORMATS,
    MAX_COLUMNS,
    StreamError,
    Table,
    TableError,
    read_batches,
    resource_format,
)
from catalog.wording import problem

if TYPE_CHECKING:
    from frictionless import FrictionlessException, Package, Schema

LIMIT_ERRORS = 1000  # Frictionless stops a resource's validation at this many errors
# Batches with at least this many rows have their columns checked in parallel threads.
PARALLEL_ROWS = 20_000
_POOL: ThreadPoolExecutor | None = None


def _column_pool() -> ThreadPoolExecutor:
    """The threads that check the columns of a batch (one per core, made once)."""
    global _POOL
    if _POOL is None:
        workers = max(2, min(4, os.cpu_count() or 2))
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="catalog-columns")
    return _POOL


TABULAR_FORMATS = (*CSV_FORMATS, "xlsx", "xls", "ods", "json", "jsonl", "ndjson")


@dataclass
class DatasetReport:
    """The validation of one dataset."""

    dataset: str
    valid: bool
    findings: list[Finding] = field(default_factory=list)
    package: dict[str, Any] | None = None  # the descriptor, schemas inline
    folder: Path | None = None
    tables: dict[str, Table] = field(default_factory=dict)  # only with keep_tables=True

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]


@dataclass
class ValidationRun:
    """The validation of every dataset given on the command line."""

    reports: list[DatasetReport] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.reports)

    @property
    def findings(self) -> list[Finding]:
        return [f for report in self.reports for f in report.findings]


def validate_paths(paths: list[Path]) -> ValidationRun:
    """Validate datasets given as folders or ``datapackage.json`` paths (ContentError if not)."""
    refs = [resolve_target(Path(path)) for path in paths]
    return ValidationRun([_validate_guarded(ref) for ref in refs])


def _validate_guarded(ref: DatasetRef) -> DatasetReport:
    """One dataset's validation; whatever goes wrong in it is a finding of that dataset
    (exit 1), never the end of the command: the other datasets are still validated."""
    try:
        return validate_dataset(ref)
    except Exception as exc:  # a bug or a library tripping over a file: reported, not fatal
        report = DatasetReport(dataset=ref.id, valid=False, folder=ref.folder)
        note = f"{type(exc).__name__}: {exc}"
        report.findings.append(problem("error", note=note))
        return _finish(report, ref)


def validate_dataset(
    ref: DatasetRef,
    *,
    root: Path | None = None,
    keep_tables: bool = False,
    fast: bool = True,
    batch_bytes: int | None = None,
) -> DatasetReport:
    """Every check of one dataset; ``fast=False`` forces the exact CSV reader (tests),
    ``batch_bytes`` the size of the blocks a large CSV file is read in (tables.BATCH_BYTES)."""
    report = DatasetReport(dataset=ref.id, valid=True, folder=ref.folder)
    try:
        descriptor = read_json(ref.descriptor_path)
    except ContentError as exc:
        report.findings.append(_content_finding("package-error", exc))
        return _finish(report, ref)
    if not isinstance(descriptor, dict):
        report.findings.append(problem("package-error", variant="not-object"))
        return _finish(report, ref)
    report.findings.extend(metadata.check_dataset(descriptor, ref, root or root_of(ref)))
    package, findings = _resolve(descriptor, ref.folder)
    wide = _too_many_fields(package)
    findings += wide
    report.package = package
    report.findings.extend(findings)
    # The templates of the active-transparency items it cites (descriptors only; a
    # package that cites none has nothing to check, and the start-up is spared their
    # modules: the calendar of business days costs a quarter of a second to import).
    if package.get("obligations") is not None:
        from catalog.transparency import templates

        publisher = templates.publisher_of(package, root or root_of(ref))
        report.findings.extend(templates.check_package(package, publisher))
    report.findings.extend(indicator_declarations.check_package(package))  # docs/indicators.md
    # Frictionless would read again a schema file refused above (too big, too deep) and
    # take minutes over a schema of 100,000 fields: it only sees what passed.
    if findings:
        return _finish(report, ref)
    # The structure is checked by Frictionless (a third of a second to import) in a
    # second thread while the first batch of the data is read and checked: the data's
    # findings count only when the structure holds, and nothing more is read before
    # that is known (_Checker.proceed).
    checks = _Beside()
    if _plain_structure(package):
        verdict: Future[list[Finding]] = Future()
        verdict.set_result([])
    else:
        verdict = checks.run(_structure, package, ref.folder)
    checker = _Checker(ref, package, fast=fast, batch_bytes=batch_bytes, verdict=verdict)
    data: list[Finding] = []
    try:
        # The privacy gate follows the publisher's jurisdiction (its identifiers, phones).
        country = privacy.publisher_country(root or root_of(ref), ref.publisher)
        with privacy.use_jurisdiction(country):
            for resource in package.get("resources", []):
                data.extend(checker.resource(resource, report, keep_tables))
    except _Abandoned:
        pass
    except Exception:
        if not verdict.result():
            raise  # a valid structure: the data pass itself failed
    finally:
        checks.close()
    structure = verdict.result()
    report.findings.extend(structure)
    if structure:
        report.tables.clear()
    else:
        report.findings.extend(data)
        if _declares_itportfolio(package) and not any(f.blocking for f in report.findings):
            from catalog import itportfolio

            report.findings.extend(  # the IT-portfolio standard's consistency checks
                itportfolio.check_package(package, ref.folder, root or root_of(ref), report.tables)
            )
    return _finish(report, ref)


def _declares_itportfolio(package: dict[str, Any]) -> bool:
    """The IT-portfolio standard is declared in ``conformsTo``: its modules are imported
    only for a package that has one."""
    if package.get("conformsTo") is None:
        return False
    from catalog import itportfolio

    return itportfolio.declares(package)


def _finish(report: DatasetReport, ref: DatasetRef) -> DatasetReport:
    for finding in report.findings:
        finding.dataset = finding.dataset or ref.id
    report.valid = not any(f.blocking for f in report.findings)
    return report


def _content_finding(code: str, exc: ContentError, resource: str | None = None) -> Finding:
    return Finding(
        type=getattr(exc, "code", code),
        dataset=None,
        resource=resource,
        rowNumber=getattr(exc, "row", None),
        fieldName=getattr(exc, "field", None),
        text=exc.text,
        hint=exc.hint,
        params=dict(exc.params),
    )


# ---------------------------------------------------------------- descriptor


def _resolve(descriptor: dict[str, Any], folder: Path) -> tuple[dict[str, Any], list[Finding]]:
    """A copy of the descriptor with schemas given as paths read inline."""
    package = copy.deepcopy(descriptor)
    findings: list[Finding] = []
    resources = package.get("resources")
    if not isinstance(resources, list):
        return package, findings
    for resource in resources:
        if not isinstance(resource, dict) or not isinstance(resource.get("schema"), str):
            continue
        target = inside(folder, resource["schema"])
        if target is None:
            findings.append(problem("schema-error", variant="outside", path=resource["schema"]))
            continue
        try:
            resource["schema"] = read_json(target)
        except ContentError as exc:
            findings.append(_content_finding("schema-error", exc, resource.get("name")))
    return package, findings


def _too_many_fields(package: dict[str, Any]) -> list[Finding]:
    """Schemas wider than a table may be (MAX_COLUMNS), found before Frictionless reads them."""
    findings = []
    for resource in package.get("resources") or []:
        schema = resource.get("schema") if isinstance(resource, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if isinstance(fields, list) and len(fields) > MAX_COLUMNS:
            findings.append(
                Finding(
                    type="schema-error",
                    resource=str(resource.get("name") or "?"),
                    text=_(
                        "The schema of resource {resource} has {count} fields; the limit is {limit}."
                    ),
                    hint=_(
                        "Split the table into several resources that share a key column; "
                        "each has its own schema."
                    ),
                    params={
                        "resource": str(resource.get("name") or "?"),
                        "count": len(fields),
                        "limit": MAX_COLUMNS,
                    },
                )
            )
    return findings


# Properties of a plain package and resource (_plain_structure): Frictionless checks only
# that they are strings (integers), and nothing else of them.
PLAIN_PACKAGE_STRINGS = ("name", "title", "description", "homepage", "image", "version")
PLAIN_RESOURCE_STRINGS = ("title", "description", "homepage", "format", "mediatype", "encoding")
# Properties Frictionless reads with more than a type check (profiles, versions, emails,
# dates, inline data, dialects, hashes, renamed properties...): present, the structure
# is checked by Frictionless itself.
NOT_PLAIN_PACKAGE = {
    "$schema",
    "$frictionless",
    "profile",
    "profiles",
    "type",
    "created",
    "contributors",
    "sources",
    "missingValues",
    "fields",
}
NOT_PLAIN_RESOURCE = {
    "$schema",
    "profile",
    "profiles",
    "type",
    "url",
    "data",
    "dialect",
    "hash",
    "hashing",
    "stats",
    "layout",
    "extrapaths",
    "innerpath",
    "scheme",
    "compression",
    "missingValues",
    "licenses",
    "sources",
    "fields",
}
NAME_PATTERN = re.compile(r"^([-a-z0-9._/])+$")  # Frictionless's v1 names (settings.py)


def _plain_structure(package: dict[str, Any]) -> bool:
    """True when the descriptor is plainly well-formed, so that Frictionless's structure
    check (_structure) certainly finds nothing: only properties it checks for their type
    alone, with values of that type, v1 names, safe paths, and plain schemas (strings,
    integers, numbers and dates, default formats, simple constraints; schema.py). Any
    other descriptor is checked by Frictionless, whose words the findings keep; this only
    spares importing it (a third of a second) for the common case."""
    if set(package) & NOT_PLAIN_PACKAGE:
        return False
    if not all(isinstance(package.get(k, ""), str) for k in PLAIN_PACKAGE_STRINGS):
        return False
    if "name" in package and not NAME_PATTERN.search(package["name"]):
        return False
    keywords = package.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        return False
    licenses = package.get("licenses", [])
    if not isinstance(licenses, list) or not all(map(_plain_license, licenses)):
        return False
    resources = package.get("resources")
    if not isinstance(resources, list) or not all(map(_plain_resource, resources)):
        return False
    names = [resource["name"] for resource in resources]
    return len(names) == len(set(names))


def _plain_license(item: Any) -> bool:
    if not isinstance(item, dict) or not (item.get("name") or item.get("path")):
        return False
    return all(isinstance(item.get(k, ""), str) for k in ("name", "path", "title"))


def _plain_resource(resource: Any) -> bool:
    if not isinstance(resource, dict) or set(resource) & NOT_PLAIN_RESOURCE:
        return False
    name, path = resource.get("name"), resource.get("path")
    if not isinstance(name, str) or not NAME_PATTERN.search(name):
        return False
    if not isinstance(path, str) or not path or not _safe_path(path):
        return False
    if not all(isinstance(resource.get(k, ""), str) for k in PLAIN_RESOURCE_STRINGS):
        return False
    for key in ("bytes", "rows"):
        value = resource.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool):
            return False
    schema = resource.get("schema")
    return schema is None or _plain_table_schema(schema)


def _plain_table_schema(schema: Any) -> bool:
    if not PlainSchema.fits(schema) or "foreignKeys" in schema:
        return False
    names = [fld["name"] for fld in schema["fields"]]
    if "" in names or len(names) != len(set(names)):
        return False
    key = schema.get("primaryKey", [])
    if not isinstance(key, list) or not all(k in names for k in key):
        return False
    for fld in schema["fields"]:
        if set(fld) & {"example", "required"}:
            return False  # an example is read, "required" belongs in constraints
        if not all(isinstance(fld.get(k, ""), str) for k in ("title", "description", "rdfType")):
            return False
        constraints = fld.get("constraints", {})
        if fld["type"] == "date" and any(
            read_date(constraints[b]) is None for b in ("minimum", "maximum") if b in constraints
        ):
            return False  # a bound that is not a date: Frictionless says so
    return True


def _safe_path(path: str) -> bool:
    """Frictionless's helpers.is_safe_path."""
    import os.path
    from urllib.parse import urlparse

    return not (
        os.path.isabs(path)
        or f"..{os.path.sep}" in path
        or path.startswith("~")
        or os.path.expandvars(path) != path
        or re.match(r"%.+%", path)
        or re.match(r"\$.+", path)
        or urlparse(path).scheme == "file"
    )


def _structure(package: dict[str, Any], folder: Path) -> list[Finding]:
    """Descriptor errors as Frictionless reports them (package-error, schema-error...)."""
    from frictionless import FrictionlessException, Package

    try:
        built = Package.from_descriptor(copy.deepcopy(package), basepath=str(folder))
        built.to_descriptor(validate=True)
    except FrictionlessException as exc:
        return [_from_frictionless(error) for error in (exc.reasons or [exc.error])]
    except Exception as exc:  # a descriptor Frictionless itself trips over
        return [problem("package-error", note=str(exc) or type(exc).__name__)]
    return _extra_structure(built)


def _extra_structure(built: Package) -> list[Finding]:
    """What Frictionless finds only when reading rows (or crashes on): checked up front."""
    from frictionless import FrictionlessException

    findings: list[Finding] = []
    names = {resource.name for resource in built.resources}
    for resource in built.resources:
        schema = getattr(resource, "schema", None)
        if schema is None:
            continue
        for fk in schema.foreign_keys:
            target = fk.get("reference", {}).get("resource")
            if target and target != resource.name and target not in names:
                note = (
                    f'failed to handle a foreign key for resource "{resource.name}" as '
                    f'resource "{target}" does not exist'
                )
                findings.append(problem("resource-error", note=note))
        for fld in schema.fields:
            try:
                reader = fld.create_value_reader()
            except FrictionlessException:  # an optional format's extra is not installed:
                continue  # reported on the resource when its rows are read, as Frictionless does
            for name in BOUNDS:
                bound = fld.constraints.get(name)
                if bound is not None and reader(bound) is None:
                    findings.append(
                        problem(
                            "field-error",
                            field=fld.name,
                            note=f'constraint "{name}" value "{bound}" is not a {fld.type}',
                        )
                    )
    return findings


def _from_frictionless(error: Any) -> Finding:
    """A Frictionless error as one of our findings (same code, row and field)."""
    code = error.type
    note = getattr(error, "note", "") or ""
    row = getattr(error, "row_number", None)
    fld = getattr(error, "field_name", None) or None
    value = getattr(error, "cell", None)
    if code == "constraint-error":
        variant = note.split('"')[1] if note.count('"') >= 2 else ""
        limit = note.split('is "', 1)[-1].rstrip('"') if 'is "' in note else ""
        return problem(
            code, variant=variant, row=row, field=fld, value=value, limit=limit, note=note
        )
    if code == "type-error":
        kind = note.split('"')[1].split("/")[0] if note.count('"') >= 2 else ""
        return problem(
            code,
            variant=kind,
            row=row,
            field=fld,
            value=value,
            type=kind,
            note=note,
            **_type_params(kind, None),
        )
    if code in ("extra-cell",):
        return problem(code, row=row, value=value, position=getattr(error, "field_number", ""))
    if code.endswith("-label"):
        return problem(
            code,
            field=fld,
            label=getattr(error, "label", ""),
            position=getattr(error, "field_number", ""),
        )
    if code in ("primary-key", "foreign-key"):
        cells = getattr(error, "field_values", None) or []
        return problem(
            code,
            row=row,
            value=", ".join(map(str, cells)) or note,
            fields=", ".join(getattr(error, "field_names", []) or []),
            reference=getattr(error, "reference_name", ""),
            reference_fields=", ".join(getattr(error, "reference_field_names", []) or []),
            note=note,
        )
    return problem(code, row=row, field=fld, value=value, note=note)


def _type_params(kind: str, fld: Any) -> dict[str, Any]:
    fmt = getattr(fld, "format", "default") if fld is not None else "default"
    pattern = "%Y-%m-%d" if fmt == "default" else fmt
    params: dict[str, Any] = {
        "decimal_char": getattr(fld, "decimal_char", "."),
        "format": {"date": pattern, "datetime": "%Y-%m-%dT%H:%M:%SZ"}.get(kind, fmt),
        "example": EXAMPLES.get(pattern, pattern),
    }
    if kind == "boolean" and fld is not None:
        params["allowed"] = ", ".join(list(fld.true_values) + list(fld.false_values))
    return params


EXAMPLES = {
    "%Y-%m-%d": "2024-03-31",
    "%d/%m/%Y": "31/03/2024",
    "%d-%m-%Y": "31-03-2024",
    "%m/%d/%Y": "03/31/2024",
    "%Y/%m/%d": "2024/03/31",
}


# ---------------------------------------------------------------- resources


class _Checker:
    """Validates the resources of one package, sharing foreign-key lookups between them."""

    def __init__(
        self,
        ref: DatasetRef,
        package: dict[str, Any],
        *,
        fast: bool,
        batch_bytes: int | None = None,
        verdict: Future[list[Finding]] | None = None,
    ) -> None:
        self.ref = ref
        self.package = package
        self.fast = fast
        self.batch_bytes = batch_bytes
        self.verdict = verdict  # the structure's findings, being found in another thread
        self.started = False
        self.resources = {r.get("name"): r for r in package.get("resources", [])}
        self._frictionless: Package | None = None
        self._keys: dict[tuple[str, tuple[str, ...]], pl.DataFrame] = {}
        self.current = ""  # the resource being validated (for self-referencing foreign keys)

    def resource(
        self, resource: dict[str, Any], report: DatasetReport, keep: bool
    ) -> list[Finding]:

        if self.started:
            self.proceed()
        self.started = True
        # The structure check requires every resource's name (a string).
        name: str = resource["name"]
        self.current = name
        if not _is_tabular(resource):
            return self._tag(self._file_checks(resource), resource)
        try:
            findings = self._batches(resource, report, keep, fast=self.fast)
        except StreamError:  # a block is not one record per line: read the file whole
            report.tables.pop(name, None)
            self.proceed()
            findings = self._batches(resource, report, keep, fast=self.fast, stream=False)
        return self._tag(findings, resource)

    def proceed(self) -> None:
        """Wait for the structure's verdict; stop (_Abandoned) if it found errors.

        Only the first batch of the first resource is read and checked before it."""
        if self.verdict is not None and self.verdict.result():
            raise _Abandoned

    def _batches(
        self,
        resource: dict[str, Any],
        report: DatasetReport,
        keep: bool,
        *,
        fast: bool,
        stream: bool = True,
    ) -> list[Finding]:
        """Rows and privacy, batch by batch (one batch unless the file is read in blocks)."""
        name: str = resource["name"]
        findings: list[Finding] = []
        rows: _RowStream | None = None
        fallback = False
        personal = _PrivacyStream(resource, self.ref.id)
        codes = territory_values.Watch(self.package, resource, self.ref, findings)
        count = 0
        beside = _Beside()
        try:
            for table in read_batches(
                self.ref.folder, resource, fast=fast, batch_bytes=self.batch_bytes, stream=stream
            ):
                count += 1
                if count > 1:
                    self.proceed()
                # The privacy gate reads the batch in a second thread while this one
                # types and checks its cells (polars works without the GIL).
                gate = beside.run(personal.add, table)
                if count == 1:
                    if keep:
                        report.tables[name] = table
                    if table.guessed_encoding:
                        findings.append(
                            problem(
                                "encoding-error", variant="guessed", encoding=table.guessed_encoding
                            )
                        )
                    try:
                        rows = _RowStream(self, resource, table)
                    except Unsupported:
                        fallback = True
                    except _frictionless_error() as exc:  # a format whose extra is missing
                        findings.append(_from_frictionless(exc.error))
                elif count == 2:
                    report.tables.pop(name, None)  # a table read in blocks is not kept
                if rows is not None:
                    try:
                        # A table kept for the build is typed whole, once (Table.typed).
                        rows.add(table, typed=keep and count == 1)
                    except Unsupported:
                        rows.close()
                        rows, fallback = None, True
                    except TableError as exc:  # a resource its foreign keys refer to
                        rows.close()
                        rows = None
                        findings.append(_content_finding("source-error", exc, name))
                    except _frictionless_error() as exc:
                        rows.close()
                        rows = None
                        findings.append(_from_frictionless(exc.error))
                gate.result()
                codes.add(table)  # territory columns hold codes of the country
            if rows is not None:
                findings.extend(rows.finish())
        except TableError as exc:
            report.tables.pop(name, None)
            return [_content_finding("source-error", exc, name)]
        finally:
            beside.close()
            if rows is not None:
                rows.close()
        if fallback:
            findings.extend(self._with_frictionless(name))
        found = personal.finish()
        privacy.mask_data_errors(findings, found, resource)
        return findings + found

    def _tag(
        self, findings: list[Finding], resource: dict[str, Any], table: Table | None = None
    ) -> list[Finding]:
        path = resource.get("path") if isinstance(resource.get("path"), str) else None
        for finding in findings:
            finding.resource = finding.resource or resource.get("name")
            finding.file = finding.file or path
        return findings

    # -- rows, the columnar way

    def _rows(self, table: Table, resource: dict[str, Any]) -> list[Finding]:
        """The row checks of a table read whole (one batch)."""
        rows = _RowStream(self, resource, table)
        try:
            rows.add(table)
            return rows.finish()
        finally:
            rows.close()

    def _cells(
        self, table: Table, schema: Schema, keep: set[str] | None = None, typed: bool = False
    ) -> tuple[list[FieldCheck], list[Finding]]:
        """Each column checked against its field; ``typed``: every column's typed values
        are kept, and set as ``table.typed`` when the columns are the fields in order."""
        keys = _key_fields(schema) if keep is None else keep
        if isinstance(schema, PlainSchema) and table.labels == schema.field_names:
            # The labels are the field names in order: Frictionless's Header finds nothing.
            expected: list[Any] = list(schema.fields)
            findings: list[Finding] = []
        else:
            expected, findings = self._header(table, schema)

        def column(index: int) -> FieldCheck:
            fld = expected[index]
            # Typed values matter only for keys; dropping the rest saves ~8 MB a column per
            # million rows (and the time to make them).
            return check_field(
                table.frame.to_series(index), fld, keep_typed=typed or fld.name in keys
            )

        # The columns of a large batch are checked side by side (polars works without
        # the GIL); a small table is quicker checked in this thread.
        if table.frame.height >= PARALLEL_ROWS and len(expected) > 1:
            checks = list(_column_pool().map(column, range(len(expected))))
        else:
            checks = [column(index) for index in range(len(expected))]
        if typed and _in_order(expected, schema, table):
            # What tables.typed_frame makes of it (cast_frame: check_field on each column
            # by position), made once: the build loads it without typing its cells again.
            table.typed = pl.DataFrame([check.typed for check in checks])
        return checks, findings

    @staticmethod
    def _header(table: Table, schema: Schema) -> tuple[list[Any], list[Finding]]:
        """The fields the labels are read against, and the header's errors (Frictionless)."""
        from frictionless import FrictionlessException
        from frictionless.table import Header
        from frictionless.table import fields_match as fields_match_module

        if isinstance(schema, PlainSchema):
            schema = schema.real()
        declared = schema.fields_match if schema.has_defined("fields_match") else None
        mode = fields_match_module.resolve(declared, schema_sync=False)
        if mode != "exact":
            raise Unsupported("fieldsMatch")
        if not table.labels:
            return [], [problem("source-error", note="the source is empty")]
        header = Header(table.labels, fields=schema.fields, row_numbers=[1], fields_match=mode)
        try:
            expected = header.get_expected_fields()
        except FrictionlessException as exc:
            raise Unsupported(str(exc)) from None
        return expected, [_from_frictionless(error) for error in header.errors]

    def keys(self, name: str, fields: tuple[str, ...]) -> pl.DataFrame:
        """The distinct non-empty key tuples of a referenced resource (a foreign-key lookup)."""
        cached = self._keys.get((name, fields))
        if cached is not None:
            return cached
        self.proceed()
        resource = self.resources.get(name)
        if resource is None or not isinstance(resource.get("schema"), dict):
            raise Unsupported("reference")
        schema = load_schema({**resource["schema"], "foreignKeys": []})
        try:
            parts = list(self._key_batches(resource, schema, fields, stream=True))
        except StreamError:
            parts = list(self._key_batches(resource, schema, fields, stream=False))
        frame = pl.concat(parts).unique() if len(parts) > 1 else parts[0]
        self._keys[(name, fields)] = frame
        return frame

    def _key_batches(
        self, resource: dict[str, Any], schema: Schema, fields: tuple[str, ...], *, stream: bool
    ) -> Iterator[pl.DataFrame]:
        """The distinct non-empty key tuples of each batch of a referenced resource."""
        for table in read_batches(
            self.ref.folder, resource, fast=self.fast, batch_bytes=self.batch_bytes, stream=stream
        ):
            if not table.exact:
                raise Unsupported("reference not read exactly")
            checks, _header = self._cells(table, schema, keep=set(fields))
            by_name = {check.name: check.typed for check in checks}
            columns = [
                by_name.get(f, pl.repeat(None, table.frame.height, eager=True)).alias(f"k{i}")
                for i, f in enumerate(fields)
            ]
            frame = pl.DataFrame(columns) if columns else pl.DataFrame()
            yield frame.filter(~pl.all_horizontal(pl.all().is_null())).unique()

    # -- rows, the Frictionless way

    def _with_frictionless(self, name: str) -> list[Finding]:
        from frictionless import Package

        self.proceed()
        if self._frictionless is None:
            self._frictionless = Package.from_descriptor(
                copy.deepcopy(self.package), basepath=str(self.ref.folder)
            )
        try:
            resource = self._frictionless.get_resource(name)
            report = resource.validate(limit_errors=LIMIT_ERRORS)
        except Exception as exc:  # Frictionless can trip over odd files; never a traceback
            return [problem("source-error", note=str(exc) or type(exc).__name__)]
        return [_from_frictionless(error) for task in report.tasks for error in task.errors]

    def _file_checks(self, resource: dict[str, Any]) -> list[Finding]:
        from catalog.tables import resource_path

        try:
            path = resource_path(self.ref.folder, resource)
        except TableError as exc:
            return [_content_finding("source-error", exc, resource.get("name"))]
        return _file_integrity(path, resource)


class _RowStream:
    """The row checks of one resource, fed batch by batch.

    Each batch is typed and checked on its own (cells, blank rows, foreign keys against
    the referenced keys); only the typed values of unique and primary-key fields, and
    the row numbers, are kept across batches, so memory grows with the key columns,
    not with the file. Findings sort by row as Frictionless reports them, and stop at
    LIMIT_ERRORS as it does: the same findings for any batch size.
    """

    def __init__(self, checker: _Checker, resource: dict[str, Any], first: Table) -> None:
        if not first.exact or not isinstance(resource.get("schema"), dict):
            raise Unsupported("not read exactly")
        self.checker = checker
        self.resource = resource
        self.schema = load_schema(resource["schema"])
        key = set(self.schema.primary_key)
        key.update(f.name for f in self.schema.fields if f.constraints.get("unique"))
        self.key_names = key
        self.header: list[Finding] | None = None
        self.found: list[tuple[int, tuple[int, int], Finding]] = []
        self.names: list[str] = []
        self.typed: dict[str, list[pl.Series]] = {}
        self.rows = _RowNumbers()
        self.height = 0
        self.path = first.path
        self.held = 0  # key rows held in memory (self.typed)
        self.store: KeyStore | None = None  # past KEYS_IN_MEMORY rows, the keys on disk

    def add(self, table: Table, *, typed: bool = False) -> None:
        checks, header = self.checker._cells(table, self.schema, typed=typed)
        if self.header is None:
            self.header = header
            self.names = [check.name for check in checks]
        if len(self.found) <= LIMIT_ERRORS:  # later rows cannot enter the report
            rows = table.row_numbers
            self.found.extend(
                (int(rows[e.index]), e.slot, e.make())
                for e in _row_errors(table, checks, self.schema, self.checker)
            )
        kept = [check for check in checks if check.name in self.key_names]
        if kept and self.store is not None:
            self.store.add({c.name: c.typed for c in kept}, table.row_numbers)
        elif kept:
            for check in kept:
                self.typed.setdefault(check.name, []).append(check.typed)
            self.rows.add(table)
            self.held += table.frame.height
            if self.held > KEYS_IN_MEMORY:
                self._spill()
        self.height += table.frame.height

    def _spill(self) -> None:
        """Move the key values held so far to disk; later batches go there directly."""
        self.store = KeyStore()
        columns = {name: _joined(parts) for name, parts in self.typed.items()}
        self.store.add(columns, self.rows.series())
        self.typed, self.rows, self.held = {}, _RowNumbers(), 0

    def close(self) -> None:
        """Remove the keys on disk, if any (after finish, or when validation stops)."""
        if self.store is not None:
            self.store.close()

    def finish(self) -> list[Finding]:
        found = self.found
        if self.store is not None:
            found = found + _stored_key_errors(self.store, self.names, self.schema)
        elif self.typed:
            rows = self.rows
            empty = pl.Series([], dtype=pl.Null)
            checks = [
                FieldCheck(
                    name=name,
                    typed=_joined(self.typed[name]) if name in self.typed else empty,
                    blank=empty,
                    absent=empty,
                    type_error=empty,
                )
                for name in self.names
            ]
            found = found + [
                (int(rows[e.index]), e.slot, e.make())
                for e in _key_errors(rows, checks, self.schema)
            ]
        found.sort(key=lambda item: (item[0], item[1]))
        findings = (self.header or []) + [f for _row, _slot, f in found[: LIMIT_ERRORS + 1]]
        truncated = len(findings) > LIMIT_ERRORS
        findings = findings[:LIMIT_ERRORS]
        if truncated:
            notice = problem("error-limit", limit=LIMIT_ERRORS)
            notice.blocking = False
            return [*findings, notice]
        return (
            findings
            + _row_count(self.height, self.resource)
            + _file_integrity(self.path, self.resource)
        )


class _RowNumbers:
    """The row numbers of the rows kept across batches, by position: a range while the
    batches follow each other line for line (a file read in blocks), a column otherwise."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.count = 0
        self.parts: list[pl.Series] = []
        self.contiguous = True

    def add(self, table: Table) -> None:
        numbers = table.row_numbers
        height = len(numbers)
        if height == 0:
            return
        start, end = int(numbers[0]), int(numbers[-1])
        follows = self.first is None or start == self.first + self.count
        if self.contiguous and follows and table.fast and end - start + 1 == height:
            self.first = start if self.first is None else self.first
        else:
            if self.contiguous and self.first is not None:
                self.parts.append(
                    pl.int_range(self.first, self.first + self.count, dtype=pl.Int64, eager=True)
                )
            self.contiguous = False
            self.parts.append(numbers)
        self.count += height

    def series(self) -> pl.Series:
        """Every row number, in order."""
        if self.contiguous:
            start = self.first or 0
            return pl.int_range(start, start + self.count, dtype=pl.Int64, eager=True)
        return pl.concat(self.parts) if self.parts else pl.Series([], dtype=pl.Int64)

    def __getitem__(self, index: int) -> int:
        if self.contiguous:
            return (self.first or 0) + index
        if len(self.parts) > 1:
            self.parts = [pl.concat(self.parts)]
        return int(self.parts[0][index])


def _in_order(expected: list[Any], schema: Schema, table: Table) -> bool:
    """The columns of ``table`` were checked against the schema's fields, one by one in
    order (what typing by position, schema.cast_frame, pairs them with)."""
    fields = list(schema.fields)
    return 0 < len(fields) == len(expected) == table.frame.width and all(
        a is b for a, b in zip(expected, fields, strict=True)
    )


def _joined(parts: list[pl.Series]) -> pl.Series:
    return pl.concat(parts) if len(parts) > 1 else parts[0]


def _frictionless_error() -> type[FrictionlessException]:
    """Frictionless's exception class, imported when an exception is being matched (the
    first batch is read while another thread imports Frictionless)."""
    from frictionless import FrictionlessException

    return FrictionlessException


class _Abandoned(Exception):
    """The structure has errors: the data pass begun beside its check stops."""


class _Beside:
    """One call at a time in a second thread, in the caller's context (the privacy
    gate's jurisdiction is a context variable); the thread starts with the first call."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def run(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-beside")
        return self._pool.submit(contextvars.copy_context().run, function, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class _PrivacyStream:
    """The privacy gate over a resource read in batches.

    One batch (a table read whole): ``privacy.check_resource`` on it, as always. Several:
    each batch is checked on its own; a finding about a column is reported once, with
    its counts of values added up over the batches (_merge), except k-anonymity, which
    needs every row: the batches' quasi-identifier combinations are counted as they go
    (memory grows with the distinct combinations, not the rows) and the gate judges
    those counts at the end.
    """

    def __init__(self, resource: dict[str, Any], dataset: str) -> None:
        self.resource = resource
        self.dataset = dataset
        self.pending: tuple[Table, list[Finding]] | None = None
        self.batches = 0
        self.found: list[Finding] = []
        self.seen: dict[tuple[Any, ...], Finding] = {}
        self.groups: pl.DataFrame | None = None
        declared = resource.get("privacy")
        self.declared: dict[str, Any] = declared if isinstance(declared, dict) else {}

    def add(self, table: Table) -> None:
        found = privacy.check_resource(table.frame, self.resource, self.dataset, table.row_numbers)
        self.batches += 1
        if self.batches == 1:
            self.pending = (table, found)  # alone, it is the whole table's findings
            return
        if self.pending is not None:
            self._batch(*self.pending)
            self.pending = None
        self._batch(table, found)

    def finish(self) -> list[Finding]:
        if self.pending is not None:
            _table, found = self.pending
            self.pending = None
            return found
        return self.found + self._k_anonymity()

    def _batch(self, table: Table, found: list[Finding]) -> None:
        for finding in found:
            if finding.type == "privacy-k-anonymity" and self._quasi(table) is not None:
                continue  # judged on the whole table at the end
            self._merge(finding)
        self._count_groups(table)

    def _merge(self, finding: Finding) -> None:
        """One finding per column (and per row for a finding about one row): a column's
        counts of values are added up over the batches; the first batch's example stays."""
        whole = finding.type == "privacy-direct-identifier" or finding.rowNumber is None
        row = None if whole else finding.rowNumber
        key = (finding.type, finding.fieldName, row, finding.text)
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = finding
            self.found.append(finding)
            return
        for name in MERGED_COUNTS:
            mine, theirs = earlier.params.get(name), finding.params.get(name)
            if isinstance(mine, int) and isinstance(theirs, int) and not isinstance(mine, bool):
                earlier.params[name] = mine + theirs

    def _quasi(self, table: Table) -> list[str] | None:
        """The frame columns of the declared quasi-identifiers (None if not all found)."""
        names = self.declared.get("quasiIdentifiers")
        if not isinstance(names, list) or not names:
            return None
        columns = _columns_of(self.resource, table.frame.columns)
        found = [columns.get(n) for n in names if isinstance(n, str)]
        if len(found) != len(names) or any(c is None for c in found):
            return None
        return [c for c in found if c is not None]

    def _count_field(self, table: Table) -> tuple[str, dict[str, Any]] | None:
        counts = self.declared.get("countFields")
        if not isinstance(counts, list) or not counts or not isinstance(counts[0], str):
            return None
        column = _columns_of(self.resource, table.frame.columns).get(counts[0])
        if column is None:
            return None
        return column, _field_descriptor(self.resource, counts[0])

    def _count_groups(self, table: Table) -> None:
        columns = self._quasi(table)
        if columns is None:
            return
        count = self._count_field(table)
        if count is None:
            weight = pl.lit(1, dtype=pl.Int64)
        else:
            numbers = privacy._numbers(table.frame.get_column(count[0]), count[1])
            weight = pl.lit(numbers.fill_null(0).fill_nan(0).round().cast(pl.Int64))
        keys = [f"q{i}" for i in range(len(columns))]
        groups = (
            table.frame.lazy()
            .select(
                *(pl.col(c).fill_null("").alias(q) for c, q in zip(columns, keys, strict=True)),
                weight.alias("__n__"),
                pl.lit(table.row_numbers).alias("__row__"),
            )
            .group_by(keys)
            .agg(pl.col("__n__").sum(), pl.col("__row__").min())
            .collect()
        )
        if self.groups is not None:
            groups = (
                pl.concat([self.groups, groups])
                .group_by(keys)
                .agg(pl.col("__n__").sum(), pl.col("__row__").min())
            )
        self.groups = groups

    def _k_anonymity(self) -> list[Finding]:
        """The gate's k-anonymity over the whole table: one row per combination, its
        count of rows (or of people, with countFields) as a count field."""
        if self.groups is None:
            return []
        names = [str(n) for n in self.declared["quasiIdentifiers"]]
        counts = self.declared.get("countFields")
        weighted = isinstance(counts, list) and bool(counts) and isinstance(counts[0], str)
        count_name = str(counts[0]) if weighted and isinstance(counts, list) else "__n__"
        groups = self.groups.sort("__row__")
        frame = groups.select(
            *(pl.col(f"q{i}").alias(name) for i, name in enumerate(names)),
            pl.col("__n__").cast(pl.Utf8).alias(count_name),
        )
        fields = [_field_descriptor(self.resource, name) or {"name": name} for name in names]
        summary = {
            "name": self.resource.get("name"),
            "schema": {"fields": [*fields, {"name": count_name, "type": "integer"}]},
            "privacy": {
                "quasiIdentifiers": names,
                "k": self.declared.get("k", privacy.DEFAULT_K),
                "countFields": [count_name],
            },
        }
        found = privacy.check_resource(frame, summary, self.dataset, groups["__row__"])
        findings = [f for f in found if f.type == "privacy-k-anonymity"]
        if not weighted:  # rows, not people: the words the gate uses for microdata
            for finding in findings:
                if finding.rowNumber is not None:
                    finding.text = privacy.K_MICRODATA_TEXT
                finding.hint = privacy.K_HINT
                finding.params["field"] = None
        return findings


# Counts in the privacy gate's words that add up over the batches of a table.
MERGED_COUNTS = ("count", "total", "rows")


def _columns_of(resource: dict[str, Any], columns: list[str]) -> dict[str, str]:
    """Field name -> frame column, by name or else by position (as the privacy gate pairs them)."""
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    mapping: dict[str, str] = {}
    if not isinstance(fields, list):
        return mapping
    names = {f.get("name") for f in fields if isinstance(f, dict)}
    for position, descriptor in enumerate(fields):
        name = descriptor.get("name") if isinstance(descriptor, dict) else None
        if not isinstance(name, str):
            continue
        if name in columns:
            mapping[name] = name
        elif position < len(columns) and columns[position] not in names:
            mapping[name] = columns[position]
    return mapping


def _field_descriptor(resource: dict[str, Any], name: str) -> dict[str, Any]:
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for descriptor in fields if isinstance(fields, list) else []:
        if isinstance(descriptor, dict) and descriptor.get("name") == name:
            return dict(descriptor)
    return {}


def _key_fields(schema: Schema) -> set[str]:
    """Fields whose typed values the row checks compare: unique, primary and foreign keys."""
    names = {f.name for f in schema.fields if f.constraints.get("unique")}
    names.update(schema.primary_key)
    for fk in schema.foreign_keys:
        names.update(_names(fk.get("fields")))
    return names


def _is_tabular(resource: dict[str, Any]) -> bool:
    if resource.get("schema") is not None or resource.get("type") == "table":
        return True
    return resource_format(resource) in CSV_FORMATS + ("xlsx", "xls", "ods")


def _row_count(actual: int, resource: dict[str, Any]) -> list[Finding]:
    """A declared ``rows`` against the rows read (Frictionless's row-count; header excluded)."""
    declared = resource.get("rows")
    if isinstance(declared, int) and not isinstance(declared, bool):
        if declared != actual:
            return [problem("row-count", expected=declared, actual=actual)]
    return []


def _file_integrity(path: Path | None, resource: dict[str, Any]) -> list[Finding]:
    """Declared ``bytes`` and ``hash`` against the file (Frictionless's byte-count, hash-count)."""
    if path is None:
        return []
    findings: list[Finding] = []
    declared = resource.get("bytes")
    size = path.stat().st_size
    if isinstance(declared, int) and declared != size:
        findings.append(problem("byte-count", expected=declared, actual=size))
    digest = resource.get("hash")
    if isinstance(digest, str) and digest:
        algorithm, _sep, expected = digest.rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm in ("md5", "sha256"):
            hasher = hashlib.new(algorithm)
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    hasher.update(block)
            if hasher.hexdigest() != expected:
                findings.append(problem("hash-count", expected=expected, actual=hasher.hexdigest()))
    return findings


# ---------------------------------------------------------------- the row checks


@dataclass
class _Error:
    """One error before it becomes a Finding: where it sorts in Frictionless's order."""

    index: int  # frame row
    slot: tuple[int, int]  # order within the row
    make: Any  # () -> Finding


def _row_errors(
    table: Table, checks: list[FieldCheck], schema: Schema, checker: _Checker
) -> list[_Error]:
    """The errors of one batch of rows, but for unique and primary keys, which span the
    whole table (_key_errors, once every batch is read); sorted, at most LIMIT_ERRORS + 1."""
    rows = table.row_numbers
    height = table.frame.height
    width = len(checks)
    if height == 0:
        return []
    if checks:
        blank_row = pl.select(pl.all_horizontal([c.blank for c in checks])).to_series()
    else:
        blank_row = pl.repeat(True, height, eager=True)
    live = ~blank_row
    errors: list[_Error] = []
    for index in blank_row.arg_true().head(LIMIT_ERRORS + 1).to_list():
        errors.append(_Error(index, (0, 0), lambda i=index: problem("blank-row", row=rows[i])))
    for position, check in enumerate(checks):
        errors.extend(_cell_errors(table, check, schema, position, live))
    if table.extra_cells:
        first = rows[0]
        live_list = live
        for row_number, position, value in table.extra_cells[: LIMIT_ERRORS * 2]:
            index = row_number - first
            if 0 <= index < height and rows[index] == row_number and live_list[index]:
                errors.append(
                    _Error(
                        index,
                        (width + 1, position),
                        lambda r=row_number, v=value, p=position: problem(
                            "extra-cell", row=r, value=v, position=p
                        ),
                    )
                )
    for position, check in enumerate(checks):
        for index in (check.absent & live).arg_true().head(LIMIT_ERRORS + 1).to_list():
            errors.append(
                _Error(
                    index,
                    (width + 2, position),
                    lambda i=index, c=check: problem("missing-cell", row=rows[i], field=c.name),
                )
            )
    typed = {check.name: check.typed for check in checks}
    for number, fk in enumerate(schema.foreign_keys):
        errors.extend(_fk_errors(table, typed, fk, checker, width, number))
    errors.sort(key=lambda e: (e.index, e.slot))
    return errors[: LIMIT_ERRORS + 1]


def _cell_errors(
    table: Table, check: FieldCheck, schema: Schema, position: int, live: pl.Series
) -> list[_Error]:
    rows, frame = table.row_numbers, table.frame
    fld = schema.get_field(check.name) if schema.has_field(check.name) else None
    kind = fld.type if fld is not None else "any"
    errors: list[_Error] = []
    raw = frame.to_series(position)
    for index in (check.type_error & live).arg_true().head(LIMIT_ERRORS + 1).to_list():
        errors.append(
            _Error(
                index,
                (position + 1, 0),
                lambda i=index: problem(
                    "type-error",
                    variant=kind,
                    row=rows[i],
                    field=check.name,
                    value=raw[i],
                    type=kind,
                    **_type_params(kind, fld),
                ),
            )
        )
    for order, (name, mask) in enumerate(check.constraints.items(), start=1):
        limit = _limit_text(_constraint(fld, name)) if fld is not None else ""
        for index in (mask & live).arg_true().head(LIMIT_ERRORS + 1).to_list():
            errors.append(
                _Error(
                    index,
                    (position + 1, order),
                    lambda i=index, n=name, lim=limit: problem(
                        "constraint-error",
                        variant=n,
                        row=rows[i],
                        field=check.name,
                        value=raw[i],
                        limit=lim,
                    ),
                )
            )
    return errors


def _constraint(fld: Any, name: str) -> Any:
    """A field's constraint, or its array items' (``arrayItem``) when it has none of that name."""
    if name in fld.constraints:
        return fld.constraints[name]
    item = getattr(fld, "array_item", None)
    inner = item.get("constraints") if isinstance(item, dict) else None
    return inner.get(name) if isinstance(inner, dict) else None


def _limit_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _key_errors(rows: Any, checks: list[FieldCheck], schema: Schema) -> list[_Error]:
    """Unique fields and the primary key, over the whole table's typed key columns."""
    width = len(checks)
    typed = {check.name: check.typed for check in checks}
    errors: list[_Error] = []
    for position, check in enumerate(checks):
        fld = schema.get_field(check.name) if schema.has_field(check.name) else None
        if fld is None or not fld.constraints.get("unique"):
            continue
        values = check.typed
        repeated = values.is_not_null() & ~values.is_first_distinct()
        for index in repeated.arg_true().head(LIMIT_ERRORS + 1).to_list():
            errors.append(
                _Error(
                    index,
                    (width + 3, position),
                    lambda i=index, c=check, v=values: problem(
                        "unique-error", row=rows[i], field=c.name, value=v[i]
                    ),
                )
            )
    key = list(schema.primary_key)
    if key and all(name in typed for name in key):
        frame = pl.DataFrame([typed[name] for name in key])
        empty = frame.select(pl.all_horizontal(pl.all().is_null())).to_series()
        repeated = ~empty & ~first_seen(frame)
        fields = ", ".join(key)
        for index in empty.arg_true().head(LIMIT_ERRORS + 1).to_list():
            errors.append(
                _Error(
                    index,
                    (width + 4, 0),
                    lambda i=index: problem(
                        "primary-key", variant="empty", row=rows[i], fields=fields
                    ),
                )
            )
        for index in repeated.arg_true().head(LIMIT_ERRORS + 1).to_list():
            errors.append(
                _Error(
                    index,
                    (width + 4, 0),
                    lambda i=index, f=frame: problem(
                        "primary-key", row=rows[i], fields=fields, value=_tuple_text(f.row(i))
                    ),
                )
            )
    return errors


def _stored_key_errors(
    store: KeyStore, names: list[str], schema: Schema
) -> list[tuple[int, tuple[int, int], Finding]]:
    """_key_errors, on the key values stored on disk: the same findings, at most
    LIMIT_ERRORS + 1 of each kind, as (row number, order within the row, finding)."""
    width = len(names)
    wanted: list[tuple[str, int, tuple[int, int]]] = []  # (kind, position, slot)
    for position, name in enumerate(names):
        fld = schema.get_field(name) if schema.has_field(name) else None
        if fld is None or not fld.constraints.get("unique") or name not in store.dtypes:
            continue
        for index in store.repeated([name], limit=LIMIT_ERRORS + 1):
            wanted.append((name, index, (width + 3, position)))
    key = list(schema.primary_key)
    fields = ", ".join(key)
    if key and all(name in store.dtypes for name in key):
        for index in store.empty(key, limit=LIMIT_ERRORS + 1):
            wanted.append(("", index, (width + 4, 0)))
        for index in store.repeated(key, limit=LIMIT_ERRORS + 1):
            wanted.append((fields, index, (width + 4, 1)))
    stored = store.rows(sorted({index for _kind, index, _slot in wanted}))
    found: list[tuple[int, tuple[int, int], Finding]] = []
    for kind, index, slot in wanted:
        number, row = stored[index]
        if slot[0] == width + 3:
            finding = problem("unique-error", row=number, field=kind, value=row[kind])
        elif slot[1] == 0:
            finding = problem("primary-key", variant="empty", row=number, fields=fields)
        else:
            value = _tuple_text(tuple(row[name] for name in key))
            finding = problem("primary-key", row=number, fields=fields, value=value)
        found.append((number, (slot[0], 0) if slot[0] == width + 4 else slot, finding))
    return found


def _fk_errors(
    table: Table,
    typed: dict[str, pl.Series],
    fk: dict[str, Any],
    checker: _Checker,
    width: int,
    number: int,
) -> list[_Error]:
    fields = _names(fk.get("fields"))
    reference = fk.get("reference", {})
    source_fields = tuple(_names(reference.get("fields")))
    source = reference.get("resource") or ""
    if not fields or not all(name in typed for name in fields):
        return []
    keyed = [f"k{i}" for i in range(len(fields))]
    target = pl.DataFrame([typed[name].alias(k) for name, k in zip(fields, keyed, strict=True)])
    empty = target.select(pl.all_horizontal(pl.all().is_null())).to_series()
    target = target.with_row_index("_i").filter(~empty)
    lookup = checker.keys(source or checker.current, source_fields)
    pair = _align(target.select(keyed), lookup)
    if pair is None:
        missing = target["_i"]
    else:
        left, right = pair
        missing = left.with_columns(target["_i"]).join(
            right, on=keyed, how="anti", nulls_equal=True
        )["_i"]
    rows = table.row_numbers
    names, source_names = ", ".join(fields), ", ".join(source_fields)
    return [
        _Error(
            index,
            (width + 5, number),
            lambda i=index: problem(
                "foreign-key",
                row=rows[i],
                fields=names,
                value=_tuple_text(tuple(typed[f][i] for f in fields)),
                reference=source or _("this table"),
                reference_fields=source_names,
            ),
        )
        for index in missing.head(LIMIT_ERRORS + 1).to_list()
    ]


def _align(target: pl.DataFrame, lookup: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Both sides in comparable types, or None when no value can match (as 1 != "1" in Python)."""
    if lookup.width != target.width:
        return None
    left, right = [], []
    for name in target.columns:
        want, have = target[name].dtype, lookup[name].dtype
        if want == have or have == pl.Null:
            left.append(pl.col(name))
            right.append(pl.col(name).cast(want))
        elif want.is_numeric() and have.is_numeric():
            left.append(pl.col(name).cast(pl.Float64))
            right.append(pl.col(name).cast(pl.Float64))
        else:
            return None
    return target.select(left), lookup.select(right)


def first_seen(frame: pl.DataFrame) -> pl.Series:
    """True for the first row of each distinct key (nulls equal, as in Python tuples).

    Keys are compared after a stable sort: hashing costs polars 40 MB (one column)
    to 250 MB (a struct of columns) per million rows; sorting, a fraction of that.
    """
    order = frame.select(pl.arg_sort_by(frame.columns, maintain_order=True)).to_series()
    ordered = frame[order]
    same = pl.select(
        pl.all_horizontal([ordered[c].eq_missing(ordered[c].shift(1)) for c in ordered.columns])
    ).to_series()
    if len(same):
        same = same.scatter([0], [False])
    return pl.repeat(True, frame.height, eager=True).scatter(order, ~same)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _tuple_text(values: tuple[Any, ...]) -> str:
    return ", ".join("" if v is None else str(v) for v in values)
