"""The organizers' admin: Django's, behind a second factor for everyone who may see
supporters' personal data (petitions/second_factor.py), with a page to set a password from
an emailed link (petitions/accounts.py)."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import path
from django.utils.decorators import method_decorator

from petitions import accounts, second_factor
from petitions.ratelimits import rate_limited


class AdminSite(admin.AdminSite):
    site_header = "Petitions: organizers"
    site_title = "Petitions admin"
    login_form = second_factor.LoginForm
    login_template = "admin/second_factor/login.html"

    @method_decorator(rate_limited("admin-login"))
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Every admin page (the site's and each model admin's) sends a user who needs a
        second factor and has not given one in this session to the second-factor page;
        logging out and that page itself stay open."""

        def gated(request, *args, **kwargs):
            if (
                not getattr(view, "open_before_second_factor", False)
                and view != self.logout
                and second_factor.must_give_second_factor(request.user)
            ):
                return second_factor.redirect_to_second_factor(request)
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(gated, view), cacheable)

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "View on site" shortcut, only for an object the user may view in this
        admin: unchecked, it tells any staff user the address of another organizer's draft."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        if model is None or not self.is_registered(model):
            raise Http404
        model_admin = self.get_model_admin(model)
        obj = model_admin.get_object(request, object_id)  # from its own, scoped queryset
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def get_urls(self):
        return [
            # Before Django's own pattern of the same name, which it replaces.
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            path(
                "second-factor/",
                self.admin_view(second_factor.second_factor),
                name="second_factor",
            ),
            path(
                "second-factor/recovery-codes/",
                self.admin_view(second_factor.recovery_codes),
                name="recovery_codes",
            ),
            # Opened signed out, from an email: no admin_view.
            path(
                "set-password/<uidb64>/<token>/",
                accounts.SetPasswordView.as_view(admin_site=self),
                name="set_password",
            ),
            *super().get_urls(),
        ]
