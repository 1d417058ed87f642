"""Every page a supporter can meet, in each language: no axe-core violation, nothing wider
than a 320-pixel phone, and HTML that the Nu Html Checker finds valid."""

import subprocess

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.utils import translation

from petition_site.outages import DatabaseOutageMiddleware
from petitions.ratelimits import too_many_requests
from tests.browser.conftest import FORM_ERROR_PAGES, ROOT, assert_accessible, fits_width

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["en", "fr", "zh-hans"]
EXPECTED_STATUS = {
    "link-expired": 410,
    "link-not-valid": 400,
    "confirm-too-late": 410,
    "withdraw-link-not-valid": 404,
    "start-link-not-valid": 400,
}


@pytest.mark.urls("tests.browser.urls")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_accessible_and_fits_a_small_phone(new_page, every_page, language):
    page = new_page(viewport={"width": 320, "height": 640}, locale=language)
    for name, path in every_page.items():
        response = page.goto(path)
        expected = EXPECTED_STATUS.get(name, {"not-found": 404, "server-error": 500}.get(name, 200))
        assert response.status == expected, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert fits_width(page), f"{name} is wider than 320 pixels"
        assert_accessible(page)
    for name, (form_page, button) in FORM_ERROR_PAGES.items():
        page.goto(every_page[form_page])
        page.click(button)
        # The error page's stylesheet may still be on its way when the summary shows.
        page.wait_for_load_state()
        assert page.locator(".error-summary").is_visible(), name
        assert fits_width(page), f"{name} is wider than 320 pixels"
        assert_accessible(page)
    # A form that needs its CSRF cookie, sent without: refused with the site's own page. (The
    # sign form needs none from a browser that says where it comes from, as Chromium does.)
    page.goto(every_page["new-link"])
    page.context.clear_cookies()
    with page.expect_navigation() as refused:
        page.click(FORM_ERROR_PAGES["new-link-errors"][1])
    assert refused.value.status == 403
    assert page.locator("html").get_attribute("lang") == language
    assert fits_width(page), "csrf-failure is wider than 320 pixels"
    assert_accessible(page)


@pytest.mark.urls("tests.browser.urls")
def test_every_page_is_valid_html(every_page, tmp_path):
    """One run of the Nu Html Checker over all pages in all languages (its JVM is slow to start)."""
    if not VNU.exists():
        pytest.fail("vnu.jar is missing: `make test` runs npm ci.")
    files = []
    for language in LANGUAGES:
        client = Client(raise_request_exception=False, headers={"accept-language": language})
        pages = {name: client.get(path) for name, path in every_page.items()}
        pages["appeal-errors"] = client.post(every_page["appeal"] + "sign/", {})
        pages["new-link-errors"] = client.post(every_page["new-link"], {})
        pages["start-form-errors"] = client.post("/start/petition/", {})
        pages["start-more-recipients"] = client.post("/start/petition/", {"add_recipient": "1"})
        strict = Client(enforce_csrf_checks=True, headers={"accept-language": language})
        pages["csrf-failure"] = strict.post(every_page["new-link"], {})
        pages["sign-again"] = strict.post(every_page["appeal"] + "sign/", {})
        pages["cross-site"] = Client(
            enforce_csrf_checks=True,
            headers={"accept-language": language, "sec-fetch-site": "cross-site"},
        ).post(every_page["appeal"] + "sign/", {})
        with translation.override(language):
            pages["too-many-requests"] = too_many_requests(
                RequestFactory().get("/"), retry_after=90
            )
            pages["database-down"] = DatabaseOutageMiddleware(None).process_exception(
                None, OperationalError("connection refused")
            )
        for name, response in pages.items():
            assert response["Content-Type"] == "text/html; charset=utf-8", name
            path = tmp_path / f"{name}.{language}.html"
            path.write_bytes(response.content)
            files.append(path)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "gnu", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = (result.stdout + result.stderr).replace(str(tmp_path) + "/", "")
    assert result.returncode == 0, report
    # The checker read whole documents, not error fragments or empty bodies.
    assert all(f.read_bytes().lstrip()[:15].lower() == b"<!doctype html>" for f in files)
