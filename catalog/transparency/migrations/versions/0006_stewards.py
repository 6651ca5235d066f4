"""Stewards' drafts of datasets and their append-only history (stewards.py).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "steward_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upload", sa.JSON(), nullable=False),
        sa.Column("package", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("build", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["submitted_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("steward_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_steward_drafts_dataset", ["publisher", "name"], unique=False)
    op.create_table(
        "steward_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["steward_drafts.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("steward_events", schema=None) as batch_op:
        batch_op.create_index("ix_steward_events_draft", ["draft_id", "id"], unique=False)
    # Every step is kept, as the requests' events are (migration 0001).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER steward_events_no_{verb.lower()} BEFORE {verb} ON steward_events "
                "BEGIN SELECT RAISE(ABORT, 'steward_events are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION steward_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'steward_events are append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER steward_events_append_only BEFORE UPDATE OR DELETE ON steward_events "
        "FOR EACH ROW EXECUTE FUNCTION steward_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS steward_events_append_only ON steward_events")
        op.execute("DROP FUNCTION IF EXISTS steward_events_append_only()")
    with op.batch_alter_table("steward_events", schema=None) as batch_op:
        batch_op.drop_index("ix_steward_events_draft")
    op.drop_table("steward_events")
    with op.batch_alter_table("steward_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_steward_drafts_dataset")
    op.drop_table("steward_drafts")
