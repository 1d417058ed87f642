from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Petitions: organizers"
admin.site.site_title = "Petitions admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("petitions.urls")),
]
