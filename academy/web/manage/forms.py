"""Forms of the organisation manager's pages and of the invitation link."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from academy.domain.roster import MAX_ROWS
from academy.web.forms import BaseForm, _NewPasswordMixin, _strip

_DUE_DAYS_HELP = "Days after the person joins (for people already here: after today)."


class InviteForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()], filters=[_strip])
    courses = SelectMultipleField("Courses to assign", validators=[Optional()],
                                  description="Optional; hold Ctrl or Cmd to choose several.")
    due_days = IntegerField("Due within (days)", default=30, validators=[Optional(), NumberRange(1, 3650)],
                            description="For the courses chosen above, counted from the day they accept.")


class UploadForm(BaseForm):
    file = FileField("Spreadsheet (CSV or XLSX)", validators=[FileRequired("Choose a CSV or XLSX file.")],
                     description=f"A header row with the columns name, email and optionally courses "
                                 f"(slugs separated by ;). At most {MAX_ROWS} people per file.",
                     render_kw={"accept": ".csv,.xlsx"})
    due_days = IntegerField("Due within (days)", default=30, validators=[Optional(), NumberRange(1, 3650)],
                            description="For the courses named in the file, counted from the day they accept.")


class AssignForm(BaseForm):
    multiline_fields = ("people",)
    course = SelectField("Course", validators=[DataRequired()])
    people = TextAreaField("People", validators=[Optional(), Length(max=100_000)], filters=[_strip],
                           description="Email addresses of members, one per line. Leave empty to assign the course "
                                       "to everyone in the organisation, including people who join later.")
    due_on = DateField("Due date", validators=[Optional()], description="Either a date ...")
    due_days = IntegerField("Or due within (days)", validators=[Optional(), NumberRange(1, 3650)],
                            description=f"... or a number of days. {_DUE_DAYS_HELP}")


class AcceptForm(_NewPasswordMixin, BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip],
                       description="As it should appear on your certificates.", render_kw={"autocomplete": "name"})

    def __iter__(self):
        return (self[name] for name in ("name", "password", "confirm", "csrf_token"))


class AppointManagerForm(BaseForm):
    email = EmailField("Email of the new manager", validators=[DataRequired(), Length(max=254), Email()],
                       filters=[_strip], description="The person must already have an account.")
