"""A steward's uploaded file: kept as sent, read into a clean UTF-8 CSV, its schema inferred.

CSV: the encoding is detected over the whole file (UTF-8 with or without BOM, UTF-16
with a BOM, else Windows-1252, else Latin-1, as ``catalog.tables.decode`` reads an
undeclared encoding) and the delimiter sniffed as ``catalog.tables.csv_dialect`` does;
the page says what was detected. XLSX: the chosen sheet (the first with data by
default); merged cells and formulas without a saved value are refused with what to do,
formulas with a value are replaced by it (and the page says how many). Empty tables,
duplicate or blank headers and rows wider than the header are refused, each with its fix.
What is refused stays on disk: the steward picks another sheet or sends another file.

Messages are stored as msgids with their parameters and translated when shown.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from catalog.i18n import _
from catalog.infer import csv_fields, encoding_of

TABLE = "table.csv"
CHUNK = 1024 * 1024
MAX_COLUMNS = 300
MAX_CELL = 100_000
XLSX_MAX_BYTES = 50 * 1024 * 1024  # a workbook is read whole into memory
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": _("UTF-8 with a byte-order mark"),
    "utf-16": "UTF-16",
    "cp1252": _("Windows-1252 (Latin-1), converted to UTF-8"),
    "latin-1": _("ISO-8859-1, converted to UTF-8"),
}
DELIMITER_LABELS = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("vertical bar")}


class FileProblem(Exception):
    """A file that cannot become a table as it is: msgids and parameters."""

    def __init__(self, text: str, hint: str, **params: object) -> None:
        super().__init__(text)
        self.text, self.hint, self.params = text, hint, params

    def stored(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "hint": self.hint,
            "params": {k: str(v) for k, v in self.params.items()},
        }


def safe_filename(name: str) -> str:
    base = SAFE_NAME.sub("-", os.path.basename(name or "datos"))[:100].strip(".-")
    return base or "datos"


def format_of(filename: str) -> str | None:
    suffix = Path(filename.lower()).suffix
    return {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}.get(suffix)


def keep_upload(folder: Path, upload: Path, filename: str) -> Path:
    """Move the uploaded file into the draft's folder, never over an earlier one."""
    target_dir = folder / "upload"
    target_dir.mkdir(parents=True, exist_ok=True)
    name = safe_filename(filename)
    target = target_dir / name
    counter = 1
    while target.exists():
        counter += 1
        target = target_dir / f"{counter}-{name}"
    shutil.move(str(upload), target)
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- analysing


def analyse(
    folder: Path,
    stored: Path,
    sheet: str | None,
    publisher: str,
    name: str,
    base: dict[str, Any] | None,
    keep: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what was detected, the draft's package) for the file ``stored``; a refused file
    gives a ``problem`` and keeps the package it had."""
    info: dict[str, Any] = {
        "original": stored.name,
        "stored": stored.name,
        "size": stored.stat().st_size,
        "sha256": sha256_of(stored),
        "format": format_of(stored.name) or "",
        "notes": [],
        "problem": None,
        # The published version this draft replaces: approving it after another version
        # was published is a conflict (stewards_publish), never a silent overwrite.
        "base_version": str(base.get("version")) if base else None,
    }
    table = folder / TABLE
    partial = folder / (TABLE + ".part")
    try:
        if info["format"] == "csv":
            labels, rows = _from_csv(stored, partial, info)
        elif info["format"] == "xlsx":
            labels, rows = _from_xlsx(stored, partial, info, sheet)
        else:
            raise FileProblem(
                _("{file} is neither a CSV nor an XLSX file."),
                _("Export the table as CSV (UTF-8) or save it as an Excel workbook (.xlsx)."),
                file=stored.name,
            )
        _check_header(labels)
        if rows == 0:
            raise FileProblem(
                _("The table has a header but no rows."),
                _("Check that you exported the right sheet or file, with its data."),
            )
        os.replace(partial, table)
    except FileProblem as problem:
        partial.unlink(missing_ok=True)
        info["problem"] = problem.stored()
        return info, dict(keep or {})
    except (OSError, ValueError, UnicodeError, LookupError, KeyError, IndexError) as exc:
        # A file no rule above foresaw: refused with what to do, never a 500.
        partial.unlink(missing_ok=True)
        info["problem"] = FileProblem(
            _("The file cannot be read as a table ({reason})."),
            _("Export the table again as CSV (UTF-8) and upload that file."),
            reason=type(exc).__name__,
        ).stored()
        return info, dict(keep or {})
    info["rows"], info["columns"] = rows, len(labels)
    fields = infer_fields(table, labels)
    return info, draft_package(fields, publisher, name, base, keep)


def _check_header(labels: list[str]) -> None:
    if not labels or all(not label.strip() for label in labels):
        raise FileProblem(
            _("The table is empty: it has no header row."),
            _("The first row must name the columns; check the file or the sheet."),
        )
    if len(labels) > MAX_COLUMNS:
        raise FileProblem(
            _("The table has {count} columns; at most {maximum} are accepted."),
            _("Split it into several tables."),
            count=len(labels),
            maximum=MAX_COLUMNS,
        )
    blank = [str(i) for i, label in enumerate(labels, start=1) if not label.strip()]
    if blank:
        raise FileProblem(
            _("Column(s) {columns} have no name in the header row."),
            _("Write a name for each column in the first row and upload the file again."),
            columns=", ".join(blank[:10]),
        )
    seen: dict[str, int] = {}
    for position, label in enumerate(labels, start=1):
        key = label.strip().lower()
        if key in seen:
            raise FileProblem(
                _('Columns {first} and {second} are both named "{name}".'),
                _("Give each column its own name in the header row and upload the file again."),
                first=seen[key],
                second=position,
                name=label.strip()[:100],
            )
        seen[key] = position


def _encoding(path: Path) -> str:
    """The encoding of the whole file (``catalog.infer``), refusing a binary file."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(
            _("{file} is binary, not text."),
            _("Export the table as CSV text (UTF-8), or upload the workbook as .xlsx."),
            file=path.name,
        )
    return encoding_of(path)


def _from_csv(path: Path, out: Path, info: dict[str, Any]) -> tuple[list[str], int]:
    from catalog.tables import csv_dialect  # polars and Frictionless: only when reading

    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        sample = fh.read(65536)
    if not sample.strip():
        raise FileProblem(
            _("{file} is empty."), _("Upload the file with its data."), file=path.name
        )
    dialect = csv_dialect(sample, None, "csv")
    info["encoding"] = encoding
    info["encoding_label"] = ENCODING_LABELS.get(encoding, encoding)
    info["delimiter"] = dialect.delimiter
    info["delimiter_label"] = DELIMITER_LABELS.get(dialect.delimiter, dialect.delimiter)
    labels: list[str] = []
    rows = 0
    csv.field_size_limit(MAX_CELL)
    try:
        with (
            path.open(encoding=encoding, newline="") as source,
            out.open("w", encoding="utf-8", newline="") as target,
        ):
            writer = csv.writer(target, lineterminator="\n")
            for number, record in enumerate(csv.reader(source, dialect), start=1):
                if not labels:
                    if not any(cell.strip() for cell in record):
                        continue
                    labels = [cell.strip() for cell in record]
                    _check_header(labels)
                    writer.writerow(labels)
                    continue
                if not any(cell.strip() for cell in record):
                    continue  # a blank line
                if len(record) > len(labels) and any(c.strip() for c in record[len(labels) :]):
                    raise FileProblem(
                        _("Row {row} has {count} cells but the header names {columns} columns."),
                        _("Check the delimiter and the quotes of that row, or name every column."),
                        row=number,
                        count=len(record),
                        columns=len(labels),
                    )
                writer.writerow((record + [""] * len(labels))[: len(labels)])
                rows += 1
    except csv.Error as exc:
        raise FileProblem(
            _("The CSV file cannot be read: {reason}."),
            _("Export it again as CSV (UTF-8) from the program that made it."),
            reason=str(exc)[:200],
        ) from None
    return labels, rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _from_xlsx(
    path: Path, out: Path, info: dict[str, Any], sheet: str | None
) -> tuple[list[str], int]:
    from openpyxl import load_workbook

    if path.stat().st_size > XLSX_MAX_BYTES:
        raise FileProblem(
            _("The workbook is too large to read ({size} MB; at most {maximum} MB)."),
            _("Export the sheet as CSV (UTF-8) and upload that instead."),
            size=path.stat().st_size // 1048576,
            maximum=XLSX_MAX_BYTES // 1048576,
        )
    try:
        formulas = load_workbook(path, data_only=False)
        values = load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: a broken workbook
        raise FileProblem(
            _("The workbook cannot be read ({reason})."),
            _("Open it in your spreadsheet program, save it again as .xlsx and upload it."),
            reason=type(exc).__name__,
        ) from None
    names = list(formulas.sheetnames)
    info["sheets"] = names
    if sheet is None:
        sheet = next(
            (n for n in names if formulas[n].max_row > 1 or formulas[n]["A1"].value), names[0]
        )
    info["sheet"] = sheet
    shape = formulas[sheet]
    merged = [str(r) for r in shape.merged_cells.ranges]
    if merged:
        raise FileProblem(
            _("The sheet {sheet} has merged cells ({cells})."),
            _("Unmerge them and write the value in every cell, then upload the workbook again."),
            sheet=sheet,
            cells=", ".join(merged[:5]),
        )
    formula_cells = 0
    for row in shape.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                formula_cells += 1
    labels: list[str] = []
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, lineterminator="\n")
        for number, record in enumerate(values[sheet].iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in record]
            if not any(c.strip() for c in cells):
                continue
            if not labels:
                while cells and not cells[-1].strip():
                    cells.pop()
                labels = [c.strip() for c in cells]
                _check_header(labels)
                writer.writerow(labels)
                continue
            if any(c.strip() for c in cells[len(labels) :]):
                raise FileProblem(
                    _("Row {row} has cells to the right of the last named column."),
                    _("Name that column in the header row, or delete those cells."),
                    row=number,
                )
            if formula_cells:
                missing = [
                    c.coordinate
                    for c in shape[number]
                    if isinstance(c.value, str)
                    and c.value.startswith("=")
                    and c.column <= len(labels)
                    and not cells[c.column - 1]
                ]
                if missing:
                    raise FileProblem(
                        _("Cell {cell} of {sheet} has a formula with no saved value."),
                        _(
                            "Open the workbook in your spreadsheet program, let it compute, "
                            "save it and upload it again (or paste the values)."
                        ),
                        cell=missing[0],
                        sheet=sheet,
                    )
            writer.writerow((cells + [""] * len(labels))[: len(labels)])
            rows += 1
    if not labels:
        raise FileProblem(
            _("The sheet {sheet} is empty."),
            _("Choose the sheet that holds the table."),
            sheet=sheet,
        )
    if formula_cells:
        info["notes"].append(
            {
                "text": _("{count} formula(s) were replaced by the values they show."),
                "hint": "",
                "params": {"count": str(formula_cells)},
            }
        )
    info["encoding_label"] = ""
    return labels, rows


# ---------------------------------------------------------------- the schema


def infer_fields(table: Path, labels: list[str]) -> list[dict[str, Any]]:
    """A type per column from every cell, by ``catalog.infer``'s rules (as ``catalog
    harvest`` types a table without a schema), with an empty title and description
    for the steward to fill."""
    return [{**f, "title": "", "description": ""} for f in csv_fields(table, labels)]


def draft_package(
    fields: list[dict[str, Any]],
    publisher: str,
    name: str,
    base: dict[str, Any] | None,
    keep: dict[str, Any] | None,
) -> dict[str, Any]:
    """The draft's metadata: what the steward typed before (``keep``), else the published
    version's (``base``), else empty; each field keeps its corrections by name."""
    previous = dict(keep or {})
    if not previous and base:
        previous = from_descriptor(base)
    old_fields = {f.get("name"): f for f in previous.get("fields") or [] if isinstance(f, dict)}
    merged = []
    for fld in fields:
        before = old_fields.get(fld["name"])
        merged.append({**fld, **before} if before else fld)
    package = {
        "title": "",
        "description": "",
        "keywords": [],
        "themes": [],
        "license": "CC-BY-4.0",
        "frequency": "",
        "contact": {"name": "", "email": ""},
        "departments": [],
        "obligations": [],
        "missingValues": [""],
        "privacy": {"quasiIdentifiers": [], "k": 5, "countFields": [], "publicPersonalData": []},
        **previous,
    }
    package["fields"] = merged
    return package


def from_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The draft's form values from a published ``datapackage.json`` (a new version)."""
    resources = descriptor.get("resources") or [{}]
    resource = resources[0] if isinstance(resources[0], dict) else {}
    schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
    licenses = descriptor.get("licenses") or [{}]
    contact = descriptor.get("contactPoint") or {}
    spatial = descriptor.get("spatial") or {}
    privacy = resource.get("privacy") or {}
    fields = []
    for fld in (schema or {}).get("fields") or []:
        if isinstance(fld, dict) and isinstance(fld.get("name"), str):
            constraints = fld.get("constraints") or {}
            fields.append(
                {
                    "name": fld["name"],
                    "type": fld.get("type", "string"),
                    "title": fld.get("title", ""),
                    "description": fld.get("description", ""),
                    **{
                        k: constraints[k]
                        for k in ("required", "unique", "minimum", "maximum", "pattern")
                        if k in constraints
                    },
                }
            )
    return {
        "title": descriptor.get("title", ""),
        "description": descriptor.get("description", ""),
        "keywords": list(descriptor.get("keywords") or []),
        "themes": list(descriptor.get("themes") or []),
        "license": (licenses[0] or {}).get("name", "CC-BY-4.0")
        if isinstance(licenses[0], dict)
        else "CC-BY-4.0",
        "frequency": descriptor.get("frequency", ""),
        "contact": {"name": contact.get("name", ""), "email": contact.get("email", "")},
        "departments": list(spatial.get("departments") or []) if isinstance(spatial, dict) else [],
        "obligations": list(descriptor.get("obligations") or []),
        "missingValues": list((schema or {}).get("missingValues") or [""]),
        "privacy": {
            "quasiIdentifiers": list(privacy.get("quasiIdentifiers") or []),
            "k": privacy.get("k", 5),
            "countFields": list(privacy.get("countFields") or []),
            "publicPersonalData": list(privacy.get("publicPersonalData") or []),
        },
        "fields": fields,
    }
