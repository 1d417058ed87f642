from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from petitions.forms import NewLinkForm, SignForm
from petitions.models import Petition, Signature
from petitions.signing import PetitionNotOpen, request_new_link, sign_petition

# How many recipients the appeal page names before "and N others".
RECIPIENTS_SHOWN = 3


def public_petition(slug: str) -> Petition:
    return get_object_or_404(Petition.objects.public(), slug=slug)


def render_appeal(
    request: HttpRequest, petition: Petition, form: SignForm, status=200, *, preview=False
):
    """The appeal page; a preview (staff only, from the admin) shows the form disabled."""
    recipients = list(petition.recipients.all())
    context = {
        "petition": petition,
        "form": form,
        "preview": preview,
        "recipients_shown": recipients[:RECIPIENTS_SHOWN],
        "recipients_more": recipients[RECIPIENTS_SHOWN:],
    }
    return render(request, "petitions/appeal.html", context, status=status)


@require_GET
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


@require_GET
def appeal(request: HttpRequest, slug: str) -> HttpResponse:
    return render_appeal(request, public_petition(slug), SignForm())


@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    form = SignForm(request.POST)
    if not petition.is_open:
        return render_appeal(request, petition, form, status=403)
    if not form.is_valid():
        return render_appeal(request, petition, form, status=400)
    try:
        sign_petition(petition=petition, **form.cleaned_data)
    except PetitionNotOpen:  # closed between the two lines above
        return render_appeal(request, petition, form, status=403)
    return redirect("petitions:check-inbox", slug=petition.slug)


@require_GET
def check_inbox(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/check_inbox.html", {"petition": public_petition(slug)})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET only shows a button (mail scanners open links); the button's POST confirms."""
    petition = public_petition(slug)
    try:
        signature = Signature.from_confirmation_token(token, petition=petition)
    except signing.SignatureExpired:
        return render_bad_link(request, petition, expired=True)
    except (signing.BadSignature, Signature.DoesNotExist):
        return render_bad_link(request, petition, expired=False)

    if signature.status != Signature.Status.PENDING:
        return render(request, "petitions/already_confirmed.html", {"petition": petition})
    if not petition.is_open:  # signed, but closed before the link was used
        return render(request, "petitions/confirm.html", {"petition": petition}, status=410)
    if request.method == "POST":
        if signature.confirm():
            return redirect("petitions:thanks", slug=petition.slug)
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


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    share_url = request.build_absolute_uri(petition.get_absolute_url())
    return render(request, "petitions/thanks.html", {"petition": petition, "share_url": share_url})


@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    form = NewLinkForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            request_new_link(petition=petition, email=form.cleaned_data["email"])
            return redirect("petitions:check-inbox", slug=petition.slug)
        status = 400
    else:
        status = 200
    return render(
        request, "petitions/new_link.html", {"petition": petition, "form": form}, status=status
    )
