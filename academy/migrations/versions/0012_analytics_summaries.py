"""analytics summaries: running totals over finished attempts, backfilled from the existing rows

Revision ID: 0012_analytics_summaries
Revises: 0011_scale_indexes
Create Date: 2026-12-04 16:40:00.000000

The analytics overview and a quiz's item statistics aggregated every attempt and answer on each
view (3.9 s at 100,000 learners). These tables hold the same counts and sums, kept up to date in the
transaction that finishes or deletes an attempt (``services.analytics_summaries``); see
docs/benchmarks.md, "Analytics from summaries". The upgrade fills them from the rows already there
(INSERT ... SELECT, the same figures ``flask analytics rebuild`` computes), so an upgraded site shows
the same numbers at once.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_analytics_summaries'
down_revision = '0011_scale_indexes'
branch_labels = None
depends_on = None


def _counts(*names):
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table('analytics_quiz_buckets',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
    *_counts('attempts', 'passed'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_analytics_quiz_buckets_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', 'bucket', name=op.f('pk_analytics_quiz_buckets'))
    )
    op.create_table('analytics_quiz_days',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    *_counts('attempts', 'passed'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_analytics_quiz_days_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', 'day', name=op.f('pk_analytics_quiz_days'))
    )
    op.create_table('analytics_version_totals',
    sa.Column('quiz_version_id', sa.Integer(), autoincrement=False, nullable=False),
    *_counts('attempts', 'graded', 'sum_t', 'sum_tt'),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_analytics_version_totals_quiz_version_id_quiz_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_version_id', name=op.f('pk_analytics_version_totals'))
    )
    op.create_table('analytics_question_sums',
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    *_counts('answers', 'correct', 'graded', 'sum_x', 'sum_xx', 'sum_t', 'sum_tt', 'sum_xt'),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_analytics_question_sums_quiz_version_id_quiz_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_version_id', 'question_key', name=op.f('pk_analytics_question_sums'))
    )
    op.create_table('analytics_option_counts',
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    sa.Column('option_key', sa.String(length=200), nullable=False),
    *_counts('chosen', 'sum_percent'),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_analytics_option_counts_quiz_version_id_quiz_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_version_id', 'question_key', 'option_key', name=op.f('pk_analytics_option_counts'))
    )
    op.create_table('analytics_step_choices',
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=200), nullable=False),
    sa.Column('step_id', sa.String(length=200), nullable=False),
    sa.Column('choice_key', sa.String(length=20), nullable=False),
    *_counts('made'),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_analytics_step_choices_quiz_version_id_quiz_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_version_id', 'scenario_id', 'step_id', 'choice_key', name=op.f('pk_analytics_step_choices'))
    )
    _backfill()


def _backfill() -> None:
    """The summaries of every finished attempt already recorded (written out here, frozen as of this
    revision, rather than imported from the app, whose code moves on)."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    day = ("CAST(date_trunc('day', a.submitted_at AT TIME ZONE 'UTC') AS DATE)" if postgresql
           else "date(a.submitted_at)")
    options = ("json_array_elements_text(aa.chosen) AS v(value)" if postgresql else "json_each(aa.chosen) AS v")
    bucket = "CASE WHEN a.score_percent >= 100 THEN 9 WHEN a.score_percent < 0 THEN 0 ELSE a.score_percent / 10 END"
    passed = "COALESCE(SUM(CASE WHEN a.passed THEN 1 ELSE 0 END), 0)"
    finished = "a.status <> 'in_progress'"
    graded = "aa.points IS NOT NULL AND a.points IS NOT NULL"

    def when_graded(value):
        return f"COALESCE(SUM(CASE WHEN {graded} THEN {value} END), 0)"

    for statement in (
        f"INSERT INTO analytics_quiz_buckets (quiz_id, bucket, attempts, passed) "
        f"SELECT a.quiz_id, {bucket}, COUNT(*), {passed} FROM attempts a "
        f"WHERE {finished} AND a.score_percent IS NOT NULL GROUP BY a.quiz_id, {bucket}",
        f"INSERT INTO analytics_quiz_days (quiz_id, day, attempts, passed) "
        f"SELECT a.quiz_id, {day}, COUNT(*), {passed} FROM attempts a "
        f"WHERE {finished} AND a.submitted_at IS NOT NULL GROUP BY a.quiz_id, {day}",
        f"INSERT INTO analytics_version_totals (quiz_version_id, attempts, graded, sum_t, sum_tt) "
        f"SELECT a.quiz_version_id, COUNT(*), COALESCE(SUM(CASE WHEN a.points IS NOT NULL THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(a.points), 0), COALESCE(SUM(a.points * a.points), 0) FROM attempts a "
        f"WHERE {finished} GROUP BY a.quiz_version_id",
        f"INSERT INTO analytics_question_sums (quiz_version_id, question_key, answers, correct, graded, sum_x, sum_xx, "
        f"sum_t, sum_tt, sum_xt) "
        f"SELECT a.quiz_version_id, aa.question_key, COUNT(*), COALESCE(SUM(CASE WHEN aa.correct THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN {graded} THEN 1 ELSE 0 END), 0), {when_graded('aa.points')}, "
        f"{when_graded('aa.points * aa.points')}, {when_graded('a.points')}, {when_graded('a.points * a.points')}, "
        f"{when_graded('aa.points * a.points')} "
        f"FROM attempts a JOIN attempt_answers aa ON aa.attempt_id = a.id "
        f"WHERE {finished} GROUP BY a.quiz_version_id, aa.question_key",
        f"INSERT INTO analytics_option_counts (quiz_version_id, question_key, option_key, chosen, sum_percent) "
        f"SELECT a.quiz_version_id, aa.question_key, v.value, COUNT(*), COALESCE(SUM(a.score_percent), 0) "
        f"FROM attempts a JOIN attempt_answers aa ON aa.attempt_id = a.id JOIN {options} ON true "
        f"WHERE {finished} GROUP BY a.quiz_version_id, aa.question_key, v.value",
        f"INSERT INTO analytics_step_choices (quiz_version_id, scenario_id, step_id, choice_key, made) "
        f"SELECT a.quiz_version_id, b.scenario_id, b.step_id, b.choice_key, COUNT(*) "
        f"FROM attempts a JOIN branching_choices b ON b.attempt_id = a.id "
        f"WHERE {finished} GROUP BY a.quiz_version_id, b.scenario_id, b.step_id, b.choice_key",
    ):
        op.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table('analytics_step_choices')
    op.drop_table('analytics_option_counts')
    op.drop_table('analytics_question_sums')
    op.drop_table('analytics_version_totals')
    op.drop_table('analytics_quiz_days')
    op.drop_table('analytics_quiz_buckets')
