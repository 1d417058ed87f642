"""robots.txt and sitemap.xml: crawlers may read the public pages, are kept off the links
that carry a signer's token, and find every public petition at its canonical address."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from petitions.models import Petition, Update
from tests.conftest import make_petition

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap(client) -> dict[str, str | None]:
    """loc -> lastmod of each URL in sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)  # noqa: S314 (the site's own response)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


def test_robots_txt_allows_public_pages_and_keeps_crawlers_off_personal_links(client, settings):
    settings.SITE_URL = "https://petitions.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ["/admin/", "/*/confirm/", "/*/withdraw/", "/*/unsubscribe/", "/*/sign/"]:
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines  # the petitions themselves stay open
    assert "Sitemap: https://petitions.example.org/sitemap.xml" in lines


def test_robots_txt_answers_head(client):
    response = client.head("/robots.txt")
    assert response.status_code == 200
    assert response.content == b""


def test_the_sitemap_lists_public_petitions_at_their_canonical_address(
    client, settings, petition, closed_petition, draft_petition
):
    settings.SITE_URL = "https://petitions.example.org"
    urls = sitemap(client)
    assert petition.absolute_url == "https://petitions.example.org/free-the-river/"
    assert petition.absolute_url in urls
    assert closed_petition.absolute_url in urls
    assert draft_petition.absolute_url not in urls
    assert "https://petitions.example.org/" in urls


def test_each_petition_carries_its_last_change(client, petition):
    when = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    Petition.objects.filter(pk=petition.pk).update(updated_at=when)
    assert sitemap(client)[petition.absolute_url].startswith("2024-05-06")


def test_published_updates_are_listed_and_drafts_are_not(client, petition, draft_petition):
    published = Update.objects.create(
        petition=petition, title="We delivered", body="Done.", published_at=timezone.now()
    )
    draft = Update.objects.create(petition=petition, title="Not yet", body="Soon.")
    hidden = Update.objects.create(
        petition=draft_petition, title="Of a draft", body="x", published_at=timezone.now()
    )
    urls = sitemap(client)
    assert published.absolute_url in urls
    assert urls[published.absolute_url] == timezone.localdate(published.published_at).isoformat()
    assert draft.absolute_url not in urls
    assert hidden.absolute_url not in urls


def test_its_address_is_under_site_url_whatever_host_was_asked(client, settings, db):
    settings.SITE_URL = "https://petitions.example.org"
    make_petition(slug="another")
    urls = sitemap(client)
    assert all(url.startswith("https://petitions.example.org/") for url in urls)


def test_no_petition_can_shadow_them(db):
    # A slug has no dot, so /robots.txt and /sitemap.xml are never a petition's page.
    for slug in ["robots.txt", "sitemap.xml"]:
        petition = Petition(slug=slug, title="x", body="x", letter="x", starter_name="x")
        with pytest.raises(ValidationError) as refused:
            petition.full_clean()
        assert "slug" in refused.value.message_dict
