"""Active transparency: assignments, records (documents, links, not-applicable
declarations) and their append-only history.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "active_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("obligation", sa.String(length=60), nullable=False),
        sa.Column("preparer_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["preparer_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("publisher", "obligation"),
    )
    op.create_table(
        "active_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("obligation", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("filename", sa.String(length=120), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("prepared_by", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["prepared_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["submitted_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("publisher", "obligation", "period"),
    )
    with op.batch_alter_table("active_records", schema=None) as batch_op:
        batch_op.create_index("ix_active_records_status", ["status", "publisher"], unique=False)
    op.create_table(
        "active_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("obligation", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["active_records.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("active_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_active_events_item", ["publisher", "obligation", "id"], unique=False
        )
    # The history is append-only, as the requests' events are (migration 0001).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER active_events_no_{verb.lower()} BEFORE {verb} ON active_events "
                "BEGIN SELECT RAISE(ABORT, 'active_events are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION active_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'active_events are append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER active_events_append_only BEFORE UPDATE OR DELETE ON active_events "
        "FOR EACH ROW EXECUTE FUNCTION active_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS active_events_append_only ON active_events")
        op.execute("DROP FUNCTION IF EXISTS active_events_append_only()")
    with op.batch_alter_table("active_events", schema=None) as batch_op:
        batch_op.drop_index("ix_active_events_item")
    op.drop_table("active_events")
    with op.batch_alter_table("active_records", schema=None) as batch_op:
        batch_op.drop_index("ix_active_records_status")
    op.drop_table("active_records")
    op.drop_table("active_assignments")
