"""Running a petition from the admin: open, close, reopen, stable slugs, preview, view on site."""

from django.urls import reverse

from petitions.models import EXTRA_FIELDS, Petition
from tests.conftest import reload

CHANGELIST = reverse("admin:petitions_petition_changelist")


def act(client, action: str, *petitions):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in petitions]},
        follow=True,
    ).content.decode()


def test_opening_a_draft_makes_it_public(admin_client, draft_petition):
    page = act(admin_client, "open_petitions", draft_petition)
    assert "1 petition(s) opened." in page
    assert reload(draft_petition).is_open
    assert admin_client.get("/draft-one/").status_code == 200


def test_closing_sets_the_closing_date_and_skips_drafts(admin_client, petition, draft_petition):
    page = act(admin_client, "close_petitions", petition, draft_petition)
    assert "1 petition(s) closed. 1 skipped: they were not open." in page
    petition = reload(petition)
    assert petition.is_closed and petition.closed_at is not None
    assert reload(draft_petition).state == Petition.State.DRAFT


def test_reopening_clears_the_closing_date(admin_client, closed_petition):
    assert "1 petition(s) reopened." in act(admin_client, "reopen_petitions", closed_petition)
    closed_petition = reload(closed_petition)
    assert closed_petition.is_open and closed_petition.closed_at is None


def test_the_actions_need_the_change_permission(staff_client, petition):
    client = staff_client("view_petition")
    page = client.get(CHANGELIST).content.decode()
    assert "close_petitions" not in page
    act(client, "close_petitions", petition)
    assert reload(petition).is_open


def test_a_drafts_slug_is_editable_and_prefilled(admin_client, draft_petition):
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[draft_petition.pk])
    ).content.decode()
    assert 'name="slug"' in page
    assert "&quot;id&quot;: &quot;#id_slug&quot;" in page  # filled from the title as typed


def test_a_public_petitions_slug_is_read_only(admin_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="slug"' not in page
    assert "#id_slug" not in page
    assert "free-the-river" in page


def test_a_public_petitions_slug_cannot_be_changed_by_posting(admin_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    data = {
        "title": "Renamed",
        "language": "en",
        "slug": "renamed",
        "starter_name": petition.starter_name,
        "organizer_email": "",
        "body": petition.body,
        "letter": petition.letter,
        "state": "open",
        "closed_at_0": "",
        "closed_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "outcome": "none",
        "goal": "",
        "recipients-TOTAL_FORMS": "0",
        "recipients-INITIAL_FORMS": "0",
        **dict.fromkeys(EXTRA_FIELDS.values(), "no"),
        "paper_signatures-TOTAL_FORMS": "0",
        "paper_signatures-INITIAL_FORMS": "0",
    }
    assert admin_client.post(url, data).status_code == 302
    petition = reload(petition)
    assert (petition.title, petition.slug) == ("Renamed", "free-the-river")


def test_view_on_site_links_a_draft_to_its_preview(admin_client, petition, draft_petition):
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[draft_petition.pk])
    ).content.decode()
    assert reverse("admin:petitions_petition_preview", args=[draft_petition.pk]) in page
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert 'href="/free-the-river/"' in page


def test_the_preview_shows_a_draft_with_the_form_disabled(admin_client, draft_petition):
    response = admin_client.get(
        reverse("admin:petitions_petition_preview", args=[draft_petition.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview of a draft" in page
    assert "<h1>A draft</h1>" in page
    assert " inert " in page
    assert "Sign this petition" in page


def test_the_preview_is_for_staff_only(client, staff_client, draft_petition):
    url = reverse("admin:petitions_petition_preview", args=[draft_petition.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert staff_client("view_signature").get(url).status_code == 403


def test_the_public_page_is_not_a_preview(client, petition):
    page = client.get("/free-the-river/").content.decode()
    assert "Preview" not in page
    assert " inert" not in page
