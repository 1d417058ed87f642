"""The appeal page's HTML, and the petition's state that its page, counter and embeds share.

A visitor's page is the same for everyone of their language: no CSRF token, and a form
timestamp shared by all (forms.form_timestamp), so that a cache in front may serve it
(docs/security.md says why that is safe). Each process keeps the page's HTML under the
petition's version (updated_at moves on every edit, also of its recipients or updates), its
language and the form timestamp, with slots for the parts that change with every signature:
the counter, the recent supporters and the signatures by country, filled in per request.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from petitions.countries import countries_html
from petitions.forms import SignForm, form_timestamp
from petitions.models import Petition

# How many recipients the page names before "and N others".
RECIPIENTS_SHOWN = 3
COUNTER_SLOT = "<!-- counter-slot-4f9d2c7e -->"
SUPPORTERS_SLOT = "<!-- supporters-slot-4f9d2c7e -->"
COUNTRIES_SLOT = "<!-- countries-slot-4f9d2c7e -->"


def public_petition(slug: str) -> Petition:
    return get_object_or_404(Petition.objects.public(), slug=slug)


def recent_petition(slug: str) -> Petition:
    """The public petition, read at most once per APPEAL_STATE_MAX_AGE seconds per process:
    under load its page costs no query, and its counter is that many seconds old at most."""
    return caches["pages"].get_or_set(
        f"petition:{slug}", lambda: public_petition(slug), settings.APPEAL_STATE_MAX_AGE
    )


def shared_response(response: HttpResponse) -> HttpResponse:
    """Let browsers and shared caches in front (a CDN, nginx) keep the response for
    PUBLIC_PAGE_MAX_AGE seconds: the same for every visitor, it sets no cookie."""
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
    return response


def appeal_html(
    request: HttpRequest, petition: Petition, form: SignForm | None = None, *, preview=False
) -> str:
    """The appeal page: a visitor's (no form given), the same for all of their language and
    served from this process's cache; or one visitor's own, uncached, with the form they sent
    and its errors and a CSRF token, or a preview (staff only, from the admin) with the form
    disabled."""
    if form is None:
        started = form_timestamp(shared=True)
        key = f"appeal:{petition.pk}:{version(petition)}:{get_language()}:{started}"
        html = caches["pages"].get_or_set(
            key,
            # The form's extra fields are the petition's: its version is in the key.
            lambda: render_page(
                request,
                petition,
                SignForm(petition=petition, initial={"started": started}),
                shared=True,
            ),
            settings.APPEAL_PAGE_CACHE_SECONDS,
        )
    else:
        if form.is_bound:
            form.renew_bot_checks()
        html = render_page(request, petition, form, preview=preview)
    return (
        html.replace(COUNTER_SLOT, counter_html(petition), 1)
        .replace(SUPPORTERS_SLOT, supporters_html(petition), 1)
        .replace(COUNTRIES_SLOT, countries_html(petition), 1)
    )


def version(petition: Petition) -> str:
    return petition.updated_at.isoformat()


def render_page(request: HttpRequest, petition: Petition, form: SignForm, **extra) -> str:
    # Each with its deliveries, shown next to it: one query for all of them.
    recipients = list(petition.recipients.prefetch_related("deliveries"))
    context = {
        "petition": petition,
        "form": form,
        "preview": False,
        "shared": False,
        "recipients_shown": recipients[:RECIPIENTS_SHOWN],
        "recipients_more": recipients[RECIPIENTS_SHOWN:],
        "updates": list(petition.updates.published()),
        "counter_slot": COUNTER_SLOT,
        "supporters_slot": SUPPORTERS_SLOT,
        "countries_slot": COUNTRIES_SLOT,
        **extra,
    }
    return render_to_string("petitions/appeal.html", context, request)


def counter_html(petition: Petition) -> str:
    """The counter, the same for everyone who sees this count: rendered once per count,
    version and language (without the request: context processors would cost more)."""
    key = f"counter:{petition.pk}:{version(petition)}:{petition.supporters}:{get_language()}"
    return caches["pages"].get_or_set(
        key,
        lambda: render_to_string("petitions/_counter.html", {"petition": petition}),
        settings.APPEAL_PAGE_CACHE_SECONDS,
    )


def supporters_html(petition: Petition) -> str:
    """The recent supporters, read at most once per APPEAL_STATE_MAX_AGE per process and
    language: a new supporter appears as soon as the counter counts them."""
    return caches["pages"].get_or_set(
        f"supporters:{petition.pk}:{get_language()}",
        lambda: render_to_string(
            "petitions/_supporters.html",
            {"recent_supporters": list(petition.recent_supporters())},
        ),
        settings.APPEAL_STATE_MAX_AGE,
    )
