"""From a demo ``Dataset`` to its folder: datapackage.json, README.md, data files, queries.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog import jurisdictions, vocabularies
from catalog.demo.indicators import declared
from catalog.demo.model import NOTICE, Dataset, Table, write_json, write_table, write_yaml

GENERATED = "# Generado por catalog/demo (python -m catalog.demo); no editar a mano.\n"


def write_dataset(root: Path, dataset: Dataset, publisher: dict[str, Any]) -> None:
    folder = root / "datasets" / dataset.publisher / dataset.name
    for table in dataset.tables:
        write_table(folder, table)
    write_json(folder / "datapackage.json", descriptor(dataset, publisher))
    (folder / "README.md").write_text(readme(dataset, publisher), encoding="utf-8")
    if dataset.queries:
        write_yaml(folder / "queries.yaml", dataset.queries, GENERATED)


def descriptor(dataset: Dataset, publisher: dict[str, Any]) -> dict[str, Any]:
    licence = vocabularies.entry("licenses", dataset.license) or {}
    out: dict[str, Any] = {
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.description,
        "publisher": dataset.publisher,
        "keywords": dataset.keywords,
        "themes": dataset.themes,
        "licenses": [
            {
                "name": dataset.license,
                "title": licence.get("title", dataset.license),
                "path": licence.get("url", ""),
            }
        ],
        "frequency": dataset.frequency,
        "contactPoint": contact(publisher),
        "version": dataset.version,
        "issued": dataset.issued,
        "modified": dataset.modified,
    }
    if dataset.temporal:
        out["temporal"] = dataset.temporal
    if dataset.spatial:
        out["spatial"] = dataset.spatial
    if dataset.obligations:
        out["obligations"] = dataset.obligations
    if dataset.conforms_to:
        out["conformsTo"] = dataset.conforms_to
    out["sources"] = dataset.sources
    out["resources"] = [t.descriptor() for t in dataset.tables]
    if indicators := declared(f"{dataset.publisher}/{dataset.name}"):
        out["indicators"] = indicators
    return out


def contact(publisher: dict[str, Any]) -> dict[str, str]:
    return {
        "name": f"Unidad de Información Pública, {publisher['acronym']}",
        "email": publisher["email"],
    }


def readme(dataset: Dataset, publisher: dict[str, Any]) -> str:
    parts = [
        f"# {dataset.title}",
        f"> {NOTICE}",
        dataset.description,
        _contents(dataset.tables),
        f"## Metodología\n\n{dataset.methodology}",
        _sources(dataset),
        f"## Advertencias\n\n{dataset.caveats}",
    ]
    if dataset.obligations:
        parts.append(_obligations(dataset.obligations))
    parts.append(_dictionary(dataset.tables))
    parts.append(_licence(dataset, publisher))
    return "\n\n".join(parts) + "\n"


def _contents(tables: list[Table]) -> str:
    lines = ["## Contenido", ""]
    for t in tables:
        lines.append(f"- **{t.title}** (`{t.path}`, {len(t.rows)} filas): {t.description}")
    return "\n".join(lines)


def _sources(dataset: Dataset) -> str:
    return "## Fuentes\n\n" + "\n".join(f"- {s['title']}" for s in dataset.sources)


def _obligations(ids: list[str]) -> str:
    lines = [
        "## Transparencia activa",
        "",
        "Este conjunto de datos cumple con la información pública de oficio siguiente:",
        "",
    ]
    for identifier in ids:
        item = jurisdictions.obligation(identifier) or {}
        title = item.get("title", {}).get("es", "")
        lines.append(f"- `{identifier}`: {title}.")
    return "\n".join(lines)


def _dictionary(tables: list[Table]) -> str:
    lines = ["## Diccionario de datos"]
    for t in tables:
        lines += [
            "",
            f"### {t.title} (`{t.name}`)",
            "",
            "| Campo | Tipo | Descripción |",
            "|---|---|---|",
        ]
        lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in t.columns]
    return "\n".join(lines)


def _licence(dataset: Dataset, publisher: dict[str, Any]) -> str:
    licence = vocabularies.entry("licenses", dataset.license) or {}
    title = licence.get("label", {}).get("es", dataset.license)
    return (
        f"## Licencia y contacto\n\nPublicado por {publisher['name']} bajo la licencia "
        f"{title} ({licence.get('url', '')}). Consultas: "
        f"{contact(publisher)['name']}."
    )


def write_publisher(root: Path, slug: str, data: dict[str, Any]) -> None:
    write_yaml(root / "publishers" / f"{slug}.yaml", data, GENERATED)
