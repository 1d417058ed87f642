"""Deleting a petition in the admin: its signers are counted on the confirmation page, not
named, and its signatures go in a few statements however many there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.models import OutgoingEmail, Petition, Recipient, Signature
from tests.conftest import make_petition, make_signature, sign_in


@pytest.fixture
def organizer_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("organizer", "o@example.org", "pw")
    sign_in(client, user)
    return client


def delete_url(petition):
    return reverse("admin:petitions_petition_delete", args=[petition.pk])


def test_the_confirmation_page_counts_the_signatures_without_naming_the_signers(
    organizer_client, petition
):
    for n in range(3):
        make_signature(petition, name=f"Secret Signer {n}", email=f"s{n}@example.org")
    html = organizer_client.get(delete_url(petition)).content.decode()
    assert f"<li>Petition: {petition}\n\t<ul>\n\t\t<li>Signatures: 3</li>" in html
    assert "Secret Signer" not in html


def test_signatures_go_in_bulk_not_loaded_and_signalled_one_by_one(organizer_client, petition):
    Recipient.objects.create(petition=petition, name="The Mayor", position=1)
    for n in range(30):
        make_signature(petition, email=f"s{n}@example.org", confirmed=n % 2 == 0)
    with CaptureQueriesContext(connection) as queries:
        response = organizer_client.post(delete_url(petition), {"post": "yes"})
    assert response.status_code == 302
    signature_statements = [q["sql"] for q in queries if 'FROM "petitions_signature"' in q["sql"]]
    # Counted for the confirmation, never read: Django's collector fast-deletes them in one
    # statement, as long as Signature has no delete receivers and nothing cascades to it.
    [delete] = [sql for sql in signature_statements if "COUNT(" not in sql] or [""]
    assert delete.startswith("DELETE") and delete.endswith(f'."petition_id" IN ({petition.pk})'), (
        "Signature is no longer fast-deleted (a delete receiver, or a cascade to it?)"
    )
    # A few statements per related model (recipients, deliveries, updates, emails, ...), not
    # per signature; three of them count deliveries, paper signatures and updates for the
    # confirmation.
    assert len([q for q in queries.captured_queries if '"petitions_' in q["sql"]]) <= 25
    assert not Petition.objects.exists()
    assert not Signature.objects.exists()
    assert not Recipient.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_it_leaves_other_petitions_and_their_counters_alone(organizer_client, petition):
    other = make_petition(slug="other-river")
    make_signature(petition, confirmed=True)
    kept = make_signature(other, email="kept@example.org", confirmed=True)
    organizer_client.post(delete_url(petition), {"post": "yes"})
    assert list(Signature.objects.all()) == [kept]
    assert OutgoingEmail.objects.filter(signature=kept).exists()
    assert Petition.objects.get().supporters == 1


def test_deleting_several_at_once_counts_and_deletes_them_all(organizer_client, petition):
    other = make_petition(slug="other-river")
    make_signature(petition)
    make_signature(other, email="b@example.org")
    make_signature(other, email="c@example.org")
    ids = [petition.pk, other.pk]
    url = reverse("admin:petitions_petition_changelist")
    page = organizer_client.post(url, {"action": "delete_selected", "_selected_action": ids})
    html = page.content.decode()
    assert "\t\t<li>Signatures: 1</li>" in html and "\t\t<li>Signatures: 2</li>" in html
    assert "<li>Signatures: 3</li>" in html  # the summary
    assert "[" not in html.split("<h2>Objects</h2>")[1].split("</form>")[0]
    data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    assert organizer_client.post(url, data).status_code == 302
    assert not Petition.objects.exists() and not Signature.objects.exists()


def test_staff_who_may_not_delete_signatures_may_not_delete_a_signed_petition(
    staff_client, petition
):
    make_signature(petition)
    client = staff_client("view_petition", "delete_petition", "view_signature")
    page = client.get(delete_url(petition))
    assert "your account doesn't have permission to delete the following types of objects" in (
        page.content.decode()
    )
    assert client.post(delete_url(petition), {"post": "yes"}).status_code == 403
    assert Signature.objects.filter(petition=petition).exists()
