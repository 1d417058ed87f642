"""The organizer's tools against abuse: the burst report, blocklists, erasing a person."""

import pytest
from django.urls import reverse

from petitions.models import Signature
from tests.conftest import make_petition, make_signature, reload, sign_in


@pytest.fixture
def organizer_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("organizer", "o@example.org", "pw")
    sign_in(client, user)
    return client


def test_the_burst_report_shows_networks_and_domains_over_the_threshold(organizer_client, petition):
    for n in range(5):
        make_signature(petition, email=f"x{n}@burst.example", network_hash="f" * 32)
    make_signature(petition, email="solo@calm.example", network_hash="e" * 32)
    url = reverse("admin:petitions_signature_bursts")
    html = organizer_client.get(url, {"hours": 1, "threshold": 5}).content.decode()
    assert "burst.example" in html
    assert "calm.example" not in html
    assert "?network_hash=" + "f" * 32 in html
    listed = organizer_client.get(
        reverse("admin:petitions_signature_changelist"), {"network_hash": "f" * 32}
    )
    assert listed.status_code == 200
    assert "x4@burst.example" in listed.content.decode()


def test_the_burst_report_needs_the_view_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("helper", password="pw", is_staff=True)
    sign_in(client, staff)
    assert client.get(reverse("admin:petitions_signature_bursts")).status_code == 403


def test_erasing_a_person_removes_all_their_signatures_everywhere(organizer_client, petition):
    other = make_petition(slug="other")
    mine = make_signature(petition, confirmed=True, email="ada@example.org")
    make_signature(other, confirmed=True, email="ADA@example.org")
    make_signature(petition, confirmed=True, email="bob@example.org")
    response = organizer_client.post(
        reverse("admin:petitions_signature_changelist"),
        {"action": "erase_people", "_selected_action": [mine.pk]},
        follow=True,
    )
    assert "Erased 1 email address(es)" in response.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["bob@example.org"]
    assert reload(petition).supporter_count == 1
    assert reload(other).supporter_count == 0


def test_blocklists_are_edited_in_the_admin(organizer_client):
    for name in ("blockedemaildomain", "blockednetwork"):
        assert organizer_client.get(reverse(f"admin:petitions_{name}_add")).status_code == 200
    response = organizer_client.post(
        reverse("admin:petitions_blockednetwork_add"), {"network": "not a range", "note": ""}
    )
    assert "Enter an address or a range" in response.content.decode()
