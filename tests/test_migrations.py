"""`flask db upgrade` builds the schema the models describe, on both backends."""

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from interview import create_app
from interview.extensions import db

from .servers import PROJECT_ROOT


def test_migrated_schema_matches_the_models(database_url):
    app = create_app({"DATABASE_URL": database_url})
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, db.metadata)
        revision = context.get_current_revision()
    with app.app_context():
        db.engine.dispose()
    assert differences == []
    assert revision is not None


def test_flask_db_upgrade_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("feedback")}
    engine.dispose()
    assert {"id", "owner", "status", "score", "metrics", "usage", "first_token_ms"} <= columns
