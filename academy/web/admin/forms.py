"""Form shapes of the admin area; the rules that need the database live in the services."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from academy.models import Role

from ..forms import BaseForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RoleForm(BaseForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])


class MoveOrganisationForm(BaseForm):
    #: Choices (organisation ids, "" for none) are set by the view from the organisations that exist.
    organisation = SelectField("Organisation", choices=[])


class RenameOrganisationForm(BaseForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=200)], filters=[_strip])


class ApiTokenForm(BaseForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)], filters=[_strip],
                       description="What will use it, e.g. “HR system nightly import”.")
