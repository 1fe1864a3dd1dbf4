"""Where the app's templates, static files and migrations are.

A wheel carries them inside the package (`interview/templates`, ...: pyproject.toml's
force-include); a checkout, and so an editable install, keeps them at the top level
beside `interview/`.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> str:
    """The directory `name` (`templates`, `static`, `migrations`) of this install."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return str(candidate)
    raise FileNotFoundError(
        f"no {name}/ in {PACKAGE_DIR} (an installed wheel) nor in {PACKAGE_DIR.parent} "
        "(a checkout): reinstall the package"
    )
