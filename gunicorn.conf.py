"""gunicorn settings in a checkout: the packaged ones, `interview/gunicorn_config.py`."""

from interview.gunicorn_config import *  # noqa: F403
