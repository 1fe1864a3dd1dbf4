"""The application, for a WSGI server and the `flask` command.

flask --app interview.wsgi db upgrade
gunicorn -c python:interview.gunicorn_config interview.wsgi:app
"""

import click

from interview import create_app
from interview.environment import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # `flask` prints a ClickException as one line and exits 1, where any other
    # error is a traceback. gunicorn's arbiter has refused the combinations that
    # would stop here (gunicorn_config.py), before a worker imports this module.
    raise click.ClickException(str(exc)) from None
