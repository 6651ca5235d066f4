"""Docs are part of the feature: every command, option and setting is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from catalog.cli import cli

REPO = Path(__file__).resolve().parent.parent
CLI_DOC = REPO / "docs" / "cli.md"


# ------------------------------------------------------------------ docs/cli.md


def _commands(
    command: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command, the root and each group included, walked recursively (not hidden ones)."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands())


def _doc_sections(text: str) -> dict[tuple[str, ...], str]:
    """``## catalog users`` (or ``### catalog users add``) → that section's text; () → the
    introduction, before the first heading of a command."""
    heading = re.compile(r"^(#{2,6}) +catalog((?: +[a-z][a-z0-9-]*)*) *$", re.M)
    sections: dict[tuple[str, ...], str] = {}
    matches = list(heading.finditer(text))
    sections[()] = text[: matches[0].start()] if matches else text
    for match in matches:
        level = len(match.group(1))
        ends = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, match.end())
        sections[tuple(match.group(2).split())] = text[match.end() : ends.start() if ends else None]
    return sections


SECTIONS = _doc_sections(CLI_DOC.read_text(encoding="utf-8"))


def _section_of(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The section that documents a command: its own, else its nearest group's."""
    for cut in range(len(path), 0, -1):
        if path[:cut] in SECTIONS:
            return path[:cut]
    return () if not path else None


def _help_options(path: tuple[str, ...]) -> set[str]:
    """Every option name ``catalog <path> --help`` lists (``--help`` itself aside)."""
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    names: set[str] = set()
    for line in result.output.splitlines():
        spec = re.match(r"^  (-.*?)(?: {2,}|$)", line)  # an option's line, not a description's
        if spec:
            names.update(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", spec.group(1)))
    return names - {"--help"}


OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _usage_lines(section: str) -> list[str]:
    """The lines of the section's code blocks that show a command (``catalog ...``)."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", section, flags=re.M | re.S)
    lines = (line.strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line.startswith("catalog ")]


def _command_of(line: str) -> tuple[str, ...]:
    """The command a usage line shows: its longest run of command names."""
    path: tuple[str, ...] = ()
    for word in line.split()[1:]:
        if (*path, word) not in COMMANDS:
            break
        path = (*path, word)
    return path


def _usage_line(section: str, path: tuple[str, ...]) -> str | None:
    return next((line for line in _usage_lines(section) if _command_of(line) == path), None)


def _table_options(section: str) -> set[str]:
    """The options of the section's option tables (their first column)."""
    cells = re.findall(r"^\|\s*([^|]*?)\s*\|", section, flags=re.M)
    return {name for cell in cells for name in OPTION.findall(cell)}


def test_the_help_walk_sees_subcommands():
    assert ("users", "add") in COMMANDS and ("workspace", "closure") in COMMANDS
    assert ("requests", "remind") in COMMANDS
    assert {"--name", "--role", "--publisher", "--data-dir", "--lang"} <= _help_options(
        ("users", "add")
    )
    assert "--out" in _help_options(("build",))  # every name of an option


def test_every_command_is_in_docs_cli():
    missing = []
    for path, command in COMMANDS.items():
        if not path:
            continue
        where = _section_of(path)
        if where is None:
            missing.append(f"catalog {' '.join(path)}: no section")
        elif not isinstance(command, click.Group) and _usage_line(SECTIONS[where], path) is None:
            missing.append(f"catalog {' '.join(path)}: no usage line in its section")
    assert not missing, missing


def test_docs_cli_names_only_real_commands():
    unknown = [f"section: catalog {' '.join(p)}" for p in SECTIONS if p not in COMMANDS]
    for section in SECTIONS.values():
        for line in _usage_lines(section):
            path = _command_of(line)
            if not path or isinstance(COMMANDS[path], click.Group):
                unknown.append(f"usage line: {line}")
    assert not unknown, unknown


def test_every_option_of_help_is_in_its_section():
    """What ``--help`` lists, the command's section of docs/cli.md mentions."""
    missing = []
    for path in COMMANDS:
        where = _section_of(path)
        if where is None:
            continue  # test_every_command_is_in_docs_cli says so
        mentioned = set(OPTION.findall(SECTIONS[where]))
        for name in sorted(_help_options(path) - mentioned):
            missing.append(f"catalog {' '.join(path)} {name}".replace("  ", " "))
    assert not missing, f"options missing from docs/cli.md: {missing}"


def test_every_argument_is_in_its_usage_line():
    missing = []
    for path, command in COMMANDS.items():
        where = _section_of(path)
        line = _usage_line(SECTIONS[where], path) if where is not None and path else None
        for param in command.params:
            if isinstance(param, click.Argument) and line is not None:
                if not re.search(rf"\b{re.escape((param.name or '').upper())}\b", line):
                    missing.append(f"catalog {' '.join(path)}: argument {param.name}")
    assert not missing, missing


def test_docs_cli_lists_no_option_help_does_not_know():
    """A usage line shows only its command's options; an option table, only options of
    the commands its section documents."""
    unknown = []
    for where, section in SECTIONS.items():
        covered = [p for p in COMMANDS if p and _section_of(p) == where] or [where]
        known = set().union(*(_help_options(p) for p in covered))
        for name in sorted(_table_options(section) - known):
            unknown.append(f"table of catalog {' '.join(where)}: {name}")
        for path in covered:
            line = _usage_line(section, path)
            for name in sorted(set(OPTION.findall(line or "")) - _help_options(path)):
                unknown.append(f"usage of catalog {' '.join(path)}: {name}")
    assert not unknown, f"options docs/cli.md gives that --help does not list: {unknown}"


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


# ------------------------------------------------------------------ docs/architecture.md


def _module_rows() -> dict[str, str]:
    """The rows of the module table: its first cell (a path) → the rest of the row."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| *`([^`]+)` *\|(.*)\|\s*$", table, flags=re.M)
    return {path: rest for path, rest in rows}


ROWS = _module_rows()


def _named_modules(package: str, row: str) -> set[str]:
    """The modules a package's row names by their bare file name (``state.py``)."""
    return set(re.findall(r"(?<![\w/.])`([a-z_][a-z0-9_]*\.py)`", row))


def _modules_of(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if p.name != "__init__.py")


def test_every_row_of_the_module_table_exists():
    assert "catalog/cli.py" in ROWS and "catalog/build/" in ROWS  # the table was read
    missing = [path for path in ROWS if not (REPO / path).exists()]
    for path, row in ROWS.items():
        if path.endswith("/") and path.startswith("catalog/"):
            for name in sorted(_named_modules(path, row)):
                # a bare name is a module of the package, or a sibling of it in catalog/
                if not (REPO / path / name).is_file() and not (REPO / "catalog" / name).is_file():
                    missing.append(f"{path}{name}")
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_module_is_in_the_module_table():
    """A module has its own row, or its package's row names it (``state.py``) or the
    folder it is in (``migrations/``); a package's row that names none of its modules
    (``catalog/demo/``) speaks of the package as a whole. Every package has a row."""
    missing = []
    for module in _modules_of(REPO / "catalog"):
        relative = module.relative_to(REPO).as_posix()
        if relative in ROWS:
            continue
        parts = relative.split("/")
        package = "/".join(parts[:2]) + "/"
        if len(parts) == 2 or package not in ROWS:
            missing.append(relative)
            continue
        inner = "/".join(parts[2:])
        listed = _named_modules(package, ROWS[package])
        named = (
            not listed
            or inner in listed
            or any(f"`{'/'.join(parts[2:i])}/`" in ROWS[package] for i in range(3, len(parts)))
        )
        if not named:
            missing.append(relative)
    packages = sorted(
        f"catalog/{p.name}/" for p in (REPO / "catalog").iterdir() if (p / "__init__.py").is_file()
    )
    missing += [package for package in packages if package not in ROWS]
    assert not missing, f"modules missing from the table of docs/architecture.md: {missing}"
