"""The content tree: where publishers and datasets live, and reading their files safely.

Layout (PRODUCT.md)::

    publishers/<slug>.yaml
    datasets/<publisher>/<dataset>/datapackage.json, README.md, data/...

Everything that reads a user's file goes through here, so size limits, encodings
and path tricks are handled once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from catalog.errors import ContentError
from catalog.i18n import _

DESCRIPTOR = "datapackage.json"
# Descriptors and YAML files are small; anything bigger is a mistake or an attack.
MAX_METADATA_BYTES = 5 * 1024 * 1024
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class DatasetRef:
    """Where one dataset is: ``publisher/name`` and its folder."""

    publisher: str
    name: str
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.publisher}/{self.name}"

    @property
    def descriptor_path(self) -> Path:
        return self.folder / DESCRIPTOR


def is_slug(value: object) -> bool:
    return isinstance(value, str) and bool(SLUG.match(value))


def read_text(path: Path, limit: int = MAX_METADATA_BYTES) -> str:
    """Read a small UTF-8 text file, or raise a ContentError that says why not."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ContentError(
            _("File not found: {path}."), _("Check the path and try again."), path=str(path)
        ) from None
    except OSError as exc:
        raise ContentError(
            _("Cannot read {path}: {reason}."),
            _("Check the file's permissions."),
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from None
    if path.is_dir():
        raise ContentError(_("{path} is a folder, not a file."), "", path=str(path))
    if size > limit:
        raise ContentError(
            _("{path} is too large ({size} bytes; the limit is {limit})."),
            _("Metadata files must be small: keep data in the resources, not in the descriptor."),
            path=str(path),
            size=size,
            limit=limit,
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ContentError(
            _("{path} is a binary file, not text."),
            _("Save it as UTF-8 text."),
            path=str(path),
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(
            _("{path} is not valid UTF-8 text."),
            _("Save it with UTF-8 encoding (in Excel or LibreOffice: 'Save as', 'UTF-8')."),
            path=str(path),
        ) from None


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(
            _("{path} is not valid JSON: {reason} (line {line}, column {column})."),
            _("Fix the JSON syntax; a JSON validator shows the exact spot."),
            path=str(path),
            reason=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        ) from None


def read_yaml(path: Path) -> Any:
    text = read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(
            _("{path} is not valid YAML: {reason} (line {line})."),
            _("Fix the YAML syntax: check indentation and quotes around values with ':'."),
            path=str(path),
            reason=getattr(exc, "problem", None) or str(exc),
            line=(mark.line + 1) if mark else "?",
        ) from None


def inside(base: Path, relative: str) -> Path | None:
    """Resolve ``relative`` under ``base``; None when it escapes (``..``, absolute, links out)."""
    if not relative or "\x00" in relative or relative.startswith(("/", "\\")) or "://" in relative:
        return None
    base = base.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        return None
    return target


def publisher_files(root: Path) -> list[Path]:
    folder = root / "publishers"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def discover(root: Path) -> list[DatasetRef]:
    """Every dataset folder under ``root/datasets``, sorted by id."""
    refs: list[DatasetRef] = []
    base = root / "datasets"
    if not base.is_dir():
        return refs
    for descriptor in sorted(base.glob(f"*/*/{DESCRIPTOR}")):
        folder = descriptor.parent
        refs.append(DatasetRef(folder.parent.name, folder.name, folder))
    return refs


def resolve_target(target: Path) -> DatasetRef:
    """A dataset folder or its ``datapackage.json``, given on the command line."""
    path = target
    if path.name == DESCRIPTOR or path.is_file():
        if path.name != DESCRIPTOR:
            raise ContentError(
                _("{path} is not a dataset: give a dataset folder or its datapackage.json."),
                _("Example: catalog validate datasets/mides/bono-social"),
                path=str(target),
            )
        path = path.parent
    if not path.exists():
        raise ContentError(
            _("Path not found: {path}."), _("Check the path and try again."), path=str(target)
        )
    if not (path / DESCRIPTOR).is_file():
        raise ContentError(
            _("{path} has no datapackage.json."),
            _("A dataset is a folder with a datapackage.json; see docs/publishing.md."),
            path=str(target),
        )
    folder = path.resolve()
    return DatasetRef(folder.parent.name, folder.name, folder)


def root_of(ref: DatasetRef) -> Path | None:
    """The content root that holds this dataset (``<root>/datasets/<pub>/<ds>``), if any."""
    candidate = ref.folder.parent.parent
    if candidate.name == "datasets":
        return candidate.parent
    return None
