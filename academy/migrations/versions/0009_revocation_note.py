"""certificates: a private note beside the public revocation reason

Revision ID: 0009_revocation_note
Revises: 0008
Create Date: 2026-12-03 10:20:00.000000

The reason is shown to verifiers; the note (an HR case number, say) only to admins and in the
audit log.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_revocation_note'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificates') as batch:
        batch.add_column(sa.Column('revoked_note', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('certificates') as batch:
        batch.drop_column('revoked_note')
