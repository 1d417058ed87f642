"""The campaign after the signature, as a supporter sees it on a phone and on a desktop, in
each language: a countdown, updates, decision makers' responses and deliveries, paper
signatures, where supporters are and an outcome. axe-core finds nothing, nothing is wider than
the screen, and without JavaScript every part is still one click away."""

import pytest

from tests.browser.conftest import assert_accessible, fits_width

LANGUAGES = ["en", "fr", "zh-hans"]
WIDTHS = [375, 1280]
CAMPAIGN_PAGES = ["appeal-closing", "appeal-victory", "update"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_campaign_pages_are_accessible_at_phone_and_desktop_widths(
    new_page, every_page, language, width
):
    page = new_page(viewport={"width": width, "height": 900}, locale=language)
    for name in CAMPAIGN_PAGES:
        assert page.goto(every_page[name]).status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert fits_width(page), f"{name} is wider than {width} pixels"
        # Opened, as a reader would: outer ones first, so those inside them are visible.
        for summary in page.locator("summary").all():
            summary.click()
        assert fits_width(page), f"{name}, opened, is wider than {width} pixels"
        assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_responses_and_countries_are_one_click_away(new_page, every_page, width):
    page = new_page(viewport={"width": width, "height": 900}, javascript=False)
    page.goto(every_page["appeal-victory"])
    assert page.get_by_text("Victory", exact=True).is_visible()
    assert page.get_by_text("on paper").first.is_visible()
    # The fourth recipient is beyond the three named at first: its response is still there.
    response = page.get_by_text("We agree, and lights go up in June.")
    assert response.count() == 2 and not response.first.is_visible()
    page.get_by_text("Responded on").first.click()
    assert response.first.is_visible()
    assert page.get_by_role("link", name="News number 2").is_visible()
    page.get_by_role("link", name="News number 2").click()
    assert page.get_by_role("heading", name="News number 2").is_visible()
    assert fits_width(page)

    page.goto(every_page["appeal-closing"])
    assert page.get_by_text("Closes in 12 days").is_visible()
    assert page.get_by_label("Postcode").is_visible()
    assert page.get_by_role("link", name="Halfway there").is_visible()
