"""Organizers block an email domain or an address range: signatures from there are held
for review when confirmed, not counted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from petitions.abuse import review_reason
from petitions.models import BlockedEmailDomain, BlockedNetwork, Signature
from tests.conftest import reload


def sign_and_confirm(client, petition, sign_data, **extra):
    client.post(reverse("petitions:sign", args=[petition.slug]), sign_data, **extra)
    signature = Signature.objects.get(email__iexact=sign_data["email"])
    signature.confirm()
    return reload(signature)


def test_a_blocked_domain_and_its_subdomains_are_held(db):
    BlockedEmailDomain.objects.create(domain=" @Spam.Example ")
    assert review_reason(email="a@spam.example", ip="") == "email domain spam.example is blocked"
    assert review_reason(email="a@mx.spam.example", ip="").startswith("email domain")
    assert review_reason(email="a@notspam.example", ip="") == ""


def test_a_blocked_range_holds_its_addresses_of_either_version(db):
    for network in ("203.0.113.0/24", "2001:db8::/32"):
        blocked = BlockedNetwork(network=network)
        blocked.full_clean()
        blocked.save()
    assert review_reason(email="a@b.example", ip="203.0.113.77").startswith("address range")
    assert review_reason(email="a@b.example", ip="2001:db8::1").startswith("address range")
    assert review_reason(email="a@b.example", ip="198.51.100.1") == ""


def test_a_range_must_be_valid(db):
    with pytest.raises(ValidationError, match="203.0.113.0/24"):
        BlockedNetwork(network="300.1.2.3/99").full_clean()


def test_a_signature_from_a_blocked_domain_is_held_not_counted(
    client, petition, sign_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        BlockedEmailDomain.objects.create(domain="example.org")
    signature = sign_and_confirm(client, petition, sign_data)
    assert signature.status == Signature.Status.HELD
    assert signature.review_reason == "email domain example.org is blocked"
    assert reload(petition).supporter_count == 0
    signature.moderate(Signature.Status.CONFIRMED)  # a moderator lets it count
    assert reload(petition).supporter_count == 1


def test_a_signature_from_a_blocked_range_is_held(
    client, petition, sign_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        BlockedNetwork.objects.create(network="192.0.2.0/24")
    signature = sign_and_confirm(client, petition, sign_data, REMOTE_ADDR="192.0.2.10")
    assert signature.status == Signature.Status.HELD
    assert reload(petition).supporter_count == 0


def test_others_are_counted_as_usual(client, petition, sign_data):
    BlockedNetwork.objects.create(network="192.0.2.0/24")
    signature = sign_and_confirm(client, petition, sign_data, REMOTE_ADDR="198.51.100.4")
    assert signature.status == Signature.Status.CONFIRMED
    assert reload(petition).supporter_count == 1
