from django.contrib import admin

from petitions.models import Petition, Recipient, Signature


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
    actions = ["remove_as_spam", "hold_for_review", "restore"]

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
