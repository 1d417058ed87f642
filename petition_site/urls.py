from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from petition_site.health import healthz, readyz
from petition_site.security import cross_origin_protected
from petitions.admin_organizers import accept_invitation
from petitions.sitemaps import SITEMAPS, robots_txt

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Before the admin's own: the invited are not signed in yet.
    path("admin/invitations/<str:token>/", accept_invitation, name="invitation-accept"),
    path("admin/", admin.site.urls),
    # Django's set_language view: the language switcher's form, on pages for shared caches.
    path("i18n/setlang/", cross_origin_protected(set_language), name="set_language"),
    path("api/", include("petitions.api_urls")),
    path("", include("petitions.urls")),
]
# Organizers' uploads in development; production serves MEDIA_ROOT from its web server or
# object storage. static() adds nothing when DEBUG is off.
urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler500 = "petitions.views.server_error"
