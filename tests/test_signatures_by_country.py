"""Where supporters are: confirmed signatures per country on the appeal page and in the
delivery pack, exact to the row as the counter is, also with many confirming at once."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from petitions.models import Signature
from tests.conftest import make_petition, make_signature
from tests.test_concurrency import at_once, sign


def appeal(client, petition, **headers) -> str:
    return client.get(
        reverse("petitions:appeal", args=[petition.slug]), headers=headers
    ).content.decode()


def rows(html: str) -> list[tuple[str, str, str]]:
    """(country, supporters, share) of each row of the by-country tables, in order."""
    section = html.split('<section class="countries"', 1)[1].split("</section>", 1)[0]
    return re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>',
        section,
    )


def sign_from(petition, *countries: str) -> None:
    for country in countries:
        make_signature(petition, confirmed=True, country=country)


def test_the_appeal_page_shows_the_top_countries_with_counts_and_shares(client, petition):
    sign_from(petition, "FR", "FR", "FR", "DE", "DE", "BR", "JP")
    make_signature(petition, country="US")  # not confirmed: not counted
    html = appeal(client, petition)
    assert '<h2 id="countries-heading">Where supporters are</h2>' in html
    assert rows(html) == [
        ("France", "3", "42.9%"),
        ("Germany", "2", "28.6%"),
        ("Brazil", "1", "14.3%"),
        ("Japan", "1", "14.3%"),
    ]
    assert "<details" not in html.split('<section class="countries"', 1)[1]


def test_the_other_countries_are_one_click_away_without_script(client, petition):
    sign_from(petition, "FR", "FR", "DE", "BR", "JP", "IT", "ES", "PT")
    html = appeal(client, petition)
    section = html.split('<section class="countries"', 1)[1].split("</section>", 1)[0]
    top, rest = section.split("<details", 1)
    assert len(rows('<section class="countries"' + top)) == 5
    assert "<summary>2 more countries</summary>" in rest
    assert len(rows(html)) == 7
    assert sum(int(count) for _, count, _ in rows(html)) == 8


def test_a_petition_without_confirmed_supporters_shows_no_table(client, petition):
    make_signature(petition, country="FR")
    assert "Where supporters are" not in appeal(client, petition)


def test_names_and_numbers_follow_the_readers_language(client, petition):
    sign_from(petition, "DE", "DE", "FR")
    html = appeal(client, petition, **{"accept-language": "fr"})
    assert rows(html)[0][0] == "Allemagne"
    assert rows(html)[0][2].startswith("66,7")


def test_a_withdrawn_or_removed_signature_leaves_the_table(client, petition):
    sign_from(petition, "FR", "DE")
    german = petition.signatures.get(country="DE")
    german.moderate(Signature.Status.REMOVED)
    assert rows(appeal(client, petition)) == [("France", "1", "100.0%")]


def test_the_table_is_as_fresh_as_the_recent_supporters(client, petition, settings):
    settings.APPEAL_STATE_MAX_AGE = 60
    sign_from(petition, "FR")
    assert rows(appeal(client, petition)) == [("France", "1", "100.0%")]
    sign_from(petition, "DE")
    caches["pages"].delete(f"petition:{petition.slug}")  # the counter's second is over
    caches["pages"].delete(f"countries:{petition.pk}:en")  # and the table's
    assert sorted(c for c, _, _ in rows(appeal(client, petition))) == ["France", "Germany"]


def test_the_delivery_pack_says_where_supporters_are(admin_client, petition):
    sign_from(petition, "FR", "FR", "DE")
    response = admin_client.get(
        reverse("admin:petitions_petition_delivery_pack", args=[petition.pk])
    )
    html = b"".join(response.streaming_content).decode()
    section = html.split('<section class="countries">', 1)[1].split("</section>", 1)[0]
    assert "<h2>Where supporters are</h2>" in section
    assert '<th scope="row">France</th><td class="num">2</td><td class="num">66.7%</td>' in section
    assert '<th scope="row">Germany</th><td class="num">1</td><td class="num">33.3%</td>' in section


@pytest.mark.django_db(transaction=True)
def test_counts_equal_the_confirmed_rows_with_many_confirming_at_once(client):
    petition = make_petition(slug="crowded")
    countries = ["FR", "DE", "BR", "JP", "GB", "IT", "ES"]
    signatures = [sign(petition, n) for n in range(140)]
    for n, signature in enumerate(signatures):
        Signature.objects.filter(pk=signature.pk).update(country=countries[n % 7])
    # Each link confirmed twice at once, by different threads, as double clicks do.
    at_once(Signature.confirm, [(s,) for s in signatures] + [(s,) for s in reversed(signatures)])
    by_country = petition.signatures_by_country()
    for code, _, count in by_country:
        assert count == petition.signatures.confirmed().filter(country=code).count()
    petition.refresh_from_db()
    assert sum(count for _, _, count in by_country) == petition.supporters == 140
    html = appeal(client, petition)
    assert sum(int(count) for _, count, _ in rows(html)) == 140
