"""Form shapes for the certificate pages; the rules (reasons, names) are checked by the service."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from academy.domain.certificate_codes import MAX_INPUT

from ..forms import BaseForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class VerifyForm(BaseForm):
    """The public look-up: a GET form (bookmarkable, nothing changes), so no CSRF token."""

    class Meta:
        csrf = False

    code = StringField("Certificate code", validators=[DataRequired(), Length(max=MAX_INPUT)], filters=[_strip],
                       description="20 letters and digits, as printed on the certificate.",
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class RevokeForm(BaseForm):
    reason = TextAreaField("Public reason", validators=[DataRequired(), Length(max=480)], filters=[_strip],
                           description="Shown to anyone who verifies the certificate, e.g. “Issued in error”.")
    note = TextAreaField("Private note", validators=[Optional(), Length(max=480)], filters=[_strip],
                         description="Optional. Only admins see it, here and in the audit log (a case number, say).")
    #: Set by the confirmation page: the first submission only asks "are you sure?".
    confirmed = HiddenField(default="")


class ReissueForm(BaseForm):
    holder_name = StringField("Name on the certificate", validators=[DataRequired(), Length(max=200)],
                              filters=[_strip], description="As it should be printed on the new certificate.")
    reason = StringField("Reason", validators=[DataRequired(), Length(max=480)], filters=[_strip],
                         description="E.g. “Name changed”. The old certificate is revoked with this reason.")
