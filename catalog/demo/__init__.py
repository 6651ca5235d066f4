"""The demo catalogue: a realistic Guatemalan portal, generated deterministically.

``generate(root)`` writes ``publishers/*.yaml`` and ``datasets/<publisher>/<dataset>/``
under ``root``; the same code writes the same bytes on every run (seeded random
streams, no clock), so the committed demo can be checked by regenerating it.
Every dataset is labelled as sample data ("datos de ejemplo").

Run it with ``python -m catalog.demo [ROOT]`` or ``catalog demo --root ROOT``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from catalog.demo import finance, itportfolio, local, services, social, statistics
from catalog.demo.model import Dataset
from catalog.demo.publishers import PUBLISHERS
from catalog.demo.render import write_dataset, write_publisher


def datasets() -> list[Dataset]:
    """Every demo dataset, in publishing order."""
    found: list[Dataset] = []
    for module in (social, services, finance, itportfolio, statistics, local):
        found += module.datasets()
    return found


def generate(root: Path) -> None:
    """Write the demo publishers and datasets under ``root`` (replacing earlier demo output)."""
    root = Path(root)
    for slug, data in PUBLISHERS.items():
        write_publisher(root, slug, data)
    for dataset in datasets():
        folder = root / "datasets" / dataset.publisher / dataset.name
        if folder.exists():  # drop files an older version of the demo wrote
            shutil.rmtree(folder)
        write_dataset(root, dataset, PUBLISHERS[dataset.publisher])


def main(argv: list[str] | None = None) -> None:
    import sys

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(".")
    generate(root)
    print(f"Catálogo de demostración escrito en: {root}")
