"""What a piece of code depends on: the ``catalog`` modules it imports, directly or not,
and the installed versions of the other libraries they import.

Read from the import statements (``ast``), never from a hand-kept list, so a module
that joins a computation joins its fingerprint by itself. The build's cache keys
(catalog/build/state.py: what validating and loading a dataset depend on) and the
site's (catalog/site/writer.py: what shapes a page) are both made from this.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from importlib import metadata
from pathlib import Path

CATALOG = Path(__file__).resolve().parent  # the package whose modules are followed


def module_file(name: str, package: Path = CATALOG) -> Path | None:
    """The file of a module of ``package`` (``catalog.site.pages`` → catalog/site/pages.py)."""
    parts = name.split(".")
    if parts[0] != package.name:
        return None
    base = package.parent.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(path: Path, package: Path = CATALOG) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, as absolute names."""
    parents = path.relative_to(package.parent).with_suffix("").parts[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = parents[: len(parents) - node.level + 1] if node.level else ()
            base = ".".join(p for p in (*parent, node.module or "") if p)
            for alias in node.names:
                # ``from catalog.release import naming`` needs naming.py, not the package's
                # __init__; ``from catalog.i18n import _`` needs i18n.py.
                module = f"{base}.{alias.name}"
                names.add(module if module_file(module, package) else base)
    return names


def code_closure(roots: list[Path], package: Path = CATALOG) -> tuple[list[Path], set[str]]:
    """The modules of ``package`` that ``roots`` import, directly or not (roots included),
    and the top-level names of the other packages they import (``jinja2``, ``json``...)."""
    queue = list(roots)
    seen: set[Path] = set()
    libraries: set[str] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imports(path, package):
            found = module_file(name, package)
            if found is not None:
                queue.append(found)
            elif name.split(".")[0] != package.name:
                libraries.add(name.split(".")[0])
    return sorted(seen), libraries


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())  # scans every installed package: once


def library_versions(names: set[str]) -> list[str]:
    """``dist==version`` of the installed distributions providing these top-level modules."""
    by_module = _distributions()
    found = []
    for dist in sorted({d for name in names for d in by_module.get(name, [])}):
        try:
            found.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return found
