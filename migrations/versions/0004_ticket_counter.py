"""ticket counter

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:29:49.329872
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db  # noqa: F401  (custom column types)

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ticket_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_ticket_counter'))
    )


def downgrade() -> None:
    op.drop_table('ticket_counter')
