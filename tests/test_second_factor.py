"""A second factor for everyone who may see personal data: who needs one, setting it up,
signing in with it, recovery codes."""

import re
from base64 import b32encode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from petitions.models import Organizer
from petitions.second_factor import needs_second_factor
from tests.conftest import make_petition, sign_in

SETUP = reverse("admin:second_factor")
LOGIN = reverse("admin:login")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@example.org", "pw-ada-9174")


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key):06d}"


def log_in(client, user, password: str, code: str = ""):
    data = {"username": user.username, "password": password, "otp_token": code, "next": "/admin/"}
    return client.post(LOGIN, data)


def set_up(client) -> list[str]:
    """Go through the setup page; the recovery codes it shows."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())


def staff_with(django_user_model, *codenames):
    user = django_user_model.objects.create_user("moderator", password="pw-mod-5521", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return django_user_model.objects.get(pk=user.pk)  # without the cached permissions


@pytest.mark.parametrize(
    "page",
    [
        reverse("admin:index"),
        reverse("admin:petitions_petition_changelist"),
        reverse("admin:petitions_signature_changelist"),
        reverse("admin:password_change"),
        reverse("admin:recovery_codes"),
        "/admin/no-such-page/",
    ],
)
def test_a_superuser_without_a_device_is_sent_to_setup_from_every_admin_page(
    client, superuser, page
):
    client.force_login(superuser)
    response = client.get(page)
    assert response.status_code == 302
    assert response.url.startswith(SETUP + "?next=")


def test_logging_out_and_the_setup_page_stay_open(client, superuser):
    client.force_login(superuser)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "QR code for your app" in page.content.decode()
    assert client.post(reverse("admin:logout")).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_setup_page_shows_a_qr_code_and_the_secret_to_type(client, superuser):
    client.force_login(superuser)
    html = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    # Reloading keeps the secret the user may have scanned already.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_setup_with_a_wrong_code_is_refused_with_400(client, superuser):
    client.force_login(superuser)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_setup_with_an_empty_or_silly_code_is_refused_with_400(client, superuser):
    client.force_login(superuser)
    client.get(SETUP)
    assert client.post(SETUP, {"code": ""}).status_code == 400
    assert client.post(SETUP, {"code": "x" * 500}).status_code == 400
    assert client.post(SETUP, {"code": "abc\x00"}).status_code == 400


def test_setup_with_the_right_code_verifies_and_shows_ten_recovery_codes(client, superuser):
    client.force_login(superuser)
    codes = set_up(client)
    assert len(codes) == 10 == len(set(codes))
    assert TOTPDevice.objects.get(user=superuser).confirmed
    assert StaticToken.objects.filter(device__user=superuser).count() == 10
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_setup_continues_to_the_page_asked_for(client, superuser):
    client.force_login(superuser)
    asked = reverse("admin:petitions_petition_changelist")
    assert client.get(asked).url == f"{SETUP}?next={asked.replace('/', '%2F')}"
    client.get(SETUP, {"next": asked})
    device = TOTPDevice.objects.get(confirmed=False)
    html = client.post(SETUP, {"code": code_for(device), "next": asked}).content.decode()
    assert f'href="{asked}"' in html


def test_the_setup_never_continues_to_another_site(client, superuser):
    client.force_login(superuser)
    client.get(SETUP)
    device = TOTPDevice.objects.get(confirmed=False)
    html = client.post(
        SETUP, {"code": code_for(device), "next": "https://evil.example/"}
    ).content.decode()
    assert "evil.example" not in html


def test_login_with_a_device_requires_a_valid_code(client, superuser, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code
    device = TOTPDevice.objects.create(user=superuser, name="Phone", confirmed=True)
    for code in ("", "123456" if code_for(device) != "123456" else "654321"):
        response = log_in(client, superuser, "pw-ada-9174", code)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
        assert "_auth_user_id" not in client.session
    response = log_in(client, superuser, "pw-ada-9174", code_for(device))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_password_with_the_right_code_signs_nobody_in(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="Phone", confirmed=True)
    response = log_in(client, superuser, "wrong", code_for(device))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_code_once_used_to_sign_in_does_not_sign_in_again(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="Phone", confirmed=True)
    code = code_for(device)
    assert log_in(client, superuser, "pw-ada-9174", code).status_code == 302
    client.logout()
    assert log_in(client, superuser, "pw-ada-9174", code).status_code == 200


def test_a_recovery_code_works_once(client, superuser):
    client.force_login(superuser)
    codes = set_up(client)
    client.logout()
    response = log_in(client, superuser, "pw-ada-9174", codes[0].upper())
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    assert log_in(client, superuser, "pw-ada-9174", codes[0]).status_code == 200
    assert StaticToken.objects.filter(device__user=superuser).count() == 9


def test_a_user_without_a_device_signs_in_with_the_password_alone(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw-view-3318", is_staff=True)
    Organizer.objects.create(petition=make_petition(), user=viewer, role=Organizer.Role.VIEWER)
    assert log_in(client, viewer, "pw-view-3318").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_superuser_signing_in_with_the_password_alone_goes_to_setup(client, superuser):
    assert log_in(client, superuser, "pw-ada-9174").status_code == 302
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


def test_a_session_not_yet_verified_of_a_user_with_a_device_asks_for_a_code(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="Phone", confirmed=True)
    client.force_login(superuser)  # e.g. a session from before the second factor
    assert client.get(reverse("admin:index")).url.startswith(SETUP)
    page = client.get(SETUP)
    assert "recovery codes" in page.content.decode()
    assert "QR code for your app" not in page.content.decode()
    assert client.post(SETUP, {"code": "abcdefgh"}).status_code == 400
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_viewer_only_organizer_needs_no_second_factor(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    Organizer.objects.create(petition=make_petition(), user=viewer, role=Organizer.Role.VIEWER)
    assert not needs_second_factor(viewer)
    client.force_login(viewer)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_editor_needs_a_second_factor(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    Organizer.objects.create(petition=make_petition(), user=editor, role=Organizer.Role.EDITOR)
    assert needs_second_factor(editor)
    client.force_login(editor)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


@pytest.mark.parametrize(
    "codename",
    [
        "view_signature",
        "export_signatures",
        "view_signer_email",
        "view_accesslog",
        "change_signature",
        "delete_signature",
    ],
)
def test_staff_with_a_permission_to_personal_data_need_a_second_factor(django_user_model, codename):
    assert needs_second_factor(staff_with(django_user_model, codename))


def test_staff_who_see_only_petitions_need_no_second_factor(django_user_model):
    assert not needs_second_factor(staff_with(django_user_model, "view_petition"))


def test_a_verified_user_is_not_sent_to_setup(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(SETUP).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, superuser, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no wait after the old code is refused
    client.force_login(superuser)
    old = set_up(client)
    page = client.get(reverse("admin:recovery_codes"))
    assert "You have 10 unused recovery codes" in page.content.decode()
    response = client.post(reverse("admin:recovery_codes"))
    new = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert StaticDevice.objects.filter(user=superuser).count() == 1
    # The session, verified with the authenticator, stays verified.
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    assert log_in(client, superuser, "pw-ada-9174", old[0]).status_code == 200
    assert log_in(client, superuser, "pw-ada-9174", new[0]).status_code == 302


def test_a_user_without_a_second_factor_is_sent_to_set_one_up_for_recovery_codes(
    client, django_user_model
):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    response = client.get(reverse("admin:recovery_codes"))
    assert response.url.startswith(SETUP)


def test_guessing_codes_is_limited(client, superuser, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "second-factor": {"ip": "3/m"}}
    client.force_login(superuser)
    client.get(SETUP)
    statuses = [client.post(SETUP, {"code": f"{n:06d}"}).status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_after_many_wrong_codes_even_the_right_one_must_wait(client, superuser):
    client.force_login(superuser)
    client.get(SETUP)
    device = TOTPDevice.objects.get(confirmed=False)
    # django-otp's throttling: after ten wrong codes in a row it checks none for 512 s.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 400
    assert "Too many wrong codes in a row" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_sign_in_leaves_the_user_verified(client, superuser):
    sign_in(client, superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_every_admin_page_links_to_the_recovery_codes(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:recovery_codes")}"' in html


def test_the_qr_code_is_an_image_with_a_name(client, superuser):
    client.force_login(superuser)
    html = client.get(SETUP).content.decode()
    assert '<svg role="img"' in html
    assert "<title>QR code for your app</title>" in html
