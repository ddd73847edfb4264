"""accounts: pending self-service sign-ups (the account is made when the emailed link is followed)

Revision ID: 0010_signups
Revises: 0009_organisations
Create Date: 2026-12-03 16:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0010_signups'
down_revision = '0009_organisations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('next_path', sa.String(length=500), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('emailed_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_signups_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    sa.UniqueConstraint('email', name=op.f('uq_signups_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signups_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('signups')
