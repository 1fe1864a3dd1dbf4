"""interview: AI feedback on interview answers, streamed character by character.

Importing the package imports nothing of the app: gunicorn's arbiter imports
`interview.gunicorn_config`, and a module it imported (Flask, the database driver,
the admission locks) would reach the workers before gevent patches them.
`create_app` imports the app when it is called.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(environ: Mapping[str, str] | None = None) -> "Flask":
    """Build the application from `environ` (the process environment by default)."""
    from .factory import create_app as build_app

    return build_app(environ)
