"""The access log in the admin: read-only for everyone, superusers included. Moderators
(the site-wide view_accesslog permission) see every entry; a petition's editors see the
entries of the petitions they edit."""

from django.contrib import admin

from petitions.models import AccessLog
from petitions.organizers import organized, organizes_any


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "petition_name", "rows"]
    list_filter = ["action", "at"]
    search_fields = ["username", "petition_title"]
    date_hierarchy = "at"
    fields = ["at", "username", "action", "petition", "petition_title", "rows"]
    readonly_fields = fields

    @admin.display(description="petition", ordering="petition_title")
    def petition_name(self, entry: AccessLog) -> str:
        return entry.petition_title or "(every petition)"

    def sees_all(self, request) -> bool:
        return request.user.has_perm("petitions.view_accesslog")

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if self.sees_all(request):
            return entries
        return entries.filter(petition__in=organized(request.user, "edit"))

    def has_module_permission(self, request):
        return self.sees_all(request) or organizes_any(request.user, "edit")

    def has_view_permission(self, request, obj=None):
        if self.sees_all(request):
            return True
        if obj is None:
            return organizes_any(request.user, "edit")
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    # The log is a record: nobody adds to it, corrects or deletes it by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
