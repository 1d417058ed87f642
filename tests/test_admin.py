import pytest
from django.urls import reverse

from petitions.models import EXTRA_FIELDS
from tests.conftest import change_form_data, make_signature, reload, sign_in


@pytest.fixture
def organizer_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("organizer", "o@example.org", "pw")
    sign_in(client, user)
    return client


@pytest.mark.parametrize(
    "name", ["petitions_petition", "petitions_recipient", "petitions_signature"]
)
def test_changelists_and_add_pages_load(organizer_client, petition, name):
    make_signature(petition, confirmed=True)
    assert organizer_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert organizer_client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_the_petition_page_shows_recipients_inline(organizer_client, petition):
    response = organizer_client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert response.status_code == 200
    assert "Minister of Water" in response.content.decode()


def test_an_organizer_edits_the_appeal_and_its_recipients(organizer_client, petition):
    recipients = list(petition.recipients.all())
    data = {
        "title": "Free the river now",
        "language": "en",
        "slug": petition.slug,
        "starter_name": "Ada Organizer",
        "body": "New body.",
        "letter": "New letter.",
        "state": "open",
        "closed_at_0": "",
        "closed_at_1": "",
        "outcome": "none",
        "goal": "500",
        **dict.fromkeys(EXTRA_FIELDS.values(), "no"),
        "paper_signatures-TOTAL_FORMS": "0",
        "paper_signatures-INITIAL_FORMS": "0",
        "recipients-TOTAL_FORMS": "3",
        "recipients-INITIAL_FORMS": "2",
        "recipients-MIN_NUM_FORMS": "0",
        "recipients-MAX_NUM_FORMS": "1000",
        "recipients-0-id": recipients[0].pk,
        "recipients-0-petition": petition.pk,
        "recipients-0-position": "1",
        "recipients-0-role": "Mayor of Riverton",
        "recipients-0-name": "Jo Bank",
        "recipients-1-id": recipients[1].pk,
        "recipients-1-petition": petition.pk,
        "recipients-1-position": "0",
        "recipients-1-role": "Minister of Water",
        "recipients-1-name": "Sam Flow",
        "recipients-2-petition": petition.pk,
        "recipients-2-position": "2",
        "recipients-2-role": "President",
        "recipients-2-name": "Pat Chief",
    }
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    response = organizer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    petition = reload(petition)
    assert (petition.title, petition.goal) == ("Free the river now", 500)
    assert [r.name for r in petition.recipients.all()] == ["Sam Flow", "Jo Bank", "Pat Chief"]


def test_closing_without_a_date_is_a_form_error_not_a_crash(organizer_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    data = change_form_data(
        petition, slug=petition.slug, state="closed", closed_at_0="", closed_at_1="", goal=""
    )
    response = organizer_client.post(url, data)
    assert response.status_code == 200
    assert "A closed petition needs its closing date" in response.content.decode()
    assert reload(petition).is_open


def test_deleting_a_confirmed_signature_in_the_admin_keeps_the_counter(organizer_client, petition):
    signature = make_signature(petition, confirmed=True)
    url = reverse("admin:petitions_signature_delete", args=[signature.pk])
    assert organizer_client.post(url, {"post": "yes"}).status_code == 302
    assert reload(petition).supporter_count == 0


def test_the_admin_requires_a_login(client, db):
    response = client.get(reverse("admin:petitions_signature_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_moderation_actions_keep_the_counter_exact(organizer_client, petition):
    signatures = [make_signature(petition, confirmed=True) for _ in range(3)]
    url = reverse("admin:petitions_signature_changelist")
    spam = [signatures[0].pk, signatures[1].pk]
    response = organizer_client.post(
        url, {"action": "remove_as_spam", "_selected_action": spam}, follow=True
    )
    assert "2 signature(s) now “Removed as spam”." in response.content.decode()
    assert reload(petition).supporter_count == 1
    organizer_client.post(url, {"action": "restore", "_selected_action": [signatures[0].pk]})
    assert reload(petition).supporter_count == 2 == petition.signatures.confirmed().count()


def test_organizers_give_a_summary_and_an_image_with_its_description(organizer_client, petition):
    html = organizer_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    for field in ("summary", "image", "image_alt"):
        assert f'name="{field}"' in html
    assert 'enctype="multipart/form-data"' in html
