"""certificates: awarded certificates, their revocation and replacement, and the signed credential

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:01:23.053189

``uq_certificates_live`` is a partial unique index (SQLite and PostgreSQL both support them): a
learner has at most one live (not superseded) certificate per course, however many requests race
to issue it.
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LIVE = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('identity_hash', sa.String(length=80), nullable=False),
    sa.Column('identity_salt', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('score_percent', sa.Integer(), nullable=True),
    sa.Column('awarded_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=500), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('credential', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_certificates_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], name=op.f('fk_certificates_replaces_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_certificates_replaces_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_course_id_issued_at', ['course_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certificates_live', ['user_id', 'course_id'], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_live', sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index('ix_certificates_course_id_issued_at')

    op.drop_table('certificates')
