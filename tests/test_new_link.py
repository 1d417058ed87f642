from django.urls import reverse

from tests.conftest import make_signature


def url(petition):
    return reverse("petitions:new-link", args=[petition.slug])


def post(client, petition, email, capture):
    with capture(execute=True):
        return client.post(url(petition), {"email": email})


def test_it_shows_a_form(client, petition):
    response = client.get(url(petition))
    assert response.status_code == 200
    assert "Send me a new link" in response.content.decode()


def test_it_sends_a_new_link_to_an_unconfirmed_signer(
    client, petition, mailoutbox, django_capture_on_commit_callbacks
):
    signature = make_signature(petition, email="ada@example.org")
    response = post(client, petition, "ADA@Example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    assert signature.confirmation_url() in mailoutbox[0].body


def test_it_reveals_nothing_about_unknown_addresses(
    client, petition, mailoutbox, django_capture_on_commit_callbacks
):
    response = post(client, petition, "nobody@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("petitions:check-inbox", args=[petition.slug])
    assert mailoutbox == []


def test_it_rejects_an_invalid_address(client, petition):
    response = client.post(url(petition), {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.content.decode()
