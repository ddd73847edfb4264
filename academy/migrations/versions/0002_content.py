"""content: courses, versions, modules, quizzes, assets, enrolments and module progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:57:00.379379

``courses.current_version_id`` and ``course_versions.course_id`` point at each other, so the
former's foreign key is added once both tables exist.
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('slug', name=op.f('uq_courses_slug'))
    )
    op.create_table('course_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('intro_html', sa.Text(), nullable=False),
    sa.Column('certificate_title', sa.String(length=300), nullable=False),
    sa.Column('valid_for_months', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_versions_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_versions')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_versions_course_id_number'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_courses_current_version_id_course_versions'),
                                    'course_versions', ['current_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_modules_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_modules')),
    sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_modules_course_id_slug'))
    )
    op.create_table('quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('created_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_quizzes_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes')),
    sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_quizzes_course_id_slug'))
    )
    op.create_table('assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_assets_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets')),
    sa.UniqueConstraint('course_version_id', 'path', name=op.f('uq_assets_course_version_id_path'))
    )
    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_enrolments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enrolments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_enrolments_user_id_course_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_course_id'), ['course_id'], unique=False)

    op.create_table('module_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('first_viewed_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_viewed_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('seconds_spent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_module_progress_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_progress_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_module_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_progress')),
    sa.UniqueConstraint('user_id', 'module_id', name=op.f('uq_module_progress_user_id_module_id'))
    )
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_progress_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_progress_module_id'), ['module_id'], unique=False)
        batch_op.create_index('ix_module_progress_user_id_course_id', ['user_id', 'course_id'], unique=False)

    op.create_table('module_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('headings', sa.JSON(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_module_versions_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_versions_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_versions')),
    sa.UniqueConstraint('course_version_id', 'module_id', name=op.f('uq_module_versions_course_version_id_module_id')),
    sa.UniqueConstraint('course_version_id', 'position', name=op.f('uq_module_versions_course_version_id_position'))
    )
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_versions_module_id'), ['module_id'], unique=False)

    op.create_table('quiz_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=True),
    sa.Column('draw', sa.Integer(), nullable=True),
    sa.Column('time_limit', sa.Integer(), nullable=True),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_quiz_versions_course_version_id_course_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_quiz_versions_module_id_modules'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_versions_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_versions')),
    sa.UniqueConstraint('course_version_id', 'quiz_id', name=op.f('uq_quiz_versions_course_version_id_quiz_id'))
    )
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_versions_course_version_id_module_id', ['course_version_id', 'module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_versions_quiz_id'), ['quiz_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_versions_quiz_id'))
        batch_op.drop_index('ix_quiz_versions_course_version_id_module_id')

    op.drop_table('quiz_versions')
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_versions_module_id'))

    op.drop_table('module_versions')
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_module_progress_user_id_course_id')
        batch_op.drop_index(batch_op.f('ix_module_progress_module_id'))
        batch_op.drop_index(batch_op.f('ix_module_progress_course_id'))

    op.drop_table('module_progress')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_course_id'))

    op.drop_table('enrolments')
    op.drop_table('assets')
    op.drop_table('quizzes')
    op.drop_table('modules')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_courses_current_version_id_course_versions'), type_='foreignkey')

    op.drop_table('course_versions')
    op.drop_table('courses')
