import datetime as dt

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from petitions.abuse import bursts
from petitions.campaign import campaign_panel
from petitions.exports import ExportForm, SignatureExport, delivery_pack
from petitions.forms import SignForm
from petitions.models import BlockedEmailDomain, BlockedNetwork, Petition, Recipient, Signature
from petitions.privacy import erase_person
from petitions.signing import queue_signing_email
from petitions.views import render_appeal


def whole_number(value: str | None, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def can_see_emails(request: HttpRequest) -> bool:
    return request.user.has_perm("petitions.view_signer_email")


def can_view_signatures(request: HttpRequest) -> bool:
    return request.user.has_perm("petitions.view_signature")


def can_export(request: HttpRequest) -> bool:
    return can_view_signatures(request) and request.user.has_perm("petitions.export_signatures")


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 1
    fields = ["position", "role", "name"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "state",
        "closes_at",
        "outcome",
        "supporters",
        "goal",
        "starter_name",
        "created_at",
    ]
    list_filter = ["state", "outcome"]
    search_fields = ["title", "slug", "starter_name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["supporters", "counter_shards", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "language",
                    "slug",
                    "starter_name",
                    "organizer_email",
                    "summary",
                    "body",
                    "letter",
                ]
            },
        ),
        ("Image", {"fields": ["image", "image_alt"]}),
        (
            "State",
            {"fields": ["state", "closes_at", "closed_at", "goal", "supporters", "counter_shards"]},
        ),
        ("Outcome", {"fields": ["outcome", "outcome_on", "outcome_statement"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [RecipientInline]
    actions = ["open_petitions", "close_petitions", "reopen_petitions"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_supporters()

    @admin.display(ordering="supporters")
    def supporters(self, petition: Petition) -> int:
        return petition.supporters

    def get_deleted_objects(self, objs, request):
        """What deleting these petitions takes with them, as Django's confirmation page shows
        it, but with signatures and recipients counted rather than listed: Django would load
        and name every signer of a viral petition, to anyone allowed to delete petitions."""
        petitions = list(objs)
        related = {
            model: dict(
                model.objects.filter(petition__in=petitions)
                .values_list("petition")
                .annotate(n=Count("pk"))
            )
            for model in (Signature, Recipient)
        }
        # As Django nests them: each petition, then the list of what goes with it.
        deleted = []
        for petition in petitions:
            deleted.append(f"{capfirst(Petition._meta.verbose_name)}: {petition}")
            if going := [
                f"{capfirst(model._meta.verbose_name_plural)}: {counts[petition.pk]:,}"
                for model, counts in related.items()
                if counts.get(petition.pk)
            ]:
                deleted.append(going)
        model_count = {Petition._meta.verbose_name_plural: len(petitions)}
        perms_needed = set()
        for model, counts in related.items():
            if counts:
                model_count[model._meta.verbose_name_plural] = sum(counts.values())
                if not self.admin_site.get_model_admin(model).has_delete_permission(request):
                    perms_needed.add(model._meta.verbose_name)
        return deleted, model_count, perms_needed, []

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for petition in queryset:
                petition.delete()

    def slug_is_stable(self, obj: Petition | None) -> bool:
        """Once public, a petition's address is shared: it must not change."""
        return obj is not None and obj.state != Petition.State.DRAFT

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "slug"] if self.slug_is_stable(obj) else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self.slug_is_stable(obj) else super().get_prepopulated_fields(request, obj)

    def view_on_site(self, obj: Petition) -> str:
        if obj.state == Petition.State.DRAFT:
            return reverse("admin:petitions_petition_preview", args=[obj.pk])
        return obj.get_absolute_url()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        petition = self.get_object(request, object_id)
        if petition is not None and self.has_view_permission(request, petition):
            extra_context = {
                **(extra_context or {}),
                "campaign": campaign_panel(petition, show_signatures=can_view_signatures(request)),
                "can_export": can_export(request),
                "can_see_emails": can_see_emails(request),
                "can_view_signatures": can_view_signatures(request),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview), name="petitions_petition_preview"),
            path("<int:pk>/export/", view(self.export), name="petitions_petition_export"),
            path(
                "<int:pk>/delivery-pack/",
                view(self.delivery_pack),
                name="petitions_petition_delivery_pack",
            ),
            *super().get_urls(),
        ]

    def viewable_petition(self, request, pk: int) -> Petition:
        petition = get_object_or_404(Petition.objects.with_supporters(), pk=pk)
        if not self.has_view_permission(request, petition):
            raise PermissionDenied
        return petition

    def preview(self, request, pk: int) -> HttpResponse:
        """The public page as it will look, drafts included, with the form disabled."""
        return render_appeal(request, self.viewable_petition(request, pk), SignForm(), preview=True)

    def export(self, request, pk: int) -> HttpResponse:
        """The export form; submitted (GET, with download=1), the CSV file, streamed."""
        petition = self.viewable_petition(request, pk)
        if not can_export(request):
            raise PermissionDenied
        form = ExportForm(request.GET if "download" in request.GET else None)
        if form.is_valid():
            export = SignatureExport(
                petition=petition, include_email=can_see_emails(request), **form.cleaned_data
            )
            response = StreamingHttpResponse(
                export.chunks(), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": petition,
            "title": f"Export signatures: {petition}",
            "form": form,
            "with_email": can_see_emails(request),
        }
        return TemplateResponse(request, "admin/petitions/petition/export.html", context)

    def delivery_pack(self, request, pk: int) -> HttpResponse:
        """The letter, its recipients and every confirmed signer, streamed, for printing."""
        petition = self.viewable_petition(request, pk)
        if not can_view_signatures(request):
            raise PermissionDenied
        return StreamingHttpResponse(delivery_pack(petition), content_type="text/html")

    def change_state(self, request, queryset, state: str, change, verb: str) -> None:
        changed = 0
        for petition in queryset.filter(state=state):
            change(petition)
            changed += 1
        skipped = queryset.count() - changed
        message = f"{changed} petition(s) {verb}."
        if skipped:
            message += f" {skipped} skipped: they were not {Petition.State(state).label.lower()}."
        self.message_user(request, message)

    @admin.action(description="Open selected drafts (make them public)", permissions=["change"])
    def open_petitions(self, request, queryset):
        self.change_state(request, queryset, Petition.State.DRAFT, Petition.open, "opened")

    @admin.action(description="Close selected petitions (now)", permissions=["change"])
    def close_petitions(self, request, queryset):
        self.change_state(request, queryset, Petition.State.OPEN, Petition.close, "closed")

    @admin.action(description="Reopen selected closed petitions", permissions=["change"])
    def reopen_petitions(self, request, queryset):
        """Reopening clears the outcome: where there is one, only once the organizer has
        confirmed it on an intermediate page, as delete_selected asks before deleting."""
        with_outcome = queryset.filter(state=Petition.State.CLOSED).exclude(
            outcome=Petition.Outcome.NONE
        )
        if with_outcome.exists() and request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Reopen and clear the outcome?",
                "opts": self.opts,
                "queryset": queryset,
                "with_outcome": with_outcome,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/petitions/petition/reopen_confirmation.html", context
            )
        self.change_state(request, queryset, Petition.State.CLOSED, Petition.reopen, "reopened")
        return None


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["role", "name", "petition", "position"]
    list_filter = ["petition"]
    search_fields = ["role", "name"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "petition", "country", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "petition", "country", "created_at"]
    search_fields = ["name", "email"]
    list_select_related = ["petition"]
    # The status changes only through the actions, so that the counter moves with it.
    readonly_fields = ["status", "created_at", "confirmed_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = [
        "remove_as_spam",
        "hold_for_review",
        "restore",
        "resend_confirmation",
        "erase_people",
    ]

    def get_urls(self):
        bursts = self.admin_site.admin_view(self.bursts_view)
        return [
            path("bursts/", bursts, name="petitions_signature_bursts"),
            *super().get_urls(),
        ]

    def lookup_allowed(self, lookup, value, request=None):
        # The burst report links to the signatures of one hashed network.
        return lookup == "network_hash" or super().lookup_allowed(lookup, value, request)

    def bursts_view(self, request):
        """Unusual bursts: many signatures from one network or email domain lately."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        hours = max(1, min(whole_number(request.GET.get("hours"), 1), 24 * 7))
        threshold = max(2, whole_number(request.GET.get("threshold"), 20))
        since = timezone.now() - dt.timedelta(hours=hours)
        context = {
            **self.admin_site.each_context(request),
            "title": "Unusual bursts of signatures",
            "opts": self.model._meta,
            "hours": hours,
            "threshold": threshold,
            **bursts(since=since, threshold=threshold),
        }
        return TemplateResponse(request, "admin/petitions/signature/bursts.html", context)

    # Signers' email addresses only for staff with the view_signer_email permission: not
    # listed, not searchable (a search would reveal whether an address signed), not shown.
    def get_list_display(self, request):
        fields = super().get_list_display(request)
        return fields if can_see_emails(request) else [f for f in fields if f != "email"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if can_see_emails(request) else [f for f in fields if f != "email"]

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj) or []
        return exclude if can_see_emails(request) else [*exclude, "email"]

    def moderate(self, request, queryset, status: Signature.Status) -> None:
        changed = queryset.moderate(status)
        self.message_user(request, f"{changed} signature(s) now “{status.label}”.")

    @admin.action(description="Remove selected signatures as spam", permissions=["change"])
    def remove_as_spam(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.REMOVED)

    @admin.action(description="Hold selected signatures for review", permissions=["change"])
    def hold_for_review(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.HELD)

    @admin.action(description="Restore selected signatures (count them)", permissions=["change"])
    def restore(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.CONFIRMED)

    @admin.action(
        description="Resend the confirmation email to selected unconfirmed signatures",
        permissions=["change"],
    )
    def resend_confirmation(self, request, queryset):
        pending = list(queryset.pending())
        with transaction.atomic():
            for signature in pending:
                queue_signing_email(signature)
        self.message_user(request, f"Confirmation email resent to {len(pending)} signer(s).")

    @admin.action(
        description="Erase everything about these people (all their signatures, everywhere)",
        permissions=["delete"],
    )
    def erase_people(self, request, queryset):
        emails = {email.lower() for email in queryset.values_list("email", flat=True)}
        deleted = sum(erase_person(email) for email in emails)
        self.message_user(request, f"Erased {len(emails)} email address(es): {deleted} record(s).")


@admin.register(BlockedEmailDomain)
class BlockedEmailDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain"]


@admin.register(BlockedNetwork)
class BlockedNetworkAdmin(admin.ModelAdmin):
    list_display = ["network", "note", "created_at"]
    search_fields = ["network"]
