"""Form shapes of the authoring area; the rules that need the database live in the services."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..forms import BaseForm

#: Longest file the editor accepts (the final exam of the flagship course is a tenth of this).
MAX_TEXT = 1_000_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CourseForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)], filters=[_strip])
    slug = StringField("Name in addresses", validators=[DataRequired(), Length(max=100)], filters=[_strip],
                       description="Lower-case letters, digits and hyphens: /courses/incident-basics.")
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=600)], filters=[_strip],
                            description="One or two sentences for the catalogue.", render_kw={"rows": 2})

    def __iter__(self):
        return (self[name] for name in ("title", "slug", "summary", "csrf_token"))


class EditForm(BaseForm):
    """The editor: a file's whole text and the revision it was opened at."""

    multiline_fields = ("text",)
    text = TextAreaField("Text", validators=[Length(max=MAX_TEXT)])
    revision = HiddenField(validators=[DataRequired(), Length(max=64)])


class PreviewForm(EditForm):
    """The live preview's request: the editor's text and which file it is."""

    course = StringField(validators=[DataRequired(), Length(max=100)])
    path = StringField(validators=[DataRequired(), Length(max=400)])
    revision = HiddenField(validators=[Length(max=64)])


class TitleForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)], filters=[_strip])


class QuizForm(TitleForm):
    #: Choices are the course's modules; the service checks the value.
    module = SelectField("Checks", validate_choice=False,
                         description="The module this quiz checks, or the course's final exam.")


class ZipForm(BaseForm):
    file = FileField("Course zip", validators=[FileRequired("Choose a zip file.")], render_kw={"accept": ".zip"})


class AssetForm(BaseForm):
    file = FileField("Image", validators=[FileRequired("Choose an image.")],
                     description="PNG, JPEG or SVG. Scripts in SVG files are removed.",
                     render_kw={"accept": ".png,.jpg,.jpeg,.svg"})


class GiftForm(BaseForm):
    file = FileField("GIFT file", validators=[FileRequired("Choose a GIFT file.")],
                     description="Exported from Moodle's question bank (.gift or .txt, UTF-8).",
                     render_kw={"accept": ".gift,.txt"})
    mode = RadioField("Questions", default="append", choices=[
        SelectChoice("append", "Add them after the quiz's questions"),
        SelectChoice("replace", "Replace the quiz's questions")])


class EditorForm(BaseForm):
    email = EmailField("Instructor's email", validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[_strip])
