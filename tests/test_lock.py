"""requirements.lock, what the Docker image installs, agrees with pyproject.toml.

Refresh it after changing the dependencies (pip-tools, in the dev extra):
    pip-compile --generate-hashes --strip-extras --output-file=requirements.lock pyproject.toml
and add --upgrade to move every pin to the newest release the specifiers allow.
"""

import importlib.metadata
import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .servers import PROJECT_ROOT

LOCK = PROJECT_ROOT / "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


def locked_versions() -> dict[str, Version]:
    return {
        canonicalize_name(name): Version(version)
        for name, version in _PIN.findall(LOCK.read_text())
    }


def declared() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(spec) for spec in project["dependencies"]]


def extra_requirements(requirement: Requirement) -> set[str]:
    """What the extras of `requirement` (`psycopg[binary]`) add, per the installed metadata."""
    added = set()
    for spec in importlib.metadata.requires(requirement.name) or []:
        dependency = Requirement(spec)
        marker = dependency.marker
        if marker and not marker.evaluate({"extra": ""}):
            if any(marker.evaluate({"extra": extra}) for extra in requirement.extras):
                added.add(canonicalize_name(dependency.name))
    return added


@pytest.mark.parametrize("requirement", declared(), ids=str)
def test_each_dependency_is_pinned_to_a_version_pyproject_allows(requirement):
    locked = locked_versions()
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{name} is not in requirements.lock: refresh it (tests/test_lock.py)"
    assert requirement.specifier.contains(locked[name], prereleases=True), (
        f"requirements.lock pins {name}=={locked[name]}, outside {requirement}: refresh it"
    )
    assert extra_requirements(requirement) <= set(locked)


def test_every_pin_carries_its_hashes():
    # The image installs with --require-hashes: a pin without them fails its build.
    lines = LOCK.read_text().splitlines()
    pins = [
        (line, after)
        for line, after in zip(lines, [*lines[1:], ""], strict=True)
        if _PIN.match(line)
    ]
    assert len(pins) == len(locked_versions()) > 0
    assert [line for line, after in pins if not after.strip().startswith("--hash=sha256:")] == []
