"""gunicorn settings: `gunicorn -c python:academy.gunicorn_conf app:app`.

Environment: PORT (default 5000), HOST (default 127.0.0.1), WEB_CONCURRENCY (workers, default 2).
"""

import os
import subprocess
import sys

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker that hangs (for example on a database that vanished) is replaced after this long.
timeout = 30
graceful_timeout = 20
accesslog = "-" if os.environ.get("ACADEMY_ACCESS_LOG", "1") == "1" else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


#: The mail worker started beside gunicorn (``flask mail work``), or None.
_mail_worker = None


def when_ready(server):
    """Start the mail worker beside the site; on first start with no admin, print the setup link."""
    from academy import create_app
    from academy.db import session_scope
    from academy.services import accounts

    app = create_app()
    _start_mail_worker(server, app)
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


def _start_mail_worker(server, app):
    """`make run` needs nothing else: mail is delivered and reminders scanned by a child process.

    Where senders run on their own hosts, ACADEMY_MAIL_WORKER=0 turns this off. The worker leaves
    when gunicorn stops (on_exit below), and by itself if gunicorn dies without saying so.
    """
    global _mail_worker
    if not app.config["MAIL_WORKER"]:
        return
    from academy.config import REPO_ROOT
    _mail_worker = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI, fixed arguments
        [sys.executable, "-m", "flask", "--app", "app", "mail", "work", "--parent-pid", str(os.getpid())],
        cwd=REPO_ROOT)
    server.log.info("Mail worker started (pid %s): it delivers the outbox and runs reminder scans.",
                    _mail_worker.pid)


def on_exit(server):
    """Stop the mail worker with the site; it finishes the message in flight first."""
    worker = _mail_worker
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(5)
