"""WSGI entry point for `flask --app wsgi` and gunicorn."""

from marketplace import create_app

app = create_app()
