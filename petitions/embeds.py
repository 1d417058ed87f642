"""Embeds: a petition's live counter for other sites, as a small page for an <iframe> and as
an SVG badge. These two are the only responses that other sites may frame or load; every
other page keeps refusing (X_FRAME_OPTIONS, frame-ancestors 'none', CORP same-origin)."""

import unicodedata
from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from petitions.appeal_page import recent_petition
from petitions.models import Petition

# Browsers and caches in front may keep an embed this long: the count is a minute old at most.
EMBED_CACHE_SECONDS = 60
THEMES = ("auto", "light", "dark")
# The badge's text, as in shields.io's badges: 11px Verdana, about 7px for a Latin letter and
# twice that for a wide (CJK) one.
BADGE_HEIGHT = 20
BADGE_PADDING = 6


def embeddable(view):
    """Let any site frame or load the view's response, for a short while from its caches."""

    @xframe_options_exempt
    @csp_replace({"frame-ancestors": ["*"]})
    @wraps(view)
    def embeddable_view(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response["Cross-Origin-Resource-Policy"] = "cross-origin"
            patch_cache_control(response, public=True, max_age=EMBED_CACHE_SECONDS)
        return response

    return embeddable_view


def chosen_language(request: HttpRequest) -> str | None:
    """?lang= when the embedding site fixes the language, else None (the reader's)."""
    code = request.GET.get("lang", "")
    if not code:
        return None
    if code not in dict(settings.LANGUAGES):
        raise ValueError(code)
    return code


def bad_parameter(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def language_error() -> HttpResponse:
    codes = ", ".join(code for code, _ in settings.LANGUAGES)
    return bad_parameter(
        gettext("Unknown language: lang= takes one of %(codes)s.") % {"codes": codes}
    )


def in_language(request: HttpRequest, render_response):
    """render_response() in ?lang='s language if given, else in the reader's."""
    try:
        code = chosen_language(request)
    except ValueError:
        return language_error()
    if code is None:
        return render_response()
    with translation.override(code):
        response = render_response()
    response["Content-Language"] = code
    return response


@require_safe
@embeddable
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    petition = recent_petition(slug)
    theme = request.GET.get("theme", "auto")
    if theme not in THEMES:
        return bad_parameter(gettext("Unknown theme: theme= takes light or dark."))
    context = {"petition": petition, "theme": theme}
    return in_language(request, lambda: render(request, "petitions/embeds/embed.html", context))


def text_width(text: str) -> int:
    return sum(12 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text)


def badge_context(petition: Petition) -> dict:
    """The badge's two halves: "Petition" and the count, with their geometry."""
    label = gettext("Petition")
    count = petition.supporters
    value = ngettext("%(count)s supporter", "%(count)s supporters", count) % {
        "count": number_format(count, force_grouping=True)
    }
    left = text_width(label) + 2 * BADGE_PADDING
    right = text_width(value) + 2 * BADGE_PADDING
    return {
        "petition": petition,
        "label": label,
        "value": value,
        "left": left,
        "right": right,
        "width": left + right,
        "height": BADGE_HEIGHT,
        "label_x": left / 2,
        "value_x": left + right / 2,
    }


@require_safe
@embeddable
def badge(request: HttpRequest, slug: str) -> HttpResponse:
    """The live count as an SVG image, to link from a README, a newsletter or a web page."""
    petition = recent_petition(slug)

    def render_badge():
        svg = render_to_string("petitions/embeds/badge.svg", badge_context(petition))
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")

    return in_language(request, render_badge)


def embed_snippets(petition: Petition) -> dict:
    """The markup an organizer copies into another site: the iframe and the badge."""
    embed_url = settings.SITE_URL + reverse("petitions:embed", args=[petition.slug])
    badge_url = settings.SITE_URL + reverse("petitions:badge", args=[petition.slug])
    context = {"petition": petition, "embed_url": embed_url, "badge_url": badge_url}
    title = markdown_text(petition.title)
    return {
        "iframe": render_to_string("petitions/embeds/_iframe_snippet.html", context).strip(),
        "badge": render_to_string("petitions/embeds/_badge_snippet.html", context).strip(),
        "badge_markdown": f"[![{title}]({badge_url})]({petition.absolute_url})",
    }


def markdown_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
