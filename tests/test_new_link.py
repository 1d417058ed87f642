import re

import pytest
from django.urls import reverse

from petitions.signing import PetitionNotOpen, request_new_link
from tests.conftest import email_link, make_signature


def without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


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
    assert response.url == reverse("petitions:new-link-sent", args=[petition.slug])
    outbox = sent_emails()
    assert [m.to for m in outbox] == [["ada@example.org"]]
    assert email_link(outbox[0].body, "confirm")[1] == signature


def test_it_reveals_nothing_about_unknown_addresses(client, petition, sent_emails):
    response = client.post(url(petition), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("petitions:new-link-sent", args=[petition.slug])
    assert sent_emails() == []


def test_it_rejects_an_invalid_address(client, petition):
    response = client.post(url(petition), {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.content.decode()


def test_it_never_claims_an_email_was_sent(client, petition):
    # The same page whether or not the address signed, so it must not say "we have sent".
    response = client.post(url(petition), {"email": "nobody@example.org"}, follow=True)
    html = response.content.decode()
    assert "If the address you entered signed" in html
    assert "A link only goes to addresses that have signed." in html
    assert "We have sent you an email" not in html
    assert f'href="{petition.get_absolute_url()}">Sign the petition</a>' in html


def test_its_page_is_the_same_whether_or_not_the_address_signed(client, petition):
    make_signature(petition, email="ada@example.org")
    signed = client.post(url(petition), {"email": "ada@example.org"}, follow=True)
    unknown = client.post(url(petition), {"email": "nobody@example.org"}, follow=True)
    assert signed.redirect_chain == unknown.redirect_chain
    assert without_tokens(signed) == without_tokens(unknown)


def test_after_closing_it_says_so_and_mails_nothing(client, petition, sent_emails):
    make_signature(petition, email="ada@example.org")
    sent_emails().clear()
    petition.close()
    response = client.post(url(petition), {"email": "ada@example.org"})
    assert response.status_code == 403
    assert "This petition has closed" in response.content.decode()
    assert sent_emails() == []


def test_its_form_page_says_a_closed_petition_closed(client, closed_petition):
    html = client.get(url(closed_petition)).content.decode()
    assert "This petition has closed" in html
    assert "Send me a new link" not in html


def test_request_new_link_refuses_a_closed_petition(closed_petition):
    with pytest.raises(PetitionNotOpen):
        request_new_link(petition=closed_petition, email="ada@example.org")
