"""Sign-in, sign-out, registration, password change, first-admin setup and reset links."""

from __future__ import annotations

import hashlib
import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from academy.db import get_session
from academy.extensions import limiter, login_manager
from academy.services import accounts, profile, signups
from academy.services.errors import ServiceError
from academy.services.login_cache import LoginSessionCache

from . import errors
from .access import public, safe_next, signed_in
from .forms import (
    ActionForm,
    ChangePasswordForm,
    FinishSignUpForm,
    ForgotPasswordForm,
    JoinOrganisationForm,
    LoginForm,
    NameForm,
    RegisterForm,
    ResetForm,
    SetupForm,
    attach_errors,
)
from .requests import current_actor

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"


def _policy() -> accounts.SessionPolicy:
    from datetime import timedelta
    return accounts.SessionPolicy(idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
                                  absolute=timedelta(hours=current_app.config["SESSION_MAX_HOURS"]))


@bp.record_once
def _create_login_cache(state) -> None:
    """One cache of live login sessions per app (so per worker), emptied by this app's own commits."""
    cache = LoginSessionCache(state.app.config["SESSION_RECHECK_SECONDS"])
    cache.watch(state.app.extensions["academy.sessionmaker"])
    cache.listeners.append(_new_account_revision)
    state.app.extensions["academy.login_cache"] = cache


#: Session-cookie key: the account revision login-cache entries must match (services/login_cache.py).
ACCOUNT_REVISION = "account_rev"


def _new_account_revision(changed: set[int] | None) -> None:
    """A commit changed these users' rows: if the signed-in user is one of them, give their cookie a
    new account revision, so the next request on any worker reads their row afresh."""
    if not has_request_context():
        return
    user = g.get("_login_user")
    user_id = getattr(user, "id", None)
    if user_id is not None and (changed is None or user_id in changed) and session.get(SESSION_KEY):
        session[ACCOUNT_REVISION] = secrets.token_urlsafe(6)


@login_manager.request_loader
def load_user_from_session(_request):
    """Flask-Login hook: the user behind the cookie's login session, if it is still live.

    Answered from this worker's cache when the database confirmed the session less than
    ``ACADEMY_SESSION_RECHECK_SECONDS`` ago (services/login_cache.py has the bound).
    """
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = accounts.load_login_session(get_session(), token, _policy(), current_app.extensions["academy.login_cache"],
                                      revision=session.get(ACCOUNT_REVISION, ""))
    if row is None:
        session.pop(SESSION_KEY, None)
        return None
    g.login_session_id = row.id
    return row.user


def sign_in(user) -> None:
    """Start a fresh session for ``user``: a new cookie, a new CSRF token, a server-side record."""
    token = accounts.start_login_session(get_session(), user, actor=current_actor(),
                                         user_agent=request.headers.get("User-Agent"))
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = token
    g._login_user = user  # Flask-Login's per-request cache


def _failed_login(response) -> bool:
    # Only failed attempts count towards the limits; a success redirects.
    return response.status_code != 302


# --- Device cookies ---------------------------------------------------------------------------------
# OWASP's "slow down online guessing attacks with device cookies": a browser that has signed in to an
# account before carries a signed cookie naming that account. Guesses from such a browser count
# against that browser alone; guesses from anywhere else count against the account, with a stepped
# back-off. So an attacker can slow down strangers' guesses at an account, but never lock its owner
# out of the browsers the owner already uses. docs/security.md has the figures and the way in.

DEVICE_COOKIE = "academy_device"
DEVICE_DAYS = 180
#: Failed sign-ins for one account from browsers it has not signed in from: a stepped back-off.
ACCOUNT_LIMIT = "5 per minute; 10 per 10 minutes; 20 per hour; 50 per day"
#: Failed sign-ins from one trusted browser (a stolen cookie buys no more guesses than this).
DEVICE_LIMIT = "10 per minute; 30 per hour"
#: Attempts from one address, whatever the account.
ADDRESS_LIMIT = "30 per minute; 200 per hour"
THROTTLED = ("Too many failed sign-ins for this account. Please wait a minute before trying again. "
             "If this is your account, sign in from a browser you have signed in from before (it is not "
             "held up by others' attempts), or ask an administrator for a password reset link.")


errors.THROTTLE_MESSAGES["auth.login"] = THROTTLED


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="academy.device-cookie")


def _account_digest(email: str) -> str:
    return hashlib.sha256(accounts.normalise_email(email)[:254].encode()).hexdigest()[:32]


def _trusted_device() -> str | None:
    """The device id when this browser has signed in to the account being tried before, else None."""
    cached = g.get("trusted_device", False)
    if cached is not False:
        return cached
    found = None
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if raw and len(raw) < 512:
        try:
            data = _device_serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            data = None
        if (isinstance(data, dict) and isinstance(data.get("d"), str)
                and data.get("a") == _account_digest(request.form.get("email", ""))):
            found = data["d"]
    g.trusted_device = found
    return found


def _remember_device(response, user) -> None:
    device = _trusted_device() or secrets.token_urlsafe(16)
    value = _device_serializer().dumps({"a": _account_digest(user.email), "d": device})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], path="/login")


def _account_key() -> str:
    return "account:" + _account_digest(request.form.get("email", ""))


def _device_key() -> str:
    return f"device:{_trusted_device()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=_account_key, deduct_when=_failed_login,
               exempt_when=lambda: _trusted_device() is not None)
@limiter.limit(DEVICE_LIMIT, methods=["POST"], key_func=_device_key, deduct_when=_failed_login,
               exempt_when=lambda: _trusted_device() is None)
@public
def login():
    next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(get_session(), form.email.data, form.password.data, actor=current_actor())
        if user is not None:
            sign_in(user)
            flash(f"Welcome back, {user.name}.", "success")
            response = redirect(next_url)
            _remember_device(response, user)
            return response
        form.password.errors = ["The email address or password is not correct."]
    return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next"), ""))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.home"))
    token = session.get(SESSION_KEY)
    if token:
        accounts.revoke_login_session(get_session(), token)
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("main.home"))


#: Where the submitting browser keeps its sign-up secret (it finishes without typing the password).
SIGNUP_KEY = "signup"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def register():
    # Signing up from a course page returns there (a path on this site only: no open redirect), once
    # the emailed link has been followed.
    next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            secret = signups.request(get_session(), email=form.email.data, name=form.name.data,
                                     password=form.password.data, join_code=form.join_code.data or "",
                                     next_path=safe_next(request.args.get("next"), "") or None,
                                     actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            # The same page, status and cookie whether or not the address already has an account.
            session[SIGNUP_KEY] = secret
            return render_template("auth/signup_sent.html", email=accounts.normalise_email(form.email.data))
    return render_template("auth/register.html", form=form, next=safe_next(request.args.get("next"), ""))


@bp.route("/register/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def finish_signup(token: str):
    """The emailed sign-up link: a GET shows what will be made; the button (a POST) makes it."""
    db = get_session()
    try:
        pending = signups.pending(db, token, session.get(SIGNUP_KEY))
    except ServiceError as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    form = FinishSignUpForm()
    if form.validate_on_submit():
        try:
            user, next_path = signups.complete(db, token, browser_secret=session.get(SIGNUP_KEY),
                                               password=form.password.data or "", actor=current_actor())
        except ServiceError as exc:
            if exc.field_errors:
                attach_errors(form, exc)
            else:
                return render_template("auth/link_invalid.html", message=str(exc)), 404
        else:
            sign_in(user)
            flash("Your account is ready. Welcome to MIM Academy.", "success")
            return redirect(safe_next(next_path, url_for("main.dashboard")))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/finish_signup.html", form=form, pending=pending), status


@bp.get("/account")
@signed_in
def account():
    user = current_user._get_current_object()
    return render_template("auth/account.html", name_form=NameForm(prefix="name", name=user.name),
                           join_form=JoinOrganisationForm(prefix="join"))


@bp.post("/account/name")
@signed_in
def change_name():
    form = NameForm(prefix="name")
    if form.validate_on_submit():
        try:
            reissued = profile.change_name(get_session(), current_user.id, form.name.data, actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            message = "Your name is updated."
            if reissued:
                codes = ", ".join(c.code for c in reissued)
                message += (f" Your certificates are reissued under it ({codes}); the old codes now point "
                            "verifiers to the new ones.")
            flash(message, "success")
            return redirect(url_for(".account"))
    return render_template("auth/account.html", name_form=form, join_form=JoinOrganisationForm(prefix="join")), 400


@bp.post("/account/organisation")
@signed_in
def join_organisation():
    form = JoinOrganisationForm(prefix="join")
    if form.validate_on_submit():
        try:
            user = profile.join_organisation(get_session(), current_user.id, form.join_code.data, actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            flash(f"You have joined {user.organisation.name}.", "success")
            return redirect(url_for(".account"))
    user = current_user._get_current_object()
    return render_template("auth/account.html", name_form=NameForm(prefix="name", name=user.name),
                           join_form=form), 400


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(get_session(), current_actor(), form.current_password.data,
                                     form.new_password.data)
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            # Every old session (this one included) is revoked; carry on in a fresh one.
            sign_in(current_user._get_current_object())
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/setup/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour")
@public
def setup(token: str):
    if (refusal := _refuse_dead_link("setup", token)) is not None:
        return refusal
    db = get_session()
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = accounts.complete_setup(db, token, email=form.email.data, name=form.name.data,
                                           password=form.password.data, actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            sign_in(user)
            flash("Your administrator account is ready. The setup link no longer works.", "success")
            return redirect(url_for("admin.users"))  # the first admin lands on the admin area
    return render_template("auth/setup.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit("3 per minute; 10 per hour", methods=["POST"], key_func=_account_key)
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(get_session(), form.email.data, actor=current_actor())
        # The same page whether or not the address has an account: nothing to learn here.
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour")
@public
def reset(token: str):
    if (refusal := _refuse_dead_link("reset", token)) is not None:
        return refusal
    db = get_session()
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.complete_reset(db, token, form.password.data, actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            session.clear()
            flash("Your password has been set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


def _refuse_dead_link(purpose: str, token: str):
    """The "link cannot be used" page (404) for a used, expired or made-up one-time link, else None."""
    try:
        accounts.check_token(get_session(), purpose, token)
    except ServiceError as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    return None


