"""Docs are part of the feature: every command, option and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from catalog.cli import cli

REPO = Path(__file__).resolve().parent.parent
CLI_DOC = REPO / "docs" / "cli.md"


def _sections(text: str) -> dict[str, str]:
    """Map '## catalog <command>' headings to their text."""
    parts = re.split(r"^## +catalog +(\S+).*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_command_and_option_is_in_docs_cli():
    sections = _sections(CLI_DOC.read_text(encoding="utf-8"))
    missing = []
    for name, command in cli.commands.items():
        if name not in sections:
            missing.append(f"command {name}")
            continue
        for param in command.params:
            if isinstance(param, click.Option):
                if not any(opt in sections[name] for opt in param.opts):
                    missing.append(f"{name} {param.opts[0]}")
            elif param.name and param.name.upper() not in sections[name]:
                missing.append(f"{name} argument {param.name.upper()}")
    assert not missing, missing


def _environment_variables() -> set[str]:
    pattern = re.compile(
        r"""(?:environ(?:\.get)?\(|environ\[|getenv\()\s*["']([A-Z_][A-Z0-9_]*)["']"""
    )
    found: set[str] = set()
    for path in list((REPO / "catalog").rglob("*.py")) + list((REPO / "plugins").rglob("*.py")):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    found.update(re.findall(r"^([A-Z_]+) \?=", (REPO / "Makefile").read_text(), flags=re.M))
    return found


def test_every_setting_is_documented():
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md"))
    missing = sorted(v for v in _environment_variables() if f"`{v}`" not in docs)
    assert not missing, f"undocumented settings: {missing}"


def test_readme_gives_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_architecture_explains_every_dependency():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    names = {re.split(r"[<>=\[; ]", dep, maxsplit=1)[0].lower() for dep in deps}
    architecture = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8").lower()
    missing = sorted(name for name in names if f"`{name}`" not in architecture)
    assert not missing, f"dependencies not explained in docs/architecture.md: {missing}"
