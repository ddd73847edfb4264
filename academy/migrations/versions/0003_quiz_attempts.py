"""quizzes: attempts, their answers and branching choices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 02:59:13.718997

``uq_attempts_one_in_progress`` is a partial unique index (SQLite and PostgreSQL both support
them): a learner has at most one attempt in progress per quiz, however many requests race.
"""

from alembic import op
import sqlalchemy as sa
import academy.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

IN_PROGRESS = sa.text("status = 'in_progress'")


def upgrade() -> None:
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('started_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', academy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('score_percent', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('critical_error', sa.Boolean(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_attempts_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_attempts_quiz_version_id_quiz_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_attempts_submission_key')),
    sa.UniqueConstraint('token', name=op.f('uq_attempts_token'))
    )
    op.create_index(op.f('ix_attempts_quiz_id'), 'attempts', ['quiz_id'])
    op.create_index(op.f('ix_attempts_quiz_version_id'), 'attempts', ['quiz_version_id'])
    op.create_index('ix_attempts_user_id_quiz_id', 'attempts', ['user_id', 'quiz_id'])
    op.create_index('uq_attempts_one_in_progress', 'attempts', ['user_id', 'quiz_id'], unique=True,
                    sqlite_where=IN_PROGRESS, postgresql_where=IN_PROGRESS)

    op.create_table('attempt_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('saved_at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_answers_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answers')),
    sa.UniqueConstraint('attempt_id', 'question_key', name=op.f('uq_attempt_answers_attempt_id_question_key'))
    )
    op.create_table('branching_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=200), nullable=False),
    sa.Column('step_id', sa.String(length=200), nullable=False),
    sa.Column('choice_key', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('at', academy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_branching_choices_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branching_choices')),
    sa.UniqueConstraint('attempt_id', 'scenario_id', 'step_id', name=op.f('uq_branching_choices_attempt_id_scenario_id_step_id'))
    )


def downgrade() -> None:
    op.drop_table('branching_choices')
    op.drop_table('attempt_answers')
    op.drop_index('uq_attempts_one_in_progress', table_name='attempts')
    op.drop_index('ix_attempts_user_id_quiz_id', table_name='attempts')
    op.drop_index(op.f('ix_attempts_quiz_version_id'), table_name='attempts')
    op.drop_index(op.f('ix_attempts_quiz_id'), table_name='attempts')
    op.drop_table('attempts')
