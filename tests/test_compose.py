"""compose.yaml, checked without a Docker engine: Docker Compose's own `config` (the
compose-spec schema, interpolation, merges) on a copy with .env.example as its .env; and
.env.example, which documents every variable the code reads. The stack itself runs in
tests/container/ (make test-container)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import compose
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"
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


class TestCompose:
    # What the stack does when it runs is tests/container/test_stack.py's (make test-container).
    def test_docker_compose_accepts_it(self, resolved):
        assert set(resolved["services"]) == {"db", "redis", "migrate", "web", "worker", "caddy"}

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

    def test_its_commented_out_values_are_the_defaults_the_code_has(self):
        # A literal default; examples of values with no default ("") are not defaults.
        literal = r"""("[^"]+"|\d+|True|False)"""
        pattern = (
            r"""(?:environ\.get|envbool|envint)\(\s*"([A-Z][A-Z0-9_]*)",\s*""" + literal + r"\)"
        )
        code = "".join(
            (ROOT / path).read_text() for path in ["petition_site/settings.py", "gunicorn.conf.py"]
        )
        defaults = {name: value.strip('"') for name, value in re.findall(pattern, code)}
        commented = dict(re.findall(r"^# ([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
        compared = {name for name in commented if name in defaults}
        assert len(compared) > 20
        for name in compared:
            assert commented[name].lower() == defaults[name].lower(), name

    def test_its_values_are_placeholders(self):
        values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
        for name in ["SECRET_KEY", "POSTGRES_PASSWORD", "ANYMAIL_POSTMARK_SERVER_TOKEN"]:
            assert values[name].startswith("replace-me"), name
        assert values["DEBUG"] == "false"

    def test_the_real_env_file_is_never_committed(self):
        ignored = subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=ROOT)
        assert ignored.returncode == 0

    def test_the_site_refuses_to_start_with_the_placeholder_key(self):
        values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
        started = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", **values, "REDIS_URL": "redis://localhost:1/0"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode != 0
        assert "SECRET_KEY must be a random string of at least 50 characters" in started.stderr
