"""Hostile strings thrown at every form: a clear answer, never a 500, nothing half-stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from academy.models import SignUp, User
from tests.support.signups import signup_link

NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from([
        "\x00", "a\x00b@example.com", "\ud800", "x\udfffy", "\r\nSet-Cookie: evil=1", "line1\r\nline2",
        "\u202egnp.exe", "\u200f\u202bمرحبا\u202c", "=cmd|' /C calc'!A0", "<script>alert(1)</script>",
        "' OR 1=1 --", "A" * 1_000_000, "😀" * 300, "\ufeff", "%00", "../../etc/passwd",
    ]),
)
FORMS = {
    "/register": ("name", "email", "password", "confirm", "join_code"),
    "/login": ("email", "password"),
}
PERMISSIVE = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _post(client, path, fields, value):
    token = client.csrf_token(path)
    data = {name: value for name in fields}
    data["csrf_token"] = token
    # Lone surrogates cannot be encoded as UTF-8; a browser would send replacement bytes.
    data = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in data.items()}
    return client.post(path, data=data)


@pytest.mark.parametrize("path", sorted(FORMS))
@PERMISSIVE
@given(value=NASTY)
def test_public_forms_never_fail_on_hostile_input(app, path, value):
    client = app.test_client()
    response = _post(client, path, FORMS[path], value)
    assert response.status_code in (200, 302, 400, 413, 429), response.status_code


@PERMISSIVE
@given(value=NASTY)
def test_change_password_form_never_fails(learner_client, value):
    response = _post(learner_client, "/account/password", ("current_password", "new_password", "confirm"), value)
    assert response.status_code in (200, 302, 400, 413)


@PERMISSIVE
@given(value=NASTY)
def test_admin_organisation_form_never_fails(admin_client, value):
    response = _post(admin_client, "/admin/organisations", ("name",), value)
    assert response.status_code in (200, 302, 400, 413)


def test_nul_and_control_characters_are_refused_with_a_message(client, db):
    good = "Bridge opened at 09:42, all hands"
    response = client.submit("/register", {"name": "Ada\x00", "email": "ada@example.com", "password": good,
                                           "confirm": good})
    assert response.status_code == 200
    assert "characters that are not allowed" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(User.id))) == db.scalar(select(func.count(SignUp.id))) == 0


def test_crlf_in_a_name_cannot_forge_lines(client, db):
    good = "Bridge opened at 09:42, all hands"
    client.submit("/register", {"name": "Ada\r\nRole: admin", "email": "ada@example.com", "password": good,
                                "confirm": good})
    assert db.scalar(select(func.count(User.id))) == db.scalar(select(func.count(SignUp.id))) == 0


def test_right_to_left_names_are_kept_as_typed(client, db):
    good = "Bridge opened at 09:42, all hands"
    name = "مريم الحسيني"
    assert client.submit("/register", {"name": name, "email": "m@example.com", "password": good,
                                       "confirm": good}).status_code == 200
    assert client.submit(signup_link(db, "m@example.com")).status_code == 302
    db.rollback()
    assert db.scalar(select(User.name)) == name


def test_bidi_controls_in_names_are_refused(client, db):
    good = "Bridge opened at 09:42, all hands"
    response = client.submit("/register", {"name": "Alice \u202eecilA\u202c", "email": "alice@example.com",
                                           "password": good, "confirm": good})
    assert response.status_code == 200
    assert "change the direction of text" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(User.id))) == db.scalar(select(func.count(SignUp.id))) == 0


def test_a_password_made_of_the_name_twice_is_refused_at_registration(client, db):
    response = client.submit("/register", {"name": "Alice Smith", "email": "alice@example.com",
                                           "password": "Alice SmithAlice Smith", "confirm": "Alice SmithAlice Smith"})
    assert response.status_code == 200
    assert "Do not use your name" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(User.id))) == db.scalar(select(func.count(SignUp.id))) == 0
