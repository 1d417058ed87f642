"""Bots are refused politely, without third-party CAPTCHAs: a trap field and a signed
timestamp, on top of email confirmation."""

import re
import time

from django.core import signing
from django.urls import reverse

from petitions.forms import FORM_SALT, form_timestamp
from petitions.models import Signature

STARTED = re.compile(r'name="started" value="([^"]+)"')


def sign(client, petition, data):
    return client.post(reverse("petitions:sign", args=[petition.slug]), data)


def test_a_filled_trap_field_is_refused_and_the_form_offered_again(client, petition, sign_data):
    response = sign(client, petition, {**sign_data, "website": "http://spam.example"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your browser filled in a field that should stay empty" in html
    assert 'value="http://spam.example"' not in html  # the trap is empty again
    assert not Signature.objects.exists()


def test_a_form_sent_faster_than_a_person_could_is_refused(client, petition, sign_data, settings):
    # A minute, so that a slow test machine cannot make the robot look like a person.
    settings.SIGN_FORM_MIN_SECONDS = 60
    response = sign(client, petition, {**sign_data, "started": form_timestamp()})
    assert response.status_code == 400
    assert "quicker than we expected from a person" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_refused_form_comes_back_ready_to_send_again(client, petition, sign_data, settings):
    settings.SIGN_FORM_MIN_SECONDS = 60
    response = sign(client, petition, {**sign_data, "started": form_timestamp()})
    fresh = STARTED.search(response.content.decode()).group(1)
    settings.SIGN_FORM_MIN_SECONDS = 0  # the person takes another look, then sends it
    assert sign(client, petition, {**sign_data, "started": fresh}).status_code == 302
    assert Signature.objects.count() == 1


def test_a_form_replayed_a_day_later_is_refused(client, petition, sign_data):
    stale = form_timestamp(time.time() - 25 * 3600)
    response = sign(client, petition, {**sign_data, "started": stale})
    assert response.status_code == 400
    assert "opened a long time ago" in response.content.decode()


def test_a_missing_or_forged_timestamp_is_refused(client, petition, sign_data):
    for started in ("", "123", form_timestamp()[:-3] + "abc"):
        response = sign(client, petition, {**sign_data, "started": started})
        assert response.status_code == 400
        assert "Your form was incomplete" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_form_from_a_shared_page_cannot_be_sent_sooner_than_from_ones_own(settings):
    # A cache may hand out the shared form until its note's time: the minimum runs from then.
    now = 1_800_000_001.0
    own = signing.loads(form_timestamp(now), salt=FORM_SALT)
    shared = signing.loads(form_timestamp(now, shared=True), salt=FORM_SALT)
    assert own == 1_800_000_001
    assert shared == 1_800_000_000 + 2 * settings.PUBLIC_PAGE_MAX_AGE
    settings.PUBLIC_PAGE_MAX_AGE = 0  # no shared caches: the form's own time
    assert signing.loads(form_timestamp(now, shared=True), salt=FORM_SALT) == own


def test_a_shared_form_sent_back_within_its_interval_is_refused(
    client, petition, sign_data, settings
):
    settings.SIGN_FORM_MIN_SECONDS = 0
    started = form_timestamp(shared=True)  # dated after the interval, so in the future now
    response = sign(client, petition, {**sign_data, "started": started})
    assert response.status_code == 400
    assert "quicker than we expected from a person" in response.content.decode()


def test_forms_served_in_one_second_share_one_timestamp_signed_with_the_current_key(settings):
    assert form_timestamp(1_800_000_000.2) == form_timestamp(1_800_000_000.9)
    assert form_timestamp(1_800_000_000) != form_timestamp(1_800_000_001)
    before = form_timestamp(1_800_000_000)
    settings.SECRET_KEY = "another secret key for this test, long enough to be one"
    assert form_timestamp(1_800_000_000) != before
