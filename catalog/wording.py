"""Validation findings in words: what each Frictionless error means and how to fix it.

``problem()`` turns an error (a Frictionless error code plus its details) into a
``Finding`` that keeps the English msgids, translated only when a report is
rendered (report.py). It is part of the code that validates: editing a message
here changes the build's data code version (build/state.py), so cached findings
are worded again.
"""

from __future__ import annotations

from typing import Any

from catalog.findings import Finding
from catalog.i18n import _

MAX_VALUE_CHARS = 80
NO_DATA = {"na", "n/a", "n/d", "nd", "s/d", "sd", "-", "--", "null", "none", "nan", "..."}

TEXTS: dict[str, str] = {
    "type-error": _('The value "{value}" in column {field} is not a valid {type}.'),
    "constraint-error": _('The value "{value}" in column {field} breaks a rule: {note}.'),
    "constraint-error:required": _("Column {field} is required, but this cell is empty."),
    "constraint-error:minimum": _(
        'The value "{value}" in column {field} is below the minimum of {limit}.'
    ),
    "constraint-error:maximum": _(
        'The value "{value}" in column {field} is above the maximum of {limit}.'
    ),
    "constraint-error:exclusiveMinimum": _(
        'The value "{value}" in column {field} must be greater than {limit}.'
    ),
    "constraint-error:exclusiveMaximum": _(
        'The value "{value}" in column {field} must be less than {limit}.'
    ),
    "constraint-error:minLength": _(
        'The value "{value}" in column {field} is shorter than {limit} characters.'
    ),
    "constraint-error:maxLength": _(
        'The value "{value}" in column {field} is longer than {limit} characters.'
    ),
    "constraint-error:pattern": _(
        'The value "{value}" in column {field} does not have the expected form ({limit}).'
    ),
    "constraint-error:enum": _(
        'The value "{value}" in column {field} is not one of the allowed values: {limit}.'
    ),
    "unique-error": _('The value "{value}" in column {field} is repeated; it must be unique.'),
    "primary-key": _("This row repeats the key ({fields}) = {value} of an earlier row."),
    "primary-key:empty": _("The key ({fields}) of this row is empty."),
    "foreign-key": _(
        "The value {value} of ({fields}) is not found in {reference} ({reference_fields})."
    ),
    "blank-row": _("This row is empty."),
    "extra-cell": _(
        'This row has more cells than the header: extra value "{value}" in position {position}.'
    ),
    "missing-cell": _("This row has no cell for column {field}: it is shorter than the header."),
    "missing-label": _("The header has no column {field}, which the schema declares."),
    "extra-label": _(
        "The header has a column {label} in position {position} that the schema does not declare."
    ),
    "duplicate-label": _("The column name {label} appears more than once in the header."),
    "incorrect-label": _(
        "The header says {label} in position {position}, where the schema expects {field}."
    ),
    "blank-label": _(
        "The header has a column without a name in position {position} (the schema expects "
        "{field})."
    ),
    "blank-header": _("The header row is empty."),
    "encoding-error": _("The file is not valid {encoding} text."),
    "encoding-error:guessed": _(
        "The file is encoded as {encoding}, not UTF-8, and the resource does not say so."
    ),
    "byte-count": _("The file has {actual} bytes, but the resource declares {expected}."),
    "row-count": _("The file has {actual} rows, but the resource declares {expected}."),
    "hash-count": _("The file's hash is {actual}, but the resource declares {expected}."),
    "error-limit": _("Validation of this file stopped after {limit} errors, as Frictionless does."),
    "package-error": _("The datapackage.json is not a valid Data Package: {note}."),
    "package-error:not-object": _("The datapackage.json must hold a JSON object {{...}}."),
    "resource-error": _("A resource of the datapackage.json is not valid: {note}."),
    "schema-error": _("A Table Schema is not valid: {note}."),
    "schema-error:outside": _("The schema path {path} points outside the dataset folder."),
    "field-error": _("A field of a Table Schema is not valid: {note}."),
    "dialect-error": _("A CSV dialect is not valid: {note}."),
    "scheme-error": _("A file cannot be opened: {note}."),
    "source-error": _("A file cannot be read: {note}."),
    "format-error": _("A file is not in its declared format: {note}."),
    "generic": _("Frictionless reports {code}: {note}."),
}

HINTS: dict[str, str] = {
    "type-error": _("Write a value of type {type}, or change the field's type in the schema."),
    "type-error:integer": _(
        "Write a whole number with digits only, such as 1250: no decimals, spaces or "
        "thousands separators."
    ),
    "type-error:number": _(
        'Write a number with "{decimal_char}" as the decimal separator, such as '
        "1250{decimal_char}5; if the file uses other separators, declare decimalChar and "
        "groupChar in the schema."
    ),
    "type-error:boolean": _(
        "Write one of {allowed}, or declare trueValues and falseValues in the schema."
    ),
    "type-error:date": _(
        "Write the date as {format}, such as {example}; if the whole column uses another "
        'format, declare it in the field\'s "format" (for example "%d/%m/%Y").'
    ),
    "type-error:datetime": _("Write the date and time as {format}, such as 2024-03-01T08:30:00Z."),
    "type-error:year": _("Write a four-digit year, such as 2024."),
    "no-data": _(
        'If "{value}" means that there is no data, declare it in the schema\'s missingValues.'
    ),
    "constraint-error": _("Correct the value, or the rule in the schema if the rule is wrong."),
    "constraint-error:required": _(
        'Fill in the value; if blanks are allowed, remove the "required" rule from the schema.'
    ),
    "constraint-error:enum": _(
        "Use one of the allowed values exactly as written (accents and capitals count)."
    ),
    "unique-error": _("Each value in this column must appear once: fix or remove the duplicate."),
    "primary-key": _("Each row must have its own key: fix or remove the duplicate row."),
    "primary-key:empty": _("Fill in the key columns of this row."),
    "foreign-key": _(
        "Use a value that exists in {reference}, or add the missing row to {reference}."
    ),
    "blank-row": _("Delete the empty row."),
    "extra-cell": _(
        "Remove the extra cell, or add its column to the header and the schema; a separator "
        "inside a value must be quoted."
    ),
    "missing-cell": _("Add the missing cells; a line break inside a value must be quoted."),
    "missing-label": _("Add the column to the file, or remove the field from the schema."),
    "extra-label": _("Add a field for this column to the schema, or remove the column."),
    "duplicate-label": _("Give each column a different name, matching the schema."),
    "incorrect-label": _(
        "Rename the column, or reorder the schema's fields to follow the file's columns."
    ),
    "blank-label": _("Give the column the name the schema expects."),
    "encoding-error": _("Save the file as {encoding}, or declare the encoding it really has."),
    "encoding-error:guessed": _(
        'Declare "encoding": "{encoding}" in the resource, or save the file again as '
        'UTF-8 (in Excel: "CSV UTF-8").'
    ),
    "byte-count": _('Update "bytes" in the resource, or remove it.'),
    "row-count": _(
        'Update "rows" in the resource (rows of data, without the header), or remove it.'
    ),
    "hash-count": _('Update "hash" in the resource, or remove it.'),
    "error-limit": _("Fix these errors and validate again to see the rest."),
    "generic": _("Fix the descriptor or the file as the message says."),
}


def short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def problem(
    code: str,
    *,
    variant: str = "",
    row: int | None = None,
    field: str | None = None,
    value: Any = None,
    **params: Any,
) -> Finding:
    """A finding for a Frictionless error code, worded from the tables above."""
    key = f"{code}:{variant}" if variant else code
    text = TEXTS.get(key) or TEXTS.get(code) or TEXTS["generic"]
    hint = HINTS.get(key) or HINTS.get(code) or HINTS["generic"]
    if code == "type-error" and str(value).strip().lower() in NO_DATA:
        hint = HINTS["no-data"]
    shown = None if value is None else short(value)
    params = {
        "field": field or "",
        "value": shown if shown is not None else "",
        "code": code,
        **params,
    }
    return Finding(
        type=code,
        rowNumber=row,
        fieldName=field or None,
        text=text,
        hint=hint,
        params=params,
        value=shown,
    )
