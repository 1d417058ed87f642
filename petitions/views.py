import logging

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from petition_site.security import CROSS_SITE, cross_origin_protected
from petitions import starting
from petitions.appeal_page import appeal_html, public_petition, recent_petition, shared_response
from petitions.forms import (
    NewLinkForm,
    SignForm,
    StartForm,
    StartTitleForm,
    form_timestamp,
    posted_recipient_rows,
    recipient_formset,
)
from petitions.models import Petition, Signature, Update
from petitions.ratelimits import client_ip, count_request, rate_limited, too_many_requests
from petitions.signing import PetitionNotOpen, request_new_link, sign_petition
from petitions.starting import start_petition

SIGN_AGAIN = _(
    "To protect you, we check that each signature is sent from this site. Please check "
    "your details and press “Sign this petition” once more."
)

logger = logging.getLogger(__name__)


def render_appeal(
    request: HttpRequest, petition: Petition, form: SignForm, status=200, *, preview=False
) -> HttpResponse:
    """One visitor's appeal page, with the form they sent and its errors; or a preview."""
    return HttpResponse(appeal_html(request, petition, form, preview=preview), status=status)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    petitions = Petition.objects.public().order_by("-supporter_count", "-created_at")
    return render(
        request,
        "petitions/home.html",
        {
            "open_petitions": [p for p in petitions if p.is_open],
            "closed_petitions": [p for p in petitions if p.is_closed],
        },
    )


@require_safe
def appeal(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        petition = recent_petition(slug)
    except Http404:
        return rejected(request, slug)
    return shared_response(HttpResponse(appeal_html(request, petition)))


@require_safe
def counter(request: HttpRequest, slug: str) -> JsonResponse:
    """The live counter for the appeal page's script, the same numbers in every language
    (the script formats them); as fresh as the page's own (APPEAL_STATE_MAX_AGE)."""
    petition = recent_petition(slug)
    response = JsonResponse(
        {
            "supporter_count": petition.supporters,
            "goal": petition.goal,
            "goal_percent": petition.goal_percent,
        }
    )
    response.language_neutral = True  # see LanguageNeutralMiddleware
    return shared_response(response)


@cross_origin_protected
@require_POST
@rate_limited("sign")
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    # A second-old copy is enough: a signature that slips in just after closing can never
    # be confirmed, as confirm() reads the petition afresh.
    petition = recent_petition(slug)
    form = SignForm(petition=petition, data=request.POST)
    if not petition.is_open:
        return render_appeal(request, petition, form, status=403)
    if not form.is_valid():
        return render_appeal(request, petition, form, status=400)
    try:
        sign_petition(petition=petition, client_ip=client_ip(request), **form.signature_fields())
    except PetitionNotOpen:  # closed since the copy was read: show it closed
        return render_appeal(request, public_petition(slug), form, status=403)
    return redirect("petitions:check-inbox", slug=petition.slug)


@require_safe
def check_inbox(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/check_inbox.html", {"petition": public_petition(slug)})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET only shows a button (mail scanners open links); the button's POST confirms."""
    try:
        signature = Signature.from_confirmation_token(token, slug=slug)
    except signing.SignatureExpired:
        return render_bad_link(request, public_petition(slug), expired=True)
    except (signing.BadSignature, Signature.DoesNotExist):
        return render_bad_link(request, public_petition(slug), expired=False)

    petition = signature.petition
    if signature.status != Signature.Status.PENDING:
        return render(request, "petitions/already_confirmed.html", {"petition": petition})
    if not petition.is_open:  # signed, but closed before the link was used
        return render(request, "petitions/confirm.html", {"petition": petition}, status=410)
    if request.method == "POST":
        if signature.confirm():
            return redirect("petitions:thanks", slug=petition.slug)
        signature.refresh_from_db(fields=["status"])
        if signature.status == Signature.Status.PENDING:  # closed since we read it
            return render(request, "petitions/confirm.html", {"petition": petition}, status=410)
        # Confirmed by a concurrent request since we read it.
        return render(request, "petitions/already_confirmed.html", {"petition": petition})
    return render(request, "petitions/confirm.html", {"petition": petition, "signature": signature})


def render_bad_link(request: HttpRequest, petition: Petition, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "petitions/bad_link.html",
        {"petition": petition, "expired": expired, "form": NewLinkForm()},
        status=410 if expired else 400,
    )


@never_cache  # the exact count, just after the visitor's own signature
@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/thanks.html", {"petition": public_petition(slug)})


@require_safe
def update_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    petition = public_petition(slug)
    update = get_object_or_404(petition.updates.published(), number=number)
    return render_update(request, update)


def render_update(request: HttpRequest, update: Update, *, preview=False) -> HttpResponse:
    """One update's page, or its preview (staff only, from the admin; drafts included)."""
    context = {"petition": update.petition, "update": update, "preview": preview}
    return render(request, "petitions/updates/update.html", context)


class UpdatesFeed(Feed):
    """A public petition's published updates, newest first, in Atom."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Petition:
        return public_petition(slug)

    def get_feed(self, obj: Petition, request: HttpRequest):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = obj.language  # the organizer's words, not the interface's
        return feed

    def title(self, petition: Petition) -> str:
        return petition.title

    def subtitle(self, petition: Petition) -> str:
        return petition.preview_text

    def link(self, petition: Petition) -> str:
        return petition.absolute_url

    def feed_url(self, petition: Petition) -> str:
        return settings.SITE_URL + reverse("petitions:updates-feed", args=[petition.slug])

    def author_name(self, petition: Petition) -> str:
        return petition.starter_name

    def items(self, petition: Petition):
        return petition.updates.published()

    def item_title(self, update: Update) -> str:
        return update.title

    def item_description(self, update: Update) -> str:
        return update.body_html

    def item_link(self, update: Update) -> str:
        return update.absolute_url

    def item_pubdate(self, update: Update):
        return update.published_at


updates_feed = UpdatesFeed()


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("new-link")
def new_link(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    form = NewLinkForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                request_new_link(petition=petition, email=form.cleaned_data["email"])
            except PetitionNotOpen:  # the page says it closed; no email could say more
                return render(
                    request, "petitions/new_link.html", {"petition": petition}, status=403
                )
            return redirect("petitions:new-link-sent", slug=petition.slug)
        status = 400
    else:
        status = 200
    return render(
        request, "petitions/new_link.html", {"petition": petition, "form": form}, status=status
    )


@require_safe
def new_link_sent(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/new_link_sent.html", {"petition": public_petition(slug)})


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The link in every email: GET asks, POST deletes the signature and all it holds."""
    try:
        signature = Signature.from_withdrawal_token(token, slug=slug)
    except (signing.BadSignature, Signature.DoesNotExist):
        return render(
            request, "petitions/withdrawn.html", {"petition": public_petition(slug)}, status=404
        )
    if request.method == "POST":
        signature.delete()  # the counter follows (SignatureQuerySet.delete)
        return render(request, "petitions/withdrawn.html", {"petition": signature.petition})
    return render(request, "petitions/withdraw.html", {"signature": signature})


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a CSRF token; the signed
# token in the address is the authorisation, as it is for the button's POST.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The link in every update email: GET asks (mail scanners open links), POST stops the
    petition's updates to this signer and keeps the signature."""
    try:
        signature = Signature.from_unsubscribe_token(token, slug=slug)
    except (signing.BadSignature, Signature.DoesNotExist):
        context = {"petition": public_petition(slug), "signature": None}
        return render(request, "petitions/unsubscribe.html", context, status=404)
    if request.method == "POST":
        signature.stop_updates()
        return render(request, "petitions/unsubscribed.html", {"signature": signature})
    return render(request, "petitions/unsubscribe.html", {"signature": signature})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "hash_days": settings.ADDRESS_HASH_RETENTION_DAYS,
        "unconfirmed_days": settings.UNCONFIRMED_SIGNATURE_RETENTION_DAYS,
    }
    return render(request, "privacy.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused as a possible forgery: one the browser says was sent from another
    site, or one without its CSRF cookie and token from a browser that says nothing of where
    it comes from (petition_site.security.cross_origin_protected). The sign form comes back
    to the latter as it was sent, now with a token, to send once more; anything else gets
    the site's own page, in the visitor's language, with the way back. Both set a fresh
    cookie, so that the second try can work."""
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    petition = Petition.objects.public().filter(slug=slug).first() if slug else None
    cross_site = reason == CROSS_SITE
    if petition and petition.is_open and match.url_name == "sign" and not cross_site:
        form = SignForm(petition=petition, data=request.POST)
        form.is_valid()
        form.add_error(None, ValidationError(SIGN_AGAIN, code="csrf"))
        return render_appeal(request, petition, form, status=403)
    context = {"petition": petition, "cross_site": cross_site}
    return render(request, "403_csrf.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the site's design and the visitor's language; plain text if even
    that fails, so that an error page never raises an error of its own."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(
            "Something went wrong on our side. Please try again in a minute.",
            content_type="text/plain; charset=utf-8",
        )


# Starting a petition on the site (petitions/starting.py): search, write, confirm, wait.
# How many petitions like the new title step one shows.
SIMILAR_SHOWN = 10
# Rejected for these, a petition's page says why and shows none of its words.
REJECTED_WITHOUT_TEXT = {
    Petition.RejectionReason.OFFENSIVE,
    Petition.RejectionReason.PERSONAL_INFORMATION,
}


def rejected(request: HttpRequest, slug: str) -> HttpResponse:
    """A rejected petition's address says so and why, rather than 404; drafts still 404."""
    petition = get_object_or_404(Petition.objects.filter(state=Petition.State.REJECTED), slug=slug)
    context = {
        "petition": petition,
        "shows_text": petition.rejection_reason not in REJECTED_WITHOUT_TEXT,
    }
    return render(request, "petitions/rejected.html", context)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Step one: the title, then the public petitions like it, to sign instead."""
    if "title" not in request.GET:
        return render(request, "petitions/start/title.html", {"form": StartTitleForm()})
    form = StartTitleForm(request.GET)
    if not form.is_valid():
        return render(request, "petitions/start/title.html", {"form": form}, status=400)
    title = form.cleaned_data["title"]
    similar = Petition.objects.public().like(title)[:SIMILAR_SHOWN]
    context = {"form": form, "title": title, "similar": list(similar)}
    return render(request, "petitions/start/title.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def start_form(request: HttpRequest) -> HttpResponse:
    """Step two: the whole petition. Its POST stores the draft and emails the link that
    confirms it; "Add another recipient" only shows the form again with one more row."""
    if request.method != "POST":
        title = request.GET.get("title", "")[:200]
        initial = {"title": title, "language": get_language(), "started": form_timestamp()}
        return render_start_form(request, StartForm(initial=initial), recipient_formset())
    if "add_recipient" in request.POST:
        return render_start_form(request, *with_another_row(request.POST))
    if (retry_after := count_request(request, "start")) is not None:
        return too_many_requests(request, retry_after=retry_after)
    form, recipients = StartForm(request.POST), recipient_formset(request.POST)
    if not (form.is_valid() & recipients.is_valid()):  # both, for all their errors at once
        return render_start_form(request, form, recipients, status=400)
    start_petition(
        **form.petition_fields(), recipients=recipients.rows(), client_ip=client_ip(request)
    )
    return redirect("petitions:start-check-inbox")


def with_another_row(data, *, editing: bool = False) -> tuple[StartForm, object]:
    """The posted form, unchecked, with one more recipient row."""
    form = StartForm(initial=data.dict(), editing=editing)
    return form, recipient_formset(rows=posted_recipient_rows(data), blank=1)


def render_start_form(
    request: HttpRequest, form: StartForm, recipients, *, petition=None, status=200
) -> HttpResponse:
    if form.is_bound:
        form.renew_bot_checks()
    context = {"form": form, "recipients": recipients, "petition": petition}
    return render(request, "petitions/start/form.html", context, status=status)


@require_safe
def start_check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/start/check_inbox.html")


@require_http_methods(["GET", "HEAD", "POST"])
def start_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button (mail scanners open links); the button's POST confirms."""
    try:
        petition = starting.from_confirm_token(token)
    except signing.SignatureExpired:
        return render_start_bad_link(request, expired=True)
    except (signing.BadSignature, Petition.DoesNotExist):
        return render_start_bad_link(request, expired=False)
    if petition.review != Petition.Review.UNCONFIRMED:
        return render(request, "petitions/start/already_confirmed.html", {"petition": petition})
    if request.method == "POST":
        starting.confirm_starter(petition)  # or a concurrent click did: the same news
        return redirect("petitions:start-thanks")
    return render(request, "petitions/start/confirm.html", {"petition": petition})


def render_start_bad_link(request: HttpRequest, *, expired: bool) -> HttpResponse:
    context = {"expired": expired}
    return render(request, "petitions/start/bad_link.html", context, status=410 if expired else 400)


@require_safe
def start_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/start/thanks.html", {"resubmitted": False})


@require_http_methods(["GET", "HEAD", "POST"])
def start_edit(request: HttpRequest, token: str) -> HttpResponse:
    """The link in "changes asked for": the petition's form, filled in; its POST sends the
    changes back to the moderators (the link proved the starter's email)."""
    try:
        petition = starting.from_edit_token(token)
    except signing.SignatureExpired:
        return render_start_bad_link(request, expired=True)
    except (signing.BadSignature, Petition.DoesNotExist):
        return render_start_bad_link(request, expired=False)
    if petition.review != Petition.Review.CHANGES:
        return render_not_editable(request, petition)
    if request.method != "POST":
        form = StartForm(initial=StartForm.initial_from(petition), editing=True)
        recipients = recipient_formset(rows=list(petition.recipients.values("name", "role")))
        return render_start_form(request, form, recipients, petition=petition)
    if "add_recipient" in request.POST:
        form, recipients = with_another_row(request.POST, editing=True)
        return render_start_form(request, form, recipients, petition=petition)
    form, recipients = StartForm(request.POST, editing=True), recipient_formset(request.POST)
    if not (form.is_valid() & recipients.is_valid()):
        return render_start_form(request, form, recipients, petition=petition, status=400)
    if not starting.resubmit(petition, **form.petition_fields(), recipients=recipients.rows()):
        return render_not_editable(request, petition)  # sent twice, or decided meanwhile
    return redirect("petitions:start-resubmitted")


def render_not_editable(request: HttpRequest, petition: Petition) -> HttpResponse:
    context = {"petition": petition}
    return render(request, "petitions/start/not_editable.html", context, status=409)


@require_safe
def start_resubmitted(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/start/thanks.html", {"resubmitted": True})
