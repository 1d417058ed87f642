import datetime as dt
import importlib.util
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone, translation

from petitions import outbox
from petitions.forms import form_timestamp
from petitions.models import EXTRA_FIELDS, OutgoingEmail, Petition, Recipient, Signature
from petitions.signing import store_new_signature

# The container test builds images and runs the compose stack: `make test-container` runs it
# on its own, after `make test`.
collect_ignore = [] if os.environ.get("CONTAINER_TESTS") else ["container"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite (make test's second pass), the test database in a file beside
    DATABASE_URL's, test_<its name>, as `make run` has one, rather than Django's default of
    one in memory."""
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
        name = Path(database["NAME"])
        test["NAME"] = str(name.with_name(f"test_{name.name}"))


LOREM_BODY = "First paragraph with a [link](https://example.org/case).\n\nSecond paragraph."


@pytest.fixture(autouse=True)
def empty_caches(settings):
    # Read the petition per request, so that tests see each change; one test in
    # test_appeal_cache.py checks the production setting.
    settings.APPEAL_STATE_MAX_AGE = 0
    yield
    for cache in caches.all():
        cache.clear()


def load_bench(name: str):
    """A script under bench/ as a module, so that tests can run its measuring code small.
    Its folder goes on the path, as when the script runs: it imports its neighbours."""
    path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_bench(name: str, *args: str, timeout: int = 180) -> str:
    """Run a script under bench/ as a person would; its output (stdout, then stderr), after
    checking that it succeeded."""
    result = subprocess.run(
        [sys.executable, f"bench/{name}.py", *args],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def figures(pattern: str, output: str) -> list[tuple[int, ...]]:
    """Every match of pattern in a benchmark's output, its groups read as whole numbers
    (1,234 as 1234)."""
    return [tuple(int(n.replace(",", "")) for n in found) for found in re.findall(pattern, output)]


def production_env(**env: str) -> dict[str, str]:
    """The environment of a production process (DEBUG off, a random key) on make test's
    PostgreSQL server and Redis, for tests that run the site's commands as processes; `env`
    adds to or overrides it."""
    return {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        **env,
    }


def change_form_data(petition: Petition, **fields: str) -> dict[str, str]:
    """What the admin's change form for the petition posts, with `fields` changed."""
    return {
        "title": petition.title,
        "language": "en",
        "starter_name": petition.starter_name,
        "body": petition.body,
        "letter": petition.letter,
        "outcome": "none",
        **{ask: getattr(petition, ask) for ask in EXTRA_FIELDS.values()},
        "recipients-TOTAL_FORMS": "0",
        "recipients-INITIAL_FORMS": "0",
        "paper_signatures-TOTAL_FORMS": "0",
        "paper_signatures-INITIAL_FORMS": "0",
        **fields,
    }


def make_petition(**fields) -> Petition:
    defaults = {
        "slug": "free-the-river",
        "title": "Free the river",
        "body": LOREM_BODY,
        "letter": "Dear decision makers,\n\nPlease free the river.",
        "starter_name": "Ada Organizer",
        "state": Petition.State.OPEN,
    }
    return Petition.objects.create(**{**defaults, **fields})


def make_signature(petition: Petition, *, confirmed: bool = False, **fields) -> Signature:
    n = Signature.objects.count() + 1
    defaults = {"name": f"Signer {n}", "email": f"signer{n}@example.org", "country": "FR"}
    signature = Signature(petition=petition, **{**defaults, **fields})
    if petition.is_open:
        assert store_new_signature(signature)  # as signing stores it, with its email
    else:  # signed before it closed
        signature.save()
        outbox.queue(OutgoingEmail.Kind.CONFIRM, signature=signature)
    if confirmed:
        signature.confirm()
    return signature


@pytest.fixture(autouse=True)
def english_after_each_test():
    """LocaleMiddleware leaves the last request's language active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def frozen_now(monkeypatch) -> dt.datetime:
    """timezone.now() (and so timezone.localdate(), auto_now and what the site reads as
    today) pinned at noon of today in the site's time zone, well inside the day: a test that
    reads "today" more than once cannot see two days when it runs across midnight. Returns
    that moment. (Field defaults of timezone.now keep the real clock: they hold the function.)"""
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    return noon


@pytest.fixture
def petition(db) -> Petition:
    petition = make_petition()
    for i, (role, name) in enumerate(
        [("Mayor of Riverton", "Jo Bank"), ("Minister of Water", "Sam Flow")]
    ):
        Recipient.objects.create(petition=petition, role=role, name=name, position=i)
    return petition


def make_closed_petition() -> Petition:
    """Closed on April 8th, 2013, as the seed petition was."""
    return make_petition(
        slug="closed-one",
        title="A closed petition",
        state=Petition.State.CLOSED,
        closed_at=dt.datetime(2013, 4, 8, 12, tzinfo=dt.UTC),
    )


@pytest.fixture
def closed_petition(db) -> Petition:
    return make_closed_petition()


@pytest.fixture
def draft_petition(db) -> Petition:
    return make_petition(slug="draft-one", title="A draft", state=Petition.State.DRAFT)


@pytest.fixture
def sign_data() -> dict:
    return {
        "started": form_timestamp(time.time() - 30),  # served half a minute ago
        "name": "Marie Curie",
        "email": "Marie.Curie@Example.ORG",
        "country": "FR",
        "comment": "Rivers should run free.",
        "is_public": "on",
    }


def reload(obj):
    obj.refresh_from_db()
    return obj


def email_link(text: str, kind: str) -> tuple[str, Signature]:
    """An email's absolute confirm, withdraw or unsubscribe link, and the signature it
    opens. Tests read the link rather than make it again: its token carries the second it
    was signed."""
    link, slug, token = re.search(rf"(https?://\S+/([\w-]+)/{kind}/([^/\s\"]+)/)", text).groups()
    opens = {
        "confirm": Signature.from_confirmation_token,
        "withdraw": Signature.from_withdrawal_token,
        "unsubscribe": Signature.from_unsubscribe_token,
    }
    return link, opens[kind](token, slug=slug)


@pytest.fixture
def sent_emails(mailoutbox):
    """Run the email worker once and return what it sent, as the outbox of locmem email."""

    def send():
        outbox.send_due(batch=10_000)
        return mailoutbox

    return send


def sign_in(client, user):
    """Sign the client in as the user, with a confirmed authenticator as the second factor
    (the admin sends whoever needs one and has not given it to set it up)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    client.force_login(user)
    # As django_otp.login() does at a real login: force_login's request has no user, so
    # django-otp's user_logged_in handler cannot.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin_client, signed in with the second factor a superuser needs: a
    client of its own, so that a test's `client` stays signed out."""
    from django.test import Client

    return sign_in(Client(), admin_user)


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in staff user with only the petitions permissions named, e.g.
    staff_client("view_petition", "view_signature")."""

    def login(*codenames: str):
        from django.contrib.auth.models import Permission

        user = django_user_model.objects.create_user("staff", "staff@example.org", is_staff=True)
        perms = Permission.objects.filter(
            content_type__app_label="petitions", codename__in=codenames
        )
        assert perms.count() == len(codenames), "unknown permission"
        user.user_permissions.set(perms)
        return sign_in(client, user)

    return login
