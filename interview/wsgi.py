"""The application, for a WSGI server and the `flask` command.

flask --app interview.wsgi db upgrade
gunicorn -c python:interview.gunicorn_config interview.wsgi:app
"""

from interview import create_app

app = create_app()
