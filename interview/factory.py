"""The application factory: `create_app`, which the package's `create_app` calls, and its steps."""

import os
from collections.abc import Mapping

from flask import Flask

from .api import register_api
from .browser_session import configure_sessions
from .cli import register_commands
from .config import load_config
from .cors import register_cors
from .errors import register_error_handlers
from .extensions import RUNTIME, db, migrate, tune_database
from .feedback.runtime import build_runtime
from .observability.http import register_observability
from .resources import resource_dir
from .security import register_security
from .web import bp as web_bp


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the application from `environ` (the process environment by default)."""
    app = Flask(
        "interview",  # the package's name: its logger's, and its instance folder's
        template_folder=resource_dir("templates"),
        static_folder=resource_dir("static"),
    )
    app.config.update(load_config(os.environ if environ is None else environ, app.instance_path))
    os.makedirs(app.instance_path, exist_ok=True)
    register_observability(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_security(app)
    register_cors(app)
    return app


def register_extensions(app: Flask) -> None:
    configure_sessions(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=resource_dir("migrations"))
    with app.app_context():
        tune_database(db.engine)
    app.extensions[RUNTIME] = build_runtime(app.config, app.app_context)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(web_bp)
    register_api(app)
