"""Someone starts a petition, a moderator publishes it, its starter runs it in the admin and
a supporter signs it: the whole path in headless Chromium, on a phone and a desktop."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from petitions import outbox
from petitions.models import Organizer, Petition, Recipient
from tests.browser.conftest import DESKTOP, PHONE, confirmation_link, fits_width
from tests.browser.conftest import assert_accessible as audit
from tests.conftest import make_petition

STARTER = "nadia@example.org"


def link_in_email(to: str, pattern: str) -> str:
    outbox.send_due()  # what the email worker does
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    return re.search(rf"https?://\S+{pattern}\S*/", message.body).group(0)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def moderator(transactional_db):
    user = get_user_model().objects.create_superuser("moderator", "mod@example.org", "pw")
    return user, TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.fixture
def similar(transactional_db) -> Petition:
    return make_petition(slug="trees-for-mill-road", title="More trees for Mill Road")


def start_a_petition(page, *, audited: bool = True) -> None:
    """From the home page to the email that confirms the petition; axe audits each page
    when the page runs JavaScript (axe is a script)."""

    def assert_accessible(page):
        if audited:
            audit(page)

    page.goto("/")
    page.get_by_role("link", name="Start a petition").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a petition")
    assert fits_width(page)
    assert_accessible(page)
    page.get_by_label("What do you want to change, and who can do it?").fill(
        "Plant trees on Mill Road"
    )
    page.get_by_role("button", name="Continue", exact=True).click()
    # The petition like it comes first, to sign instead.
    expect(page.get_by_role("link", name="More trees for Mill Road")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue to write your petition").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Write your petition")
    page.get_by_role("button", name="Send my petition").click()  # empty: every error at once
    expect(page.locator(".error-summary")).to_be_visible()
    assert fits_width(page)
    assert_accessible(page)
    page.get_by_label("Why is it important?").fill("Shade, cleaner air, and fewer floods.")
    page.get_by_label("The letter to the decision makers").fill("Dear Mayor, plant trees.")
    page.get_by_role("group", name="Recipient 1").get_by_label("Name").fill("Jo Bank")
    page.get_by_role("group", name="Recipient 1").get_by_label("Role").fill("Mayor")
    page.get_by_role("button", name="Add another recipient").click()
    page.get_by_role("group", name="Recipient 2").get_by_label("Name").fill("Sam Flow")
    page.get_by_role("group", name="Recipient 2").get_by_label("Role").fill("Parks Officer")
    page.get_by_label("Your name").fill("Nadia Green")
    page.get_by_label("Your email").fill(STARTER)
    page.get_by_role("button", name="Send my petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert_accessible(page)

    page.goto(link_in_email(STARTER, "/start/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my petition").click()
    assert_accessible(page)


def sign_in(page, username: str, password: str, code: str | None = None) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_petition_started_on_the_site_is_moderated_published_run_and_signed(
    new_page, similar, moderator, viewport
):
    start_a_petition(new_page(viewport=viewport))
    petition = Petition.objects.get(title="Plant trees on Mill Road")
    assert petition.review == Petition.Review.AWAITING
    assert list(petition.recipients.values_list("name", flat=True)) == ["Jo Bank", "Sam Flow"]
    public = new_page(viewport=viewport)
    assert public.goto(petition.get_absolute_url()).status == 404  # not public yet

    # The moderator signs in with their second factor and publishes it from the queue.
    user, device = moderator
    admin = new_page(viewport=viewport)
    sign_in(admin, "moderator", "pw", code_of(device))
    admin.goto("/admin/petitions/petitioninreview/")
    admin.get_by_role("link", name="Plant trees on Mill Road").click()
    expect(admin.get_by_role("link", name="More trees for Mill Road")).to_be_visible()
    assert fits_width(admin)
    admin.get_by_role("button", name="Publish").click()
    expect(admin.locator(".messagelist")).to_contain_text("Plant trees on Mill Road")

    # The starter sets a password, sets up their second factor and sees only their own.
    starter = new_page(viewport=viewport)
    starter.goto(link_in_email(STARTER, "/admin/set-password/"))
    starter.get_by_label("New password:", exact=True).fill("a long river of trees 77")
    starter.get_by_label("Confirm password:", exact=True).fill("a long river of trees 77")
    starter.get_by_role("button", name=re.compile("password", re.I)).click()
    sign_in(starter, STARTER, "a long river of trees 77")
    expect(starter).to_have_url(re.compile("/admin/second-factor/"))
    assert fits_width(starter)
    new_device = TOTPDevice.objects.get(user__email=STARTER, confirmed=False)
    starter.get_by_label(re.compile("Code")).fill(code_of(new_device))
    starter.get_by_role("button", name=re.compile("Confirm|Verify|Continue", re.I)).click()
    expect(starter.locator("main")).to_contain_text("recovery")
    starter.get_by_role("link", name="I have saved them: continue").click()
    starter.goto("/admin/petitions/petition/")
    expect(starter.get_by_role("link", name="Plant trees on Mill Road")).to_be_visible()
    expect(starter.get_by_role("link", name="More trees for Mill Road")).to_have_count(0)
    assert fits_width(starter)
    assert Organizer.objects.get(petition=petition).role == Organizer.Role.EDITOR

    # A supporter signs the published petition.
    public.goto(petition.get_absolute_url())
    expect(public.get_by_role("heading", level=1)).to_have_text("Plant trees on Mill Road")
    expect(public.locator(".letter")).to_contain_text("Sam Flow")
    public.get_by_label("Full name").fill("Marie Curie")
    public.get_by_label("Email", exact=True).fill("marie@example.org")
    public.get_by_label("Country").select_option("FR")
    public.get_by_role("button", name="Sign this petition").click()
    public.goto(confirmation_link("marie@example.org"))
    public.get_by_role("button", name="Confirm my signature").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Thank you, your signature counts")
    expect(public.locator("main")).to_contain_text("You are the first supporter")
    petition.refresh_from_db()
    assert petition.signatures.confirmed().count() == 1 == petition.supporters


def test_a_petition_is_started_and_confirmed_without_javascript(new_page, similar):
    start_a_petition(new_page(javascript=False), audited=False)
    petition = Petition.objects.get(title="Plant trees on Mill Road")
    assert petition.review == Petition.Review.AWAITING
    assert Recipient.objects.filter(petition=petition).count() == 2
