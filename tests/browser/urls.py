"""The site's URLs plus one that fails, to see the 500 page."""

from django.urls import path

from petition_site.urls import handler500
from petition_site.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("A deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
