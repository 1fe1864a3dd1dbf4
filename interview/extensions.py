"""Flask extensions, created unbound and bound to the app in `create_app`; the runtime's door."""

from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, event
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from .feedback.runtime import Runtime


class Base(DeclarativeBase):
    pass


# Records stay readable after the short transactions that load or save them.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and the one writer work at once; NORMAL sync is safe in WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def tune_database(engine: Engine) -> None:
    """Apply per-connection settings the database needs for many concurrent streams."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


#: where `create_app` keeps the application's runtime, in `app.extensions`
RUNTIME = "interview"


def runtime_of(app: Flask) -> "Runtime":
    """The domain's runtime that `create_app` built for `app`."""
    return app.extensions[RUNTIME]


def current_runtime() -> "Runtime":
    """The runtime of the application handling the request or command."""
    return runtime_of(current_app)
