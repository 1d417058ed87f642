"""Organizers' accounts: made for an email address, their password set from a link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.db import IntegrityError, transaction
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def user_for_email(email: str):
    """The staff account of this address, made (without a password) if it has none: an
    organizer signs in to the admin with it once they have set their password."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        try:
            with transaction.atomic():  # a savepoint, so that the caller's transaction goes on
                user = User.objects.create_user(username=email.lower(), email=email, is_staff=True)
        except IntegrityError:  # made a moment ago for the same address by another request
            user = User.objects.get(username=email.lower())
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    return user


def set_password_url(user) -> str:
    """A link to set the account's password; it stops working once the password is set
    (Django's password reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("admin:set_password", args=[uid, token])


class SetPasswordView(PasswordResetConfirmView):
    """The page of set_password_url(): Django's password reset, in the admin's look. The
    token is checked against the password hash, so setting one spends the link; a user made
    by user_for_email has an unusable password, which is set the same way."""

    admin_site = None
    template_name = "registration/set_password.html"
    title = "Set your password"
    success_url = reverse_lazy("admin:login")

    def get_context_data(self, **kwargs):
        return {**self.admin_site.each_context(self.request), **super().get_context_data(**kwargs)}

    def render_to_response(self, context, **kwargs):
        if not self.validlink:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. You can sign in with it now.")
        return response
