"""Entry point: `gunicorn -c gunicorn.conf.py app:app`, `flask --app app ...`."""

from interview import create_app

app = create_app()
