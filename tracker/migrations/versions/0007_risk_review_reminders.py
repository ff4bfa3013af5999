"""Risk review reminders: the day each risk's owner was last reminded to review it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:25:25.508004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reminded_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_column("review_reminded_on")
