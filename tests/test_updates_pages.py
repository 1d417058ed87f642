"""Published updates on the petition's page, on a page of their own and in an Atom feed."""

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 (the site's own feed)

from django.urls import reverse

from petitions import updates
from petitions.models import Update
from tests.conftest import make_petition, reload

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
DAY = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
SITE = "https://petitions.example.org"


def make_update(petition, *, published_on=None, **fields) -> Update:
    defaults = {"title": "We met the mayor", "body": "She **listened**.\n\nMore next week."}
    update = Update.objects.create(petition=petition, **{**defaults, **fields})
    if published_on is not None:
        updates.publish(update, email=False, now=published_on)
    return reload(update)


def page(client, url: str, language: str = "en") -> str:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def feed(client, petition, language: str = "en") -> ET.Element:
    url = reverse("petitions:updates-feed", args=[petition.slug])
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314


def test_the_appeal_page_lists_published_updates_newest_first_and_not_drafts(client, petition):
    make_update(petition, title="First news", published_on=DAY)
    make_update(petition, title="Second news", published_on=DAY + dt.timedelta(days=3))
    make_update(petition, title="Not ready yet")
    html = page(client, petition.get_absolute_url())
    assert '<h2 id="updates-heading">Updates</h2>' in html
    assert html.index("Second news") < html.index("First news")
    assert '<a href="/free-the-river/updates/2/">Second news</a>' in html
    assert '<time datetime="2026-03-02T12:00Z">March 2nd, 2026</time>' in html
    assert "Not ready yet" not in html


def test_the_newest_update_is_shown_in_full_and_older_ones_as_an_excerpt(client, petition):
    make_update(petition, title="Old", body="Old **news** " + "word " * 60, published_on=DAY)
    make_update(petition, title="New", body="She **listened**.", published_on=DAY + dt.timedelta(1))
    html = page(client, petition.get_absolute_url())
    assert "<p>She <strong>listened</strong>.</p>" in html
    assert "<strong>news</strong>" not in html
    assert "Old news word word" in html and "word…" in html


def test_without_published_updates_the_appeal_page_has_no_updates_section(client, petition):
    make_update(petition)
    assert 'id="updates-heading"' not in page(client, petition.get_absolute_url())


def test_the_organizers_words_are_marked_with_the_petitions_language(client, petition):
    make_update(petition, published_on=DAY)
    html = page(client, petition.get_absolute_url(), "fr")
    assert '<h3 lang="en"><a href="/free-the-river/updates/1/">We met the mayor</a></h3>' in html
    assert '<div class="body" lang="en"><p>She <strong>listened</strong>.</p>' in html
    html = page(client, reverse("petitions:update", args=[petition.slug, 1]), "fr")
    assert '<h1 lang="en">We met the mayor</h1>' in html
    assert "2 mars 2026" in html  # the date in the reader's language


def test_the_update_page_shows_the_update_and_the_way_to_sign(client, petition, settings):
    settings.SITE_URL = SITE
    make_update(petition, body="[Read the letter](https://example.org/l)", published_on=DAY)
    html = page(client, reverse("petitions:update", args=[petition.slug, 1]))
    assert "<h1>We met the mayor</h1>" in html
    assert '<time datetime="2026-03-02T12:00Z">March 2nd, 2026</time>' in html
    assert '<a href="https://example.org/l" rel="nofollow noopener">Read the letter</a>' in html
    assert '<a class="button" href="/free-the-river/#sign-heading">Sign this petition</a>' in html
    assert '<a href="/free-the-river/">Back to the petition</a>' in html
    assert (
        '<link rel="canonical" href="https://petitions.example.org/free-the-river/updates/1/">'
        in html
    )


def test_the_update_page_of_a_closed_petition_only_links_back(client, closed_petition):
    make_update(closed_petition, published_on=DAY)
    html = page(client, reverse("petitions:update", args=[closed_petition.slug, 1]))
    assert "Sign this petition" not in html
    assert '<a href="/closed-one/">Back to the petition</a>' in html


def test_drafts_unknown_updates_and_draft_petitions_are_not_found(client, petition):
    make_update(petition)  # a draft
    draft_petition = make_petition(slug="secret", state="draft")
    make_update(draft_petition, published_on=DAY)
    assert client.get(reverse("petitions:update", args=[petition.slug, 1])).status_code == 404
    assert client.get(reverse("petitions:update", args=[petition.slug, 9])).status_code == 404
    assert client.get(reverse("petitions:update", args=["secret", 1])).status_code == 404
    assert client.get(reverse("petitions:updates-feed", args=["secret"])).status_code == 404
    assert client.get(reverse("petitions:updates-feed", args=["nothing"])).status_code == 404
    assert client.get("/free-the-river/updates/one/").status_code == 404


def test_the_feed_is_atom_with_the_published_updates_newest_first(client, petition, settings):
    settings.SITE_URL = SITE  # the links are the site's own, whatever Host was asked
    make_update(petition, title="First news", published_on=DAY)
    make_update(petition, title="Second news", published_on=DAY + dt.timedelta(days=3))
    make_update(petition, title="Not ready yet")
    root = feed(client, petition)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext("atom:title", namespaces=ATOM) == "Free the river"
    entries = root.findall("atom:entry", ATOM)
    assert [e.findtext("atom:title", namespaces=ATOM) for e in entries] == [
        "Second news",
        "First news",
    ]
    first = entries[1]
    assert first.find("atom:link", ATOM).get("href") == (
        "https://petitions.example.org/free-the-river/updates/1/"
    )
    assert first.findtext("atom:published", namespaces=ATOM) == "2026-03-02T12:00:00+00:00"
    assert first.findtext("atom:summary", namespaces=ATOM).startswith(
        "<p>She <strong>listened</strong>.</p>"
    )
    assert root.find("atom:link[@rel='self']", ATOM).get("href") == (
        "https://petitions.example.org/free-the-river/updates/feed/"
    )
    assert root.findtext("atom:author/atom:name", namespaces=ATOM) == "Ada Organizer"


def test_the_feed_is_in_the_petitions_language_whatever_the_readers(client, db):
    petition = make_petition(slug="liberez", title="Libérez la rivière", language="fr")
    root = feed(client, petition, "zh-hans")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_the_feed_shows_a_new_update_once_it_is_published(client, petition):
    make_update(petition, title="First news", published_on=DAY)
    assert feed(client, petition).findtext("atom:updated", namespaces=ATOM).startswith("2026-03-02")
    make_update(petition, title="Second news", published_on=DAY + dt.timedelta(days=3))
    root = feed(client, petition)
    assert root.findtext("atom:updated", namespaces=ATOM).startswith("2026-03-05")
    assert root.find("atom:entry/atom:title", ATOM).text == "Second news"


def test_the_pages_point_feed_readers_to_the_feed(client, petition):
    make_update(petition, published_on=DAY)
    link = (
        '<link rel="alternate" type="application/atom+xml" '
        'href="/free-the-river/updates/feed/" title="Updates">'
    )
    assert link in page(client, petition.get_absolute_url())
    assert link in page(client, reverse("petitions:update", args=[petition.slug, 1]))


def test_the_cached_appeal_page_shows_a_published_update_at_once(client, petition):
    page(client, petition.get_absolute_url())  # cached
    make_update(petition, title="Fresh news", published_on=DAY)
    assert "Fresh news" in page(client, petition.get_absolute_url())


def test_the_cached_appeal_page_shows_an_edit_of_a_published_update_at_once(client, petition):
    update = make_update(petition, published_on=DAY)
    page(client, petition.get_absolute_url())  # cached
    update.title = "We met the mayor again"
    update.save()
    assert "We met the mayor again" in page(client, petition.get_absolute_url())


def test_the_cached_appeal_page_drops_a_deleted_update_at_once(client, petition):
    update = make_update(petition, published_on=DAY)
    assert "We met the mayor" in page(client, petition.get_absolute_url())
    update.delete()
    assert "We met the mayor" not in page(client, petition.get_absolute_url())
