"""A supporter's path, in headless Chromium: read, sign, confirm by email, share."""

import pytest
from playwright.sync_api import expect

from petitions.models import Signature
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    confirmation_link,
    fits_width,
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_supporter_signs_confirms_and_sees_the_counter_move(new_page, appeal_petition, viewport):
    page = new_page(viewport=viewport)
    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator(".starter .count")).to_have_text("1,029")
    assert fits_width(page)
    if viewport == PHONE:  # the form comes before the petition's text on a phone
        form_top = page.locator("#id_name").bounding_box()["y"]
        assert form_top < page.locator(".appeal__text").bounding_box()["y"]
        assert form_top < PHONE["height"]
    assert_accessible(page)

    page.get_by_label("Full name").fill("Marie Curie")
    page.get_by_label("Email", exact=True).fill("marie@example.org")
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("Why are you signing? (optional)").fill("Rivers should run free.")
    page.get_by_label("Show my name and comment on this petition").check()
    page.get_by_role("button", name="Sign this petition").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert_accessible(page)

    page.goto(confirmation_link("marie@example.org"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my signature").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your signature counts")
    expect(page.locator("main .count")).to_have_text("1,030")
    expect(page.get_by_role("link", name="WhatsApp")).to_be_visible()
    assert_accessible(page)

    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator(".starter .count")).to_have_text("1,030")
    expect(page.locator(".supporters li").first).to_contain_text("Marie C., France")
    expect(page.locator(".supporters li").first).to_contain_text("Rivers should run free.")
    assert Signature.objects.get(email="marie@example.org").is_confirmed


def test_signing_works_without_javascript(new_page, appeal_petition):
    page = new_page(javascript=False)
    page.goto(appeal_petition.get_absolute_url())
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    page.goto(confirmation_link("ada@example.org"))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.locator("main .count")).to_have_text("1,030")
    # Not public: nothing of her on the appeal page.
    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator(".supporters")).not_to_contain_text("Ada")


def test_confirming_twice_says_already_confirmed(new_page, appeal_petition):
    page = new_page()
    page.goto(appeal_petition.get_absolute_url())
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email", exact=True).fill("grace@example.org")
    page.get_by_label("Country").select_option("US")
    page.get_by_role("button", name="Sign this petition").click()
    link = confirmation_link("grace@example.org")
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Already confirmed")
    assert_accessible(page)


def test_form_errors_are_summarised_focused_and_linked_to_their_fields(new_page, appeal_petition):
    page = new_page()
    page.goto(appeal_petition.get_absolute_url())
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_role("button", name="Sign this petition").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Enter your full name.",
            "Enter an email address like name@example.org.",
            "Choose your country.",
        ]
    )
    name = page.get_by_label("Full name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", "id_name_error")
    expect(page.locator("#id_name_error")).to_contain_text("Enter your full name.")
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-describedby", "id_email_helptext id_email_error")
    expect(email).to_have_value("not-an-email")  # what was typed is kept
    assert_accessible(page)

    summary.get_by_role("link", name="Choose your country.").click()
    expect(page.get_by_label("Country")).to_be_focused()
    summary.get_by_role("link", name="Enter your full name.").click()
    expect(name).to_be_focused()

    # Correcting a field clears its error at once (the script's inline validation).
    name.fill("Marie Curie")
    name.press("Tab")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name_error")).to_be_hidden()


def test_without_javascript_the_error_summary_still_takes_focus(new_page, appeal_petition):
    page = new_page(javascript=False)
    page.goto(appeal_petition.get_absolute_url())
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator(".error-summary")).to_be_focused()


def test_the_other_recipients_open_and_close_by_keyboard(new_page, appeal_petition):
    page = new_page(viewport=DESKTOP)
    page.goto(appeal_petition.get_absolute_url())
    hidden_recipient = page.get_by_text("Councillor for Ward 6")
    expect(hidden_recipient).to_be_hidden()
    # Tab through the page until the disclosure has focus: it is in the tab order.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    summary = page.locator("summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_text("and 6 others")
    page.keyboard.press("Enter")
    expect(hidden_recipient).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Space")
    expect(hidden_recipient).to_be_hidden()


def test_the_skip_link_is_first_and_visible_on_focus(new_page, appeal_petition):
    page = new_page()
    page.goto(appeal_petition.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_closed_petition_shows_its_date_and_no_form(new_page, closed):
    page = new_page()
    page.goto(closed.get_absolute_url())
    expect(page.locator(".closed-banner")).to_have_text("Petition ClosedApril 8th, 2013")
    expect(page.get_by_role("heading", name="This petition is closed")).to_be_visible()
    expect(page.locator("form[action$='/sign/']")).to_have_count(0)
    assert_accessible(page)


def test_the_copy_link_button_copies_the_petitions_address(new_page, appeal_petition, site):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(appeal_petition.get_absolute_url())
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#share-status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == site + "/free-the-river/"


def test_the_copy_link_button_is_absent_without_javascript(new_page, appeal_petition):
    page = new_page(javascript=False)
    page.goto(appeal_petition.get_absolute_url())
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_label("Or copy the link")).to_have_value(
        page.url.split("/free-the-river/")[0] + "/free-the-river/"
    )


def test_the_counter_refreshes_while_the_page_is_open(new_page, appeal_petition):
    page = new_page()
    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator(".starter .count")).to_have_text("1,029")
    signature = Signature.objects.create(
        petition=appeal_petition, name="Late Signer", email="late@example.org", country="DE"
    )
    signature.confirm()
    # The script refreshes every 30 seconds and whenever the tab becomes visible again.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator(".starter .count")).to_have_text("1,030")
    expect(page.locator(".progress .count")).to_have_text("1,030")
    expect(page.locator("progress")).to_have_attribute("value", "1030")


def test_the_language_switcher_works_without_javascript(new_page, appeal_petition):
    page = new_page(javascript=False)
    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Signer cette pétition")).to_be_visible()
    expect(page.locator(".starter .count")).to_have_text("1\u00a0029")
    expect(page.get_by_role("heading", level=1)).to_have_text("Free the river")  # as written
    # The choice is remembered on the next page.
    page.get_by_role("link", name="Confidentialité").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_the_browser_language_is_the_default(new_page, appeal_petition):
    page = new_page(locale="zh-CN")
    page.goto(appeal_petition.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="签署这份请愿")).to_be_visible()
    assert_accessible(page)
