"""The Dockerfile's lint (hadolint) and the health check script the image runs. What the
image is and does when built is tests/container/test_stack.py's (make test-container)."""

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
