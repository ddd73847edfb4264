"""Form shapes. Rules that need the database live in the services."""

from __future__ import annotations

import unicodedata

from flask import flash, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileField
from flask_wtf.form import _Auto, _is_submitted
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from academy.domain import names
from academy.domain.passwords import MAX_LENGTH, MIN_LENGTH
from academy.services.errors import ServiceError


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

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """Submitted fields for ``form``: text parts for every field, file parts only for its file
            fields (a file part sent for a text field would reach ``len()`` as a FileStorage and
            fail), and never a JSON body (no form here is posted as JSON)."""
            if formdata is not _Auto:
                return formdata
            if not _is_submitted():
                return None
            data = MultiDict(request.form)
            for field in form._fields.values():
                if isinstance(field, FileField):
                    for part in request.files.getlist(field.name):
                        data.add(field.name, part)
            return data or None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name, field in self._fields.items():
            data = field.data
            if isinstance(data, str) and _has_forbidden_characters(
                data, allow_newlines=name in self.multiline_fields or isinstance(field, PasswordField)
            ):
                field.errors = [*field.errors, "This contains characters that are not allowed."]
                ok = False
            elif (isinstance(data, str) and name not in self.multiline_fields
                  and not isinstance(field, PasswordField) and names.has_bidi_controls(data)):
                field.errors = [*field.errors, names.MESSAGE]
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


class FinishSignUpForm(BaseForm):
    """The button that makes the account a sign-up link stands for; another browser also types the password."""

    password = PasswordField("Password", validators=[Optional(), Length(max=1024)],
                             description="The password you chose when you signed up.",
                             render_kw={"autocomplete": "current-password"})


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


class _TokenOnly:
    """What a page needs of an ``ActionForm`` only to draw its buttons: the CSRF field, as WTForms
    renders it. Building a whole form for that on every module and course view cost more than the
    field; a POST is still checked by ``ActionForm().validate_on_submit()``."""

    @property
    def csrf_token(self) -> Markup:
        return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


#: Pass as ``form`` to a template that only draws one-button forms.
TOKEN_ONLY = _TokenOnly()


class OrganisationForm(BaseForm):
    name = StringField("Organisation name", validators=[DataRequired(), Length(max=200)], filters=[_strip])


def attach_errors(form: BaseForm, exc: ServiceError, *, field: str | None = None) -> None:
    """Show a service's refusal beside the fields it names.

    A refusal that names none of the form's fields goes beside ``field`` when given, otherwise it
    is flashed above the form.
    """
    placed = False
    for name, messages in exc.field_errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
            placed = True
    if placed:
        return
    if field is not None:
        form[field].errors = [*form[field].errors, str(exc)]
    else:
        flash(str(exc), "error")
