"""What search engines read: robots.txt, and sitemap.xml with every public petition and
published update at its canonical address (under SITE_URL, whatever Host was asked)."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from petitions.models import Petition, Update


class CanonicalSitemap(Sitemap):
    """Locations under SITE_URL, as the pages' canonical links are."""

    def get_protocol(self, protocol=None) -> str:
        return settings.SITE_URL.split("://", 1)[0]

    def get_domain(self, site=None) -> str:
        return settings.SITE_URL.split("://", 1)[1]


class HomeSitemap(CanonicalSitemap):
    def items(self):
        return ["petitions:home", "petitions:privacy"]

    def location(self, item) -> str:
        return reverse(item)


class PetitionSitemap(CanonicalSitemap):
    def items(self):
        return Petition.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, petition: Petition):
        return petition.updated_at


class UpdateSitemap(CanonicalSitemap):
    def items(self):
        public = Petition.objects.filter(state__in=Petition.PUBLIC_STATES)
        return (
            Update.objects.published()
            .filter(petition__in=public)
            .select_related("petition")
            .only("number", "published_at", "petition__slug")
        )

    def lastmod(self, update: Update):
        return update.published_at


SITEMAPS = {"home": HomeSitemap, "petitions": PetitionSitemap, "updates": UpdateSitemap}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {"sitemap_url": settings.SITE_URL + reverse("sitemap")}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
