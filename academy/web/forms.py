"""Form shapes. Rules that need the database live in the services."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from academy.domain.passwords import MAX_LENGTH, MIN_LENGTH
from academy.models import Role


def _has_forbidden_characters(value: str, *, allow_newlines: bool) -> bool:
    for ch in value:
        if ch in "\t" or (allow_newlines and ch in "\r\n"):
            continue
        category = unicodedata.category(ch)
        # Cc: control characters (NUL, CR, LF, ...); Cs: lone surrogates; Cn: unassigned.
        if category in ("Cc", "Cs"):
            return True
    return False


class BaseForm(FlaskForm):
    """A Flask-WTF form (CSRF included) that refuses control characters in text fields.

    PostgreSQL refuses NUL in text and a stray CR/LF can forge lines in logs and exports, so such
    input is turned away here with a message instead of failing later.
    """

    multiline_fields: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name, field in self._fields.items():
            data = field.data
            if isinstance(data, str) and _has_forbidden_characters(
                data, allow_newlines=name in self.multiline_fields or isinstance(field, PasswordField)
            ):
                field.errors = [*field.errors, "This contains characters that are not allowed."]
                ok = False
        return ok


def _strip(value):
    return value.strip() if isinstance(value, str) else value


_LENGTH_MESSAGE = f"Use at least {MIN_LENGTH} and at most {MAX_LENGTH} characters."


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class _NewPasswordMixin:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_LENGTH_MESSAGE)],
        description=f"At least {MIN_LENGTH} characters. A passphrase of several words works well.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", "The two passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(_NewPasswordMixin, BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip],
                       description="As it should appear on your certificates.",
                       render_kw={"autocomplete": "name"})
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()], filters=[_strip],
                       render_kw={"autocomplete": "email"})
    join_code = StringField("Organisation code", validators=[Optional(), Length(max=32)], filters=[_strip],
                            description="Optional: the code your employer gave you, like ABCD-EF23.")
    field_order = ("name", "email", "password", "confirm", "join_code")

    def __iter__(self):
        return (self[name] for name in (*self.field_order, "csrf_token"))


class SetupForm(_NewPasswordMixin, BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()], filters=[_strip])

    def __iter__(self):
        return (self[name] for name in ("name", "email", "password", "confirm", "csrf_token"))


class ResetForm(_NewPasswordMixin, BaseForm):
    pass


class ForgotPasswordForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip],
                       render_kw={"autocomplete": "username"})


class NameForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip],
                       description="As it should appear on your certificates.",
                       render_kw={"autocomplete": "name"})


class JoinOrganisationForm(BaseForm):
    join_code = StringField("Organisation code", validators=[DataRequired(), Length(max=32)], filters=[_strip],
                            description="The code your employer gave you, like ABCD-EF23.")


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_LENGTH_MESSAGE)],
        description=f"At least {MIN_LENGTH} characters.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("new_password", "The two passwords do not match.")],
        render_kw={"autocomplete": "new-password"})


class ActionForm(BaseForm):
    """A form with nothing but its CSRF token: sign-out and other one-button actions."""


class OrganisationForm(BaseForm):
    name = StringField("Organisation name", validators=[DataRequired(), Length(max=200)], filters=[_strip])


class UserCreateForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()], filters=[_strip])
    role = SelectField("Role", choices=[(r.value, r.value.title()) for r in Role])

