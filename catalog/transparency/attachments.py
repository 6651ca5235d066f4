"""Files attached to answers: type and size limits, safe names, stored by content hash.

A file is kept once under ``<data>/adjuntos/<sha256[:2]>/<sha256>`` whatever its
name; the name shown is cleaned (no folders, no odd characters). Only types
that a browser will not run are accepted, and the first bytes must match the
type the name claims.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency.config import Settings

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
ZIP = (b"PK\x03\x04",)
# extension: (media type, accepted first bytes; None when any text is fine)
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "csv": ("text/csv", None),
    "txt": ("text/plain", None),
    "json": ("application/json", None),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "zip": ("application/zip", ZIP),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


def safe_name(name: str) -> str:
    """A file name without folders or characters that cause trouble, at most 120 long."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-_") or "archivo"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:100] or "archivo"
    return f"{stem}.{ext.lower()[:10]}" if ext else stem


def check(name: str, data: bytes) -> tuple[str, str]:
    """(safe name, media type) of an acceptable file, or a CatalogError saying what is wrong."""
    clean = safe_name(name)
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    if ext not in TYPES:
        raise CatalogError(
            _("{name}: files of this type are not accepted."),
            _("Accepted types: {types}."),
            name=clean,
            types=", ".join(sorted(TYPES)),
        )
    if len(data) > MAX_BYTES:
        raise CatalogError(
            _("{name} is too large ({size} MB; the limit is {limit} MB)."),
            _("Split it or compress it."),
            name=clean,
            size=round(len(data) / 1048576, 1),
            limit=MAX_BYTES // 1048576,
        )
    if not data:
        raise CatalogError(_("{name} is empty."), "", name=clean)
    media_type, magic = TYPES[ext]
    text_ok = magic is None and b"\x00" not in data[:8192]
    if not (text_ok or (magic and data.startswith(magic))):
        raise CatalogError(
            _("{name} does not contain what its extension says."),
            _("Save it again in its real format and attach it again."),
            name=clean,
        )
    return clean, media_type


def store(settings: Settings, name: str, data: bytes) -> dict[str, object]:
    """Check and store one file; returns what the database keeps about it."""
    clean, media_type = check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(settings, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    return {"filename": clean, "media_type": media_type, "size": len(data), "sha256": digest}


def blob_path(settings: Settings, digest: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError("not a SHA-256 digest")
    return settings.attachments_dir / digest[:2] / digest
