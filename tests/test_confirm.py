import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse

from petitions.models import Signature
from tests.conftest import make_petition, make_signature, reload


def confirm_url(signature, token=None):
    return reverse(
        "petitions:confirm", args=[signature.petition.slug, token or signature.confirmation_token()]
    )


def test_opening_the_link_changes_nothing(client, petition):
    signature = make_signature(petition)
    response = client.get(confirm_url(signature))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm my signature" in html
    assert signature.name in html
    assert reload(signature).confirmed_at is None
    assert reload(petition).supporter_count == 0


def test_pressing_the_button_confirms_and_thanks(client, petition):
    signature = make_signature(petition)
    response = client.post(confirm_url(signature))
    assert response.status_code == 302
    assert response.url == reverse("petitions:thanks", args=[petition.slug])
    assert reload(signature).confirmed_at is not None
    assert reload(petition).supporter_count == 1


def test_a_second_click_says_already_confirmed_and_counts_nothing(client, petition):
    signature = make_signature(petition)
    client.post(confirm_url(signature))
    for response in (client.post(confirm_url(signature)), client.get(confirm_url(signature))):
        assert response.status_code == 200
        assert "Already confirmed" in response.content.decode()
    assert reload(petition).supporter_count == 1


def test_the_thank_you_page_offers_ways_to_share(client, petition):
    html = client.get(reverse("petitions:thanks", args=[petition.slug])).content.decode()
    assert "Thank you, your signature counts" in html
    # The address to share is the site's own (SITE_URL), whatever Host the request named.
    share_url = quote(settings.SITE_URL + "/free-the-river/", safe="")
    for target in ("mailto:", "https://wa.me/", "https://x.com/intent/post", "facebook.com/sharer"):
        assert target in html
    assert share_url in html


def test_an_expired_link_offers_a_new_one(client, petition, monkeypatch):
    signature = make_signature(petition)
    month_ago = time.time() - 31 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: month_ago)
    token = signature.confirmation_token()
    monkeypatch.undo()
    for method in (client.get, client.post):
        response = method(confirm_url(signature, token))
        assert response.status_code == 410
        html = response.content.decode()
        assert "This link has expired" in html
        assert "Send me a new link" in html
    assert reload(petition).supporter_count == 0


def test_a_tampered_link_is_refused_clearly(client, petition):
    signature = make_signature(petition)
    token = signature.confirmation_token()
    for bad in (token[:-2] + "xx", "garbage", signing.dumps(signature.pk, salt="other")):
        response = client.post(confirm_url(signature, bad))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert reload(signature).confirmed_at is None


def test_a_link_for_another_petition_is_refused(client, petition):
    other = make_petition(slug="other")
    signature = make_signature(other)
    url = reverse("petitions:confirm", args=[petition.slug, signature.confirmation_token()])
    assert client.post(url).status_code == 400
    assert reload(signature).confirmed_at is None


def test_a_link_to_a_deleted_signature_is_refused(client, petition):
    signature = make_signature(petition)
    url = confirm_url(signature)
    Signature.objects.filter(pk=signature.pk).delete()
    assert client.post(url).status_code == 400


def test_a_petition_closed_before_confirmation_counts_nothing(client, petition):
    signature = make_signature(petition)
    petition.close()
    response = client.post(confirm_url(signature))
    assert response.status_code == 410
    assert "This petition has closed" in response.content.decode()
    assert reload(signature).confirmed_at is None
    assert reload(petition).supporter_count == 0


@pytest.mark.django_db(transaction=True)
def test_confirming_costs_one_read_and_two_updates(client, django_assert_max_num_queries):
    petition = make_petition()
    signature = make_signature(petition)
    with django_assert_max_num_queries(5) as queries:
        response = client.post(confirm_url(signature))
    assert response.status_code == 302
    # The signature with its petition; the signature, then the counter, whose UPDATE
    # returns what the milestone check needs: nothing is read after it.
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == ["SELECT", "BEGIN", "UPDATE", "UPDATE", "COMMIT"]
    assert "RETURNING" in queries.captured_queries[3]["sql"]
