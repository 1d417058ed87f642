"""The embeddable counter at /<slug>/embed/: a small page that other sites may frame, with
the live count, the progress to the goal and a link that opens the petition in a new tab."""

import pytest
from django.urls import reverse

from petitions.models import Petition
from tests.conftest import make_signature


def url(petition, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("petitions:embed", args=[petition.slug]) + (f"?{query}" if query else "")


def test_it_shows_the_title_the_live_count_and_the_goal(client, petition):
    Petition.objects.filter(pk=petition.pk).update(goal=10)
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    make_signature(petition)  # not confirmed: not counted
    html = client.get(url(petition)).content.decode()
    assert "<h1>Free the river</h1>" in html
    assert '<strong class="count">2</strong> supporters' in html
    assert '<progress max="10" value="2"' in html
    assert "20% of the goal of 10" in html


def test_its_sign_link_opens_the_petition_in_a_new_tab(client, petition):
    html = client.get(url(petition)).content.decode()
    assert (
        f'<a class="embed__sign" href="{petition.absolute_url}" target="_blank" rel="noopener">'
        in html
    )


def test_it_needs_no_script_and_is_not_the_sites_page(client, petition):
    html = client.get(url(petition)).content.decode()
    assert "<script" not in html
    assert "site-header" not in html and "site-footer" not in html
    assert "css/embed.css" in html


def test_it_may_be_framed_by_any_site(client, petition):
    response = client.get(url(petition))
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # The rest of the policy stays strict.
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_it_is_cached_publicly_for_a_short_while(client, petition):
    cache_control = client.get(url(petition))["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control


def test_every_other_page_still_refuses_to_be_framed(client, petition):
    for path in [
        reverse("petitions:appeal", args=[petition.slug]),
        reverse("petitions:home"),
        reverse("petitions:new-link", args=[petition.slug]),
    ]:
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path


def test_it_follows_the_readers_language(client, petition):
    html = client.get(url(petition), headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="fr"' in html
    assert "Sign this petition" not in html


def test_the_embedding_site_may_fix_the_language(client, petition):
    response = client.get(url(petition, lang="zh-hans"), headers={"accept-language": "fr"})
    assert '<html lang="zh-hans"' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_it_follows_the_readers_colours_unless_told_a_theme(client, petition):
    auto = client.get(url(petition)).content.decode()
    assert 'class="theme-auto"' in auto
    assert '<meta name="color-scheme" content="light dark">' in auto
    dark = client.get(url(petition, theme="dark")).content.decode()
    assert 'class="theme-dark"' in dark
    assert '<meta name="color-scheme" content="dark">' in dark


@pytest.mark.parametrize(
    ("params", "message"),
    [({"theme": "pink"}, "Unknown theme"), ({"lang": "xx"}, "Unknown language")],
)
def test_a_bad_parameter_gets_a_clear_400(client, petition, params, message):
    response = client.get(url(petition, **params))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_closed_petition_says_so_and_links_to_its_page(client, closed_petition):
    html = client.get(url(closed_petition)).content.decode()
    assert "This petition is closed" in html
    assert "embed__sign" not in html
    assert f'href="{closed_petition.absolute_url}" target="_blank"' in html


def test_a_draft_or_unknown_petition_is_not_found(client, draft_petition):
    assert client.get(url(draft_petition)).status_code == 404
    assert client.get("/no-such-petition/embed/").status_code == 404


def test_it_is_not_indexed_but_described(client, petition):
    html = client.get(url(petition)).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert '<meta name="description" content="First paragraph with a link.' in html


def test_it_answers_head(client, petition):
    response = client.head(url(petition))
    assert response.status_code == 200
    assert response.content == b""


def test_the_admin_shows_the_snippets_to_copy(staff_client, petition, settings):
    settings.SITE_URL = "https://petitions.example.org"
    client = staff_client("view_petition", "change_petition")
    html = client.get(reverse("admin:petitions_petition_change", args=[petition.pk])).content
    html = html.decode()
    assert (
        "&lt;iframe src=&quot;https://petitions.example.org/free-the-river/embed/&quot;"
        " title=&quot;Free the river&quot;" in html
    )
    assert "https://petitions.example.org/free-the-river/badge.svg" in html
    assert (
        "[![Free the river](https://petitions.example.org/free-the-river/badge.svg)]"
        "(https://petitions.example.org/free-the-river/)" in html
    )
