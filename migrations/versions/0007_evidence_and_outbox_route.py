"""evidence, evidence notes and the outbox route

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 06:24:49.692506
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ticket_attachment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('media_id', sa.String(length=200), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('msg_id', sa.String(length=40), nullable=True),
    sa.Column('received_at', bot.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_attachment_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachment'))
    )
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_attachment_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        # Rows queued before this revision were customer-service messages.
        batch_op.add_column(sa.Column('route', sa.String(length=16), nullable=False,
                                      server_default='custom'))
        batch_op.add_column(sa.Column('fields', sa.JSON(), nullable=True))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_note', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('evidence_note')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('fields')
        batch_op.drop_column('route')

    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_ticket_id'))

    op.drop_table('ticket_attachment')
