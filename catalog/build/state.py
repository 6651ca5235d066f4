"""The build state: content hashes, and what was last published of each dataset.

``<out>/state/state.json`` remembers, per dataset, the hash of its last attempt
(with that attempt's findings), its last good published version (a snapshot
folder under ``<out>/state/datasets/``) and the history of every version it
published (versions.py). A dataset whose hash did not change
costs no work: its previous outcome is reused. A dataset that stops passing is
republished from its snapshot, whatever happened to its source since.

The hash covers everything that can change a dataset's outcome: every file in
its folder (descriptor, README, queries.yaml, data, schemas), its publisher's
YAML and the code that validates and loads it. File digests are cached by
(size, mtime, ctime, inode) so an unchanged 1 GB file is not read again. The
ctime is there because a tool can set a file's mtime back (``cp -p``, ``rsync
-t``, ``touch -r``) but not its ctime; and a file modified within
``RACY_NS`` of when it was hashed is hashed again next time, because on a file
system with coarse timestamps a second edit in the same tick leaves every stat
field as it was (git's "racy clean" problem). A correction must never be missed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import catalog_plugins
from catalog.build.versions import VersionRecord
from catalog.codedeps import code_closure, imports, library_versions
from catalog.site.render import site_folder

STATE_FORMAT = 1
# A digest is trusted next time only if the file was already this old when hashed.
RACY_NS = 2_000_000_000
_CATALOG = Path(__file__).resolve().parent.parent
_REPO = _CATALOG.parent
# The code whose results the state keeps per dataset: validating it (its findings) and
# loading it into its snapshot (its tables). What these import, directly or not, is read
# from their import statements (``code_closure``), never listed by hand: a module that
# joins the validation, or a reworded finding, changes the version by itself.
DATA_ROOTS = ("validate.py", "build/publish.py")  # relative to catalog/
# Data files that code reads from its packages: vocabularies, jurisdiction profiles,
# territory codes, the list of names. Translations (.po) are left out on purpose: a
# finding is stored as its English msgid and parameters, and translated each time a
# report is written, so a corrected translation shows without validating again.
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".txt")
# Everything under catalog/ that can shape a release: code, data files, translations.
RELEASE_SUFFIXES = (".py", *DATA_SUFFIXES, ".po")


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
    # Every version published, oldest first (versions.py); absent from older state files.
    history: list[VersionRecord] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetState:
        attempt = data.get("attempt")
        published = data.get("published")
        return cls(
            attempt=Attempt(**attempt) if attempt else None,
            published=Published(**published) if published else None,
            history=[VersionRecord.from_dict(v) for v in data.get("history") or []],
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
    # path -> [size, mtime_ns, ctime_ns, ino, hashed_at_ns, digest]
    files: dict[str, list[Any]] = field(default_factory=dict)

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
        stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        cached = self.old.get(key)
        if cached and len(cached) == 6 and cached[:4] == stat and _settled(cached):
            self.new[key] = cached
            return cached[5]
        hashed_at = time.time_ns()
        digest = _digest_file(path)
        self.new[key] = [*stat, hashed_at, digest]
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


def _settled(entry: list[Any]) -> bool:
    """Was the file older than ``RACY_NS`` when it was hashed (so a later edit shows)?"""
    _size, mtime, ctime, _ino, hashed_at, _digest = entry
    return max(mtime, ctime) < hashed_at - RACY_NS


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


def _code_files() -> list[Path]:
    """Every file under catalog/ that can shape a release (not caches, not compiled .mo)."""
    return sorted(p for p in _CATALOG.rglob("*") if p.suffix in RELEASE_SUFFIXES and p.is_file())


def _name(path: Path) -> str:
    """A file's name independent of where the project is installed."""
    roots = (_REPO, site_folder().parent, Path(catalog_plugins.__file__).parent.parent)
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.as_posix()


def _fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256(str(STATE_FORMAT).encode())
    for path in paths:
        h.update(_name(path).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


# ------------------------------------------------------------------ what code imports


def _libraries_of(paths: list[Path]) -> list[str]:
    """Python's version and those of the libraries ``paths`` import: upgrading Frictionless
    or polars can change a dataset's findings or its tables, so it counts as new code."""
    plugins = Path(catalog_plugins.__file__).parent
    own = {_CATALOG.name, plugins.name, "catalog_plugins"}
    names = {
        n.split(".")[0]
        for p in paths
        if p.suffix == ".py"
        for n in imports(p, plugins if p.is_relative_to(plugins) else _CATALOG)
    }
    return [platform.python_version(), *library_versions(names - own)]


def _package_of(path: Path) -> Path:
    """The folder of the package a file lies in: its nearest folder with an __init__.py."""
    folder = path.parent
    while folder != _CATALOG and not (folder / "__init__.py").is_file():
        folder = folder.parent
    return folder


def data_code_files() -> tuple[list[Path], set[str]]:
    """The files that decide a dataset's findings and tables, and the other packages they
    import: every module ``DATA_ROOTS`` import, directly or not, and the data files of
    those modules' packages (``catalog/vocabularies/*.yaml``, ``catalog/data/*.csv``...)."""
    modules, libraries = code_closure([_CATALOG / root for root in DATA_ROOTS], _CATALOG)
    packages = {module.parent for module in modules}
    data = [
        p
        for p in _CATALOG.rglob("*")
        if p.suffix in DATA_SUFFIXES and p.is_file() and _package_of(p) in packages
    ]
    return sorted({*modules, *data}), libraries


@lru_cache(maxsize=1)
def data_code_version() -> str:
    """Fingerprint of the code that decides a dataset's validity and its tables: a new
    one makes every dataset validate and load again, so no finding or table is stale."""
    files, libraries = data_code_files()
    versions = [platform.python_version(), *library_versions(libraries)]
    return hashlib.sha256((_fingerprint(files) + "\0".join(versions)).encode()).hexdigest()


def release_code_version() -> str:
    """Fingerprint of everything that shapes a release (code, site templates and assets)."""
    # Found where they are installed (the repository's site/ and plugins/ in an editable
    # install, site-packages' catalog_site and catalog_plugins in a wheel).
    site = [p for p in sorted(site_folder().rglob("*")) if p.is_file()]
    plugins = sorted(Path(catalog_plugins.__file__).parent.rglob("*.py"))
    files = _code_files() + site + plugins
    return hashlib.sha256(
        (_fingerprint(files) + "\0".join(_libraries_of(files))).encode()
    ).hexdigest()
