"""bureaus

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:26:45.307089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db  # noqa: F401  (custom column types)

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bureau = op.create_table('bureau',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefecture', sa.Boolean(), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['bureau.code'],
                            name=op.f('fk_bureau_parent_code_bureau')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_bureau')),
    sa.UniqueConstraint('name', name=op.f('uq_bureau_name'))
    )
    op.bulk_insert(bureau, seed_rows())


def seed_rows() -> list[dict[str, object]]:
    """Every bureau of the gazetteer (knowledge/gazetteer/bureaus.tsv), prefectures first so
    that the parent key exists; later changes to the list go in their own revision."""
    from knowledge.gazetteer import gazetteer

    places = gazetteer()
    rows = [{"code": b.code, "name": b.name, "prefecture": b.prefecture,
             "parent_code": None if b.prefecture else places.prefecture(b.code)}
            for b in places.bureaus.values()]
    return sorted(rows, key=lambda row: (not row["prefecture"], row["code"]))


def downgrade() -> None:
    op.drop_table('bureau')
