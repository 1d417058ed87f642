"""The unsubscribe link of every update email stops that petition's updates to the signer and
keeps the signature: GET asks, POST (the button's, or a mail client's one-click) does it."""

import re

from django.test import Client
from django.urls import reverse

from petitions import updates
from petitions.models import Signature
from tests.conftest import make_petition, make_signature, reload


def unsubscribe_url(signature, token=None):
    return reverse(
        "petitions:unsubscribe",
        args=[signature.petition.slug, token or signature.unsubscribe_token()],
    )


def consenting(petition) -> Signature:
    return make_signature(petition, confirmed=True, may_contact=True)


def test_opening_the_link_shows_a_button_and_changes_nothing(client, petition):
    signature = consenting(petition)
    response = client.get(unsubscribe_url(signature))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert '<button type="submit" class="button">Unsubscribe from updates</button>' in html
    assert "Your signature stays on the petition and still counts." in html
    # The other thing people mean: withdrawing. (Its token is timestamped: read it back.)
    token = re.search(rf'href="/{petition.slug}/withdraw/([^/"]+)/"', html).group(1)
    assert Signature.from_withdrawal_token(token, slug=petition.slug) == signature
    assert reload(signature).may_contact is True


def test_pressing_the_button_stops_only_this_petitions_updates_and_keeps_the_signature(
    client, petition
):
    signature = consenting(petition)
    other = consenting(make_petition(slug="other"))
    response = client.post(unsubscribe_url(signature))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are unsubscribed" in html
    assert '<meta name="robots" content="noindex">' in html
    signature = reload(signature)
    assert (signature.may_contact, signature.status) == (False, Signature.Status.CONFIRMED)
    assert reload(petition).supporters == 1  # still counted
    assert list(updates.consenting_signers(petition)) == []
    assert reload(other).may_contact is True


def test_a_mail_clients_one_click_post_works_without_a_csrf_token(petition):
    signature = consenting(petition)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(signature),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert reload(signature).may_contact is False


def test_a_second_unsubscribe_says_the_same(client, petition):
    signature = consenting(petition)
    client.post(unsubscribe_url(signature))
    assert client.post(unsubscribe_url(signature)).status_code == 200
    assert reload(signature).may_contact is False


def test_a_bad_token_is_a_clear_404(client, petition):
    signature = consenting(petition)
    for token in ("not-a-token", signature.withdrawal_token()):  # a withdraw token is not one
        response = client.post(unsubscribe_url(signature, token))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert reload(signature).may_contact is True


def test_the_link_of_a_withdrawn_signature_is_a_404(client, petition):
    signature = consenting(petition)
    url = unsubscribe_url(signature)
    signature.delete()
    assert client.get(url).status_code == 404


def test_the_link_names_its_own_petition(client, petition):
    signature = consenting(petition)
    make_petition(slug="other")
    url = reverse("petitions:unsubscribe", args=["other", signature.unsubscribe_token()])
    assert client.post(url).status_code == 404
    assert reload(signature).may_contact is True


def test_other_methods_are_refused(client, petition):
    signature = consenting(petition)
    assert client.put(unsubscribe_url(signature)).status_code == 405
