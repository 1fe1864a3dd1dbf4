"""Imports point one way, from the edges to the core (read from the source, not run)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "interview"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it, relative imports made absolute."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def files(*patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in PACKAGE.glob(pattern))


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


RULES = [
    # (files, packages they must not import, why)
    (["sse.py"], ["interview"], "the wire format knows nothing of the app"),
    (["models.py"], ["interview.schemas", "interview.api", "interview.web"], "models are the core"),
    (["database_errors.py", "request_identity.py"], ["interview"], "low-level helpers"),
    (
        ["errors.py", "observability/*.py"],
        ["interview.api", "interview.web", "interview.feedback", "interview.cli"],
        "app-level infrastructure depends only downward",
    ),
    (
        ["feedback/**/*.py"],
        ["interview.api", "interview.web", "interview.cli"],
        "the domain never imports a blueprint",
    ),
    (["api/*.py"], ["interview.web"], "api/ and web/ never import each other"),
    (["web/*.py"], ["interview.api"], "api/ and web/ never import each other"),
]


@pytest.mark.parametrize(("patterns", "forbidden", "why"), RULES, ids=[r[2] for r in RULES])
def test_imports_point_inwards(patterns, forbidden, why):
    checked = files(*patterns)
    assert checked, patterns
    breaches = sorted(
        f"{module_name(path)} imports {module}"
        for path in checked
        for module in imported_modules(path)
        if any(is_within(module, package) for package in forbidden)
    )
    assert breaches == [], why


def test_relative_imports_are_resolved():
    imports = imported_modules(PACKAGE / "feedback" / "encoders.py")
    assert "interview.sse" in imports and "interview.feedback.live" in imports
