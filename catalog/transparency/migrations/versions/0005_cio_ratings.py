"""CIO ratings of IT investments: append-only (cio.py).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cio_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("investment", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("submission", sa.String(length=64), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_cio_ratings_rating"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission"),
    )
    with op.batch_alter_table("cio_ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cio_ratings_investment", ["publisher", "investment", "id"], unique=False
        )
    # Every rating is kept, as the requests' events are (migration 0001).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER cio_ratings_no_{verb.lower()} BEFORE {verb} ON cio_ratings "
                "BEGIN SELECT RAISE(ABORT, 'cio_ratings are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION cio_ratings_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'cio_ratings are append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER cio_ratings_append_only BEFORE UPDATE OR DELETE ON cio_ratings "
        "FOR EACH ROW EXECUTE FUNCTION cio_ratings_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS cio_ratings_append_only ON cio_ratings")
        op.execute("DROP FUNCTION IF EXISTS cio_ratings_append_only()")
    with op.batch_alter_table("cio_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_cio_ratings_investment")
    op.drop_table("cio_ratings")
