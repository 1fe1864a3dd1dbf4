"""docker-compose.yml as Docker Compose reads it, for tests on a machine without Docker.

`load_compose(variables)` parses the file with PyYAML (which resolves the `<<`
merge keys as Compose does), then interpolates `${NAME}`, `${NAME:-default}`,
`${NAME-default}`, `${NAME:?message}`, `${NAME?message}` and `$$` in every
string, as Compose does with the variables of the shell and `.env`.
"""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .servers import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


class MissingVariable(Exception):
    """A `${NAME:?message}` whose variable is unset (or empty): Compose refuses to start."""


def _interpolate(value: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        if match.group() == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        current = variables.get(name)
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op in ("?", ":?") and unset:
            raise MissingVariable(f"{name}: {arg}")
        if op in ("-", ":-") and unset:
            return arg
        return current or ""

    return _VARIABLE.sub(substitute, value)


def _walk(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return _interpolate(node, variables)
    if isinstance(node, dict):
        return {key: _walk(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, variables) for item in node]
    return node


def load_compose(variables: Mapping[str, str], path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The compose file as a dict, merged and interpolated with `variables`."""
    return _walk(yaml.safe_load(path.read_text()), variables)


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """`NAME=value` lines of a .env file; comments and blank lines skipped."""
    variables = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def service_environment(compose: dict[str, Any], service: str) -> dict[str, str]:
    """A service's environment as the container sees it: every value a string."""
    environment = compose["services"][service].get("environment") or {}
    return {name: "" if value is None else str(value) for name, value in environment.items()}
