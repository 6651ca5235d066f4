"""Writing the release's search file (``search.db``, catalog/release/layout.py).

Once per release, right after ``index.json``, from that file as the readers parse
it: the search file records the index's digest, so the reader knows the index
whole without parsing it (catalog/release/search.py), and every API worker reads
the one file instead of building its own index (catalog/api/catalogue.py). What
goes in it is the API's to say (catalog/api/searchwrite.py: CKAN packages, stems
and weights, keyword values, orders, counts).
"""

from __future__ import annotations

from pathlib import Path

from catalog.api import searchwrite
from catalog.release.layout import ReleaseFolder
from catalog.release.reader import read_index


def write_search(folder: ReleaseFolder) -> Path:
    """Write ``folder``'s search file from its ``index.json`` (already written)."""
    return searchwrite.write(folder.search, read_index(folder.index), folder.index)
