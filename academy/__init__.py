"""MIM Academy: the application factory."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask

from .config import REPO_ROOT, instance_dir, load_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        instance_path=str(instance_dir().resolve()),
    )
    app.config.update(load_config())
    if test_config:
        app.config.update(test_config)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", timedelta(days=7))
    if app.config["PROXY_COUNT"]:
        # Behind N trusted proxies: take the client address and scheme from their headers, so
        # per-address sign-in throttling and the audit log see the real client.
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    if not app.testing:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        app.logger.setLevel(logging.INFO)

    from . import cli, db, render_sandbox, web
    from .extensions import csrf, limiter, login_manager
    from .services import analytics_summaries

    db.init_app(app)
    # Attempts finishing or deleted through any session update the analytics summaries in the same transaction.
    analytics_summaries.watch(app.extensions["academy.sessionmaker"])
    render_sandbox.install(app.config["RENDER_TIMEOUT"])
    # Access rules run before the CSRF check, so a refused visitor learns nothing about the form.
    app.before_request(web.access.enforce)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    limiter.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    web.access.check_all_routes_declared(app)
    return app
