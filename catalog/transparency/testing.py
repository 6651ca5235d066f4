"""Helpers for tests and the bench: a workspace on a fresh database.

SQLite: a file in a temporary folder. PostgreSQL (``TEST_DATABASE_URL``): a new
schema with a random name, dropped afterwards, so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine

from catalog.transparency.config import from_env
from catalog.transparency.workspace import Workspace

PUBLISHERS = {
    "mides": {
        "name": "Ministerio de Desarrollo Social",
        "acronym": "MIDES",
        "jurisdiction": {"country": "GT"},
    },
    "mineduc": {
        "name": "Ministerio de Educación",
        "acronym": "MINEDUC",
        "jurisdiction": {"country": "GT"},
    },
    "muni-coban": {
        "name": "Municipalidad de Cobán",
        "acronym": "Muni Cobán",
        "jurisdiction": {"country": "GT"},
    },
    "cplt-demo": {
        "name": "Servicio de ejemplo (Chile)",
        "acronym": "SEC",
        "jurisdiction": {"country": "CL"},
    },
    "py-demo": {
        "name": "Entidad de ejemplo (Paraguay)",
        "acronym": "EEP",
        "jurisdiction": {"country": "PY"},
    },
}


def database_kinds() -> list[str]:
    """SQLite always; PostgreSQL too when ``TEST_DATABASE_URL`` is set."""
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty database of ``kind``."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'workspace.db'}", None
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def workspace_for_tests(kind: str, folder: Path, **settings: object) -> Iterator[Workspace]:
    with fresh_database(kind, folder) as (url, schema):
        values: dict[str, object] = {
            "database_url": url,
            "data_dir": folder / "var",
            "secret_key": "test-secret",
            "min_fill_seconds": 0.0,
            "filings_per_hour": 1000,
        }
        values.update(settings)
        workspace = Workspace(from_env(**values), schema=schema, publishers=PUBLISHERS)
        try:
            yield workspace
        finally:
            workspace.close()
