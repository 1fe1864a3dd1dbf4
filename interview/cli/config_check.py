"""`flask --app app config check`: the effective configuration, or what is wrong with it.

The `config` group (with `config table`, config_table.py) is a Flask plugin
command (the `flask.commands` entry point in pyproject.toml): Flask finds plugin
commands without loading the app, so this one loads it itself and reports a
`ConfigError` as a message and exit status 1 (app.py does the same for the other
commands). Secrets are never printed: API keys are shown as `sk-…abcd` (or `set`
when short), other keys and secrets as `set`, passwords in URLs as `***`.
With `--connect` it then tries each configured service (connection_check.py).
"""

import os
import re
from collections.abc import Mapping
from typing import Any

import click
from flask.cli import ScriptInfo

from ..environment import SETTINGS, ConfigError
from .config_table import table_command
from .connection_check import check_connections
from .masking import without_password

SECRET_NAME = re.compile(r"(KEY|KEYS|SECRET|TOKEN|PASSWORD)$")
#: What `load_config` stores under another name than the variable's.
RENAMED = {item.stored_as: item.name for item in SETTINGS if item.stored_as}
SHOWN = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "SECRET_KEY")

config_cli = click.Group("config", help="Check the configuration; print its table for the docs.")
config_cli.add_command(table_command)


@config_cli.command("check")
@click.option(
    "--connect",
    is_flag=True,
    help="Then try the database, Redis and the upstream; exit 1 when one fails.",
)
@click.pass_context
def check_command(ctx: click.Context, connect: bool) -> None:
    """Print the effective configuration; exit 1 naming the variable when a value is bad."""
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
    except ConfigError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        ctx.exit(1)
    settings = effective_settings(app.config, os.environ)
    width = max(len(name) for name in settings)
    for name, (value, source) in settings.items():
        click.echo(f"{name.ljust(width)}  {value}  ({source})")
    click.echo("configuration OK", err=True)
    if not connect:
        return
    outcomes = check_connections(app)
    for outcome in outcomes:
        click.echo(outcome.line())
    failed = [outcome.service for outcome in outcomes if not outcome.ok]
    if failed:
        click.secho(f"Error: {', '.join(failed)} failed the connection check", fg="red", err=True)
        ctx.exit(1)


def effective_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> dict:
    """Every INTERVIEW_* setting and the upstream, database and Redis ones: (shown, source)."""
    names = sorted(
        {name for name in config if name.startswith("INTERVIEW_")} | set(SHOWN),
        key=lambda name: RENAMED.get(name, name),
    )
    settings = {}
    for name in names:
        variable = RENAMED.get(name, name)
        raw = environ.get(variable, "").strip()
        value = config[name]
        if name == "SECRET_KEY" and not raw:
            settings[variable] = ("generated, kept in the instance folder", "default")
        elif value is None and raw:  # `off` and the like
            settings[variable] = (raw, "environment")
        else:
            settings[variable] = (shown(variable, value), "environment" if raw else "default")
    return settings


def shown(name: str, value: Any) -> str:
    """The value as it may be printed."""
    if value is None or value == frozenset():
        return "unset"
    if name == "OPENAI_API_KEY":
        return f"{value[:3]}…{value[-4:]}" if len(value) >= 20 else "set"
    if SECRET_NAME.search(name):
        if isinstance(value, frozenset):
            return f"set ({len(value)} key{'s' if len(value) > 1 else ''})"
        return "set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, frozenset | tuple):
        return ", ".join(sorted(map(str, value))) or "none"
    if isinstance(value, str) and "://" in value:
        return without_password(value)
    return str(value)
