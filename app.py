"""WSGI entry point: the target of `flask --app app` and of gunicorn `app:app`."""

from academy import create_app

app = create_app()
