"""Django's CSRF secrets and masks are drawn from the OS in one read per string, each of its
62 characters as likely as another, and its middleware accepts them as its own."""

import collections
import re

from django.middleware import csrf
from django.test import Client
from django.urls import reverse

from petition_site import security
from petitions.models import Signature

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_djangos_middleware_draws_with_one_read(rf, monkeypatch):
    reads = []
    monkeypatch.setattr(
        security.secrets, "token_bytes", lambda n: reads.append(n) or bytes(range(40))
    )
    request = rf.get("/")
    token = csrf.get_token(request)
    assert reads == [40, 40]  # the secret and its mask, one read each
    assert request.META["CSRF_COOKIE"] == csrf.CSRF_ALLOWED_CHARS[:32]  # bytes 0-31
    assert token[:32] == csrf.CSRF_ALLOWED_CHARS[:32]  # the mask


def test_a_secret_is_32_of_djangos_characters():
    secrets = {security.new_csrf_string() for _ in range(200)}
    assert len(secrets) == 200
    assert all(len(s) == 32 and set(s) <= set(csrf.CSRF_ALLOWED_CHARS) for s in secrets)


def test_every_character_comes_from_four_byte_values_and_the_rest_are_dropped():
    kept = security.CSRF_CHARACTERS[:248]
    assert collections.Counter(kept) == {ord(c): 4 for c in csrf.CSRF_ALLOWED_CHARS}
    assert bytes(range(248, 256)) == security.CSRF_DROPPED


def test_a_draw_short_of_32_characters_draws_again(monkeypatch):
    draws = iter([bytes([255] * 30 + [0] * 10), bytes([1] * 40)])
    monkeypatch.setattr(security.secrets, "token_bytes", lambda n: next(draws))
    assert security.new_csrf_string() == "a" * 10 + "b" * 22


def test_the_middleware_accepts_the_token_and_refuses_another(petition, sign_data):
    browser = Client(enforce_csrf_checks=True)
    url = reverse("petitions:appeal", args=[petition.slug])
    token = TOKEN.search(browser.get(url).content.decode()).group(1)
    assert (
        len(token) == 64 and csrf._unmask_cipher_token(token) == browser.cookies["csrftoken"].value
    )
    sign = reverse("petitions:sign", args=[petition.slug])
    forged = security.new_csrf_string() * 2
    assert browser.post(sign, {**sign_data, "csrfmiddlewaretoken": forged}).status_code == 403
    assert browser.post(sign, {**sign_data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Signature.objects.count() == 1
