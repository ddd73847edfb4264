"""Throttled sign-in that slows attackers without locking owners out (device cookies, OWASP)."""

from __future__ import annotations

from tests.conftest import PASSWORD

ATTACKERS = [f"203.0.113.{n}" for n in range(1, 9)]


def attempt(client, email, password, address):
    return client.submit("/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_an_attacker_hammering_an_account_from_many_addresses_does_not_lock_out_its_owner(app, make_user):
    admin = make_user("admin")
    owner = app.test_client()
    assert attempt(owner, admin.email, PASSWORD, "198.51.100.10").status_code == 302
    owner.submit("/logout", page="/dashboard")

    attacker = app.test_client()
    statuses = [attempt(attacker, admin.email, f"guess number {i}", ATTACKERS[i % len(ATTACKERS)]).status_code
                for i in range(24)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    # Even the right password from a browser the account has never used is held back ...
    stranger = app.test_client()
    refused = attempt(stranger, admin.email, PASSWORD, "192.0.2.50")
    assert refused.status_code == 429
    assert "sign in from a browser you have signed in from before" in refused.get_data(as_text=True)
    # ... while the owner's own browser signs straight in, mid-attack.
    assert attempt(owner, admin.email, PASSWORD, "198.51.100.10").status_code == 302


def test_a_trusted_browser_has_its_own_limit_so_a_stolen_cookie_buys_few_guesses(app, make_user):
    user = make_user()
    browser = app.test_client()
    assert attempt(browser, user.email, PASSWORD, "198.51.100.11").status_code == 302
    browser.submit("/logout", page="/dashboard")
    statuses = [attempt(browser, user.email, f"wrong guess {i}", "198.51.100.11").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_a_device_cookie_for_one_account_does_not_trust_the_browser_for_another(app, make_user):
    mine, theirs = make_user(), make_user()
    browser = app.test_client()
    assert attempt(browser, mine.email, PASSWORD, "198.51.100.12").status_code == 302
    browser.submit("/logout", page="/dashboard")
    statuses = [attempt(browser, theirs.email, f"wrong guess {i}", "198.51.100.12").status_code for i in range(6)]
    assert statuses[5] == 429


def test_a_forged_device_cookie_is_ignored(app, make_user):
    user = make_user()
    browser = app.test_client()
    browser.set_cookie("academy_device", "eyJhIjoiMCIsImQiOiJ4In0.forged.sig", path="/login")
    statuses = [attempt(browser, user.email, f"wrong guess {i}", "198.51.100.13").status_code for i in range(6)]
    assert statuses[5] == 429


def test_the_device_cookie_is_http_only_and_scoped_to_the_sign_in_page(app, make_user):
    user = make_user()
    browser = app.test_client()
    response = attempt(browser, user.email, PASSWORD, "198.51.100.14")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("academy_device="))
    assert "HttpOnly" in cookie and "Path=/login" in cookie and "SameSite=Lax" in cookie
