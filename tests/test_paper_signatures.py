"""Paper signatures: counted by the organizer, shown apart from the online counter and added
to it only in the total."""

import datetime as dt

from django.urls import reverse

from petitions.models import EXTRA_FIELDS, PaperSignatures
from tests.conftest import change_form_data, make_signature, reload

PAPER_LINE = "2 signed online · 2,000 on paper · 2,002 in total"
# The sign form's extra fields, as the petition's change form posts them.
NOT_ASKED = {field: "no" for field in EXTRA_FIELDS.values()}


def add_paper(petition, count: int) -> PaperSignatures:
    return PaperSignatures.objects.create(
        petition=petition, received_on=dt.date(2013, 5, 1), count=count
    )


def test_the_page_shows_online_paper_and_total(client, petition):
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    add_paper(petition, 1500)
    add_paper(petition, 500)
    html = client.get(petition.get_absolute_url()).content.decode()
    assert PAPER_LINE in html


def test_without_paper_signatures_there_is_no_paper_line(client, petition):
    make_signature(petition, confirmed=True)
    assert "on paper" not in client.get(petition.get_absolute_url()).content.decode()


def test_the_counter_still_counts_only_the_confirmed_rows(client, petition):
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    make_signature(petition)
    add_paper(petition, 2000)
    html = client.get(petition.get_absolute_url()).content.decode()
    assert '<strong class="count">2</strong> supporters.' in html
    counter = client.get(reverse("petitions:counter", args=[petition.slug])).json()
    assert counter["supporter_count"] == 2
    assert reload(petition).paper_count == 2000


def test_the_goal_counts_online_supporters_only(client, petition):
    petition.goal = 10
    petition.save()
    make_signature(petition, confirmed=True)
    add_paper(petition, 20)
    assert (
        '<progress max="10" value="1"' in client.get(petition.get_absolute_url()).content.decode()
    )


def test_adding_and_removing_paper_signatures_refreshes_the_cached_page(client, petition):
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    assert "on paper" not in client.get(petition.get_absolute_url()).content.decode()
    paper = add_paper(petition, 2000)
    assert PAPER_LINE in client.get(petition.get_absolute_url()).content.decode()
    paper.delete()
    assert "on paper" not in client.get(petition.get_absolute_url()).content.decode()


def post_paper_signatures(admin_client, petition, **row: str):
    """The petition's admin form, sent with one row of paper signatures."""
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    data = change_form_data(
        petition,
        slug=petition.slug,
        state="open",
        **NOT_ASKED,
        **{"paper_signatures-TOTAL_FORMS": "1"},
        **{f"paper_signatures-0-{field}": value for field, value in row.items()},
    )
    return admin_client.post(url, data)


def test_the_organizer_records_them_on_the_petitions_admin_page(admin_client, petition):
    response = post_paper_signatures(
        admin_client, petition, received_on="2013-05-01", count="2000", note="Market stall"
    )
    assert response.status_code == 302
    assert list(petition.paper_signatures.values_list("count", "note")) == [(2000, "Market stall")]


def test_the_admin_refuses_a_count_of_nothing(admin_client, petition):
    response = post_paper_signatures(admin_client, petition, received_on="2013-05-01", count="0")
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not petition.paper_signatures.exists()
