"""Measure values signed off (provisional or final), with source and caveat; milestones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:22:52.338794

Every value already stored becomes "provisional": nobody signed it off, so a paper says so
until its owner or performance lead does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["success_measure.id"], name="fk_measure_milestone_measure_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure_milestone"),
        sa.UniqueConstraint("measure_id", "due_date", name="uq_measure_milestone_measure_date"),
    )
    with op.batch_alter_table("measure_milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_milestone_measure_id"), ["measure_id"], unique=False
        )

    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                server_default=sa.text("'provisional'"),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("signed_off_at", tracker.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(sa.Column("caveat", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_foreign_key(
            "fk_measure_value_signed_off_by_id", "person", ["signed_off_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.drop_constraint("fk_measure_value_signed_off_by_id", type_="foreignkey")
        batch_op.drop_column("caveat")
        batch_op.drop_column("source")
        batch_op.drop_column("signed_off_at")
        batch_op.drop_column("signed_off_by_id")
        batch_op.drop_column("status")

    with op.batch_alter_table("measure_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_milestone_measure_id"))

    op.drop_table("measure_milestone")
