"""The draft's form read into the draft's package, every value capped.

Field ``i`` of the table is sent as ``campo-<i>-tipo``, ``-titulo``, ``-descripcion``,
``-requerido``, ``-unico``, ``-minimo``, ``-maximo``, ``-patron``; the catalogue
metadata as ``titulo``, ``descripcion``, ``palabras`` (comma-separated), ``temas``
(repeated), ``licencia``, ``frecuencia``, ``contacto-nombre``, ``contacto-correo``,
``departamentos`` and ``obligaciones`` (comma-separated codes), ``faltantes`` (the
texts that mean "no value"), and the privacy declaration ``privacidad-cuasi`` and
``privacidad-conteo`` (repeated field names), ``privacidad-k``, ``privacidad-publico``
with ``privacidad-base``. What the vocabularies do not know is left for the validation
report to explain, with its fix.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from catalog.i18n import _
from catalog.transparency.forms import encodable
from catalog.transparency.requests import RequestError
from catalog.transparency.stewards import (
    FIELD_TYPES,
    MAX_DESCRIPTION,
    MAX_LIST,
    MAX_TEXT,
    MAX_TITLE,
)


def one(form: FormData, name: str, limit: int) -> str:
    """One text value ("" when absent), refused when repeated, too long or not text."""
    values = form.getlist(name)
    if not values:
        return ""
    value = values[0]
    if len(values) > 1 or not isinstance(value, str):
        raise RequestError(
            _("The field {field} must be a single text."),
            _("Send the form again from its page."),
            field=name,
        )
    if len(value) > limit:
        raise RequestError(
            _("The field {field} is too long ({length} characters; at most {maximum})."),
            _("Shorten it and send the form again."),
            field=name,
            length=len(value),
            maximum=limit,
        )
    if "\x00" in value or not encodable(value):
        raise RequestError(
            _("The field {field} contains characters that are not text."),
            _("Type it again and send the form."),
            field=name,
        )
    return value.strip()


def many(form: FormData, name: str, allowed: list[str] | None = None) -> list[str]:
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    if len(values) > MAX_LIST * 6:
        raise RequestError(_("Too many values for {field}."), _("Choose fewer."), field=name)
    chosen = [v[:MAX_TEXT] for v in values if v]
    return [v for v in chosen if allowed is None or v in allowed]


def listed(form: FormData, name: str) -> list[str]:
    """A comma-separated list, each item trimmed, at most MAX_LIST items."""
    items = [p.strip() for p in one(form, name, MAX_TEXT * 4).split(",") if p.strip()]
    if len(items) > MAX_LIST:
        raise RequestError(
            _("{field} lists {count} values; at most {maximum}."),
            _("Keep the most important ones."),
            field=name,
            count=len(items),
            maximum=MAX_LIST,
        )
    return [item[:200] for item in items]


def _number(text: str, field: str) -> int | float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise RequestError(
            _("{value} is not a number (field {field})."),
            _("Write a number such as 0 or 12.5, or leave it empty."),
            value=text[:40],
            field=field,
        ) from None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def package_from_form(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """The draft's package with what the form says (``current`` gives the fields' names)."""
    fields = []
    names = []
    for index, before in enumerate(current.get("fields") or []):
        key = f"campo-{index}-"
        kind = one(form, key + "tipo", 20) or before.get("type") or "string"
        if kind not in FIELD_TYPES:
            kind = "string"
        fld: dict[str, Any] = {
            "name": before["name"],
            "type": kind,
            "title": one(form, key + "titulo", MAX_TITLE),
            "description": one(form, key + "descripcion", MAX_TEXT),
        }
        if one(form, key + "requerido", 5):
            fld["required"] = True
        if one(form, key + "unico", 5):
            fld["unique"] = True
        for name, label in (("minimo", "minimum"), ("maximo", "maximum")):
            value = _number(one(form, key + name, 40), f"{before['name']}: {label}")
            if value is not None:
                fld[label] = value
        pattern = one(form, key + "patron", 500)
        if pattern:
            fld["pattern"] = pattern
        fields.append(fld)
        names.append(before["name"])
    k_text = one(form, "privacidad-k", 6)
    k = _number(k_text, "k") if k_text else 5
    public = many(form, "privacidad-publico", names)
    basis = one(form, "privacidad-base", MAX_TEXT)
    if public and not basis:
        raise RequestError(
            _("Say the legal basis for publishing the personal data of {fields}."),
            _("Write the law and article that make those data public, or uncheck them."),
            fields=", ".join(public[:5]),
        )
    missing = one(form, "faltantes", MAX_TEXT)
    return {
        "title": one(form, "titulo", MAX_TITLE),
        "description": one(form, "descripcion", MAX_DESCRIPTION),
        "keywords": listed(form, "palabras"),
        "themes": many(form, "temas"),
        "license": one(form, "licencia", 60),
        "frequency": one(form, "frecuencia", 60),
        "contact": {
            "name": one(form, "contacto-nombre", MAX_TITLE),
            "email": one(form, "contacto-correo", 254),
        },
        "departments": listed(form, "departamentos"),
        "obligations": listed(form, "obligaciones"),
        "missingValues": [""] + [m.strip() for m in missing.split(",") if m.strip()][:MAX_LIST],
        "privacy": {
            "quasiIdentifiers": many(form, "privacidad-cuasi", names),
            "k": int(k) if isinstance(k, int | float) else 5,
            "countFields": many(form, "privacidad-conteo", names),
            "publicPersonalData": [{"field": f, "legalBasis": basis} for f in public],
        },
        "fields": fields,
    }
