"""The app as the benchmark serves it (gunicorn ``bench.wsgi:app``): the product plus query counts and a baseline."""

from __future__ import annotations

from academy import create_app

from . import instrumentation

app = create_app()
instrumentation.init_app(app)
