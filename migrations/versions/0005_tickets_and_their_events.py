"""tickets and their events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:31:52.054070
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ticket',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('bureau_code', sa.String(length=6), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('business_name', sa.String(length=200), nullable=False),
    sa.Column('business_place', sa.Text(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('demands', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('consumer_name', sa.String(length=60), nullable=True),
    sa.Column('consumer_phone', sa.String(length=20), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('linked_ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('received_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('closed_at', bot.db.UTCDateTime(), nullable=True),
    sa.Column('rating', sa.String(length=8), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['bureau_code'], ['bureau.code'], name=op.f('fk_ticket_bureau_code_bureau')),
    sa.ForeignKeyConstraint(['linked_ticket_id'], ['ticket.id'], name=op.f('fk_ticket_linked_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('number', name=op.f('uq_ticket_number'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_bureau_code'), ['bureau_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_openid'), ['openid'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_status'), ['status'], unique=False)

    op.create_table('ticket_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=True),
    sa.Column('target', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_event_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_status'))
        batch_op.drop_index(batch_op.f('ix_ticket_openid'))
        batch_op.drop_index(batch_op.f('ix_ticket_bureau_code'))

    op.drop_table('ticket')
