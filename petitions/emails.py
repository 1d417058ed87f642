"""One function per message. Each renders templates/emails/<name>-subject.txt,
<name>-body.txt and <name>-body.html and sends through the configured backend
(the console in development, a django-anymail ESP in production)."""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from petitions.campaign import top_countries
from petitions.models import Invitation, Organizer, Petition, Signature, Update

# Where the supporters are, in the organizer's summary when a petition closes.
SUMMARY_COUNTRIES = 5


def send(name: str, to: str, context: dict, *, headers: dict | None = None) -> None:
    """Every email is the site's own, written by no person: its Message-ID names the site's
    domain (not the worker's host name, which spam filters hold against it), and
    Auto-Submitted keeps auto-responders from answering it (RFC 3834)."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    if signature := context.get("signature"):
        context.setdefault("withdraw_url", signature.withdrawal_url())
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{name}-body.txt", context),
        to=[to],
        headers={
            "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
            "Auto-Submitted": "auto-generated",
            **(headers or {}),
        },
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


def send_update(update: Update, signature: Signature) -> None:
    """An update to one supporter, with one-click unsubscribe (RFC 8058): a mail client
    POSTs List-Unsubscribe=One-Click to the link, which the unsubscribe view accepts."""
    unsubscribe_url = signature.unsubscribe_url()
    send(
        "update",
        signature.email,
        {
            **update_context(update),
            "signature": signature,
            "name": signature.name,
            "unsubscribe_url": unsubscribe_url,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_update_test(update: Update, to: str) -> None:
    """The same update to the organizer, to see before supporters do: "[Test]" in its
    subject, in the petition's language, and links to the petition where a supporter's
    would unsubscribe or withdraw them."""
    petition = update.petition
    with translation.override(petition.language or settings.LANGUAGE_CODE):
        send(
            "update",
            to,
            {
                **update_context(update),
                "is_test": True,
                "name": petition.starter_name,
                "unsubscribe_url": petition.absolute_url,
                "withdraw_url": petition.absolute_url,
            },
        )


def update_context(update: Update) -> dict:
    petition = update.petition
    return {
        "update": update,
        "petition": petition,
        "update_url": update.absolute_url,
        "petition_url": petition.absolute_url,
    }


def send_closing_reminder(petition: Petition) -> None:
    """To the organizer, CLOSING_REMINDER_DAYS before the closing time: a last push."""
    send(
        "closing-reminder",
        petition.organizer_email,
        {
            "petition": petition,
            "days": petition.days_to_close(),
            "supporters": petition.supporters,
            "petition_url": petition.absolute_url,
            "admin_url": admin_url("admin:petitions_petition_change", petition),
        },
    )


def send_closed_summary(petition: Petition) -> None:
    """To the organizer, once the petition has closed: what it gathered, and where to get
    the delivery pack for the decision makers."""
    online = petition.supporters
    send(
        "closed-summary",
        petition.organizer_email,
        {
            "petition": petition,
            "online": online,
            "paper": petition.paper_count,
            "total": online + petition.paper_count,
            "countries": top_countries(petition, limit=SUMMARY_COUNTRIES),
            "petition_url": petition.absolute_url,
            "pack_url": admin_url("admin:petitions_petition_delivery_pack", petition),
        },
    )


def admin_url(name: str, petition: Petition) -> str:
    return settings.SITE_URL + reverse(name, args=[petition.pk])


def send_starter_confirmation(petition: Petition) -> None:
    """To whoever started a petition on the site: the link that confirms their email and
    sends the petition to the moderators."""
    from petitions.starting import confirm_url  # the starter's pages queue through the outbox

    send(
        "starter-confirm",
        petition.organizer_email,
        {
            "petition": petition,
            "confirm_url": confirm_url(petition),
            "link_days": settings.CONFIRMATION_LINK_MAX_AGE // 86400,
        },
    )


def send_published(petition: Petition) -> None:
    """To the starter, once a moderator published it: it is live, and how to sign in to
    run it: the link to set a password for a new account, else the admin's login page."""
    from petitions.accounts import set_password_url, user_for_email

    user = user_for_email(petition.organizer_email)
    has_password = user.has_usable_password()
    send(
        "published",
        petition.organizer_email,
        {
            "petition": petition,
            "petition_url": petition.absolute_url,
            "has_password": has_password,
            "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "username": user.get_username(),
            "sign_in_url": (
                settings.SITE_URL + reverse("admin:login")
                if has_password
                else set_password_url(user)
            ),
        },
    )


def send_rejected(petition: Petition) -> None:
    """To the starter: the moderator's reason, in words, and their note."""
    send(
        "rejected",
        petition.organizer_email,
        {"petition": petition, "reason": petition.get_rejection_reason_display()},
    )


def send_changes_asked(petition: Petition) -> None:
    """To the starter: the changes the moderator asks for, and the link to make them."""
    from petitions.starting import edit_url  # the starter's pages queue through the outbox

    send(
        "changes-asked",
        petition.organizer_email,
        {"petition": petition, "edit_url": edit_url(petition)},
    )


def send_invitation(invitation: Invitation) -> None:
    """To the invited address: who invites them to organize which petition, with which
    role, and the link to accept (signed now, so it works LINK_MAX_AGE from sending)."""
    from petitions.invitations import LINK_MAX_AGE, accept_url  # it queues through the outbox

    petition = invitation.petition
    send(
        "invitation",
        invitation.email,
        {
            "invitation": invitation,
            "petition": petition,
            "is_editor": invitation.role == Organizer.Role.EDITOR,
            "invited_by": invitation.invited_by,
            "accept_url": accept_url(invitation),
            "link_days": LINK_MAX_AGE.days,
        },
    )
