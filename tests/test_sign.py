import pytest
from django.conf import settings
from django.urls import reverse

from petitions.abuse import blocklists
from petitions.models import OutgoingEmail, Signature
from tests.conftest import email_link, make_petition, make_signature, reload


def sign_url(petition):
    return reverse("petitions:sign", args=[petition.slug])


def post(client, petition, data):
    return client.post(sign_url(petition), data)


def test_it_stores_an_unconfirmed_signature_and_asks_to_check_the_inbox(
    client, petition, sign_data, sent_emails
):
    response = post(client, petition, sign_data)
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    signature = Signature.objects.get()
    assert signature.name == "Marie Curie"
    assert signature.email == "Marie.Curie@example.org"  # domain lower-cased, local part kept
    assert signature.country == "FR"
    assert signature.comment == "Rivers should run free."
    assert signature.is_public is True
    assert signature.may_contact is False
    assert signature.confirmed_at is None
    assert reload(petition).supporter_count == 0
    outbox = sent_emails()
    assert len(outbox) == 1
    assert outbox[0].to == ["Marie.Curie@example.org"]
    link, opened = email_link(outbox[0].body, "confirm")
    assert link.startswith(f"{settings.SITE_URL}/{petition.slug}/confirm/")
    assert opened == signature


def test_the_check_your_inbox_page_names_the_petition(client, petition):
    html = client.get(reverse("petitions:check-inbox", args=[petition.slug])).content.decode()
    assert "Check your inbox" in html
    assert "Free the river" in html


def test_it_trims_and_collapses_the_name(client, petition, sign_data):
    sign_data.update(name="  Marie \t  Curie ", email="  marie@example.org ")
    post(client, petition, sign_data)
    signature = Signature.objects.get()
    assert (signature.name, signature.email) == ("Marie Curie", "marie@example.org")


def test_it_rejects_bad_input_with_clear_messages(client, petition, sent_emails):
    response = client.post(
        sign_url(petition), {"name": "", "email": "not-an-email", "country": "XX"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter your full name." in html
    assert "Enter an email address like name@example.org." in html
    assert "Select a valid choice" in html
    assert '<a href="#id_name">' in html
    assert not Signature.objects.exists()
    assert sent_emails() == []


def test_it_rejects_overlong_fields(client, petition, sign_data):
    sign_data.update(name="x" * 101, comment="y" * 501)
    response = client.post(sign_url(petition), sign_data)
    assert response.status_code == 400
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert "Ensure this value has at most 500 characters" in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_again_unconfirmed_sends_the_link_again_without_a_second_signature(
    client, petition, sign_data, sent_emails
):
    first = post(client, petition, sign_data)
    sign_data.update(email="MARIE.CURIE@EXAMPLE.ORG", name="Someone Else")
    second = post(client, petition, sign_data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Signature.objects.get().name == "Marie Curie"
    outbox = sent_emails()
    assert len(outbox) == 2
    assert "Please confirm your signature" in outbox[1].subject
    assert email_link(outbox[1].body, "confirm")[1] == Signature.objects.get()


def test_signing_again_confirmed_says_so_by_email_only(client, petition, sign_data, sent_emails):
    make_signature(petition, confirmed=True, email="marie.curie@example.org")
    response = post(client, petition, sign_data)
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    assert petition.signatures.count() == 1
    assert reload(petition).supporter_count == 1
    outbox = sent_emails()
    assert len(outbox) == 1
    assert outbox[0].subject == "You have already signed: Free the river"


def test_a_closed_petition_refuses_signatures(client, closed_petition, sign_data, sent_emails):
    response = client.post(sign_url(closed_petition), sign_data)
    assert response.status_code == 403
    assert "Petition Closed" in response.content.decode()
    assert not Signature.objects.exists()
    assert sent_emails() == []


def test_a_draft_cannot_be_signed(client, draft_petition, sign_data):
    assert client.post(sign_url(draft_petition), sign_data).status_code == 404
    assert not Signature.objects.exists()


def test_it_rejects_get(client, petition):
    assert client.get(sign_url(petition)).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_signing_costs_two_queries(client, sign_data, django_assert_max_num_queries):
    # Outside the test's own transaction, so that no savepoint is counted: the petition, then
    # one statement that stores the signature and its queued email.
    petition = make_petition()
    blocklists()  # read once every few seconds per process, not per signature
    with django_assert_max_num_queries(2) as queries:
        response = post(client, petition, sign_data)
    assert response.status_code == 302
    select, store = (q["sql"] for q in queries.captured_queries)
    assert select.startswith("SELECT")
    assert "INSERT INTO petitions_signature" in store
    assert "INSERT INTO petitions_outgoingemail" in store
    assert (Signature.objects.count(), OutgoingEmail.objects.count()) == (1, 1)
