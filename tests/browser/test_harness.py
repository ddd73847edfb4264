"""The browser harness itself: what journeys rely on without saying so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.models import LoginSession

from .ui import sign_in

pytestmark = pytest.mark.browser


def test_each_browser_context_reaches_the_site_as_a_visitor_of_its_own(new_context, site, create_user):
    addresses = []
    for _ in range(2):
        context = new_context()
        account = create_user("learner")
        sign_in(context.new_page(), account)
        with site.session() as db:
            addresses.append(db.scalar(select(LoginSession.ip).where(LoginSession.user_id == account.id)))
    assert addresses[0] != addresses[1]
    assert all(ip and not ip.startswith("127.") for ip in addresses), addresses
