"""Command-line tasks under `flask --app app ...`.

- `feedback`: the terminal client (`ask`, `list`, `show`, `export`), the
  operators' tasks (`replay-spool`, `purge`) and the model's eval (`eval`);
- `questions`: import and export the custom question bank;
- `session`: mock interviews in the terminal (`run`), `list`, `export`;
- `config check` (`config_check.py`) is a Flask plugin command, declared in
  pyproject.toml, so that it runs even when the configuration stops the app
  from loading, and reports why.
"""

from flask import Flask

from .feedback import feedback_cli
from .questions import questions_cli
from .session import session_cli


def register_commands(app: Flask) -> None:
    app.cli.add_command(feedback_cli)
    app.cli.add_command(questions_cli)
    app.cli.add_command(session_cli)
