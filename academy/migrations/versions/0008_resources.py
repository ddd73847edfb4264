"""resources: course resources and worksheets per version, learners' saved worksheet answers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:56:12.455637

``module_versions.minutes`` changes meaning from the author's reading-time claim to the minutes
added for activities; the old claims are cleared so computed reading times show for old versions.
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resource_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('tables', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_resource_versions_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_versions')),
    sa.UniqueConstraint('course_version_id', 'slug', name=op.f('uq_resource_versions_course_version_id_slug'))
    )
    op.create_table('worksheet_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('worksheet_key', sa.String(length=200), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('saved_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_worksheet_answers_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_worksheet_answers_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_worksheet_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worksheet_answers')),
    sa.UniqueConstraint('user_id', 'course_id', 'worksheet_key', name=op.f('uq_worksheet_answers_user_id_course_id_worksheet_key'))
    )
    with op.batch_alter_table('worksheet_answers', schema=None) as batch_op:
        batch_op.create_index('ix_worksheet_answers_course_id_worksheet_key', ['course_id', 'worksheet_key'], unique=False)

    op.create_table('worksheet_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_worksheet_versions_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_worksheet_versions_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worksheet_versions')),
    sa.UniqueConstraint('course_version_id', 'key', name=op.f('uq_worksheet_versions_course_version_id_key'))
    )
    with op.batch_alter_table('worksheet_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worksheet_versions_module_id'), ['module_id'], unique=False)
    op.execute("UPDATE module_versions SET minutes = NULL")



def downgrade() -> None:
    with op.batch_alter_table('worksheet_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worksheet_versions_module_id'))

    op.drop_table('worksheet_versions')
    with op.batch_alter_table('worksheet_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_worksheet_answers_course_id_worksheet_key')

    op.drop_table('worksheet_answers')
    op.drop_table('resource_versions')
