"""Each organizer sees only their own petitions in the admin (petitions/organizers.py).

A model admin of things that belong to a petition (the petition itself, its recipients,
updates, signatures, ...) mixes in PetitionScoped: a user with the model's site-wide Django
permission acts on every row, as before; a user without it gets only the rows of the
petitions they organize, and may do to them what their role allows (`needs`).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from petitions.models import Delivery, Petition
from petitions.organizers import organized, organizes, organizes_any


def petition_id_of(obj) -> int:
    """The petition an admin object belongs to."""
    if isinstance(obj, Petition):
        return obj.pk
    if isinstance(obj, Delivery):
        return obj.recipient.petition_id
    return obj.petition_id


def has_site_wide(request, action: str, opts) -> bool:
    """The user's Django permission to do this to every object of the model."""
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class OrganizerRole:
    """What an organizer's role on the object's petition lets them do."""

    # What the role must meet for each action (organizers.ROLES_FOR); an action missing
    # here needs the site-wide permission.
    needs = {"view": "view", "add": "edit", "change": "edit", "delete": "edit"}

    def organizer_may(self, request, action: str, obj=None) -> bool:
        need = self.needs.get(action)
        if need is None:
            return False
        if obj is None:
            return organizes_any(request.user, need)
        return organizes(request.user, petition_id_of(obj), need)


class PetitionScoped(OrganizerRole):
    """A ModelAdmin mixin: site-wide permission, or the organizer's role on the object's
    petition."""

    # The lookup from the model to its petition ("" for Petition itself).
    to_petition = "petition"

    def site_wide(self, request, action: str) -> bool:
        return has_site_wide(request, action, self.opts)

    def sees_every_petition(self, request) -> bool:
        return self.site_wide(request, "view") or self.site_wide(request, "change")

    def may(self, request, action: str, obj=None) -> bool:
        return self.site_wide(request, action) or self.organizer_may(request, action, obj)

    def organized_petitions(self, request, need: str | None = None):
        return organized(request.user, need or self.needs["view"])

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if self.sees_every_petition(request):
            return rows
        lookup = f"{self.to_petition}__in" if self.to_petition else "pk__in"
        return rows.filter(**{lookup: self.organized_petitions(request)})

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.organizer_may(request, "view")

    def has_view_permission(self, request, obj=None):
        return self.may(request, "view", obj) or self.may(request, "change", obj)

    def has_add_permission(self, request):
        return self.may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.may(request, "delete", obj)

    def history_view(self, request, object_id, extra_context=None):
        # The history names who changed what, and organizers' usernames are their email
        # addresses: an organizer sees it only where they may change the object.
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not (
            self.sees_every_petition(request) or self.organizer_may(request, "change", obj)
        ):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A POST naming another organizer's petition is refused as an invalid choice.
        if db_field.related_model is Petition and not (
            self.site_wide(request, "add") or self.site_wide(request, "change")
        ):
            kwargs["queryset"] = self.organized_petitions(request, "edit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PetitionScopedInline(OrganizerRole):
    """An InlineModelAdmin mixin, for what is edited on the page of a petition (or of one of
    its recipients): the parent object's petition decides, as PetitionScoped does."""

    def has_view_permission(self, request, obj=None):
        return (
            super().has_view_permission(request, obj)
            or self.organizer_may(request, "view", obj)
            or self.organizer_may(request, "change", obj)
        )

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) or self.organizer_may(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.organizer_may(
            request, "change", obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self.organizer_may(
            request, "delete", obj
        )


class PetitionFilter(admin.RelatedFieldListFilter):
    """The "By petition" filter, offering only the petitions the user may see: Django's
    lists every petition's title, to anyone."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        if model_admin.sees_every_petition(request):
            return field.get_choices(include_blank=False, ordering=ordering)
        limit = Q(pk__in=model_admin.organized_petitions(request))
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)
