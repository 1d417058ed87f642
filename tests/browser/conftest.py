"""Headless Chromium driven by Playwright against pytest-django's live_server.

live_server runs the site in another thread of this process with transactional_db
semantics: rows made here are committed and visible to it, and the email it sends lands in
django.core.mail.outbox.
"""

import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from petitions import outbox
from petitions.models import Ask, Delivery, PaperSignatures, Petition, Recipient, Signature, Update
from tests.conftest import email_link, make_closed_petition, make_petition, make_signature

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import chromium  # noqa: E402 (scripts/chromium.py)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# WCAG 2.2 A and AA, plus axe's best practices (landmarks, one main, headings, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    """Every test here drives Chromium: a system test (make test-fast leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def browser():
    if not Path(chromium.EXECUTABLE).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` runs npm ci.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings):
    """The live server's address, also used for the links in emails and share links."""
    settings.SITE_URL = live_server.url
    # A test fills the form in faster than the bot check lets a person (tested elsewhere).
    # The same goes for the interval a shared page's form is dated after (tests/test_bot_checks.py).
    settings.SIGN_FORM_MIN_SECONDS = 0
    settings.PUBLIC_PAGE_MAX_AGE = 0
    return live_server.url


@pytest.fixture
def new_page(browser, site):
    """new_page(viewport=PHONE, locale="en", javascript=True) -> a page in a fresh context."""
    contexts = []

    def make(viewport=PHONE, locale="en", javascript=True, **options):
        context = browser.new_context(
            viewport=viewport,
            locale=locale,
            java_script_enabled=javascript,
            base_url=site,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page) -> None:
    """axe-core finds no violation of WCAG 2.2 AA or its best practices on the page."""
    # Served as if from the site itself, so that the strict Content-Security-Policy (no
    # inline script) stays on while axe runs.
    page.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE)))
    page.add_script_tag(url="/__axe__.js")
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in results["violations"]
    ]
    assert violations == [], f"{page.url}\n{json.dumps(violations, indent=2)}"


def fits_width(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def confirmation_link(email_to: str) -> str:
    outbox.send_due()  # what the email worker does
    message = next(m for m in reversed(mail.outbox) if m.to == [email_to])
    return email_link(message.body, "confirm")[0]


def png(width: int, height: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#14532d").save(buffer, "PNG")
    return SimpleUploadedFile("river.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def appeal_petition(transactional_db, settings, tmp_path) -> Petition:
    """An open petition as organizers make them: nine recipients, a goal, an image, supporters
    (some public, with comments), 1,029 of them counted."""
    settings.MEDIA_ROOT = tmp_path
    petition = make_petition(
        goal=2000,
        summary="Let the river reach the sea again.",
        image=png(1200, 630),
        image_alt="The river at dawn, held back by a concrete dam",
    )
    for i, (role, name) in enumerate(
        [
            ("Mayor of Riverton", "Jo Bank"),
            ("Minister of Water", "Sam Flow"),
            ("President of the Region", "Pat Chief"),
            *[(f"Councillor for Ward {n}", f"Councillor {n}") for n in range(1, 7)],
        ]
    ):
        Recipient.objects.create(petition=petition, role=role, name=name, position=i)
    make_signature(petition, confirmed=True, is_public=True, name="Ana Lima", country="BR")
    make_signature(
        petition,
        confirmed=True,
        is_public=True,
        name="Kenji Sato",
        country="JP",
        comment="I grew up by this river.",
    )
    make_signature(petition, confirmed=True, name="Private Person", comment="Not for show")
    # The counter as if a thousand more had signed before (it only ever moves by +-1 after).
    Petition.objects.filter(pk=petition.pk).update(supporter_count=1029)
    petition.refresh_from_db()
    return petition


@pytest.fixture
def closed(transactional_db) -> Petition:
    return make_closed_petition()


@pytest.fixture
def every_page(appeal_petition, closed, monkeypatch) -> dict[str, str]:
    """name -> path of every page a supporter can meet (the 500 page needs tests.browser.urls)."""
    from django.core import signing

    slug = appeal_petition.slug
    pending = make_signature(appeal_petition, name="Pending Person")
    confirmed = make_signature(appeal_petition, confirmed=True)
    too_late = make_signature(closed)
    # The states of the deadline and the outcome: a petition closing in twelve days, and one
    # closed with a victory and the organizer's statement.
    closing = make_petition(
        slug="closing-soon",
        title="Save the old bridge",
        closes_at=timezone.now() + dt.timedelta(days=12),
    )
    victory = make_petition(
        slug="won",
        title="Light the park at night",
        state=Petition.State.CLOSED,
        closed_at=dt.datetime(2013, 4, 8, 12, tzinfo=dt.UTC),
        outcome=Petition.Outcome.VICTORY,
        outcome_on=dt.date(2013, 5, 3),
        outcome_statement="The council **agreed**: lights go up in June. Thank you all.",
    )
    campaign(closing, victory)
    started = started_petitions()
    update = victory.updates.get(number=2)
    month_ago = signing.time.time() - 31 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: month_ago)
    expired_token = pending.confirmation_token()
    monkeypatch.undo()
    return {
        "home": "/",
        "appeal": f"/{slug}/",
        "appeal-closed": closed.get_absolute_url(),
        "appeal-closing": closing.get_absolute_url(),
        "appeal-victory": victory.get_absolute_url(),
        "update": update.get_absolute_url(),
        "unsubscribe": confirmed.unsubscribe_url().removeprefix(settings_site_url()),
        "check-your-inbox": f"/{slug}/check-your-inbox/",
        "confirm": pending.confirmation_url().removeprefix(settings_site_url()),
        "confirm-too-late": too_late.confirmation_url().removeprefix(settings_site_url()),
        "thank-you": f"/{slug}/thank-you/",
        "already-confirmed": confirmed.confirmation_url().removeprefix(settings_site_url()),
        "link-expired": f"/{slug}/confirm/{expired_token}/",
        "link-not-valid": f"/{slug}/confirm/forged/",
        "new-link": f"/{slug}/new-link/",
        "new-link-sent": f"/{slug}/new-link/sent/",
        "embed": f"/{slug}/embed/",
        "embed-dark": f"/{slug}/embed/?theme=dark",
        "withdraw": pending.withdrawal_url().removeprefix(settings_site_url()),
        "withdraw-link-not-valid": f"/{slug}/withdraw/forged/",
        "start": "/start/",
        "start-similar": "/start/?title=Free+the+river",
        "start-form": "/start/petition/?title=Plant+trees+on+Mill+Road",
        "start-check-inbox": "/start/check-your-inbox/",
        "start-confirm": started["confirm"],
        "start-already-confirmed": started["already-confirmed"],
        "start-thank-you": "/start/thank-you/",
        "start-edit": started["edit"],
        "start-sent-again": "/start/sent-again/",
        "start-link-not-valid": "/start/confirm/forged/",
        "rejected": started["rejected"],
        "rejected-offensive": started["rejected-offensive"],
        "privacy": "/privacy/",
        "not-found": "/no-such-petition/",
        "server-error": "/boom/",
    }


def started_petitions() -> dict[str, str]:
    """Petitions started on the site, at each step of their review: the paths of their
    pages (confirmation and edit links, rejected petitions' addresses)."""
    from petitions import starting

    def started(slug: str, **fields) -> Petition:
        petition = make_petition(
            slug=slug,
            title="Plant trees on Mill Road",
            state=Petition.State.DRAFT,
            organizer_email="starter@example.org",
            **fields,
        )
        Recipient.objects.create(petition=petition, role="Mayor of Riverton", name="Jo Bank")
        return petition

    now = timezone.now()
    unconfirmed = started("unconfirmed", review=Petition.Review.UNCONFIRMED)
    awaiting = started("awaiting", review=Petition.Review.AWAITING, submitted_at=now)
    changes = started("changes", review=Petition.Review.CHANGES, submitted_at=now)
    rejected = {
        "duplicate": Petition.RejectionReason.DUPLICATE,
        "offensive": Petition.RejectionReason.OFFENSIVE,
    }
    for slug, reason in rejected.items():
        make_petition(
            slug=f"rejected-{slug}",
            state=Petition.State.REJECTED,
            rejection_reason=reason,
            reviewed_at=now,
        )
    return {
        "confirm": starting.confirm_url(unconfirmed).removeprefix(settings_site_url()),
        "already-confirmed": starting.confirm_url(awaiting).removeprefix(settings_site_url()),
        "edit": starting.edit_url(changes).removeprefix(settings_site_url()),
        "rejected": "/rejected-duplicate/",
        "rejected-offensive": "/rejected-offensive/",
    }


def campaign(closing: Petition, victory: Petition) -> None:
    """What comes after the signature: extra sign-form fields and an update on the open
    petition; updates, responses (one beyond the first three recipients), deliveries, paper
    signatures and supporters in several countries on the closed one."""
    type(closing).objects.filter(pk=closing.pk).update(
        ask_postcode=Ask.REQUIRED, ask_phone=Ask.OPTIONAL
    )
    Update.objects.create(
        petition=closing,
        title="Halfway there",
        body="The council *will* hear us.",
        published_at=timezone.now(),
    )
    for country in ["GB", "GB", "FR", "DE", "JP", "TW", "MX"]:
        signature = make_signature(victory, country=country)
        Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.CONFIRMED)
    victory.recount_supporters()
    for n, role in enumerate(["Mayor", "Deputy Mayor", "Chief of Parks", "Treasurer"]):
        recipient = Recipient.objects.create(
            petition=victory,
            position=n,
            role=role,
            name=f"Person {n}",
            responded_on=dt.date(2013, 5, n + 1) if n in (0, 3) else None,
            response="We **agree**, and lights go up in June." if n in (0, 3) else "",
            response_url="https://example.org/answer" if n == 0 else "",
        )
        Delivery.objects.create(
            recipient=recipient,
            delivered_on=dt.date(2013, 4, 10),
            method=Delivery.Method.HAND,
            signatures=7,
            paper_signatures=120,
        )
    PaperSignatures.objects.create(petition=victory, received_on=dt.date(2013, 3, 1), count=120)
    for number, day in ((1, 10), (2, 20)):
        Update.objects.create(
            petition=victory,
            title=f"News number {number}",
            body="We delivered the letter. See https://example.org/news",
            published_at=dt.datetime(2013, 4, day, 12, tzinfo=dt.UTC),
        )


# Pages reached by sending a form: name -> (path of the form's page, its submit button's name).
FORM_ERROR_PAGES = {
    "appeal-errors": ("appeal", "form[action$='/sign/'] button[type=submit]"),
    "new-link-errors": ("new-link", "form[action$='/new-link/'] button[type=submit]"),
    "start-form-errors": (
        "start-form",
        "form[action$='/start/petition/'] button[type=submit]:not([name])",
    ),
}


def settings_site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL
