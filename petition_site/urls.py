from django.contrib import admin
from django.urls import include, path

from petition_site.health import healthz
from petitions.ratelimits import rate_limited

admin.site.site_header = "Petitions: organizers"
admin.site.site_title = "Petitions admin"
admin.site.login = rate_limited("admin-login")(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("petitions.urls")),
]
