"""The build state: content hashes, and what was last published of each dataset.

``<out>/state/state.json`` remembers, per dataset, the hash of its last attempt
(with that attempt's findings) and its last good published version (a snapshot
folder under ``<out>/state/datasets/``). A dataset whose hash did not change
costs no work: its previous outcome is reused. A dataset that stops passing is
republished from its snapshot, whatever happened to its source since.

The hash covers everything that can change a dataset's outcome: every file in
its folder (descriptor, README, queries.yaml, data, schemas), its publisher's
YAML and the code that validates and loads it. File digests are cached by
(size, mtime, inode) so an unchanged 1 GB file is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FORMAT = 1
_CATALOG = Path(__file__).resolve().parent.parent
_REPO = _CATALOG.parent
# Modules that cannot change what a dataset's validation or tables look like.
_NOT_DATA_CODE = (
    "cli.py",
    "serve.py",
    "demo.py",
    "report.py",
    "api/",
    "bench/",
    "build/site.py",
    "build/report.py",
    "build/datasette.py",
    "build/release.py",
)


@dataclass
class Published:
    """The last good version of a dataset: where its snapshot is and what it holds."""

    hash: str
    snapshot: str  # folder relative to the state folder
    tables: list[str] = field(default_factory=list)
    when: str = ""


@dataclass
class Attempt:
    """The outcome of the last validation of a dataset's content with this hash."""

    hash: str
    valid: bool
    findings: list[dict[str, Any]] = field(default_factory=list)
    when: str = ""


@dataclass
class DatasetState:
    attempt: Attempt | None = None
    published: Published | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetState:
        attempt = data.get("attempt")
        published = data.get("published")
        return cls(
            attempt=Attempt(**attempt) if attempt else None,
            published=Published(**published) if published else None,
        )


@dataclass
class Release:
    """The release that ``current`` points at, and which dataset versions it holds."""

    id: str = ""
    fingerprint: str = ""
    loaded: dict[str, str] = field(default_factory=dict)  # dataset id -> published hash
    notices: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class BuildState:
    datasets: dict[str, DatasetState] = field(default_factory=dict)
    release: Release = field(default_factory=Release)
    files: dict[str, list[Any]] = field(
        default_factory=dict
    )  # path -> [size, mtime_ns, ino, digest]

    @classmethod
    def load(cls, path: Path) -> BuildState:
        """The saved state, or an empty one if missing or unreadable (a full rebuild, no crash)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT:
                return cls()
            return cls(
                datasets={k: DatasetState.from_dict(v) for k, v in data["datasets"].items()},
                release=Release(**data.get("release", {})),
                files=data.get("files", {}),
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    def save(self, path: Path) -> None:
        data = {
            "format": STATE_FORMAT,
            "datasets": {k: asdict(v) for k, v in sorted(self.datasets.items())},
            "release": asdict(self.release),
            "files": self.files,
        }
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers see the old content or the new, never half of it."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _digest_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class Hasher:
    """Content hashes of datasets, reusing file digests whose stat did not change."""

    def __init__(self, cache: dict[str, list[Any]], code: str) -> None:
        self.old = cache
        self.new: dict[str, list[Any]] = {}
        self.code = code

    def file(self, path: Path) -> str:
        st = path.stat()
        key = str(path)
        cached = self.old.get(key)
        if cached and cached[:3] == [st.st_size, st.st_mtime_ns, st.st_ino]:
            digest = cached[3]
        else:
            digest = _digest_file(path)
        self.new[key] = [st.st_size, st.st_mtime_ns, st.st_ino, digest]
        return digest

    def dataset(self, dataset_id: str, folder: Path, publisher_file: Path) -> str:
        """Hash of a dataset (its id and folder), its publisher's file and the code version."""
        h = hashlib.sha256(f"{self.code}\0{dataset_id}".encode())
        for rel, path in _files(folder):
            h.update(b"\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
            if path.is_symlink():
                # Never follow a link: its target is part of the content, not what it points to.
                h.update(b"link:" + os.readlink(path).encode("utf-8", "surrogateescape"))
            elif path.is_file():
                h.update(self.file(path).encode())
        h.update(b"\0publisher\0")
        if publisher_file.is_file() and not publisher_file.is_symlink():
            h.update(self.file(publisher_file).encode())
        return h.hexdigest()


def _files(folder: Path) -> list[tuple[str, Path]]:
    """Every non-hidden file under ``folder`` (links included, not followed), sorted."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        # os.walk lists links to folders among dirnames without entering them: record them.
        links = [d for d in dirnames if (base / d).is_symlink()]
        for name in [*filenames, *links]:
            if not name.startswith("."):
                path = base / name
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def _code_files(excluded: tuple[str, ...] = ()) -> list[Path]:
    files = [p for ext in ("*.py", "*.yaml") for p in _CATALOG.rglob(ext)]
    return sorted(p for p in files if not p.relative_to(_CATALOG).as_posix().startswith(excluded))


def _fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256(str(STATE_FORMAT).encode())
    for path in paths:
        h.update(path.relative_to(_REPO).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def data_code_version() -> str:
    """Fingerprint of the code that decides a dataset's validity and its tables."""
    return _fingerprint(_code_files(_NOT_DATA_CODE))


def release_code_version() -> str:
    """Fingerprint of everything that shapes a release (code, site templates and assets)."""
    site = [p for p in sorted((_REPO / "site").rglob("*")) if p.is_file()]
    plugins = sorted((_REPO / "plugins").rglob("*.py"))
    return _fingerprint(_code_files() + site + plugins)
