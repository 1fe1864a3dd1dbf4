"""Templates, static files and migrations: inside an installed package, else beside it."""

import pytest

from interview import resources


@pytest.fixture
def package(tmp_path, monkeypatch):
    package_dir = tmp_path / "site" / "interview"
    package_dir.mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE_DIR", package_dir)
    return package_dir


def test_an_installed_wheel_s_directory_is_inside_the_package(package):
    (package / "templates").mkdir()
    (package.parent / "templates").mkdir()
    assert resources.resource_dir("templates") == str(package / "templates")


def test_a_checkout_s_directory_is_at_its_top_level(package):
    (package.parent / "migrations").mkdir()
    assert resources.resource_dir("migrations") == str(package.parent / "migrations")


def test_a_missing_directory_says_where_it_was_looked_for(package):
    with pytest.raises(FileNotFoundError, match="no static/ in .*interview .* nor in .*site"):
        resources.resource_dir("static")
