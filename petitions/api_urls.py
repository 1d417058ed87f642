from django.urls import path, re_path

from petitions import api

app_name = "api"

urlpatterns = [
    path("petitions/", api.petitions, name="petitions"),
    path("petitions/<slug:slug>/", api.petition, name="petition"),
    path("petitions/<slug:slug>/count/", api.count, name="count"),
    path("petitions/<slug:slug>/history/", api.history, name="history"),
    path("openapi.json", api.openapi, name="openapi"),
    # Anything else under api/: a JSON 404, not the site's HTML page.
    re_path(r"", api.not_found, name="not-found"),
]
