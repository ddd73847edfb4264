"""gunicorn settings: `gunicorn -c python:academy.gunicorn_conf app:app`.

Environment: PORT (default 5000), HOST (default 127.0.0.1), WEB_CONCURRENCY (workers, default 2).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker that hangs (for example on a database that vanished) is replaced after this long.
timeout = 30
graceful_timeout = 20
accesslog = "-" if os.environ.get("ACADEMY_ACCESS_LOG", "1") == "1" else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """On first start with no admin, print the one-time setup link (see README)."""
    from academy import create_app
    from academy.db import session_scope
    from academy.services import accounts

    app = create_app()
    try:
        with app.app_context(), session_scope(app) as session:
            token = accounts.create_setup_token(session)
    except Exception as exc:  # the site still starts; the operator sees why there is no link
        server.log.warning("could not check for an administrator: %s", exc)
        return
    if token:
        base = app.config["BASE_URL"]
        server.log.info("No administrator yet. Create one with this one-time link: %s/setup/%s", base, token)
        print(f"\n  No administrator account yet. Open this one-time link to create it:\n"
              f"  {base}/setup/{token}\n", flush=True)
