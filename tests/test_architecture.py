"""Imports point one way, from the edges to the core (the layers of `docs/architecture.md`).

- The domain (`interview.feedback`) imports no schema, blueprint, command or
  Flask at all: the edges (`api/`, `web/`, `cli/`) call it and hand it the runtime.
- `sse.py` is the wire format only: nothing of the app. `database_errors.py`
  and `request_identity.py` are low-level helpers: nothing of the app either.
- `errors.py` and `observability/` are app-level infrastructure: they depend
  only downward, never on the edges or the domain.
- `api/` and `web/` never import each other; what both need is in the domain.
- The models know nothing of schemas, views or the domain.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "interview"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every module and `module.name` that the file imports, relative imports resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules_in(*relative: str) -> list[Path]:
    paths = []
    for name in relative:
        target = PACKAGE / name
        paths.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return paths


def is_within(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


RULES = [
    (
        "feedback",
        (
            "interview.schemas",
            "interview.api",
            "interview.web",
            "interview.cli",
            "flask",
        ),
    ),
    ("sse.py", ("interview", "flask")),
    ("database_errors.py", ("interview",)),
    ("request_identity.py", ("interview",)),
    ("errors.py", ("interview.api", "interview.web", "interview.feedback", "interview.cli")),
    ("observability", ("interview.api", "interview.web", "interview.feedback", "interview.cli")),
    ("api", ("interview.web",)),
    ("web", ("interview.api",)),
    (
        "models.py",
        ("interview.schemas", "interview.api", "interview.web", "interview.feedback"),
    ),
]


@pytest.mark.parametrize(("layer", "forbidden"), RULES, ids=[layer for layer, _ in RULES])
def test_a_layer_imports_only_what_lies_beneath_it(layer, forbidden):
    breaches = {
        module_name(path): sorted(
            name
            for name in imported_names(path)
            if any(is_within(name, rule) for rule in forbidden)
        )
        for path in modules_in(layer)
    }
    assert {module: names for module, names in breaches.items() if names} == {}


def test_the_import_scan_sees_relative_imports():
    names = imported_names(PACKAGE / "api" / "feedback.py")
    assert "interview.schemas.feedback_schema" in names
    assert "interview.feedback.service" in names
