"""Hostile input, generated: arbitrary text, bytes and encodings at the sign form, the
confirm and new-link URLs. Never a 500, never a row that should not exist, never a
changed counter."""

import csv
import io
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitions.forms import form_timestamp
from petitions.models import Petition, Signature
from tests.conftest import make_signature

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK = {200, 302, 400, 403, 404, 405, 410}


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATE_LIMITS = {
        group: dict.fromkeys(keys, "1000000/m")
        for group, keys in {
            "sign": ("ip", "email"),
            "new-link": ("ip", "email"),
            "admin-login": ("ip", "username"),
        }.items()
    }


def counters() -> list[int]:
    return list(Petition.objects.order_by("pk").values_list("supporter_count", flat=True))


field_values = st.one_of(st.text(max_size=300), st.just(""), st.sampled_from(["FR", "GB", "ZZ"]))
forms_data = st.dictionaries(
    st.sampled_from(["name", "email", "country", "comment", "is_public", "may_contact", "x"]),
    field_values,
)


@FUZZ
@given(data=forms_data, valid_timestamp=st.booleans())
def test_the_sign_form_survives_anything(client, petition, data, valid_timestamp):
    if valid_timestamp:
        data["started"] = form_timestamp(time.time() - 60)
    before_rows, before_counters = Signature.objects.count(), counters()
    response = client.post(f"/{petition.slug}/sign/", data)
    assert response.status_code in OK
    after_rows = Signature.objects.count()
    assert after_rows - before_rows == (1 if response.status_code == 302 else 0) or (
        response.status_code == 302 and after_rows == before_rows  # a repeat signer
    )
    assert counters() == before_counters


@FUZZ
@given(
    body=st.binary(max_size=2000),
    charset=st.sampled_from(["utf-8", "latin-1", "utf-16", "x-nonsense", "utf-7"]),
)
def test_raw_bytes_in_any_encoding_are_refused_cleanly(client, petition, body, charset):
    before = Signature.objects.count()
    response = client.generic(
        "POST",
        f"/{petition.slug}/sign/",
        body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code in OK
    assert Signature.objects.count() == before  # no valid timestamp, no signature


@FUZZ
@given(token=st.text(min_size=1, max_size=200), method=st.sampled_from(["get", "post"]))
def test_confirm_links_survive_anything(client, petition, token, method):
    make_signature(
        petition, email="pending@example.org"
    ) if not Signature.objects.exists() else None
    before = counters()
    response = getattr(client, method)(f"/{petition.slug}/confirm/{quote(token, safe='')}/")
    assert response.status_code in OK
    assert counters() == before
    assert not Signature.objects.confirmed().exists()


@FUZZ
@given(email=st.text(max_size=300))
def test_the_new_link_form_survives_anything(client, petition, email):
    response = client.post(f"/{petition.slug}/new-link/", {"email": email})
    assert response.status_code in OK
    assert not Signature.objects.exists()


@FUZZ
@given(token=st.text(min_size=1, max_size=200))
def test_withdrawal_links_survive_anything(client, petition, token):
    if not Signature.objects.exists():
        make_signature(petition, confirmed=True)
    response = client.post(f"/{petition.slug}/withdraw/{quote(token, safe='')}/")
    assert response.status_code in OK
    assert Signature.objects.count() == 1
    assert counters() == [1]


@FUZZ
@given(
    options=st.dictionaries(
        st.sampled_from(["confirmed_only", "since", "until", "country"]),
        st.one_of(st.text(max_size=40), st.dates().map(str), st.sampled_from(["FR", "on", ""])),
    )
)
def test_the_export_survives_any_options(admin_client, petition, options):
    if not Signature.objects.exists():
        make_signature(petition, confirmed=True, name='=HYPERLINK("http://x")', comment="+1")
        make_signature(petition, name='@pending, "quoted"\nname')
    url = f"/admin/petitions/petition/{petition.pk}/export/"
    response = admin_client.get(url, {**options, "download": "1"})
    assert response.status_code == 200
    assert counters() == [1]
    if response.streaming:
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert 1 <= len(rows) <= 3  # the header, and at most the two signatures
        for row in rows[1:]:
            assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row)
