"""Registration, sign-in, sign-out and passwords, as a person in a browser would use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from academy.models import AuditEvent, LoginSession, Organisation, OutboxMessage, SignUp, User, utcnow
from academy.services import accounts
from tests.conftest import PASSWORD
from tests.support.signups import signup_link


def text(response) -> str:
    return response.get_data(as_text=True)


def app_client(client):
    """A second browser on the same site."""
    return client.application.test_client()

GOOD = "Bridge opened at 09:42, all hands"


def register(client, **overrides):
    data = {"name": "Ada Lovelace", "email": "ada@example.com", "password": GOOD, "confirm": GOOD,
            "join_code": ""}
    data.update(overrides)
    return client.submit("/register", data)


def register_and_finish(client, db, **overrides):
    """Sign up through the form, then follow the emailed link and press its button."""
    response = register(client, **overrides)
    assert response.status_code == 200 and SENT in response.get_data(as_text=True)
    return client.submit(signup_link(db, overrides.get("email", "ada@example.com")))


SENT = "we sent a link to"


def test_registration_emails_a_link_that_creates_a_learner_and_signs_them_in(client, db):
    response = register(client)
    assert response.status_code == 200
    assert "Check your inbox: we sent a link to ada@example.com to finish creating your account." in text(response)
    assert db.scalar(select(User)) is None  # nothing until the link is followed
    [message] = db.scalars(select(OutboxMessage)).all()
    assert message.kind == "signup" and message.recipient == "ada@example.com"
    path = signup_link(db, "ada@example.com")
    assert "Ada Lovelace" in text(client.get(path))
    assert db.scalar(select(User)) is None  # opening the link changes nothing: the button does
    response = client.submit(path)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "Ada Lovelace" in client.get("/dashboard").get_data(as_text=True)
    db.rollback()
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.role == "learner"
    assert user.password_hash != GOOD and user.password_hash.startswith("scrypt:")
    assert db.scalar(select(SignUp)) is None
    # Single use.
    assert client.get(path).status_code == 404


def test_a_taken_address_gets_the_same_answer_and_an_email_to_its_owner(client, db, make_user):
    """The hostile review's reproduction: /register must not tell whether an address is registered."""
    owner = make_user(email="ada@example.com")
    before = db.scalar(select(func.count(User.id)))
    taken = register(client, email="ADA@Example.com")
    fresh = app_client(client).submit("/register", {"name": "Ada Lovelace", "email": "ada2@example.com",
                                                    "password": GOOD, "confirm": GOOD, "join_code": ""})
    assert taken.status_code == fresh.status_code == 200
    assert text(taken).replace("ada@example.com", "X") == text(fresh).replace("ada2@example.com", "X")
    assert ("Set-Cookie" in taken.headers) == ("Set-Cookie" in fresh.headers)
    db.rollback()
    assert db.scalar(select(func.count(User.id))) == before
    assert db.scalar(select(SignUp).where(SignUp.email == "ada@example.com")) is None
    [notice] = db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.com")).all()
    assert notice.kind == "signup-attempt" and notice.user_id == owner.id
    assert "/login" in notice.text_body and "/forgot-password" in notice.text_body
    assert "/register/" not in notice.text_body
    # Asked again and again: the owner hears once a day, and the answer stays the same.
    for _ in range(3):
        assert SENT in text(register(client, email="ada@example.com"))
    db.rollback()
    assert db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == "ada@example.com")) == 1


def test_repeated_sign_ups_send_one_link_an_hour_and_the_latest_details_win(client, db, sign_in):
    register(client, name="Ada Typo")
    register(client, name="Ada Lovelace")
    assert db.scalar(select(func.count(OutboxMessage.id))) == 1
    assert client.submit(signup_link(db, "ada@example.com")).status_code == 302
    db.rollback()
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.name == "Ada Lovelace"


def test_a_link_opened_in_another_browser_needs_the_password_chosen(app, client, db):
    register(client)
    path = signup_link(db, "ada@example.com")
    other = app.test_client()
    assert "type the password you chose" in text(other.get(path))
    refused = other.submit(path, {"password": "someone else's guess"})
    assert refused.status_code == 400 and "not the password chosen" in text(refused)
    assert db.scalar(select(User)) is None
    assert other.submit(path, {"password": GOOD}).status_code == 302
    db.rollback()
    assert db.scalar(select(User.email)) == "ada@example.com"


def test_an_expired_or_made_up_link_creates_nothing(client, db):
    register(client)
    path = signup_link(db, "ada@example.com")
    db.execute(update(SignUp).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert client.get(path).status_code == 404
    assert client.post(path, data={"csrf_token": client.csrf_token("/register")}).status_code == 404
    assert client.get("/register/made-up-token").status_code == 404
    assert db.scalar(select(User)) is None


def test_an_address_that_got_an_account_meanwhile_is_not_taken_again(client, db, make_user):
    register(client)
    path = signup_link(db, "ada@example.com")
    make_user(email="ada@example.com", name="Ada Invited")
    response = client.submit(path)
    assert response.status_code == 404 and "exists already" in text(response)
    db.rollback()
    assert db.scalar(select(func.count(User.id))) == 1


def test_email_is_case_insensitive_and_unique(client, db, make_user):
    make_user(email="ada@example.com")
    register(client, email="Other@Example.com")
    register(client, email="OTHER@example.com")
    assert client.submit(signup_link(db, "other@example.com")).status_code == 302
    db.rollback()
    assert db.scalar(select(func.count(SignUp.id))) == 0
    assert db.scalar(select(func.count(User.id))) == 2


@pytest.mark.parametrize(("password", "message"), [
    ("short pass", "at least 12"),
    ("password1234", "too common"),
    ("Password!!2024", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
])
def test_weak_passwords_are_refused_with_a_reason(client, db, password, message):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.scalar(select(SignUp)) is None and db.scalar(select(OutboxMessage)) is None


def test_long_unicode_passphrases_are_accepted(client, sign_in, db):
    passphrase = "Ζεστό τσάι 🫖 και μπισκότα — " * 4  # 120 characters, several scripts, an emoji
    assert register_and_finish(client, db, password=passphrase, confirm=passphrase).status_code == 302
    db.rollback()
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    assert sign_in(user, passphrase).get("/dashboard").status_code == 200


def test_password_up_to_256_characters(client, db):
    long = "x7Q!" * 64
    assert register_and_finish(client, db, password=long, confirm=long).status_code == 302


def test_mismatched_confirmation_is_shown_next_to_the_field(client):
    response = register(client, confirm=GOOD + "!")
    page = response.get_data(as_text=True)
    assert "do not match" in page and 'aria-invalid="true"' in page


def test_joining_an_organisation_with_its_code(client, db):
    org = accounts.create_organisation(db, "Northbank Financial")
    code = org.join_code.lower().replace("-", "")  # typed casually
    assert register_and_finish(client, db, join_code=code).status_code == 302
    db.rollback()
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.organisation_id == org.id


def test_unknown_organisation_code_is_refused(client, db):
    response = register(client, join_code="ZZZZ-ZZZZ")
    assert "not recognised" in response.get_data(as_text=True)
    assert db.scalar(select(User)) is None and db.scalar(select(SignUp)) is None


def test_sign_in_with_wrong_password_says_so_and_is_audited(client, make_user, db):
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": "wrong password here"})
    assert response.status_code == 200
    assert "email address or password is not correct" in response.get_data(as_text=True)
    actions = db.scalars(select(AuditEvent.action)).all()
    assert "auth.sign_in_failed" in actions


def test_deactivated_accounts_cannot_sign_in(client, make_user, db):
    user = make_user()
    db.execute(update(User).where(User.id == user.id).values(active=False))
    db.commit()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "/dashboard" not in response.headers.get("Location", "")


def test_sign_in_starts_a_new_session(client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("academy_session").value
    client.submit("/login", {"email": user.email, "password": PASSWORD})
    after = client.get_cookie("academy_session").value
    assert before != after


def test_signing_out_makes_the_old_cookie_worthless(learner_client):
    stolen = learner_client.get_cookie("academy_session").value
    learner_client.submit("/logout", {}, page="/dashboard")
    assert learner_client.get("/dashboard").status_code == 302
    learner_client.set_cookie("academy_session", stolen)  # replay the cookie from before sign-out
    response = learner_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_needs_a_post_with_csrf(learner_client):
    assert learner_client.get("/logout").status_code == 405
    assert learner_client.post("/logout").status_code == 400
    assert learner_client.get("/dashboard").status_code == 200


def test_changing_password_signs_out_other_devices(app, make_user, sign_in):
    user = make_user()
    laptop, phone = sign_in(user), sign_in(user)
    new = "A brand new passphrase for 2026"
    response = laptop.submit("/account/password", {"current_password": PASSWORD, "new_password": new,
                                                   "confirm": new})
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200  # carries on in a fresh session
    assert phone.get("/dashboard").status_code == 302  # the other device is signed out
    assert sign_in(user, new).get("/dashboard").status_code == 200


def test_change_password_checks_the_current_one(learner_client):
    response = learner_client.submit("/account/password", {"current_password": "not my password",
                                                           "new_password": GOOD, "confirm": GOOD})
    assert "current password is not correct" in response.get_data(as_text=True)


def test_idle_sessions_expire(app, learner_client, db):
    db.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=121)))
    db.commit()
    assert learner_client.get("/dashboard").status_code == 302


def test_sessions_expire_after_the_absolute_limit_even_when_active(app, learner_client, db):
    db.execute(update(LoginSession).values(created_at=utcnow() - timedelta(hours=13)))
    db.commit()
    assert learner_client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", " //evil.example", "\t/\\evil.example",
])
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user()
    response = client.submit(f"/login?next={target}", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_next_within_the_site_is_followed(client, make_user):
    user = make_user()
    response = client.submit("/login?next=/account/password", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"


def test_pages_that_need_an_account_send_visitors_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/dashboard")


def test_organisation_names_are_unique_ignoring_case(db):
    accounts.create_organisation(db, "Northbank")
    with pytest.raises(accounts.Conflict):
        accounts.create_organisation(db, "NORTHBANK")
    assert len(db.scalars(select(Organisation)).all()) == 1
