"""Entry point in a checkout: `gunicorn -c gunicorn.conf.py app:app`, `flask --app app ...`."""

from interview.wsgi import app

__all__ = ["app"]
