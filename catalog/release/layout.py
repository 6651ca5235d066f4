"""Where things are in a build folder and in each release it holds.

::

    <build>/current -> releases/<id>      the live release (swapped atomically)
    <build>/releases/<id>/index.json      the catalogue index (index.py)
    <build>/releases/<id>/search.db       the API's dataset search, on disk (search.py)
    <build>/releases/<id>/sql/catalogo.db every published table + the catalogue tables
    <build>/releases/<id>/sql/metadata.json, sql/inspect.json   Datasette's files
    <build>/releases/<id>/site/           the static catalogue
    <build>/sql, site, index.json         fixed links into current/

``catalog build`` writes this layout (catalog/build/release.py); everything else
reads it through ``ReleaseFolder`` and the reader (reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CURRENT = "current"
RELEASES = "releases"
INDEX = "index.json"
SEARCH = "search.db"  # the API's datasets and search index, shared by its workers
SQL = "sql"
SITE = "site"
DATABASE = "catalogo"  # the database's name in Datasette: /sql/catalogo
DB_FILE = f"{DATABASE}.db"
METADATA = "metadata.json"
INSPECT = "inspect.json"
# Links at the top of the build folder that always lead into the current release.
STABLE_LINKS = (SQL, SITE, INDEX)
# How long a server keeps answering from a release after ``current`` moved on (requests
# begun on it finish there); the builder reuses no older release sooner (build/release.py).
RETIRE_AFTER_S = 120


@dataclass(frozen=True)
class ReleaseFolder:
    """The paths inside one release folder (``releases/<id>``)."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def index(self) -> Path:
        return self.path / INDEX

    @property
    def search(self) -> Path:
        return self.path / SEARCH

    @property
    def sql(self) -> Path:
        return self.path / SQL

    @property
    def database(self) -> Path:
        return self.sql / DB_FILE

    @property
    def metadata(self) -> Path:
        return self.sql / METADATA

    @property
    def inspect(self) -> Path:
        return self.sql / INSPECT

    @property
    def site(self) -> Path:
        return self.path / SITE
