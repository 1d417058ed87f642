"""One function per message. Each renders templates/emails/<name>-subject.txt,
<name>-body.txt and <name>-body.html and sends through the configured backend
(the console in development, a django-anymail ESP in production)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from petitions.models import Petition, Signature


def send(name: str, to: str, context: dict) -> None:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    if signature := context.get("signature"):
        context["withdraw_url"] = signature.withdrawal_url()
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{name}-body.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    message.send()


def send_confirmation_request(signature: Signature) -> None:
    send(
        "confirm",
        signature.email,
        {
            "signature": signature,
            "petition": signature.petition,
            "confirm_url": signature.confirmation_url(),
            "link_days": settings.CONFIRMATION_LINK_MAX_AGE // 86400,
        },
    )


def send_already_signed(signature: Signature) -> None:
    petition = signature.petition
    send(
        "already-signed",
        signature.email,
        {
            "signature": signature,
            "petition": petition,
            "petition_url": settings.SITE_URL + petition.get_absolute_url(),
        },
    )


def send_milestone_reached(petition: Petition, milestone: int) -> None:
    send(
        "milestone",
        petition.organizer_email,
        {
            "petition": petition,
            "milestone": milestone,
            "is_goal": milestone == petition.goal,
            "petition_url": settings.SITE_URL + petition.get_absolute_url(),
        },
    )
