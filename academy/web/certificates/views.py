"""Certificates on the web: the holder's pages, the public verification and the signed documents.

Who may see what (docs/certificates.md explains why):

* ``/certificates`` and ``/certificates/<code>``: the holder only (anyone else gets 404), since
  the page carries the sharing tools and the score.
* ``/verify/<code>``, ``/certificates/<code>.pdf``, ``.json`` and ``/status``: anyone with the
  code; a code is a 100-bit secret the holder chooses to share. Look-ups are rate-limited per
  address, and an unknown code gets the same answer as a malformed one.
* ``/issuer`` and ``/.well-known/jwks.json``: the issuer's public keys, for offline checks.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote, urlencode

import segno
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.domain import certificate_pdf, data_integrity, open_badges
from academy.domain.certificate_codes import MAX_INPUT, parse
from academy.extensions import limiter
from academy.keystore import KeyStore
from academy.models import Certificate
from academy.services import certificates
from academy.services.errors import NotFound

from .. import main, nav
from ..access import public, signed_in
from ..errors import render_error
from .forms import VerifyForm

bp = Blueprint("certificates", __name__)
nav.register("Certificates", "certificates.mine", order=30)

#: Verification look-ups per client address (also guards the PDF, JSON and status documents).
LOOKUP_LIMIT = "30 per minute"
DOCUMENT_LIMIT = "60 per minute"
_PUBLIC_JSON = {"Access-Control-Allow-Origin": "*"}


def site() -> open_badges.Site:
    return open_badges.Site(current_app.config["BASE_URL"])


def keystore() -> KeyStore:
    return KeyStore(current_app.config["SIGNING_KEY_DIR"])


def linkedin_url(certificate: Certificate, verify_url: str) -> str:
    """LinkedIn's "Add licence or certification" form, filled in."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.title,
        "organizationName": open_badges.ISSUER_NAME,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
    }
    if certificate.expires_at is not None:
        params |= {"expirationYear": certificate.expires_at.year, "expirationMonth": certificate.expires_at.month}
    params |= {"certUrl": verify_url, "certId": certificate.code}
    return "https://www.linkedin.com/profile/add?" + urlencode(params, quote_via=quote)


# --- the holder's pages --------------------------------------------------------------------------

@bp.route("/certificates")
@signed_in
def mine():
    held = certificates.held_by(get_session(), current_user.id)
    return render_template("certificates/mine.html", held=held)


@bp.route("/certificates/<code>")
@signed_in
def show(code: str):
    certificate = certificates.holders_certificate(get_session(), code, current_user.id)
    if certificate.code != code:
        return redirect(url_for(".show", code=certificate.code), 301)
    verify_url = site().verify_url(certificate.code)
    qr_uri = segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2)
    return render_template("certificates/certificate.html", standing=certificates.standing(certificate),
                           verify_url=verify_url, qr_uri=qr_uri, linkedin_url=linkedin_url(certificate, verify_url))


def _dashboard_panel() -> dict:
    return {"held": [s for s in certificates.held_by(get_session(), current_user.id) if s.certificate.live]}


main.register_dashboard_panel("certificates/_dashboard_panel.html", _dashboard_panel, order=40)


# --- public documents ----------------------------------------------------------------------------

@bp.route("/certificates/<code>.pdf")
@limiter.limit(DOCUMENT_LIMIT)
@public
def pdf(code: str):
    certificate = certificates.get(get_session(), code)
    body = certificate_pdf.render(certificates.sheet(certificate, site()))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response


@bp.route("/certificates/<code>.json")
@limiter.limit(DOCUMENT_LIMIT)
@public
def credential(code: str):
    db = get_session()
    certificate = certificates.get(db, code)
    text = certificates.signed_credential(db, certificate, site(), keystore())
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(text, mimetype="application/json", headers={
        **_PUBLIC_JSON, "Content-Disposition": f'{disposition}; filename="certificate-{certificate.code}.json"'})


@bp.route("/certificates/<code>/status")
@limiter.limit(DOCUMENT_LIMIT)
@public
def status(code: str):
    certificate = certificates.get(get_session(), code)
    document = certificates.status_document(certificate, site(), keystore())
    return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={**_PUBLIC_JSON, "Cache-Control": "no-cache"})


@bp.route("/issuer")
@public
def issuer():
    keys = keystore()
    keys.signing_key()  # publish a key before anyone needs one
    profile = open_badges.issuer_profile(site(), [k.key_id for k in keys.published()])
    return jsonify(profile), 200, {**_PUBLIC_JSON, "Cache-Control": "public, max-age=300"}


@bp.route("/.well-known/jwks.json")
@public
def jwks():
    keys = keystore()
    keys.signing_key()
    document = {"keys": [data_integrity.jwk(k.public_key, k.key_id) for k in keys.published()]}
    return jsonify(document), 200, {**_PUBLIC_JSON, "Cache-Control": "public, max-age=300"}


# --- public verification -------------------------------------------------------------------------

@bp.route("/verify")
@limiter.limit(LOOKUP_LIMIT, exempt_when=lambda: not request.args.get("code"))
@public
def verify_form():
    form = VerifyForm(request.args)
    if not form.code.data:
        if "code" in request.args:
            form.code.errors = ["Enter the code printed on the certificate."]
        return render_template("certificates/verify_form.html", form=form)
    code = parse(form.code.data)
    if code is None:
        return _not_found(form.code.data)
    return redirect(url_for(".verify", code=code))


@bp.route("/verify/<code>")
@limiter.limit(LOOKUP_LIMIT)
@public
def verify(code: str):
    canonical = parse(code)
    if canonical is not None and canonical != code:
        return redirect(url_for(".verify", code=canonical), 301)
    certificate = certificates.find(get_session(), canonical)
    if certificate is None:
        return _not_found(code)
    return render_template("certificates/verify.html", standing=certificates.standing(certificate),
                           site=site())


def _not_found(typed: str = ""):
    """The one answer for unknown and malformed codes alike: no hint of which it was. The form
    keeps what was typed, so a typo is corrected rather than typed again."""
    form = VerifyForm(formdata=None, code=typed[:MAX_INPUT])
    return render_template("certificates/verify.html", standing=None, form=form), 404


@bp.app_template_filter("long_date")
def long_date(moment: datetime | None) -> str:
    return certificate_pdf.long_date(moment.date()) if moment else ""


@bp.errorhandler(NotFound)
def not_found(_exc: NotFound):
    return render_error(404)
