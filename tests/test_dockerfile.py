"""The Dockerfile, checked without Docker: a build stage makes the wheel, the image
installs the locked dependencies and that wheel alone, and starts as docker-compose.yml
does, as a user, listening on every interface."""

import shlex

import pytest

from .compose_file import load_compose, read_env_file
from .dockerfile import read_stages
from .test_compose import SECRETS

BUILD, RUNTIME = read_stages()


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose({**read_env_file(), **SECRETS})


def test_the_build_stage_makes_the_wheel_from_the_checkout():
    assert BUILD.name == "build"
    copied = {args.split()[0] for args in BUILD.arguments("COPY")}
    assert {"interview", "templates", "static", "migrations", "pyproject.toml"} <= copied
    assert any(args.startswith("pip wheel") for args in BUILD.arguments("RUN"))


def test_the_image_holds_the_locked_dependencies_and_the_wheel_but_no_source():
    assert RUNTIME.base == BUILD.base
    assert [args.split()[0] for args in RUNTIME.arguments("COPY")] == [
        "requirements.lock",
        "--from=build",
    ]
    install = " ".join(RUNTIME.arguments("RUN"))
    assert "pip install --require-hashes -r /tmp/requirements.lock" in install
    assert "pip install --no-deps /tmp/dist/*.whl" in install
    assert "pip check" in install
    assert " -e " not in install and "--editable" not in install


def test_the_server_runs_as_a_user_on_every_interface():
    assert RUNTIME.arguments("USER") == ["interview"]
    assert RUNTIME.environment()["HOST"] == "0.0.0.0"
    assert RUNTIME.arguments("EXPOSE") == [RUNTIME.environment()["PORT"]]
    assert "/healthz" in RUNTIME.arguments("HEALTHCHECK")[0]


def test_the_image_migrates_then_serves_with_the_packaged_entry_points(compose):
    shell, flag, script = RUNTIME.command()
    migrate, serve = script.split(" && exec ")
    assert (shell, flag) == ("sh", "-c")
    assert shlex.split(migrate) == ["flask", "--app", "interview.wsgi", "db", "upgrade"]
    assert shlex.split(serve) == [
        "gunicorn",
        "-c",
        "python:interview.gunicorn_config",
        "interview.wsgi:app",
    ]
    assert compose["services"]["migrate"]["command"] == shlex.split(migrate)
    assert compose["services"]["app"]["command"] == shlex.split(serve)


def test_the_instance_volume_is_where_flask_puts_an_installed_package_s_instance_folder(
    compose,
):
    # Flask: an app installed under sys.prefix keeps it in <prefix>/var/<name>-instance.
    instance = f"{RUNTIME.environment()['VIRTUAL_ENV']}/var/interview-instance"
    assert f"mkdir -p {instance}" in " ".join(RUNTIME.arguments("RUN"))
    assert compose["services"]["app"]["volumes"] == [f"instance:{instance}"]
    app_environment = compose["services"]["app"]["environment"]
    assert app_environment["INTERVIEW_SPOOL_DIR"].startswith(instance + "/")
