"""authoring: course editors, drafts, the files of each published version and where it came from

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27 03:05:33.613871

Only content tables are needed (courses, course_versions) besides users, so the area branches
from 0002.
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_editors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_course_editors_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_editors_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_editors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_editors')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_editors_course_id_user_id'))
    )
    with op.batch_alter_table('course_editors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_editors_user_id'), ['user_id'], unique=False)

    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_drafts_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_drafts_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('course_id', 'path', name=op.f('uq_drafts_course_id_path'))
    )
    op.create_table('published_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_published_files_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_files')),
    sa.UniqueConstraint('course_version_id', 'path', name=op.f('uq_published_files_course_version_id_path'))
    )
    op.create_table('version_origins',
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('restored_from', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_version_origins_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_version_origins_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_version_id', name=op.f('pk_version_origins'))
    )


def downgrade() -> None:
    op.drop_table('version_origins')
    op.drop_table('published_files')
    op.drop_table('drafts')
    with op.batch_alter_table('course_editors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_editors_user_id'))

    op.drop_table('course_editors')
