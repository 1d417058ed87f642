"""The image and the compose stack, built and run for real, walked as docs/deploy.md walks them:
build, up, the seed petition signed and confirmed over HTTPS through Caddy, an organizer's
upload, restarts and a down/up that lose nothing, a quick clean stop, nothing left behind.

The tests run in order and share one stack: each stage starts where the one before left it.
"""

import base64
import io
import json
import re
import subprocess
import tarfile
import time
from html.parser import HTMLParser

import pytest
import requests
from chromium import launch  # scripts/chromium.py, on the path from conftest.py
from django_otp.oath import totp
from PIL import Image
from playwright.sync_api import sync_playwright

SITE = "https://localhost"
SLUG = "release-dr-wang-bingzhang"
APPEAL = f"{SITE}/{SLUG}/"
SERVICES = {"db", "redis", "migrate", "web", "worker", "caddy"}
LONG_RUNNING = SERVICES - {"migrate"}
# The organizer's authenticator (hex key), their second factor as a superuser.
OTP_KEY = "9c4e1a7f3b2d8e6a0f5c1b9d7e3a2f4c6b8d0e1f"
ADD_AUTHENTICATOR = (
    "from django.contrib.auth.models import User; "
    "from django_otp.plugins.otp_totp.models import TOTPDevice; "
    "TOTPDevice.objects.create(user=User.objects.get(username='organizer'), "
    f"name='Phone', key='{OTP_KEY}', confirmed=True)"
)


def otp_code() -> str:
    """The code the organizer's authenticator app shows now."""
    return f"{totp(bytes.fromhex(OTP_KEY)):06d}"


class FormReader(HTMLParser):
    """The named inputs of the forms in a page, keyed by each form's action."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self.current is not None and attrs.get("name"):
            self.current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms(html: str) -> dict[str, dict[str, str]]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def count_on(html: str) -> int:
    return int(re.search(r'class="count">([\d,]+)<', html).group(1).replace(",", ""))


def wait_for(what: str, check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if result := check():
                return result
        except (requests.RequestException, AttributeError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def https(stack):
    """A client that trusts only Caddy's own local authority (copied from Caddy once it runs),
    as a laptop would once it has installed that root (docs/deploy.md)."""
    session = requests.Session()
    session.trust_env = False  # this machine's CA bundle and proxy settings are not for loopback
    session.verify = str(stack.folder / "caddy-root.crt")
    return session


def trust_caddy(stack, https) -> None:
    wait_for(
        "Caddy's local certificate authority",
        lambda: (
            stack.compose(
                "cp", "caddy:/data/caddy/pki/authorities/local/root.crt", https.verify, check=False
            ).returncode
            == 0
        ),
    )


def appeal_count(https) -> int:
    return count_on(https.get(APPEAL, timeout=10).text)


def inspect(thing: str, template: str) -> str:
    """`docker inspect --format` of a container or an image."""
    return subprocess.run(
        ["docker", "inspect", "--format", template, thing],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def web_healthy(stack) -> bool:
    return (
        inspect(stack.compose("ps", "--quiet", "web").stdout.strip(), "{{.State.Health.Status}}")
        == "healthy"
    )


class TestTheStackOnARealEngine:
    def test_the_image_builds_from_the_dockerfile_as_shipped(self, stack):
        with stack.stage("docker build"):
            build = subprocess.run(
                ["docker", "build", "--tag", "petitions:latest", "."],
                cwd=stack.folder,
                capture_output=True,
                text=True,
                timeout=900,
            )
        assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
        size = inspect("petitions:latest", "{{.Size}}")
        print(f"[container] image petitions:latest: {int(size) / 1e6:.0f} MB")

    def test_the_image_runs_as_its_unprivileged_user_without_secrets_or_tests(self, stack):
        listing = subprocess.run(
            ["docker", "run", "--rm", "petitions:latest", "sh", "-c", "id -u; ls -A /app"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert listing[0] == "10001"
        assert {"manage.py", "petitions", "templates", "static"} <= set(listing)
        assert not {".env", ".git", "tests", "bench", "docs", ".venv"} & set(listing)

    def test_compose_brings_the_whole_stack_up_with_the_env_example(self, stack, https):
        with stack.stage("docker compose up"):
            stack.compose("up", "--detach", "--no-build", timeout=600)
            trust_caddy(stack, https)
            wait_for(
                "the site through Caddy",
                lambda: https.get(f"{SITE}/healthz", timeout=5).status_code == 200,
            )
        assert set(stack.compose("config", "--services").stdout.split()) == SERVICES

    def test_gunicorn_is_published_on_loopback_only_and_redirects_to_https(self, stack):
        assert stack.compose("port", "web", "8000").stdout.strip() == "127.0.0.1:8000"
        direct = requests.Session()
        direct.trust_env = False
        # Django knows the site by its name; plain HTTP goes to HTTPS, except the health checks.
        home = direct.get(
            "http://127.0.0.1:8000/",
            headers={"Host": "localhost"},
            allow_redirects=False,
            timeout=10,
        )
        assert (home.status_code, home.headers["Location"]) == (301, "https://localhost/")
        health = direct.get(
            "http://127.0.0.1:8000/healthz", headers={"Host": "localhost"}, timeout=10
        )
        assert health.status_code == 200
        assert direct.get("http://127.0.0.1:8000/healthz", timeout=10).status_code == 400

    def test_a_missing_database_is_named_plainly(self, stack):
        # The right server and password, a database name that is not there.
        run = stack.compose(
            "run",
            "--rm",
            "--no-deps",
            "-e",
            f"DATABASE_URL=postgres://petitions:{stack.env('POSTGRES_PASSWORD')}@db:5432/no_such_db",
            "migrate",
            check=False,
            timeout=120,
        )
        assert run.returncode != 0
        assert 'database "no_such_db" does not exist' in run.stdout + run.stderr

    def test_a_supporter_signs_and_confirms_over_https_across_a_web_restart(self, stack, https):
        with stack.stage("supporter path"):
            stack.manage("load_seed_petition")
            page = https.get(APPEAL, timeout=10)
            assert page.status_code == 200 and page.url == APPEAL
            before = count_on(page.text)
            fields = forms(page.text)[f"/{SLUG}/sign/"]
            # A form sent back sooner than SIGN_FORM_MIN_SECONDS after the moment its signed
            # timestamp names is a bot's (its payload is base64 JSON, readable without the key).
            note = int(base64.urlsafe_b64decode(fields["started"].split(":")[0] + "==="))
            time.sleep(max(0, note + 2.5 - time.time()))
            signed = https.post(
                f"{SITE}/{SLUG}/sign/",
                data={**fields, "name": "Mei Lin", "email": "mei@example.org", "country": "CA"},
                # As a browser says where the form comes from: the cached page has no token.
                headers={"Referer": APPEAL, "Origin": SITE, "Sec-Fetch-Site": "same-origin"},
                timeout=10,
            )
            assert signed.url == f"{SITE}/{SLUG}/check-your-inbox/", signed.text[:2000]

            stack.compose("restart", "web")
            wait_for("web healthy after its restart", lambda: web_healthy(stack))

            link = wait_for(
                "the confirmation email in the worker's log",
                lambda: re.search(rf"{SITE}/{SLUG}/confirm/[^/\s]+/", stack.logs("worker")),
            ).group(0)
            button = https.get(link, timeout=10)
            assert button.status_code == 200
            assert count_on(https.get(APPEAL, timeout=10).text) == before  # not yet confirmed
            confirmed = https.post(link, data=forms(button.text)[""], headers={"Referer": link})
            assert confirmed.url == f"{SITE}/{SLUG}/thank-you/"
            assert count_on(confirmed.text) == before + 1
            wait_for("the counter on the appeal page", lambda: appeal_count(https) == before + 1)
        stack.state["count"] = before + 1

    def test_an_organizer_signs_in_and_uploads_an_image_that_caddy_serves(self, stack, https):
        with stack.stage("organizer upload"):
            stack.manage(
                "createsuperuser",
                "--noinput",
                "--username",
                "organizer",
                "--email",
                "organizer@example.org",
                env={"DJANGO_SUPERUSER_PASSWORD": stack.superuser_password},
            )
            stack.manage("shell", "-c", ADD_AUTHENTICATOR)
            picture = stack.folder / "river.png"
            Image.new("RGB", (1200, 630), (40, 110, 160)).save(picture)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context = browser.new_context(ignore_https_errors=True)
                page = context.new_page()
                page.goto(f"{SITE}/admin/")
                page.fill("#id_username", "organizer")
                page.fill("#id_password", stack.superuser_password)
                page.fill("#id_otp_token", otp_code())
                page.click("input[type=submit]")
                page.goto(f"{SITE}/admin/petitions/petition/")
                page.click("text=Release Dr. Wang Bingzhang")
                page.set_input_files("#id_image", str(picture))
                page.fill("#id_image_alt", "A blue river")
                page.click("input[name=_save]")
                assert "was changed successfully" in page.content()
                stack.state["cookies"] = context.cookies()
                browser.close()
        stack.state["image"] = assert_image_served(https)

    def test_the_uploads_back_up_as_docs_deploy_md_says(self, stack):
        # docker compose exec -T web tar -C /app/var/media -czf - . > backups/media.tar.gz
        archive = stack.compose(
            "exec", "-T", "web", "tar", "-C", "/app/var/media", "-czf", "-", ".", text=False
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            names = tar.getnames()
        assert "./" + stack.state["image"].removeprefix("/media/") in names

    def test_a_down_and_up_keeps_signatures_counter_upload_and_login(self, stack, https):
        with stack.stage("down and up"):
            stack.compose("down", timeout=120)
            assert stack.containers() == []
            stack.compose("up", "--detach", "--no-build", timeout=600)
            wait_for("the site after up", lambda: https.get(APPEAL, timeout=5).status_code == 200)
        assert appeal_count(https) == stack.state["count"]
        confirmed = stack.compose(
            "exec",
            "-T",
            "db",
            "sh",
            "-c",
            'psql -At -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c '
            "\"SELECT count(*) FROM petitions_signature WHERE status = 'confirmed'\"",
        ).stdout.strip()
        assert int(confirmed) == stack.state["count"]
        assert assert_image_served(https) == stack.state["image"]
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(ignore_https_errors=True)
            context.add_cookies(stack.state["cookies"])  # the session from before the down
            page = context.new_page()
            page.goto(f"{SITE}/admin/")
            assert page.url == f"{SITE}/admin/", "the organizer's session did not survive"
            context.clear_cookies()
            page.goto(f"{SITE}/admin/")
            page.fill("#id_username", "organizer")
            page.fill("#id_password", stack.superuser_password)
            page.fill("#id_otp_token", otp_code())  # minutes after the first: a new code
            page.click("input[type=submit]")
            assert page.url == f"{SITE}/admin/"
            browser.close()

    def test_the_logs_are_json_lines_without_errors(self, stack):
        for line in stack.logs("web").splitlines():
            entry = json.loads(line)  # gunicorn's own lines too, not only Django's
            assert entry.get("level") not in ("ERROR", "CRITICAL"), line

    def test_compose_stop_takes_seconds_and_nothing_is_killed(self, stack):
        with stack.stage("docker compose stop"):
            stack.compose("stop", timeout=120)
        assert stack.timings["docker compose stop"] < 8
        for container in stack.containers():
            name, code, killed = inspect(
                container, "{{.Name}} {{.State.ExitCode}} {{.State.OOMKilled}}"
            ).split()
            assert code != "137" and killed == "false", name

    def test_everything_it_started_is_removed(self, stack):
        stack.compose("down", "--volumes", "--remove-orphans", timeout=120)
        assert stack.leftovers() == []


def assert_image_served(https) -> str:
    """The appeal page's image and its og:image both answer 200 with the PNG; its path."""
    html = https.get(APPEAL, timeout=10).text
    src = re.search(r'<img class="appeal__image" src="(/media/[^"]+)"', html).group(1)
    og = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og == SITE + src
    for url in (SITE + src, og):
        image = https.get(url, timeout=10)
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(image.content)).size == (1200, 630)
    return src
