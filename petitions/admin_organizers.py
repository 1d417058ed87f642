"""The admin's "Organizers" page of a petition (who runs it, pending invitations, invite,
change a role, remove, revoke) and the page where an invitation is accepted.

A page of its own rather than inlines: each change goes through one named function that
holds the rules (the last editor stays), and organizers' addresses, which are personal data,
are shown only to who may manage them: the petition's editors and staff with the site-wide
change_petition permission."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from petitions import invitations
from petitions.accounts import set_password_url
from petitions.models import Invitation, Organizer, Petition
from petitions.organizers import organizes


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Organizer.Role.choices, initial=Organizer.Role.EDITOR)


class OrganizerForm(forms.Form):
    """Which organizer of this petition to remove or give the role to."""

    organizer = forms.ModelChoiceField(
        queryset=Organizer.objects.none(),
        error_messages={"invalid_choice": "This organizer no longer organizes the petition."},
    )
    role = forms.ChoiceField(choices=Organizer.Role.choices, required=False)

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = petition.organizers.select_related("user")


class RevokeForm(forms.Form):
    invitation = forms.ModelChoiceField(
        queryset=Invitation.objects.none(),
        error_messages={"invalid_choice": "This invitation is no longer pending."},
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = petition.invitations.filter(accepted_at=None)


def may_manage(user, petition: Petition) -> bool:
    return user.has_perm("petitions.change_petition") or organizes(user, petition, "edit")


def urls(admin_site: admin.AdminSite) -> list:
    """For PetitionAdmin.get_urls: admin/petitions/petition/<pk>/organizers/."""
    view = admin_site.admin_view(lambda request, pk: organizers_page(request, pk, admin_site))
    return [path("<int:pk>/organizers/", view, name="petitions_petition_organizers")]


def organizers_page(request: HttpRequest, pk: int, admin_site: admin.AdminSite) -> HttpResponse:
    petition = get_object_or_404(Petition, pk=pk)
    if not may_manage(request.user, petition):
        raise PermissionDenied
    if request.method != "POST":
        return render_page(request, petition, admin_site)
    action = request.POST.get("action")
    if action == "invite":
        return invite(request, petition, admin_site)
    if action in ("role", "remove"):
        return change_organizer(request, petition, admin_site, action)
    if action == "revoke":
        return revoke(request, petition, admin_site)
    return render_page(request, petition, admin_site, error="Unknown action.", status=400)


def invite(request, petition: Petition, admin_site) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitations.invite(petition, email, role, by=request.user)
        except invitations.Refused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, f"Invitation sent to {email}.")
            return back_to(petition)
    return render_page(request, petition, admin_site, invite_form=form, status=400)


def change_organizer(request, petition: Petition, admin_site, action: str) -> HttpResponse:
    form = OrganizerForm(request.POST, petition=petition)
    if not form.is_valid() or (action == "role" and not form.cleaned_data["role"]):
        error = " ".join(e for errors in form.errors.values() for e in errors) or "Choose a role."
        return render_page(request, petition, admin_site, error=error, status=400)
    organizer = form.cleaned_data["organizer"]
    try:
        if action == "remove":
            invitations.remove(organizer, by=request.user)
            messages.success(request, f"{organizer.user} no longer organizes this petition.")
        else:
            role = form.cleaned_data["role"]
            organizer = invitations.change_role(organizer, role, by=request.user)
            messages.success(request, f"{organizer.user} is now a {organizer.role}.")
    except invitations.Refused as refusal:
        return render_page(request, petition, admin_site, error=str(refusal), status=409)
    if not may_manage(request.user, petition):  # they removed or demoted themselves
        return redirect("admin:index")
    return back_to(petition)


def revoke(request, petition: Petition, admin_site) -> HttpResponse:
    form = RevokeForm(request.POST, petition=petition)
    if not form.is_valid():
        error = " ".join(form.errors.get("invitation", []))
        return render_page(request, petition, admin_site, error=error, status=400)
    invitation = form.cleaned_data["invitation"]
    if invitations.revoke(invitation, by=request.user):
        messages.success(request, f"The invitation of {invitation.email} was revoked.")
    else:
        messages.warning(request, f"{invitation.email} accepted it meanwhile.")
    return back_to(petition)


def back_to(petition: Petition) -> HttpResponse:
    return redirect("admin:petitions_petition_organizers", petition.pk)


def render_page(
    request, petition: Petition, admin_site, *, invite_form=None, error="", status=200
) -> HttpResponse:
    pending = petition.invitations.filter(accepted_at=None).select_related("invited_by")
    expired_before = timezone.now() - invitations.LINK_MAX_AGE
    context = {
        **admin_site.each_context(request),
        "opts": Petition._meta,
        "original": petition,
        "title": f"Organizers: {petition}",
        "organizers": petition.organizers.select_related("user").order_by("added_at", "pk"),
        "pending": [(i, i.created_at < expired_before) for i in pending.order_by("created_at")],
        "roles": Organizer.Role.choices,
        "invite_form": invite_form or InviteForm(),
        "error": error,
    }
    return TemplateResponse(
        request, "admin/petitions/petition/organizers.html", context, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button (mail scanners open links); the button's POST accepts."""
    try:
        invitation = invitations.invitation_for_token(token)
    except signing.SignatureExpired:
        return bad_link(request, "This invitation link has expired.", status=410)
    except signing.BadSignature:
        return bad_link(request, "This invitation link is not valid.", status=400)
    except Invitation.DoesNotExist:
        return bad_link(request, "This invitation was withdrawn.", status=410)
    if invitation.accepted_at is not None:
        # Opened again, it says so; accepted again, it is a conflict.
        status = 409 if request.method == "POST" else 200
        return accepted_already(request, invitation, status=status)
    if request.method == "POST":
        try:
            organizer = invitations.accept(invitation)
        except invitations.AlreadyAccepted:
            return accepted_already(request, invitation, status=409)
        if not organizer.user.has_usable_password():
            return redirect(set_password_url(organizer.user))
        change_page = reverse("admin:petitions_petition_change", args=[invitation.petition_id])
        return redirect_to_login(change_page, reverse("admin:login"))
    return invitation_page(request, "accept", invitation=invitation)


def accepted_already(request, invitation: Invitation, status: int = 200) -> HttpResponse:
    return invitation_page(request, "accepted", invitation=invitation, status=status)


def bad_link(request, message: str, *, status: int) -> HttpResponse:
    return invitation_page(request, "bad_link", message=message, status=status)


def invitation_page(request, name: str, status: int = 200, **context) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": "Invitation to organize a petition",
        "login_url": reverse("admin:login"),
        **context,
    }
    return TemplateResponse(request, f"admin/invitations/{name}.html", context, status=status)
