"""A second factor for everyone in the admin who may see supporters' personal data: a code
from an authenticator app (TOTP), or one of ten recovery codes, each good once.

django-otp keeps the device that verified the session (request.user.is_verified()); the
admin site (petition_site/admin.py) sends whoever needs one and has not given it here.
"""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from petitions.organizers import organizes_any
from petitions.ratelimits import rate_limited

# Site-wide permissions that reach supporters' personal data.
PERSONAL_DATA_PERMISSIONS = frozenset(
    {
        "petitions.view_signature",
        "petitions.export_signatures",
        "petitions.view_signer_email",
        "petitions.view_accesslog",
        "petitions.change_signature",
        "petitions.delete_signature",
    }
)
RECOVERY_CODES = 10
CODE_LABEL = "Code from your authenticator app, or a recovery code"


def needs_second_factor(user) -> bool:
    """Superusers, staff with a site-wide permission to personal data, and editors of a
    petition (who see its signatures); a viewer-only organizer sees numbers only."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or not PERSONAL_DATA_PERMISSIONS.isdisjoint(user.get_all_permissions())
        or organizes_any(user, "personal_data")
    )


def must_give_second_factor(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_verified()
        and (has_second_factor(user) or needs_second_factor(user))
    )


def has_second_factor(user) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def normalized(code: str) -> str:
    return "".join(code.split()).lower()


class SlowDown(Exception):
    """Wrong codes just before: django-otp refuses to check another for a while (a second
    after the first wrong one, doubling with each)."""


def device_for_code(user, code: str) -> Device | None:
    """The user's confirmed device that accepts the code, if any: six digits go to their
    authenticator, anything else to their recovery codes (used up once accepted). Only one
    kind is tried, so a mistyped code never slows down the other (django-otp's throttling)."""
    code = normalized(code)
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) <= 8 else StaticDevice
    # No exception may leave this block: it would undo the count of a wrong guess.
    with transaction.atomic():
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        accepted = next((device for device in allowed if device.verify_token(code)), None)
    if devices and not allowed:
        raise SlowDown
    return accepted


def new_authenticator(user) -> TOTPDevice:
    """The user's authenticator being set up: the same secret until it is confirmed, so that
    reloading the page does not change the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_authenticator(device: TOTPDevice, code: str) -> bool:
    """Confirm the new authenticator if the code is its current one."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed = device.verify_is_allowed()[0]
        accepted = allowed and device.verify_token(normalized(code))
        if accepted:
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    if not allowed:
        raise SlowDown
    return accepted


def new_recovery_codes(user) -> list[str]:
    """Ten new recovery codes; the user's earlier ones stop working. The device is kept, so a
    session verified with a recovery code stays verified."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name="Recovery codes")
        StaticToken.objects.filter(device__user=user).delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def qr_code_svg(device: TOTPDevice) -> str:
    """The authenticator's setup link as an inline SVG (no script, no image request)."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR code for your app")
    return svg.replace("<svg ", '<svg role="img" ', 1)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class LoginForm(AdminAuthenticationForm):
    """The admin's login: a user with a second factor must give a code from it as well."""

    otp_token = forms.CharField(
        label=CODE_LABEL,
        required=False,
        max_length=32,
        help_text="Leave it empty if you have not set up a second factor yet.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )
    # One message for a wrong password and a wrong code: it does not tell which was right.
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password for a staff account, and "
            "a code from your authenticator app (or a recovery code) if you have set one up."
        ),
    }

    def clean(self):
        super().clean()
        user = self.get_user()
        if user is not None and has_second_factor(user):
            try:
                device = device_for_code(user, self.cleaned_data.get("otp_token", ""))
            except SlowDown:
                device = None
            if device is None:
                raise self.get_invalid_login_error()
            # django-otp's user_logged_in handler keeps it in the session: verified.
            user.otp_device = device
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=CODE_LABEL,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


def open_before_second_factor(view):
    """Mark an admin view that a user who still owes a second factor may open."""
    view.open_before_second_factor = True
    return view


def redirect_to_second_factor(request: HttpRequest) -> HttpResponse:
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(f"{reverse('admin:second_factor')}?{query}")


def next_url(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {**admin.site.each_context(request), "next": next_url(request), **context}
    return render(request, f"admin/second_factor/{template}", context, status=status)


WRONG_CODE = "That code is not right. Type the code your app shows now, or a recovery code."
SLOW_DOWN = "Too many wrong codes in a row: wait a minute, then type the code your app shows."


@open_before_second_factor
@require_http_methods(["GET", "POST"])
@rate_limited("second-factor")
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator (then show the recovery codes), or, for a user who has one
    but whose session has not been verified yet, ask for a code."""
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    if has_second_factor(user):
        if form.is_valid():
            try:
                device = device_for_code(user, form.cleaned_data["code"])
            except SlowDown:
                form.add_error("code", SLOW_DOWN)
            else:
                if device is not None:
                    django_otp.login(request, device)
                    return redirect(next_url(request))
                form.add_error("code", WRONG_CODE)
        status = 400 if form.errors else 200
        return page(request, "verify.html", {"title": "Second factor", "form": form}, status=status)

    device = new_authenticator(user)
    if form.is_valid():
        try:
            confirmed = confirm_authenticator(device, form.cleaned_data["code"])
        except SlowDown:
            form.add_error("code", SLOW_DOWN)
        else:
            if confirmed:
                device.refresh_from_db()
                django_otp.login(request, device)
                return show_recovery_codes(request, new_recovery_codes(user))
            form.add_error("code", WRONG_CODE)
    context = {
        "title": "Set up a second factor",
        "form": form,
        "qr_code": qr_code_svg(device),
        "secret": secret_text(device),
    }
    return page(request, "set_up.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make a new set of recovery codes, the old ones stop working."""
    if not request.user.is_verified():
        return redirect_to_second_factor(request)
    if request.method == "POST":
        return show_recovery_codes(request, new_recovery_codes(request.user))
    left = StaticToken.objects.filter(device__user=request.user).count()
    return page(request, "recovery_codes.html", {"title": "Recovery codes", "left": left})


def show_recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    # Shown in the answer to the POST rather than after a redirect: the codes are stored
    # nowhere they could be read again (the session included), so they are seen only once.
    # (admin_view makes the page never_cache.)
    return page(request, "new_codes.html", {"title": "Your recovery codes", "codes": codes})
