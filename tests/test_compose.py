"""docker-compose.yml, checked without Docker: a valid Compose document that starts the
app as docs/operations.md says (migrations first, two workers behind the SSE-ready proxy,
every service health-checked, secrets required). tests/test_reverse_proxy.py runs
the proxy's config and the app's environment for real."""

import ipaddress
import json
import re

import pytest
from compose_spec import PyCompose

from interview.config import load_config

from .compose_file import (
    MissingVariable,
    load_compose,
    read_env_file,
    service_environment,
)
from .servers import PROJECT_ROOT

SECRETS = {"INTERVIEW_SECRET_KEY": "a" * 64, "POSTGRES_PASSWORD": "pg-secret"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose({**read_env_file(), **SECRETS})


def nginx_directives(text: str) -> dict[str, list[str]]:
    """`name args;` statements of an nginx config, by name (blocks flattened)."""
    statements = re.sub(r"#[^\n]*", "", text).replace("{", ";").replace("}", ";").split(";")
    directives: dict[str, list[str]] = {}
    for statement in statements:
        name, _, args = statement.strip().partition(" ")
        if name:
            directives.setdefault(name, []).append(args.strip())
    return directives


def test_the_file_is_a_valid_compose_document(compose):
    # compose-spec's strict parser: unknown keys, wrong types, bad durations and
    # unknown depends_on conditions are all errors.
    parsed = PyCompose.from_json(json.dumps(compose))
    assert sorted(parsed.service_names()) == ["app", "db", "migrate", "proxy", "redis"]


@pytest.mark.parametrize("missing", ["INTERVIEW_SECRET_KEY", "POSTGRES_PASSWORD"])
def test_it_refuses_to_start_without_each_secret(missing):
    variables = {**read_env_file(), **SECRETS, missing: ""}
    with pytest.raises(MissingVariable, match=missing):
        load_compose(variables)


def test_the_example_env_file_names_every_variable_the_file_reads():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    example = (PROJECT_ROOT / ".env.example").read_text()
    assert {name for name in used if not re.search(rf"^#? ?{name}=", example, re.M)} == set()


def test_every_long_running_service_is_health_checked(compose):
    services = compose["services"]
    for name in ("app", "proxy", "db", "redis"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_migrations_run_once_before_the_app_starts(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["flask", "--app", "interview.wsgi", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["app"]["command"] == [
        "gunicorn",
        "-c",
        "python:interview.gunicorn_config",
        "interview.wsgi:app",
    ]
    assert services["proxy"]["depends_on"] == {"app": {"condition": "service_healthy"}}


def test_only_the_proxy_is_published(compose):
    published = {name for name, service in compose["services"].items() if "ports" in service}
    assert published == {"proxy"}
    assert compose["services"]["proxy"]["ports"] == ["8080:80"]


def test_the_app_listens_on_every_interface_of_its_container(compose):
    assert service_environment(compose, "app")["HOST"] == "0.0.0.0"


def test_the_app_trusts_exactly_the_proxy(compose):
    environment = service_environment(compose, "app")
    proxy_address = compose["services"]["proxy"]["networks"]["backend"]["ipv4_address"]
    subnet = compose["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert environment["INTERVIEW_TRUSTED_PROXIES"] == proxy_address
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)


def test_the_app_accepts_the_environment_compose_gives_it(compose, tmp_path):
    environment = service_environment(compose, "app")
    config = load_config(environment, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://interview:pg-secret@db:5432/interview"
    )
    assert config["REDIS_URL"] == "redis://redis:6379/0"
    assert config["SECRET_KEY"] == SECRETS["INTERVIEW_SECRET_KEY"]
    assert config["INTERVIEW_TRUSTED_PROXIES"] == (ipaddress.ip_network("172.30.80.10/32"),)
    assert config["INTERVIEW_PROVIDER"] == "offline"  # no key in .env.example
    assert environment["WEB_CONCURRENCY"] == "2"


def test_a_stop_gives_open_streams_the_graceful_timeout(compose):
    app = compose["services"]["app"]
    graceful_s = int(service_environment(compose, "app")["GUNICORN_GRACEFUL_TIMEOUT"])
    assert int(app["stop_grace_period"].removesuffix("s")) > graceful_s


def test_the_proxy_is_set_for_event_streams(compose):
    mount = compose["services"]["proxy"]["volumes"][0]
    source, target, _ = mount.split(":")
    assert target == "/etc/nginx/conf.d/default.conf"
    directives = nginx_directives((PROJECT_ROOT / source).read_text())
    assert directives["proxy_buffering"] == ["off"]
    assert directives["proxy_http_version"] == ["1.1"]
    assert directives["proxy_read_timeout"] == ["1h"]
    assert directives["gzip"] == ["off"]
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in directives["proxy_set_header"]
    assert "X-Accel-Buffering" not in " ".join(directives.get("proxy_ignore_headers", []))
    assert "app:8000" in directives["server"]
