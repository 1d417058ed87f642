import datetime as dt

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from petitions.abuse import bursts
from petitions.models import BlockedEmailDomain, BlockedNetwork, Petition, Recipient, Signature
from petitions.privacy import erase_person


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 1
    fields = ["position", "role", "name"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "supporter_count", "goal", "starter_name", "created_at"]
    list_filter = ["state"]
    search_fields = ["title", "slug", "starter_name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["supporter_count", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "starter_name", "summary", "body", "letter"]}),
        ("Image", {"fields": ["image", "image_alt"]}),
        ("State", {"fields": ["state", "closed_at", "goal", "supporter_count"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [RecipientInline]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["role", "name", "petition", "position"]
    list_filter = ["petition"]
    search_fields = ["role", "name"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "petition", "country", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "petition", "country"]
    search_fields = ["name", "email"]
    list_select_related = ["petition"]
    # The status changes only through the actions, so that the counter moves with it.
    readonly_fields = ["status", "created_at", "confirmed_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["remove_as_spam", "hold_for_review", "restore", "erase_people"]

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
        hours = max(1, min(int(request.GET.get("hours", "1") or 1), 24 * 7))
        threshold = max(2, int(request.GET.get("threshold", "20") or 20))
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

    def moderate(self, request, queryset, status: Signature.Status) -> None:
        changed = sum(signature.moderate(status) for signature in queryset)
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
