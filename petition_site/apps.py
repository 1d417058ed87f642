from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, with petition_site.admin.AdminSite as admin.site."""

    default_site = "petition_site.admin.AdminSite"
