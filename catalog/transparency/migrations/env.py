"""Alembic environment: runs on the connection ``Database.migrate`` passes in."""

from __future__ import annotations

from alembic import context

from catalog.transparency.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the workspace always passes a connection
    raise RuntimeError("Run migrations through catalog.transparency.db.Database.migrate().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
