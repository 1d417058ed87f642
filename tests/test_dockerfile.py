"""The production image, checked without a Docker engine: hadolint, the stages, the files the
build sends, and the health check script the image runs."""

import fnmatch
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
HADOLINT = Path(sys.executable).parent / "hadolint"


def instructions(stage_text: str, name: str) -> list[str]:
    # Join continued lines, then keep the arguments of each NAME instruction.
    joined = re.sub(r"\\\n\s*", " ", stage_text)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def stages() -> list[str]:
    return re.split(r"^(?=FROM )", DOCKERFILE, flags=re.MULTILINE)[1:]


def dockerignored(path: str) -> bool:
    # Docker's rule: the last pattern that matches a path (or one of its folders) decides.
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").replace("**/", "")
        parts = Path(path).parts
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        names = list(parts)
        if any(fnmatch.fnmatch(p, pattern) for p in prefixes + names):
            ignored = not negate
    return ignored


class TestDockerfile:
    def test_hadolint_finds_nothing_at_all(self):
        result = subprocess.run(
            [str(HADOLINT), "--no-color", "Dockerfile"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr

    def test_it_builds_in_a_builder_stage_and_runs_on_python_311_slim(self):
        builder, runtime = stages()
        assert instructions(builder, "FROM") == ["python:3.11-slim AS builder"]
        assert "-r /tmp/requirements.txt" in instructions(builder, "RUN")[-1]
        assert instructions(runtime, "FROM") == ["python:3.11-slim"]
        assert "--from=builder /opt/venv /opt/venv" in instructions(runtime, "COPY")
        assert not any("pip install" in run for run in instructions(runtime, "RUN"))

    def test_it_runs_as_an_unprivileged_numeric_user(self):
        users = instructions(stages()[-1], "USER")
        assert users == ["10001:10001"]
        assert "--uid 10001" in DOCKERFILE

    def test_static_files_are_collected_with_a_throwaway_random_key(self):
        (collect,) = [r for r in instructions(stages()[-1], "RUN") if "collectstatic" in r]
        assert "secrets.token_urlsafe" in collect
        assert not re.search(r"SECRET_KEY=['\"]?[A-Za-z0-9_-]{20}", DOCKERFILE)

    def test_it_serves_with_gunicorn_and_its_config(self):
        assert instructions(DOCKERFILE, "CMD")[-1] == '["gunicorn", "--config", "gunicorn.conf.py"]'
        assert (ROOT / "gunicorn.conf.py").exists()

    def test_the_health_check_runs_the_urllib_script(self):
        (check,) = instructions(DOCKERFILE, "HEALTHCHECK")
        assert check.endswith('CMD ["python", "scripts/healthcheck.py"]')
        assert "urllib.request" in (ROOT / "scripts/healthcheck.py").read_text()


class TestDockerignore:
    def test_it_keeps_secrets_and_local_state_out_of_the_image(self):
        for path in [
            ".env",
            ".env.production",
            ".git/config",
            ".venv/bin/python",
            "var/db.sqlite3",
            "backups/petitions-2026-11-25.dump",
        ]:
            assert dockerignored(path), path
        assert dockerignored("petitions/__pycache__/models.cpython-311.pyc")

    def test_it_sends_everything_the_image_needs(self):
        needed = ["manage.py", "requirements.txt", "gunicorn.conf.py", "scripts/healthcheck.py"]
        needed += ["petition_site/settings.py", "petitions/models.py", "templates", "static"]
        for path in needed:
            assert (ROOT / path).exists(), path
            assert not dockerignored(path), path

    def test_it_leaves_out_development_only_files(self):
        for path in ["tests/test_health.py", "scripts/services.py", "deploy/k8s", "docs"]:
            assert dockerignored(path), path


class TestHealthcheckScript:
    def run(self, port: int | str, **env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts/healthcheck.py")],
            env={"PORT": str(port), "PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=30,
        )

    def test_it_succeeds_when_the_site_answers_ok(self, live_server):
        port = urlsplit(live_server.url).port
        # The live server allows "localhost": the script names the first allowed host.
        result = self.run(port, ALLOWED_HOSTS="localhost,example.org")
        assert result.returncode == 0, result.stderr

    def test_it_fails_for_a_host_django_refuses(self, live_server):
        port = urlsplit(live_server.url).port
        result = self.run(port, ALLOWED_HOSTS=".example.org")
        assert result.returncode == 1
        assert "400" in result.stderr

    def test_it_fails_when_nothing_listens(self):
        result = self.run(1, ALLOWED_HOSTS="localhost")
        assert result.returncode == 1
        assert "unhealthy" in result.stderr
