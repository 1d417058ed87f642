"""The badge at /<slug>/badge.svg: the live count as an SVG image with an accessible name,
which any site may show."""

import xml.etree.ElementTree as ET

from django.urls import reverse

from petitions.models import Petition
from tests.conftest import make_signature

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def svg_of(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (the site's own response)


def url(petition, query=""):
    return reverse("petitions:badge", args=[petition.slug]) + query


def test_it_is_an_svg_image_with_the_live_count(client, petition):
    for _ in range(3):
        make_signature(petition, confirmed=True)
    response = client.get(url(petition))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = svg_of(response.content)
    assert svg.tag == f"{SVG}svg"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Petition", "3 supporters"]


def test_its_accessible_name_is_the_title_and_the_count(client, petition):
    svg = svg_of(client.get(url(petition)).content)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert svg.get("aria-labelledby") == title.get("id")
    assert title.text == "Free the river: 0 supporters"


def test_a_large_count_is_grouped_and_the_badge_grows_to_fit(client, petition):
    narrow = svg_of(client.get(url(petition)).content)
    Petition.objects.filter(pk=petition.pk).update(supporter_count=1234567)
    wide = svg_of(client.get(url(petition)).content)
    assert [t.text for t in wide.iter(f"{SVG}text")][1] == "1,234,567 supporters"
    assert int(wide.get("width")) > int(narrow.get("width"))


def test_it_speaks_the_readers_language_or_the_one_asked(client, petition):
    Petition.objects.filter(pk=petition.pk).update(supporter_count=1234567)
    fr = svg_of(client.get(url(petition), headers={"accept-language": "fr"}).content)
    assert fr.get(XML_LANG) == "fr"
    count = [t.text for t in fr.iter(f"{SVG}text")][1]
    assert count.startswith("1\u202f234\u202f567") or count.startswith("1\xa0234\xa0567")
    zh = svg_of(client.get(url(petition, "?lang=zh-hans")).content)
    assert zh.get(XML_LANG) == "zh-hans"


def test_any_site_may_show_it_for_a_short_while(client, petition):
    response = client.get(url(petition))
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_a_bad_language_gets_a_clear_400(client, petition):
    response = client.get(url(petition, "?lang=klingon"))
    assert response.status_code == 400
    assert "Unknown language" in response.content.decode()


def test_a_draft_has_no_badge(client, draft_petition):
    assert client.get(url(draft_petition)).status_code == 404


def test_it_answers_head(client, petition):
    response = client.head(url(petition))
    assert response.status_code == 200
    assert response.content == b""
