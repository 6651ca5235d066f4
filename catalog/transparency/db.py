"""The workspace database: one engine per process, sessions for reading and writing.

SQLite (the default file) and PostgreSQL (``DATABASE_URL``) run the same code.
On SQLite a writing transaction starts with ``BEGIN IMMEDIATE``, so two workers
never both read a request and then both write it; on PostgreSQL writers lock the
row (``SELECT ... FOR UPDATE``). The ``version`` column of requests catches
anything else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from catalog.errors import CatalogError
from catalog.i18n import _

if TYPE_CHECKING:
    import psycopg

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url``; ``schema`` puts every table in that PostgreSQL schema."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any malformed URL gets the same clear message
        raise CatalogError(
            _("DATABASE_URL is not a database address: {url}."),
            _("Use sqlite:///path/to/file.db or postgresql+psycopg://user@host/name."),
            url=url.split("@")[-1],
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() != "postgresql":
        raise CatalogError(
            _("Unsupported database: {backend}."),
            _("The workspace runs on SQLite or PostgreSQL (postgresql+psycopg://...)."),
            backend=parsed.get_backend_name(),
        )
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if schema:

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: psycopg.Connection, record: ConnectionPoolEntry) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f'SET search_path TO "{schema}"')
            dbapi_connection.commit()

    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own BEGIN is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a request a citizen was told is filed survives a power cut. NORMAL in WAL
        # mode could lose the last commits; one fsync per commit costs little here.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """An engine with its two kinds of session."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        self.engine = make_engine(url, schema=schema)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer = self.engine.execution_options(immediate=True) if self.is_sqlite else self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on error."""
        with self._write() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the latest migration (safe to run at every start)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # One migrator at a time: workers starting together must not race on the DDL.
        engine = self.engine.execution_options(immediate=True) if self.is_sqlite else self.engine
        with engine.begin() as connection:
            if not self.is_sqlite:
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(5282014)")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()
