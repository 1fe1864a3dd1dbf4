"""Entry point: `gunicorn -c gunicorn.conf.py app:app`, `flask --app app ...`."""

import click

from interview import create_app
from interview.environment import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # `flask` prints a ClickException as one line and exits 1, where any other
    # error is a traceback. gunicorn's arbiter has refused the combinations that
    # would stop here (gunicorn.conf.py), before a worker imports this module.
    raise click.ClickException(str(exc)) from None
