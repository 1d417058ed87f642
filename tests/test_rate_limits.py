"""Rate limits per client address and per email, in the real Redis that make test starts."""

import logging
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse
from django_ratelimit.core import EXPIRATION_FUDGE

from petitions.models import Signature
from petitions.ratelimits import count_request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from services import redis  # noqa: E402


class Clock:
    def __init__(self):
        self.now = float(int(time.time()))


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The limits count in windows of the clock: a sequence of tries that crossed a window's
    end would start counting again. The clock stands still unless a test moves it."""
    clock = Clock()
    monkeypatch.setattr(time, "time", lambda: clock.now)
    return clock


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RATE_LIMITS = {
        "sign": {"ip": "3/m", "email": "2/h"},
        "new-link": {"ip": "2/m", "email": "5/h"},
        "admin-login": {"ip": "2/m", "username": "5/h"},
    }


def sign(client, petition, sign_data, n, **extra):
    data = {**sign_data, "email": f"person{n}@example.org"}
    return client.post(reverse("petitions:sign", args=[petition.slug]), data, **extra)


def test_the_limits_live_in_redis():
    assert django_settings.CACHES["ratelimit"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_one_address_is_limited_with_a_429_page_that_says_when_to_retry(
    client, petition, sign_data
):
    statuses = [sign(client, petition, sign_data, n).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    response = sign(client, petition, sign_data, 9)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many tries" in response.content.decode()
    assert Signature.objects.count() == 3


def test_another_address_is_not_limited_by_the_first(client, petition, sign_data):
    for n in range(3):
        sign(client, petition, sign_data, n)
    assert sign(client, petition, sign_data, 5, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_one_email_is_limited_from_any_address(client, petition, sign_data):
    for n, ip in enumerate(["198.51.100.1", "198.51.100.2", "198.51.100.3"]):
        response = client.post(
            reverse("petitions:sign", args=[petition.slug]), sign_data, REMOTE_ADDR=ip
        )
        assert response.status_code == (302 if n < 2 else 429)
    # The rest of the email's hourly window: django-ratelimit aligns windows to the clock,
    # shifted per key, so it may be anything from a second to the hour.
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_a_forged_forwarded_for_header_buys_no_fresh_limit(client, petition, sign_data, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # one proxy, which appends the address it saw
    statuses = [
        sign(
            client,
            petition,
            sign_data,
            n,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 192.0.2.7",  # the client forged the first
            REMOTE_ADDR="127.0.0.1",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_without_trusted_proxies_the_header_is_ignored(client, petition, sign_data):
    statuses = [
        sign(client, petition, sign_data, n, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429


def test_the_new_link_form_is_limited(client, petition):
    url = reverse("petitions:new-link", args=[petition.slug])
    statuses = [client.post(url, {"email": f"x{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_the_admin_login_is_limited(client, db):
    url = reverse("admin:login")
    statuses = [
        client.post(url, {"username": "organizer", "password": f"guess{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_with_redis_down_signing_works_and_the_failure_is_logged(
    client, petition, sign_data, settings, caplog
):
    with redis() as (url, server):
        settings.CACHES = {
            **settings.CACHES,
            "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": url},
        }
        assert sign(client, petition, sign_data, 1).status_code == 302
        server.terminate()
        server.wait()
        with caplog.at_level(logging.ERROR):
            statuses = [sign(client, petition, sign_data, n).status_code for n in range(2, 7)]
    assert statuses == [302] * 5  # over the limit of 3, but the limit could not be counted
    assert Signature.objects.count() == 6
    assert any(
        "django_redis" in r.name or "redis" in r.getMessage().lower() for r in caplog.records
    )


def test_after_the_seconds_it_names_the_address_may_try_again(rf, settings, clock):
    settings.RATE_LIMITS = {"sign": {"ip": "2/m", "email": "7/h"}}
    request = rf.post("/any/sign/", {"email": "ada@example.org"}, REMOTE_ADDR="192.0.2.7")
    assert [count_request(request, "sign") for _ in range(2)] == [None, None]
    retry_after = count_request(request, "sign")
    assert 1 <= retry_after <= 60
    clock.now += retry_after - 1
    assert count_request(request, "sign") is not None  # still the same window
    clock.now += 1
    assert count_request(request, "sign") is None  # a new one


def test_the_counts_live_in_redis_and_expire_with_their_window(rf):
    request = rf.post("/any/sign/", {"email": "ada@example.org"}, REMOTE_ADDR="192.0.2.8")
    client = caches["ratelimit"].client.get_client(write=True)
    assert count_request(request, "sign") is None
    keys = client.keys("rl:*")
    assert len(keys) == 2 and all(int(client.get(k)) == 1 for k in keys)
    ttls = sorted(client.ttl(k) for k in keys)
    assert 60 - 5 <= ttls[0] <= 60 + EXPIRATION_FUDGE  # the minute's count
    assert 3600 - 5 <= ttls[-1] <= 3600 + EXPIRATION_FUDGE  # the hour's
