"""The embed, the badge and "Where supporters are" in headless Chromium: the embed inside an
iframe of a page on another origin (a second loopback port), while an ordinary page in the
same place stays blank; the badge as another site's image; axe at phone and desktop sizes
in three languages, light and dark."""

import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, fits_width
from tests.conftest import make_signature

LANGUAGES = ["en", "fr", "zh-hans"]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def other_site(site, appeal_petition):
    """A partner's page on 127.0.0.1:<another port>: the embed, the appeal page itself and
    the badge, each as another site would include them."""
    slug = appeal_petition.slug
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A partner's page</title></head><body><main><h1>Our partner's page</h1>
<iframe id="embed" name="embed" src="{site}/{slug}/embed/" title="Petition" width="340"
 height="260"></iframe>
<iframe id="framed" name="framed" src="{site}/{slug}/" title="Framed page" width="340"
 height="260"></iframe>
<img id="badge" src="{site}/{slug}/badge.svg" alt="Supporters">
</main></body></html>""".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_embed_shows_in_another_sites_iframe_and_other_pages_do_not(new_page, other_site, site):
    assert other_site.split(":")[2] != site.split(":")[2]  # another origin
    page = new_page(viewport=DESKTOP)
    page.goto(other_site)
    embed = page.frame_locator("#embed")
    expect(embed.locator("h1")).to_have_text("Free the river")
    expect(embed.locator(".embed__count .count")).to_have_text("1,029")
    expect(embed.locator("progress")).to_have_attribute("value", "1029")
    sign = embed.get_by_role("link", name="Sign this petition")
    expect(sign).to_have_attribute("target", "_blank")
    # The appeal page refuses to be framed: Chromium leaves the frame without its content.
    page.wait_for_load_state("load")
    framed = page.frame(name="framed")
    assert framed.url.startswith("chrome-error://") or framed.locator("h1").count() == 0
    # The badge loads as another site's image (Cross-Origin-Resource-Policy allows it).
    width = page.locator("#badge").evaluate("img => img.complete && img.naturalWidth")
    assert width > 50


def test_the_sign_link_opens_the_petition_in_a_new_tab(new_page, other_site, appeal_petition):
    page = new_page(viewport=DESKTOP)
    page.goto(other_site)
    with page.context.expect_page() as opened:
        page.frame_locator("#embed").get_by_role("link", name="Sign this petition").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == appeal_petition.absolute_url
    expect(tab.get_by_role("heading", level=1)).to_have_text("Free the river")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_embed_is_accessible_light_and_dark(new_page, appeal_petition, language, viewport):
    for scheme, query in [("light", ""), ("dark", ""), ("light", "?theme=dark")]:
        page = new_page(viewport=viewport, locale=language, color_scheme=scheme)
        page.goto(f"/{appeal_petition.slug}/embed/{query}")
        assert page.locator("html").get_attribute("lang") == language
        assert fits_width(page)
        assert_accessible(page)
    # Dark it is, when the reader or the embedding site asks for it.
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(22, 26, 23)"


@pytest.fixture
def far_reaching(appeal_petition):
    """Supporters in eight countries: five in the table, three a click away."""
    for country in ["DE", "DE", "IT", "ES", "PT", "CN", "CA"]:
        make_signature(appeal_petition, confirmed=True, country=country)
    return appeal_petition


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_where_supporters_are_is_accessible_and_the_rest_one_click_away(
    new_page, far_reaching, language, viewport
):
    # Without script, as with it: <details> opens on a click.
    for javascript in [False, True]:
        page = new_page(viewport=viewport, locale=language, javascript=javascript)
        page.goto(far_reaching.get_absolute_url())
        section = page.locator("section.countries")
        expect(section.locator(".countries__table").first.locator("tbody tr")).to_have_count(5)
        more = section.locator("details")
        expect(more.locator("tbody tr").first).not_to_be_visible()
        more.locator("summary").click()
        expect(more.locator("tbody tr")).to_have_count(4)
        expect(more.locator("tbody tr").first).to_be_visible()
        assert fits_width(page)
    assert_accessible(page)  # axe is a script: on the second page


def test_the_badge_opened_alone_is_xml_with_its_name(new_page, appeal_petition):
    page = new_page(viewport=DESKTOP)
    response = page.goto(f"/{appeal_petition.slug}/badge.svg")
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(response.body())  # noqa: S314 (the site's own response)
    assert svg.find("{http://www.w3.org/2000/svg}title").text == (
        "Free the river: 1,029 supporters"
    )
    accessible_name = page.evaluate(
        "document.getElementById(document.documentElement.getAttribute('aria-labelledby'))"
        ".textContent"
    )
    assert accessible_name == "Free the river: 1,029 supporters"
