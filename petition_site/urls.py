from django.contrib import admin
from django.urls import include, path

from petition_site.health import healthz, readyz

admin.site.site_header = "Petitions: organizers"
admin.site.site_title = "Petitions admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("petitions.urls")),
]
