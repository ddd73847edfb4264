"""indexes for lists that must cost the same at 100,000 learners as at 1,000

Revision ID: 0010_scale_indexes
Revises: 0009_organisations
Create Date: 2026-12-03 17:00:00.000000

Measured by ``make bench-scale`` (docs/benchmarks.md, "Cost as data grows"): each list sorted
the whole table before taking its page. With these indexes the database walks the index in the
list's order and stops after the page:

- users (name, id): the admin users list (ORDER BY name, id);
- users (organisation_id, name, id): a manager's people x courses matrix and the reminder scan's
  members of an organisation (WHERE organisation_id = ? ORDER BY name, id);
- certificates (issued_at, id): the admin certificates list (ORDER BY issued_at DESC, id DESC);
- certificates (expires_at): the expiry reminder scan (expires_at within a window).
"""

from alembic import op


revision = '0010_scale_indexes'
down_revision = '0009_organisations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_users_name_id', 'users', ['name', 'id'])
    op.create_index('ix_users_organisation_id_name_id', 'users', ['organisation_id', 'name', 'id'])
    op.create_index('ix_certificates_issued_at_id', 'certificates', ['issued_at', 'id'])
    op.create_index('ix_certificates_expires_at', 'certificates', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_certificates_expires_at', table_name='certificates')
    op.drop_index('ix_certificates_issued_at_id', table_name='certificates')
    op.drop_index('ix_users_organisation_id_name_id', table_name='users')
    op.drop_index('ix_users_name_id', table_name='users')
