"""unanswered questions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:41:23.188573
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unanswered_question',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('best_candidate', sa.String(length=80), nullable=True),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_question'))
    )
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unanswered_question_openid'), ['openid'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_question_openid'))

    op.drop_table('unanswered_question')
