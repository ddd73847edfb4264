"""organisations: managers, invitations, assigned courses

Revision ID: 0009_organisations
Revises: 0008_mail
Create Date: 2026-12-03 09:43:27.262663
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0009_organisations'
down_revision = ('0008_mail', '0009_revocation_note')  # joins both branches: one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_assignments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_course_assignments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_course_assignments_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_assignments'))
    )
    with op.batch_alter_table('course_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_assignments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_assignments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('courses', sa.JSON(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_organisation_id_email', ['organisation_id', 'email'], unique=False)

    op.create_table('organisation_managers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_organisation_managers_appointed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_managers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_managers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_managers')),
    sa.UniqueConstraint('organisation_id', 'user_id', name=op.f('uq_organisation_managers_organisation_id_user_id'))
    )
    with op.batch_alter_table('organisation_managers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_managers_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('organisation_managers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_managers_user_id'))

    op.drop_table('organisation_managers')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_organisation_id_email')

    op.drop_table('invitations')
    with op.batch_alter_table('course_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_assignments_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_course_assignments_course_id'))

    op.drop_table('course_assignments')
