"""compose.yaml, checked without a Docker engine: Docker Compose's own `config` (the
compose-spec schema, interpolation, merges) on a copy with .env.example as its .env, and the
services' wiring read with PyYAML. .env.example documents every variable the code reads."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import compose
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def documented() -> set[str]:
    # NAME=value, set or commented out.
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def resolved(tmp_path_factory) -> dict:
    """The model Docker Compose would run, with .env.example as the .env."""
    folder = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "compose.yaml", folder / "compose.yaml")
    shutil.copy(ROOT / ".env.example", folder / ".env")
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "config", "--format", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def depends(service: str) -> dict[str, str]:
    return {name: dep["condition"] for name, dep in SERVICES[service]["depends_on"].items()}


class TestCompose:
    def test_docker_compose_accepts_it(self, resolved):
        assert set(resolved["services"]) == {"db", "redis", "migrate", "web", "worker", "caddy"}

    def test_it_runs_postgresql_16_and_redis_7_with_health_checks(self):
        assert SERVICES["db"]["image"] == "postgres:16"
        assert SERVICES["redis"]["image"] == "redis:7"
        assert "pg_isready" in " ".join(SERVICES["db"]["healthcheck"]["test"])
        assert "ping" in SERVICES["redis"]["healthcheck"]["test"]

    def test_migrations_run_once_before_the_web_and_the_worker(self, resolved):
        assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
        assert SERVICES["migrate"]["restart"] == "no"
        assert depends("migrate") == {"db": "service_healthy"}
        for service in ("web", "worker"):
            assert depends(service) == {
                "migrate": "service_completed_successfully",
                "db": "service_healthy",
                "redis": "service_healthy",
            }
            assert resolved["services"][service]["restart"] == "unless-stopped"

    def test_the_web_runs_gunicorn_and_the_worker_sends_emails(self, resolved):
        web, worker = resolved["services"]["web"], resolved["services"]["worker"]
        assert web["command"] is None  # the image's CMD: gunicorn with gunicorn.conf.py
        assert web["build"]["context"] and web["image"] == worker["image"]
        assert worker["command"] == ["python", "manage.py", "send_queued_emails"]
        assert worker["healthcheck"] == {"disable": True}  # it serves no HTTP

    def test_the_app_services_share_the_env_file_and_reach_db_and_redis(self, resolved):
        for service in ("migrate", "web", "worker"):
            environment = resolved["services"][service]["environment"]
            assert environment["DATABASE_URL"].startswith("postgres://petitions:")
            assert environment["DATABASE_URL"].endswith("@db:5432/petitions")
            assert environment["REDIS_URL"] == "redis://redis:6379/0"
            assert environment["SECRET_KEY"]  # from .env
        assert resolved["services"]["web"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"

    def test_data_lives_in_named_volumes(self, resolved):
        assert set(COMPOSE["volumes"]) == {
            "postgres-data",
            "redis-data",
            "caddy-data",
            "caddy-config",
        }
        (db_volume,) = resolved["services"]["db"]["volumes"]
        assert (db_volume["type"], db_volume["source"]) == ("volume", "postgres-data")

    def test_only_caddy_is_published_beyond_this_machine(self, resolved):
        for name, service in resolved["services"].items():
            for port in service.get("ports", []):
                assert name == "caddy" or port["host_ip"] == "127.0.0.1", (name, port)
        assert (ROOT / "deploy/Caddyfile").exists()

    def test_every_variable_it_uses_is_documented_in_env_example(self):
        used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
        assert used and used <= documented(), used - documented()


class TestEnvExample:
    def test_it_documents_every_variable_the_code_reads(self):
        pattern = r"(?:environ\.get|envbool|envint|envlist)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
        read = set()
        for path in ["petition_site/settings.py", "gunicorn.conf.py", "scripts/healthcheck.py"]:
            read |= set(re.findall(pattern, (ROOT / path).read_text()))
        assert len(read) > 30
        assert read <= documented(), read - documented()
        assert re.search(r"^ANYMAIL_[A-Z_]+=", ENV_EXAMPLE, flags=re.MULTILINE)

    def test_its_values_are_placeholders(self):
        values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
        for name in ["SECRET_KEY", "POSTGRES_PASSWORD", "ANYMAIL_POSTMARK_SERVER_TOKEN"]:
            assert values[name].startswith("replace-me"), name
        assert values["DEBUG"] == "false"

    def test_the_real_env_file_is_never_committed_or_built_in(self):
        assert "/.env" in (ROOT / ".gitignore").read_text().split()
        assert ".env" in (ROOT / ".dockerignore").read_text().split()

    def test_the_site_refuses_to_start_with_the_placeholder_key(self):
        values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
        assert len(values["SECRET_KEY"]) < 50  # settings.py's minimum in production
