"""Every package the service imports is one `pyproject.toml` declares."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "interview").rglob("*.py")), ROOT / "app.py", ROOT / "gunicorn.conf.py"]


def imported_top_level_names(path: Path) -> set[str]:
    """The top-level names of the absolute imports in one file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def declared_distributions() -> set[str]:
    """The dependencies, and the `speech` extra's (imported only when it is installed)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["speech"]]
    return {normalized(re.match(r"[A-Za-z0-9._-]+", spec)[0]) for spec in specs}


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def test_every_third_party_import_is_a_declared_dependency():
    imported = set().union(*map(imported_top_level_names, SOURCES))
    third_party = imported - set(sys.stdlib_module_names) - {"interview"}
    providers = importlib.metadata.packages_distributions()
    declared = declared_distributions()
    undeclared = {
        name: providers.get(name, ["(not installed)"])
        for name in sorted(third_party)
        if not declared & {normalized(d) for d in providers.get(name, [])}
    }
    assert undeclared == {}
