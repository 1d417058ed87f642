"""The stack as docs/deploy.md runs it, on a real Docker Engine: `make test-container`.

The working tree (what git would commit) is copied to a folder of its own, as a clean clone
would be, with an .env made from .env.example; compose runs there under a project name of its
own, so that a deployment on the same machine is left alone.
"""

import contextlib
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from container_engine import engine, ensure_base_images, say  # noqa: E402

PROJECT = "petitions-e2e"


@dataclass
class Stack:
    folder: Path
    superuser_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    timings: dict[str, float] = field(default_factory=dict)
    state: dict = field(default_factory=dict)

    def compose(
        self, *args: str, check: bool = True, timeout: float = 300, text: bool = True, **options
    ):
        return subprocess.run(
            ["docker", "compose", "--project-name", PROJECT, *args],
            cwd=self.folder,
            check=check,
            timeout=timeout,
            text=text,
            capture_output=True,
            **options,
        )

    def env(self, name: str) -> str:
        """A value of the stack's .env."""
        return re.search(rf"^{name}=(.*)$", (self.folder / ".env").read_text(), re.M).group(1)

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        """A manage.py command in the running web container, as the docs give it."""
        extra = [arg for name, value in (env or {}).items() for arg in ("-e", f"{name}={value}")]
        return self.compose("exec", "-T", *extra, "web", "python", "manage.py", *args).stdout

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-color", "--no-log-prefix", service).stdout

    def containers(self) -> list[str]:
        return self.compose("ps", "--all", "--quiet").stdout.split()

    def leftovers(self) -> list[str]:
        """The kinds of things of this project still in the engine."""
        label = f"label=com.docker.compose.project={PROJECT}"
        found = []
        for kind, extra in (("container", ["--all"]), ("volume", []), ("network", [])):
            listed = subprocess.run(
                ["docker", kind, "ls", "--quiet", *extra, "--filter", label],
                capture_output=True,
                text=True,
                check=True,
            )
            found += [kind] if listed.stdout.strip() else []
        return found

    @contextlib.contextmanager
    def stage(self, name: str):
        say(f"{name} ...")
        started = time.monotonic()
        yield
        self.timings[name] = time.monotonic() - started
        say(f"{name}: {self.timings[name]:.1f} s")


def env_file(example: str) -> str:
    """.env.example with its placeholders filled in for the whole stack on this machine:
    DOMAIN=localhost (Caddy's own certificate), emails printed to the worker's log."""
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "DOMAIN": "localhost",
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DEFAULT_FROM_EMAIL": "Petitions <petitions@localhost>",
    }
    for name, value in values.items():
        example, found = re.subn(rf"^{name}=.*$", f"{name}={value}", example, flags=re.M)
        assert found == 1, f"{name} is not set in .env.example"
    return example


def copy_working_tree(folder: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    # Deleted but not yet committed files are listed too: tar skips them with a warning.
    pack = subprocess.run(
        ["tar", "--null", "--files-from=-", "--ignore-failed-read", "-c"],
        cwd=ROOT,
        input=files,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=pack, check=True)


@pytest.fixture(scope="session")
def stack():
    started = time.monotonic()
    with engine(), tempfile.TemporaryDirectory(prefix="petitions-e2e-") as folder:
        stack = Stack(Path(folder))
        with stack.stage("base images"):
            ensure_base_images()
        copy_working_tree(stack.folder)
        (stack.folder / ".env").write_text(env_file((ROOT / ".env.example").read_text()))
        try:
            yield stack
        finally:
            with stack.stage("remove the stack"):
                stack.compose(
                    "down", "--volumes", "--remove-orphans", "--timeout", "20", check=False
                )
            say(f"left behind: {', '.join(stack.leftovers()) or 'nothing'}")
            say("timings: " + ", ".join(f"{k} {v:.0f} s" for k, v in stack.timings.items()))
            say(f"total: {time.monotonic() - started:.0f} s")
