"""Incremental output: a page is rendered only when what it shows changed.

Every output file has a key: a hash of everything it shows (the data of the
datasets on it, the language, and the code that writes it). The keys of a
release are saved beside its site folder (``site-pages.marshal``). The next build
reuses a file whose key is the same, so after one dataset changes only the pages
that show it are written again. A file is reused in one of two ways:

- **in place**, from a *spare* site folder: an older site that nothing serves any
  more (the release before the previous one), moved into the new site's place and
  brought up to date: its files whose key is unchanged are left as they are, the
  others replaced, and those the new site no longer has removed. A rebuild then
  costs what changed, not the size of the site (no file of 450,000 is touched);
- **by hard link** from the *previous* site (the release being served), when the
  spare does not hold it with the same key (it changed between the two releases).

A file is never written through: a changed one is unlinked first and written
anew, since its old inode may be shared (hard-linked) with a release being served.

A stale file is worse than a slow build, so the code part of every key covers
all that can shape a file besides its data: every ``catalog`` module the site
imports, directly or not (found by reading their imports, so a change to
``catalog/standards`` or ``catalog/urls.py`` refreshes the pages that use them),
the templates and assets, the translations and vocabularies, and the versions
of the libraries those modules import (Jinja2, Markdown, openpyxl...). Working
that out reads every module (about a second); it is remembered in the state by
the size, times and inode of every file it could read and of the folders the
libraries are installed in, and worked out again when any of them changed.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from catalog.codedeps import code_closure, library_versions
from catalog.site.kept import Kept
from catalog.site.render import ASSETS, TEMPLATES

STATE_SUFFIX = "-pages.marshal"
STATE_FORMAT = 3  # 3: values kept in their own file (catalog/site/kept.py)
KEPT_SUFFIX = "-values.db"  # beside the site, unless the build names a file for them
CODE = Path(__file__).resolve().parent
PACKAGE = CODE.parent  # catalog/
# The modules whose output the writer keys: the site package and the build's entry point.
ROOTS = (CODE, PACKAGE / "build" / "site.py")
# Data files under catalog/ that pages read (vocabularies, territories, translations).
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".txt", ".po")
# A file changed this recently may change again within its time stamp's resolution
# unseen (git's "racy clean"): the code's version is then worked out, not remembered.
RACY_NS = 2_000_000_000


def code_files() -> tuple[list[Path], set[str]]:
    """The ``catalog`` files the site's output depends on, and the other packages it imports."""
    roots = [p for root in ROOTS for p in (root.glob("*.py") if root.is_dir() else [root])]
    return code_closure(roots)


def _candidates() -> list[Path]:
    """Every file ``code_version`` could read (a superset: all of catalog/'s code and data)."""
    found = [p for p in PACKAGE.rglob("*") if p.suffix in (".py", *DATA_SUFFIXES)]
    found += [*TEMPLATES.rglob("*"), *ASSETS.rglob("*")]
    return sorted(found)


def code_stamp() -> str | None:
    """A cheap fingerprint of what ``code_version`` reads: the stat of every file it could
    read and of the folders libraries are installed in (an install or upgrade changes
    them). None when a file changed too recently to be trusted."""
    now = time.time_ns()
    h = hashlib.sha256(f"{platform.python_version()}\0{sys.prefix}\0{PACKAGE}".encode())
    folders = [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    for path in [*_candidates(), *folders]:
        try:
            st = path.stat()
        except OSError:
            continue
        if now - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
            return None
        h.update(
            f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode()
        )
    return h.hexdigest()


_KNOWN: dict[str, str] = {}  # code_stamp -> code_version, from a previous site's state


@lru_cache(maxsize=1)
def _stamp() -> str | None:
    return code_stamp()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything that shapes a page or a download besides its data."""
    stamp = _stamp()
    if stamp is not None and stamp in _KNOWN:
        return _KNOWN[stamp]
    modules, libraries = code_files()
    data = [p for p in PACKAGE.rglob("*") if p.suffix in DATA_SUFFIXES]
    files = [*modules, *data, *TEMPLATES.rglob("*"), *ASSETS.rglob("*")]
    h = hashlib.sha256(platform.python_version().encode())
    for version in library_versions(libraries):
        h.update(version.encode() + b"\0")
    for path in sorted({p for p in files if p.is_file()}):
        name = path.relative_to(PACKAGE.parent).as_posix()  # the same in every checkout
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _remember_version(state: dict[str, Any]) -> None:
    """Let ``code_version`` take the version a previous build worked out for the same code."""
    found = state.get("code")
    if isinstance(found, list) and len(found) == 2 and code_version.cache_info().currsize == 0:
        _KNOWN[str(found[0])] = str(found[1])


def _bytes(inputs: Any) -> bytes:
    # marshal is five to ten times faster than JSON, and as exact: bytes that are equal
    # read back as equal values (version 2 shares no references, so equal values in the
    # same order give equal bytes). Values it cannot write (dates...) go through JSON.
    try:
        return marshal.dumps(inputs, 2)
    except ValueError:
        text = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str)
        return b"J" + text.encode("utf-8")


def key_of(*inputs: Any) -> str:
    """The key of what ``inputs`` make, with this code."""
    return hashlib.sha256(code_version().encode() + _bytes(inputs)).hexdigest()[:32]


def digest(*parts: str) -> str:
    """A key made of other keys (cheaper than ``key_of`` over what they stand for)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def state_path(site: Path) -> Path:
    return site.with_name(site.name + STATE_SUFFIX)


def kept_path(site: Path) -> Path:
    """Where a site's kept values are when its build names no file for them."""
    return site.with_name(site.name + KEPT_SUFFIX)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: copy instead
        shutil.copy2(source, target)


def _unlink(target: Path) -> None:
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(target)


def _grouped(keys: dict[str, str], groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    others = {p for rest in groups.values() for p in rest}
    return {p: k for p, k in keys.items() if p not in others}


def _expand(keys: dict[str, str], groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    found = dict(keys)
    for first, rest in groups.items():
        if first in keys:
            found.update(dict.fromkeys(rest, keys[first]))
    return found


def _read_state(site: Path, body: bool = True) -> dict[str, Any]:
    """A site's state: its head (format, completeness, code version, fingerprint, file
    count) and, with ``body``, the key of each file and the values kept. The head is
    read alone without the body (tens of megabytes for 50,000 datasets)."""
    try:
        with state_path(site).open("rb") as fh:
            size = int.from_bytes(fh.read(8), "little")
            head = marshal.loads(fh.read(size))
            if (
                not isinstance(head, dict)
                or head.get("format") != STATE_FORMAT
                or not head.get("complete")
            ):
                return {}
            if body:
                rest = marshal.loads(fh.read())
                if not isinstance(rest, dict):
                    return {}
                head.update(rest)
            return head
    except (OSError, ValueError, EOFError, TypeError):
        return {}


def page_keys(site: Path) -> dict[str, str]:
    """The key of every file of a finished site, as the next build compares them."""
    state = _read_state(site)
    return _expand(state.get("keys") or {}, state.get("groups") or {})


def _write_state(site: Path, head: dict[str, Any], body: dict[str, Any]) -> None:
    def dump(value: dict[str, Any]) -> bytes:
        try:
            return marshal.dumps(value, 2)
        except ValueError:  # a value marshal cannot write (a date...): as JSON would
            return marshal.dumps(json.loads(json.dumps(value, default=str)), 2)

    first = dump(head)
    with state_path(site).open("wb") as fh:
        fh.write(len(first).to_bytes(8, "little") + first)
        fh.write(dump(body))


class SiteWriter:
    """Writes the files of one site folder, reusing unchanged ones from ``spare`` (in
    place) or ``previous`` (by hard link)."""

    def __init__(
        self,
        folder: Path,
        previous: Path | None,
        spare: Path | None = None,
        kept: Path | None = None,
    ) -> None:
        self.folder = folder
        # The values kept between builds: the file named (one for every build of a build
        # folder), else one beside the site, taken from the spare or the previous site.
        self.kept_file = kept
        self.values = Kept(None)
        self.value_keys: dict[str, str] = {}  # name -> key of each value this build used
        self.recalled: set[str] = set()
        self.previous = previous if previous and previous.is_dir() else None
        usable = spare is not None and spare.is_dir() and spare.resolve() != folder.resolve()
        self.spare = spare if usable else None
        self.spare_head = _read_state(spare, body=False) if self.spare else {}  # type: ignore[arg-type]
        # The code's version as a previous build worked it out, if the code is the same.
        if self.spare_head:
            _remember_version(self.spare_head)
        elif self.previous is not None:
            _remember_version(_read_state(self.previous, body=False))
        self.here: dict[str, str] = {}  # the files already in ``folder`` (a spare), by key
        self.here_groups: dict[str, tuple[str, ...]] = {}
        self.here_recall: dict[str, str] = {}
        self._old: dict[str, Any] | None = None  # the previous site's state, read when needed
        self._keys: dict[str, str] | None = {}
        # Files made together (a dataset's downloads): first path -> the others.
        self.groups: dict[str, tuple[str, ...]] = {}
        self.written = 0
        self.reused = 0
        # Work left for later (run in parallel): job -> nothing, in order.
        self.pending: dict[Any, None] = {}
        self.fingerprint: str | None = None
        self.opened = False
        self.complete = False  # the spare already was this very site: nothing to write

    def open(self, fingerprint: str | None = None) -> bool:
        """Take the spare in (before the first file). ``fingerprint`` is a key of all the
        site is made of: when the spare's is the same, the spare already is this site and
        is only moved into place (True): a rebuild with nothing changed reads and writes
        nothing."""
        if self.opened:
            return self.complete
        self.opened = True
        self.fingerprint = fingerprint
        if self.spare is None or not self.spare_head or not self._free():
            self._open_values()
            return False
        head = self.spare_head
        if fingerprint and head.get("fingerprint") == fingerprint:
            # The folder first: a folder moved without its state is never reused.
            os.rename(self.spare, self.folder)
            os.rename(state_path(self.spare), state_path(self.folder))
            self._move_values(self.spare)
            self.complete = True
            self._keys = None  # read from the state if asked for
            self.reused = int(head.get("files") or 0)
            return True
        self.here = self._adopt(self.spare)
        self._open_values()
        return False

    def _open_values(self) -> None:
        """The kept values: the build's file, else the site's own, moved from the spare
        or copied from the previous site (a copy: the served release's stays whole)."""
        path = self.kept_file
        fallback = None
        if path is None:
            path = kept_path(self.folder)
            source = kept_path(self.previous) if self.previous is not None else None
            if source is not None and source.is_file():
                if path.exists():  # the spare's: what the previous build made is in source
                    fallback = source
                else:
                    shutil.copyfile(source, path)
        self.values = Kept(path, fallback)

    def _move_values(self, spare: Path) -> None:
        if self.kept_file is None and kept_path(spare).is_file():
            os.replace(kept_path(spare), kept_path(self.folder))

    def _free(self) -> bool:
        """Can the spare take the site's place (no folder, or an empty one)?"""
        if self.folder.is_dir():
            if any(self.folder.iterdir()):
                return False
            self.folder.rmdir()
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        return True

    @property
    def keys(self) -> dict[str, str]:
        """The key of each file of the site."""
        if self._keys is None:
            state = _read_state(self.folder)
            self._keys = _expand(state.get("keys") or {}, state.get("groups") or {})
        return self._keys

    @property
    def old(self) -> dict[str, Any]:
        """The previous site's state (read at the first file the spare does not hold)."""
        if self._old is None:
            self._old = _read_state(self.previous) if self.previous else {}
        return self._old

    @property
    def old_keys(self) -> dict[str, str]:
        """The previous site's key of each file."""
        if "all" not in self.old:
            self.old["all"] = _expand(self.old.get("keys") or {}, self.old.get("groups") or {})
        return self.old["all"]

    def _adopt(self, spare: Path) -> dict[str, str]:
        """Move ``spare`` into this site's place; the keys of the files it holds."""
        state = _read_state(spare)
        keys = state.get("keys")
        if not isinstance(keys, dict):
            self.folder.mkdir()
            return {}
        self.here_groups = state.get("groups") or {}
        self.here_recall = state.get("recall") or {}
        # Its state goes first: a spare half brought up to date has none, and is never
        # taken for what it was.
        state_path(spare).unlink()
        os.rename(spare, self.folder)
        self._move_values(spare)
        return keys

    def _reusable(self, paths: list[str], key: str) -> bool:
        old = self.old_keys
        previous = self.previous
        return previous is not None and all(
            old.get(p) == key and (previous / p).is_file() for p in paths
        )

    def page(self, path: str, key: str, produce: Callable[[], str | bytes]) -> None:
        """One file at ``path`` (relative to the site root)."""
        self.files([path], key, lambda: self._write(path, produce()))

    def unchanged(self, paths: Iterable[str], key: str) -> bool:
        """Are these files already in place with this key (nothing to do)?"""
        here = self.here
        return bool(here) and all(here.get(p) == key for p in paths)

    def files(
        self,
        paths: list[str],
        key: str,
        produce: Callable[[], Any] | None = None,
        later: Any = None,
    ) -> None:
        """A group of files made together (a dataset's downloads). When they must be
        made, ``produce`` runs now, or ``later`` is added to the pending jobs."""
        self.open()
        keys = self.keys
        first, rest = paths[0], tuple(paths[1:])
        here = self.here
        if here and here.get(first) == key and self.here_groups.get(first, ()) == rest:
            self.reused += len(paths)
        else:
            if here:  # never written through: its inode may be the served site's too
                for path in dict.fromkeys((*paths, *self.here_groups.get(first, ()))):
                    _unlink(self.folder / path)
            if self._reusable(paths, key):
                for path in paths:
                    _link(self.previous / path, self.folder / path)  # type: ignore[operator]
                self.reused += len(paths)
            else:
                if produce is not None:
                    produce()
                else:
                    self.pending[later] = None
                self.written += len(paths)
        for path in paths:
            keys[path] = key
        if rest:
            self.groups[first] = rest

    def _write(self, path: str, content: str | bytes) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)

    def remember(self, name: str, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed from data (e.g. a dataset's territory facts), kept by key
        (catalog/site/kept.py): computed only when no build kept it with this key.
        Returned as it is kept (what marshal cannot write as JSON would write it), so
        a page shows the same whether the value was computed or read back."""
        self.open()
        self.value_keys[name] = key
        found, value = self.values.get(name, key)
        return value if found else self.values.put(name, key, compute())

    def remember_many(
        self, prefix: str, wanted: Mapping[str, tuple[str, Callable[[], Any]]]
    ) -> dict[str, Any]:
        """``remember`` of many values whose names begin with ``prefix`` (name -> (key,
        compute)), read in one pass: each dataset's summary, facts or stems."""
        self.open()
        keys = {name: key for name, (key, _compute) in wanted.items()}
        self.value_keys.update(keys)
        found = self.values.get_many(prefix, keys)
        for name, (key, compute) in wanted.items():
            if name not in found:
                found[name] = self.values.put(name, key, compute())
        return {name: found[name] for name in wanted}

    def later(self, name: str, key: str, compute: Callable[[], Any]) -> Callable[[], Any]:
        """``remember`` when the value is asked for (a DCAT page's parts are read only
        when the page is written); the value counts as used by this build. It is read
        each time it is asked for, not held: 50,000 parts held until the last page was
        written were 150 MB of a build's peak."""
        self.open()
        self.value_keys[name] = key
        self.values.used.add((name, key))
        return partial(self.remember, name, key, compute)

    def recall(self, name: str) -> Any:
        """The value the last build kept under ``name`` (the previous site's, else the
        spare's), whatever its key; None when it kept none. For what must stay as it
        was between builds (the search index's dataset numbers), kept again with
        ``remember``."""
        self.open()
        self.recalled.add(name)
        key = (self.old.get("recall") or {}).get(name) if self.previous is not None else None
        if key is None:
            key = self.here_recall.get(name)
        found, value = self.values.get(name, key) if key is not None else (False, None)
        return value if found else None

    def _remove_stale(self) -> None:
        """Files of the spare the new site does not have (a dataset removed, a page fewer)."""
        keys = self.keys
        parents: set[Path] = set()
        for path in _expand(self.here, self.here_groups):
            if path not in keys:
                target = self.folder / path
                _unlink(target)
                parents.add(target.parent)
        for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
            while parent != self.folder and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    def save(self) -> None:
        """Write the state (last: a site is reusable only once complete)."""
        self.open()
        if self.complete:
            return  # the spare's state came with it
        self._remove_stale()
        stamp = _stamp()
        head = {
            "format": STATE_FORMAT,
            "complete": True,
            "code": [stamp, code_version()] if stamp else None,
            "fingerprint": self.fingerprint,
            "files": len(self.keys),
        }
        # A group's first file stands for the others (a tenth of the state to read).
        recall = {n: self.value_keys[n] for n in self.recalled if n in self.value_keys}
        body = {"keys": _grouped(self.keys, self.groups), "groups": self.groups, "recall": recall}
        self.values.save()
        self.values.close()
        _write_state(self.folder, head, body)
