"""Web layer: blueprints with thin views."""

from __future__ import annotations

from flask import Flask, g

from ..links import remembered_url_for
from . import analytics, api, auth, dates, errors, inputs, learn, mail, main, manage, nav, quiz, resources, security
from .admin import certificates as admin_certificates
from .admin import exports
from .admin import views as admin
from .author import views as author
from .certificates import views as certificates


def init_app(app: Flask) -> None:
    inputs.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_certificates.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(analytics.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(author.bp)
    dates.init_app(app)
    app.register_blueprint(manage.bp)
    app.register_blueprint(mail.bp)
    errors.init_app(app)
    security.init_app(app)
    app.jinja_env.globals["url_for"] = remembered_url_for(app)

    @app.context_processor
    def inject_viewer():
        return {"viewer": _viewer(), "nav_items": nav.items_for, "url_if": nav.url_if,
                "admin_sections": nav.admin_sections}


def _viewer():
    """The signed-in user for templates, or None; never fails while rendering an error page."""
    if g.get("db_down"):
        return None
    from flask_login import current_user
    try:
        # The user object itself, not the proxy: templates read it a dozen times a page, and each
        # read through ``current_user`` is a context lookup.
        return current_user._get_current_object() if current_user.is_authenticated else None
    except Exception:  # the database went away while loading the user
        return None
