from django.urls import reverse

from tests.conftest import email_link, make_signature


def url(petition):
    return reverse("petitions:new-link", args=[petition.slug])


def test_it_shows_a_form(client, petition):
    response = client.get(url(petition))
    assert response.status_code == 200
    assert "Send me a new link" in response.content.decode()


def test_it_sends_a_new_link_to_an_unconfirmed_signer(client, petition, sent_emails):
    signature = make_signature(petition, email="ada@example.org")
    sent_emails().clear()  # the first link
    response = client.post(url(petition), {"email": "ADA@Example.org"})
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    outbox = sent_emails()
    assert [m.to for m in outbox] == [["ada@example.org"]]
    assert email_link(outbox[0].body, "confirm")[1] == signature


def test_it_reveals_nothing_about_unknown_addresses(client, petition, sent_emails):
    response = client.post(url(petition), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    assert sent_emails() == []


def test_it_rejects_an_invalid_address(client, petition):
    response = client.post(url(petition), {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.content.decode()
