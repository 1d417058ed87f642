"""The campaign panel on a petition's admin page: exact counts, a chart, countries, latest."""

import datetime as dt

from django.urls import reverse

from petitions import campaign
from petitions.models import Petition, Signature
from tests.conftest import make_signature


def change_page(client, petition) -> str:
    response = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_every_status_exactly(petition):
    for _ in range(3):
        make_signature(petition, confirmed=True)
    make_signature(petition)
    make_signature(petition, confirmed=True).moderate(Signature.Status.HELD)
    make_signature(petition, confirmed=True).moderate(Signature.Status.REMOVED)
    assert campaign.status_counts(petition) == {
        "pending": 1,
        "confirmed": 3,
        "held": 1,
        "removed": 1,
    }


def test_it_charts_confirmations_per_day_with_the_empty_days(petition, frozen_now):
    today = frozen_now.date()  # the chart's today too, and the confirmations' noon
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    old = make_signature(petition, confirmed=True)
    Signature.objects.filter(pk=old.pk).update(confirmed_at=frozen_now - dt.timedelta(days=2))
    days = campaign.confirmations_per_day(petition, days=5)
    assert [day for day, _ in days] == [today - dt.timedelta(n) for n in range(4, -1, -1)]
    assert [n for _, n in days] == [0, 0, 1, 0, 2]


def test_a_closed_petitions_chart_ends_when_it_closed(closed_petition):
    days = campaign.confirmations_per_day(closed_petition, days=3)
    assert days[-1] == (dt.date(2013, 4, 8), 0)


def test_the_chart_scales_bars_to_the_busiest_day():
    today = dt.date(2026, 1, 2)
    chart = campaign.chart([(today - dt.timedelta(1), 5), (today, 10)])
    assert [bar["height"] for bar in chart["bars"]] == [
        campaign.CHART_HEIGHT / 2,
        campaign.CHART_HEIGHT,
    ]
    assert (chart["peak"], chart["total"]) == (10, 15)
    assert campaign.chart([(today, 0)])["bars"][0]["height"] == 0


def test_it_ranks_countries_of_confirmed_supporters(petition):
    for country in ["DE", "DE", "FR"]:
        make_signature(petition, country=country, confirmed=True)
    make_signature(petition, country="US")  # not confirmed: does not count
    assert campaign.top_countries(petition) == [
        {"code": "DE", "name": "Germany", "n": 2},
        {"code": "FR", "name": "France", "n": 1},
    ]


def test_its_queries_do_not_grow_with_the_signatures(
    admin_client, petition, django_assert_max_num_queries
):
    for n in range(30):
        make_signature(petition, confirmed=n % 3 != 0, country=["DE", "FR", "GB"][n % 3])
    petition = Petition.objects.get(pk=petition.pk)  # as the admin reads it
    with django_assert_max_num_queries(4):
        panel = campaign.campaign_panel(petition, show_signatures=True)
    assert panel["counts"]["confirmed"] == 20 == sum(c["n"] for c in panel["countries"])
    assert len(panel["latest"]) == campaign.LATEST_SIGNATURES


def test_the_page_shows_the_panel(admin_client, petition):
    make_signature(petition, name="Newest Signer", country="NZ", confirmed=True)
    make_signature(petition, name="Waiting Signer")
    page = change_page(admin_client, petition)
    assert "Confirmed supporters" in page
    assert "Unconfirmed" in page
    assert "<svg" in page and "<rect" in page
    assert "New Zealand" in page
    assert "Newest Signer" in page and "Waiting Signer" in page


def test_the_page_warns_of_a_drifting_counter(admin_client, petition):
    make_signature(petition, confirmed=True)
    Petition.objects.filter(pk=petition.pk).update(supporter_count=3)
    assert "manage.py recount_supporters free-the-river" in change_page(admin_client, petition)


def test_the_add_page_has_no_panel(admin_client, db):
    page = admin_client.get(reverse("admin:petitions_petition_add")).content.decode()
    assert "Confirmed supporters" not in page
