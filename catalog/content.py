"""The content tree: where publishers and datasets live, and reading their files safely.

Layout (PRODUCT.md)::

    publishers/<slug>.yaml
    datasets/<publisher>/<dataset>/datapackage.json, README.md, data/...

Everything that reads a user's file goes through here, so size limits, encodings
and path tricks are handled once.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from catalog.errors import ContentError
from catalog.i18n import _

DESCRIPTOR = "datapackage.json"
# Limits on metadata files (descriptors, schema files, publisher and query YAML), checked
# before or while parsing so a hostile file costs little (docs/publishing.md, "Limits").
# Descriptors and YAML files are small; anything bigger is a mistake or an attack.
MAX_METADATA_BYTES = 5 * 1024 * 1024
# Lists and objects inside one another. A Data Package is about 8 deep (package,
# resources, resource, schema, fields, field, constraints, enum) and GeoJSON in a JSON
# cell about 7; 64 leaves room to spare and stays far below Python's recursion limit
# (1,000), which parsing, copying and validating a descriptor all rely on.
MAX_NESTING = 64
# Values in one metadata file once YAML aliases are expanded: a "billion laughs" file
# of a few hundred bytes otherwise expands to billions when written out as JSON.
MAX_METADATA_VALUES = 1_000_000
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


# ---------------------------------------------------------------- nesting limits

# The longest prefix of JSON text that ends outside a string (possessive: no backtracking).
_UP_TO_OPEN_STRING = re.compile(rb'(?:[^"]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_STRING_BODY = re.compile(rb'(?:[^"\\]++|\\.)*+', re.DOTALL)  # up to the closing quote
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


class NestingError(ValueError):
    """JSON nested deeper than allowed, or one string longer than allowed."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "depth" or "string"


class _JsonScan:
    """The state of a bracket count across chunks: depth, and the string left open."""

    def __init__(self, limit: int, max_string: int | None) -> None:
        self.limit, self.max_string = limit, max_string
        self.depth = 0
        self.open_string: int | None = None  # bytes of the string the last chunk left open
        self.escape = b""  # a backslash that ended the last chunk, inside that string

    def feed(self, chunk: bytes) -> None:
        data, pos = self.escape + chunk, 0
        self.escape = b""
        if self.open_string is not None:
            pos = self._string_body(data, 0, self.open_string)
            if pos < 0:
                return
            self.open_string = None
        cut = _UP_TO_OPEN_STRING.match(data, pos).end()  # type: ignore[union-attr]
        self._brackets(_STRING.sub(b"", data[pos:cut]))
        if cut < len(data):  # a string starts here and goes on in the next chunk
            self._string_body(data, cut + 1, 0)

    def _string_body(self, data: bytes, start: int, before: int) -> int:
        """Where the string from ``start`` closes (after its quote), or -1 if it goes on."""
        end = _STRING_BODY.match(data, start).end()  # type: ignore[union-attr]
        if end < len(data) and data[end : end + 1] == b'"':
            return end + 1
        self.escape = data[end:]  # empty, or the backslash whose pair is in the next chunk
        self.open_string = before + len(data) - start
        if self.max_string is not None and self.open_string > self.max_string:
            raise NestingError("string")
        return -1

    def _brackets(self, text: bytes) -> None:
        brackets = text.translate(None, _NOT_BRACKETS)
        opens = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opens > self.limit:  # only then is the running depth worth following
            steps = (b - 1 for b in brackets.translate(_DEPTH_STEP))
            if max(accumulate(steps, initial=self.depth)) > self.limit:
                raise NestingError("depth")
        self.depth += 2 * opens - len(brackets)


def check_json_nesting(
    chunks: Iterable[bytes], limit: int = MAX_NESTING, max_string: int | None = None
) -> None:
    """Raise NestingError if JSON text (given in chunks) nests deeper than ``limit``.

    A bounded, iterative scan: strings are skipped with regular expressions and only
    the brackets outside them are counted, so a file of any size is checked in one
    pass with one chunk in memory, and a 10,000-deep file costs no recursion at all.
    ``max_string`` bounds one string (a JSON cell), counted across chunks.
    """
    scan = _JsonScan(limit, max_string)
    for chunk in chunks:
        scan.feed(chunk)


def check_shape(value: Any, path: Path) -> None:
    """Raise a ContentError if a parsed file nests too deep or expands to too many values.

    Iterative, and it stops at the first limit crossed, so a YAML file whose aliases
    refer to themselves or multiply (a "billion laughs") is refused at little cost.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    values = 0
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        values += len(children)
        if values > MAX_METADATA_VALUES:
            raise _too_many_values(path)
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_NESTING:
                    raise _too_deep(path)
                stack.append((child, depth + 1))


def _too_deep(path: Path) -> ContentError:
    return ContentError(
        _("{path} nests lists and objects more than {limit} levels deep."),
        _(
            "A descriptor or publisher file is only a few levels deep: look for brackets or "
            "indentation that never close, or move nested data into a data file."
        ),
        path=str(path),
        limit=MAX_NESTING,
    )


def _too_many_values(path: Path) -> ContentError:
    return ContentError(
        _("{path} holds more than {limit} values once its YAML aliases are expanded."),
        _(
            "Write the values out instead of repeating aliases (*name), or move long lists "
            "into a data file."
        ),
        path=str(path),
        limit=MAX_METADATA_VALUES,
    )


def read_json(path: Path) -> Any:
    """A small JSON file (a descriptor or schema), refused if too big or too deeply nested."""
    text = read_text(path)
    try:
        check_json_nesting([text.encode("utf-8")])
    except NestingError:
        raise _too_deep(path) from None
    try:
        data = json.loads(text)
    except RecursionError:  # not reached after the scan above; kept as a last guard
        raise _too_deep(path) from None
    except json.JSONDecodeError as exc:
        raise ContentError(
            _("{path} is not valid JSON: {reason} (line {line}, column {column})."),
            _("Fix the JSON syntax; a JSON validator shows the exact spot."),
            path=str(path),
            reason=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    if isinstance(data, dict | list):
        check_shape(data, path)
    return data


def _check_yaml_nesting(text: str, path: Path) -> None:
    """Refuse YAML nested deeper than MAX_NESTING from its parse events, before loading.

    PyYAML composes nodes recursively (a RecursionError after ~300 levels) and its
    scanner slows down with the square of the nesting: 10,000 levels took 2 s to fail.
    The event stream is flat, so the depth is followed cheaply and the parse stops at
    the first level too many.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise _too_deep(path)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # invalid YAML: safe_load reports it, with its line


# Parsed YAML by the file's text. A build validates every dataset of a publisher against
# the same publisher file, three times per dataset (its metadata, jurisdiction and privacy
# rules): PyYAML, pure Python, took 2 ms a read, a fifth of a small dataset's validation.
# Keyed by the text, read again each time, so an edited file is always parsed anew; a
# copy is returned, so a caller that changes what it got changes no one else's.
# The datasets are validated in order of publisher, so a few entries serve a whole build.
YAML_CACHE_ENTRIES = 64
YAML_CACHE_MAX_CHARS = 32 * 1024  # bigger files are rare and parsed every time
_PARSED_YAML: OrderedDict[str, Any] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_MISSING = object()


def read_yaml(path: Path) -> Any:
    """A small YAML file (``safe_load`` only), refused if too big, too deep or a YAML bomb."""
    text = read_text(path)
    if len(text) > YAML_CACHE_MAX_CHARS:
        return _parse_yaml(text, path)
    with _PARSED_LOCK:  # the server reads content in threads
        data = _PARSED_YAML.get(text, _MISSING)
        if data is not _MISSING:
            _PARSED_YAML.move_to_end(text)
    if data is _MISSING:
        data = _parse_yaml(text, path)  # an error is raised each time, never kept
        with _PARSED_LOCK:
            _PARSED_YAML[text] = data
            while len(_PARSED_YAML) > YAML_CACHE_ENTRIES:
                _PARSED_YAML.popitem(last=False)
    return copy.deepcopy(data)


def _parse_yaml(text: str, path: Path) -> Any:
    _check_yaml_nesting(text, path)
    try:
        data = yaml.safe_load(text)
    except RecursionError:  # not reached after the check above; kept as a last guard
        raise _too_deep(path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(
            _("{path} is not valid YAML: {reason} (line {line})."),
            _("Fix the YAML syntax: check indentation and quotes around values with ':'."),
            path=str(path),
            reason=getattr(exc, "problem", None) or str(exc),
            line=(mark.line + 1) if mark else "?",
        ) from None
    if isinstance(data, dict | list):
        check_shape(data, path)
    return data


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
