"""The architecture, kept true by tests.

* The import contracts of pyproject.toml (``[tool.importlinter]``: no import cycle, only
  the command line and the benchmarks import the builder, the foundation imports nothing
  above it) hold: ``lint-imports`` succeeds. Its lists name every module of catalog/.
* No two modules of catalog import each other when they are loaded: the imports that run
  at import time (at the top of a module, in a class body, under ``if``/``try``; not
  inside a function, not under ``if TYPE_CHECKING:``) form no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "catalog"
# The command line and its entry point import everything; the benchmarks drive the build.
MAY_IMPORT_THE_BUILDER = {"catalog.cli", "catalog.__main__", "catalog.bench", "catalog.build"}


# ------------------------------------------------------------------ import-linter


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _children(package: Path) -> set[str]:
    """The modules and packages directly inside a top-level package, as dotted names."""
    prefix = package.name
    names = {f"{prefix}.{p.stem}" for p in package.glob("*.py") if p.name != "__init__.py"}
    names |= {f"{prefix}.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    return names


def test_lint_imports_succeeds():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout  # all of them ran


def test_the_contracts_place_every_module():
    """A module added to catalog/ must be given its place in the contracts."""
    contracts = _contracts()
    children = _children(CATALOG)
    assert {"catalog.build", "catalog.serve", "catalog.i18n"} <= children  # the walk works

    builder = contracts["builder"]
    assert builder["forbidden_modules"] == ["catalog.build"]
    readers = {"catalog.serve", "catalog.sqlproc", "catalog.api", "catalog.transparency"}
    assert readers <= set(builder["source_modules"])
    unplaced = children - set(builder["source_modules"]) - MAY_IMPORT_THE_BUILDER
    assert not unplaced, f"add to the 'builder' contract's source_modules: {sorted(unplaced)}"
    allowed = MAY_IMPORT_THE_BUILDER & set(builder["source_modules"])
    assert not allowed, allowed

    foundation = contracts["foundation"]
    low = {"catalog.i18n", "catalog.errors", "catalog.clock", "catalog.urls", "catalog.findings"}
    assert low | {"catalog.release"} <= set(foundation["source_modules"])
    placed = set(foundation["source_modules"]) | set(foundation["forbidden_modules"])
    unplaced = children - placed
    assert not unplaced, f"add to the 'foundation' contract's lists: {sorted(unplaced)}"
    assert not set(foundation["source_modules"]) & set(foundation["forbidden_modules"])
    missing = placed - children
    assert not missing, f"the 'foundation' contract names modules that do not exist: {missing}"

    assert contracts["acyclic"]["ancestors"] == ["catalog"]


# ------------------------------------------------------------------ cycles at import time


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load_time_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # runs when called, not when imported
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it needs loaded, by its load-time imports.

    ``from p import name`` needs ``p.name`` when that is a module, else ``p`` itself (the
    name is defined there); a module needs its packages too, except its own ancestors,
    which are always being loaded already.
    """
    files = {_module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        needed: set[str] = set()
        for node in _load_time_imports(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.Import):
                needed.update(alias.name for alias in node.names)
                continue
            if node.level:
                base = here.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                needed.add(sub if sub in files else target)
        own = set(_ancestors(name))
        edges = set()
        for module in needed:
            if module != package and not module.startswith(package + "."):
                continue
            edges.update(m for m in [*_ancestors(module), module] if m in files and m not in own)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_at_load_time():
    graph = import_graph(REPO, "catalog")
    assert len(graph) > 50 and "catalog.i18n" in graph["catalog.errors"]  # the walk works
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle at load time: " + " -> ".join(cycle or [])


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_cycle_check_sees_load_time_cycles_only(tmp_path: Path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg import a\n"
                "def later():\n    from pkg.a import x\n"
            ),
            "pkg/sub/__init__.py": "from .c import C\n",
            "pkg/sub/c.py": "from . import d\nclass C:\n    import os\n",
            "pkg/sub/d.py": "import pkg.a\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.b"}
    assert graph["pkg.b"] == set()  # a function's import and a TYPE_CHECKING one do not count
    assert graph["pkg.sub"] == {"pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg.sub.d"}  # its own package is loading already
    assert graph["pkg.sub.d"] == {"pkg.a"}
    assert find_cycle(graph) is None

    (tmp_path / "pkg" / "b.py").write_text("from pkg.sub import C\n", encoding="utf-8")
    cycle = find_cycle(import_graph(tmp_path, "pkg"))
    assert cycle == ["pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c", "pkg.sub.d", "pkg.a"]
