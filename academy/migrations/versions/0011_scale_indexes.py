"""indexes for lists that must cost the same at 100,000 learners as at 1,000

Revision ID: 0011_scale_indexes
Revises: 0010_signups
Create Date: 2026-12-03 17:00:00.000000

Measured by ``make bench-scale`` (docs/benchmarks.md, "Cost as data grows"): each list sorted
the whole table before taking its page. With these indexes the database walks the index in the
list's order and stops after the page:

- users (name, id): the admin users list (ORDER BY name, id);
- users (organisation_id, name, id): a manager's people x courses matrix and the reminder scan's
  members of an organisation (WHERE organisation_id = ? ORDER BY name, id);
- certificates (issued_at, id): the admin certificates list (ORDER BY issued_at DESC, id DESC);
- certificates (expires_at): the expiry reminder scan (expires_at within a window).

And indexes that hold every column an analytics aggregate reads, so the overview and a quiz's
item statistics read the index rather than the rows (an attempt's row carries its layout JSON):

- attempts (quiz_id, status, score_percent, passed): quiz results' score distribution;
- attempts (quiz_version_id, status, points, score_percent): a quiz's item statistics;
- enrolments (course_id, enrolled_at, user_id): enrolments per week and per organisation;
- module_progress (course_id, user_id, module_id, completed_at): progress per organisation and
  course completions; (course_id, completed_at, user_id): who completed a module in the period;
- certificates (course_id, user_id, superseded_at, revoked_at, expires_at): live certificates per
  organisation.
"""

from alembic import op


revision = '0011_scale_indexes'
down_revision = '0010_signups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_users_name_id', 'users', ['name', 'id'])
    op.create_index('ix_users_organisation_id_name_id', 'users', ['organisation_id', 'name', 'id'])
    op.create_index('ix_certificates_issued_at_id', 'certificates', ['issued_at', 'id'])
    op.create_index('ix_certificates_expires_at', 'certificates', ['expires_at'])
    op.create_index('ix_attempts_quiz_id_status_score', 'attempts',
                    ['quiz_id', 'status', 'score_percent', 'passed'])
    op.create_index('ix_attempts_quiz_version_id_status_points', 'attempts',
                    ['quiz_version_id', 'status', 'points', 'score_percent'])
    op.create_index('ix_enrolments_course_id_enrolled_at', 'enrolments', ['course_id', 'enrolled_at', 'user_id'])
    op.create_index('ix_module_progress_course_id_user_id', 'module_progress',
                    ['course_id', 'user_id', 'module_id', 'completed_at'])
    op.create_index('ix_module_progress_course_id_completed_at', 'module_progress',
                    ['course_id', 'completed_at', 'user_id'])
    op.create_index('ix_certificates_course_id_user_id', 'certificates',
                    ['course_id', 'user_id', 'superseded_at', 'revoked_at', 'expires_at'])


def downgrade() -> None:
    op.drop_index('ix_certificates_course_id_user_id', table_name='certificates')
    op.drop_index('ix_module_progress_course_id_completed_at', table_name='module_progress')
    op.drop_index('ix_module_progress_course_id_user_id', table_name='module_progress')
    op.drop_index('ix_enrolments_course_id_enrolled_at', table_name='enrolments')
    op.drop_index('ix_attempts_quiz_version_id_status_points', table_name='attempts')
    op.drop_index('ix_attempts_quiz_id_status_score', table_name='attempts')
    op.drop_index('ix_certificates_expires_at', table_name='certificates')
    op.drop_index('ix_certificates_issued_at_id', table_name='certificates')
    op.drop_index('ix_users_organisation_id_name_id', table_name='users')
    op.drop_index('ix_users_name_id', table_name='users')
