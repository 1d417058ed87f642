import datetime as dt
import ipaddress
import re
from functools import cached_property
from typing import NamedTuple

import markdown
import nh3
from django.conf import global_settings, settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import connection, models, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Lower
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from petitions.markup import AutolinkExtension

# Sent inside the transaction that changes a signature's status, so that the supporter counter
# commits with the change (see petitions/signals.py).
signature_status_changed = Signal()
# The same for many signatures moderated or deleted at once, with each petition's change of
# supporters (deltas: {petition_id: n}), so that each counter moves once.
supporters_changed = Signal()

# Top-level paths that a petition's slug must not shadow.
RESERVED_SLUGS = {
    "admin",
    "static",
    "media",
    "privacy",
    "healthz",
    "readyz",
    "i18n",
    "api",
    "start",
}

# How many of the latest public supporters the appeal page shows.
RECENT_SUPPORTERS = 10

# The HTML that organizers' Markdown may produce; everything else is stripped.
BODY_TAGS = {"p", "br", "a", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "hr"}


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


def render_markdown(text: str) -> str:
    html = markdown.markdown(text, output_format="html", extensions=[AutolinkExtension()])
    return nh3.clean(html, tags=BODY_TAGS, link_rel="nofollow noopener")


# PostgreSQL's text search configuration for each language it has one for, by the first
# part of Django's code (pt-br: portuguese); others search with "simple" (no stemming).
TEXT_SEARCH_CONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}


def text_search_config() -> models.Case:
    """The text search configuration of each row's language, as an SQL expression."""
    by_config = {}
    for code, _name in global_settings.LANGUAGES:
        if config := TEXT_SEARCH_CONFIGS.get(code.split("-")[0]):
            by_config.setdefault(config, []).append(code)
    whens = [When(language__in=codes, then=Value(c)) for c, codes in by_config.items()]
    return Case(*whens, default=Value("simple"), output_field=models.CharField())


class CounterRow(NamedTuple):
    """A petition's counter as the change of it in this transaction left it: exact until
    the transaction ends, as the change holds the row's lock (Petition.add_supporters)."""

    petition_id: int
    supporters: int
    last_milestone: int
    goal: int | None


class PetitionQuerySet(models.QuerySet):
    def public(self):
        """Petitions anyone may see: open and closed, never drafts nor rejected ones."""
        return self.filter(state__in=Petition.PUBLIC_STATES)

    def awaiting_review(self):
        """The moderation queue: petitions started on the site whose starter confirmed their
        email, oldest first."""
        return self.filter(state=Petition.State.DRAFT, review=Petition.Review.AWAITING).order_by(
            "submitted_at", "pk"
        )

    def search(self, text: str):
        """Petitions whose title, summary or text match the words, by PostgreSQL's full-text
        search in each petition's own language (its stemming and stop words); elsewhere
        (SQLite in development) a plain substring match."""
        if connection.vendor != "postgresql":
            words = Q(title__icontains=text) | Q(summary__icontains=text)
            return self.filter(words | Q(body__icontains=text))
        config = text_search_config()
        vector = SearchVector("title", "summary", "body", config=config)
        query = SearchQuery(text, config=config, search_type="websearch")
        return self.annotate(search_vector=vector).filter(search_vector=query)

    def like(self, title: str):
        """Petitions that share any word of this title, most alike first: the duplicates a
        starter or a moderator should see. Elsewhere than PostgreSQL, any word as a
        substring of the title or summary, newest first."""
        words = [w for w in re.findall(r"\w+", title) if w.lower() not in ("or", "and")]
        if not words:
            return self.none()
        if connection.vendor != "postgresql":
            any_word = Q()
            for word in words:
                any_word |= Q(title__icontains=word) | Q(summary__icontains=word)
            return self.filter(any_word).order_by("-created_at")
        text = " or ".join(words)
        config = text_search_config()
        query = SearchQuery(text, config=config, search_type="websearch")
        matches = self.search(text).annotate(rank=SearchRank(F("search_vector"), query))
        return matches.order_by("-rank", "-created_at")

    def accepting_signatures(self, now=None):
        """Open petitions whose closing time, if they have one, has not come: the same test
        as Petition.is_open, for the statements that sign."""
        now = now or timezone.now()
        not_yet = Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        return self.filter(not_yet, state=Petition.State.OPEN)

    def close_due(self, now=None) -> int:
        """Close the open petitions whose closing time has passed, as of that time, and
        queue their organizers' summaries in the same transaction (the worker's every few
        seconds); returns how many closed."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked rows: one an admin is closing right now is skipped, and is closed
            # (with its summary) by the admin's transaction instead.
            due = self.filter(state=Petition.State.OPEN, closes_at__lte=now)
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
            Petition.objects.filter(pk__in=ids).update(
                state=Petition.State.CLOSED, closed_at=F("closes_at"), updated_at=now
            )
            Petition.objects.filter(pk__in=ids).queue_organizer_emails(
                OutgoingEmail.Kind.CLOSED_SUMMARY
            )
        return len(ids)

    def remind_closing(self, now=None) -> int:
        """Queue the organizer's reminder for open petitions closing within
        CLOSING_REMINDER_DAYS, once per closing time: claimed by a conditional UPDATE of
        reminded_for, so two workers never both send it and a new closing time re-arms it.
        Returns how many were queued."""
        now = now or timezone.now()
        soon = now + dt.timedelta(days=settings.CLOSING_REMINDER_DAYS)
        not_reminded = (
            Q(reminded_for__isnull=True)
            | Q(reminded_for__lt=F("closes_at"))
            | Q(reminded_for__gt=F("closes_at"))
        )
        with transaction.atomic():
            due = self.filter(
                not_reminded, state=Petition.State.OPEN, closes_at__gt=now, closes_at__lte=soon
            ).exclude(organizer_email="")
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
            Petition.objects.filter(not_reminded, pk__in=ids).update(reminded_for=F("closes_at"))
            Petition.objects.filter(pk__in=ids).queue_organizer_emails(
                OutgoingEmail.Kind.CLOSING_REMINDER
            )
        return len(ids)

    def queue_organizer_emails(self, kind: str) -> int:
        """Queue an email of this kind to each of these petitions' organizers (none without
        an address), in the site's language and the caller's transaction."""
        ids = self.exclude(organizer_email="").values_list("pk", flat=True)
        emails = OutgoingEmail.objects.bulk_create(
            OutgoingEmail(kind=kind, petition_id=pk, language=settings.LANGUAGE_CODE) for pk in ids
        )
        return len(emails)

    def touch(self) -> int:
        """Mark as edited, so that cached pages made from the old version are not used."""
        return self.update(updated_at=timezone.now())

    def add_supporters_each(self, deltas: dict[int, int]) -> list[CounterRow]:
        """Petition.add_supporters(deltas[pk]) for each petition that moves, in id order, so
        that concurrent callers take the counters' locks in the same order; returns their
        CounterRows."""
        moving = self.filter(pk__in=[pk for pk, n in deltas.items() if n]).order_by("pk")
        rows = [
            Petition(pk=pk).add_supporters(deltas[pk]) for pk in moving.values_list("pk", flat=True)
        ]
        return [row for row in rows if row is not None]


class Ask(models.TextChoices):
    """Whether the sign form asks for one of the extra fields a petition may choose."""

    NO = "no", "Not asked"
    OPTIONAL = "optional", "Optional"
    REQUIRED = "required", "Required"


# The extra fields a petition may ask signers for: Signature field -> Petition field.
EXTRA_FIELDS = {
    "postcode": "ask_postcode",
    "organisation": "ask_organisation",
    "job_title": "ask_job_title",
    "phone": "ask_phone",
}


class Petition(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        # Refused by a moderator: its page says why (petitions/moderation.py).
        REJECTED = "rejected", "Rejected"

    # Where a draft started on the site is in its review; empty for one made in the admin.
    class Review(models.TextChoices):
        NONE = "", "Not started on the site"
        UNCONFIRMED = "unconfirmed", "Email not yet confirmed"
        AWAITING = "awaiting", "Awaiting moderation"
        CHANGES = "changes", "Changes asked for"

    class RejectionReason(models.TextChoices):
        DUPLICATE = "duplicate", _("There is already a petition about this")
        NOT_ACTIONABLE = "not-actionable", _("It asks for something no decision maker can do")
        OFFENSIVE = "offensive", _("It is offensive or unlawful")
        PERSONAL_INFORMATION = "personal-information", _("It includes personal information")
        OTHER = "other", _("Another reason")

    class Outcome(models.TextChoices):
        NONE = "none", _("No outcome yet")
        VICTORY = "victory", _("Victory")
        RESPONDED = "responded", _("The decision maker responded")
        DECLINED = "declined", _("Declined")
        NO_RESPONSE = "no-response", _("No response")

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug_not_reserved])
    title = models.CharField(max_length=200)
    # Pages mark the organizer's words with it where the reader's interface language differs
    # (WCAG 3.1.2), so that a screen reader pronounces them in their own language.
    language = models.CharField(
        "written in",
        max_length=10,
        choices=global_settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language of the title, the texts, the letter and the recipients.",
    )
    body = models.TextField(
        help_text="Markdown: blank lines separate paragraphs; [text](url) links."
    )
    summary = models.CharField(
        max_length=200,
        blank=True,
        help_text="One or two sentences for link previews and the list of petitions. "
        "Leave empty to use the start of the text.",
    )
    letter = models.TextField(help_text="The letter every signature adds its name to.")
    image = models.ImageField(
        upload_to="petitions/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="Optional. Shown on the page and in link previews; 1200 × 630 pixels suits "
        "most sites.",
    )
    # Filled in from the uploaded file, so that pages never open it to learn its size.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image description",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who cannot see it.",
    )
    starter_name = models.CharField("started by", max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    closed_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(
        "closes at",
        null=True,
        blank=True,
        help_text="Optional. Signing stops then, and the petition closes within a minute. "
        "In the site's time zone.",
    )
    outcome = models.CharField(
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.NONE,
        help_text="What came of a closed petition.",
    )
    outcome_statement = models.TextField(
        "organizer's statement",
        blank=True,
        help_text="Markdown, shown with the outcome on the petition's page.",
    )
    outcome_on = models.DateField("outcome date", null=True, blank=True)
    goal = models.PositiveIntegerField(
        null=True, blank=True, help_text="Optional number of supporters to aim for."
    )
    organizer_email = models.EmailField(
        "organizer's email", blank=True, help_text="Where milestone emails go (100 supporters, …)."
    )
    ask_postcode = models.CharField("postcode", max_length=10, choices=Ask.choices, default=Ask.NO)
    ask_organisation = models.CharField(
        "organisation", max_length=10, choices=Ask.choices, default=Ask.NO
    )
    ask_job_title = models.CharField(
        "job title", max_length=10, choices=Ask.choices, default=Ask.NO
    )
    ask_phone = models.CharField("phone number", max_length=10, choices=Ask.choices, default=Ask.NO)
    # The closing time the organizer's reminder was sent for, claimed by a conditional
    # UPDATE so that it is sent once per closing time (a new closing time re-arms it).
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    # The highest milestone announced to the organizer; claimed by a conditional UPDATE so
    # that each is sent once (see petitions/milestones.py).
    last_milestone = models.PositiveIntegerField(default=0, editable=False)
    # Equals the petition's confirmed signatures (Petition.supporters); only ever changed in
    # the transaction that confirms or deletes a signature (see petitions/signals.py), and by
    # the recount.
    supporter_count = models.PositiveIntegerField(default=0, editable=False)
    review = models.CharField(
        max_length=12, choices=Review.choices, blank=True, default=Review.NONE, editable=False
    )
    # When the starter confirmed their email: the moderation queue's order.
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last moderation decision: publish, reject or ask for changes.
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    rejection_reason = models.CharField(
        max_length=20, choices=RejectionReason.choices, blank=True, default="", editable=False
    )
    # The moderator's words to the starter: the changes asked for, or why "other".
    moderation_note = models.TextField(blank=True, default="", editable=False)
    # When the title, summary, text or letter last changed after publication ("Edited on").
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PetitionQuerySet.as_manager()

    PUBLIC_STATES = (State.OPEN, State.CLOSED)
    # What a revision keeps: the words supporters signed.
    TEXT_FIELDS = ("title", "summary", "body", "letter")
    STARTER_CONFIRM_SALT = "petitions.petition.confirm-starter"

    class Meta:
        ordering = ["-created_at"]
        permissions = [("moderate_petition", "Can publish or reject petitions started on the site")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="closed_at_only_when_closed",
                violation_error_message="A closed petition needs its closing date, and only it.",
            ),
            models.CheckConstraint(condition=Q(goal__gt=0), name="goal_is_positive"),
            models.CheckConstraint(
                condition=Q(outcome="none") | Q(state="closed"),
                name="outcome_only_when_closed",
                violation_error_message="Only a closed petition can have an outcome.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="none") | Q(outcome_statement="", outcome_on__isnull=True),
                name="outcome_statement_needs_outcome",
                violation_error_message="A statement or an outcome date needs an outcome.",
            ),
            models.CheckConstraint(
                condition=Q(review="") | Q(state="draft"),
                name="review_only_of_drafts",
                violation_error_message="Only a draft can be in review.",
            ),
            models.CheckConstraint(
                condition=Q(state="rejected", reviewed_at__isnull=False) & ~Q(rejection_reason="")
                | ~Q(state="rejected") & Q(rejection_reason=""),
                name="rejected_with_a_reason",
                violation_error_message="A rejected petition needs its reason, and only it.",
            ),
            models.CheckConstraint(
                condition=~Q(review="awaiting") | Q(submitted_at__isnull=False),
                name="awaiting_review_since",
                violation_error_message="A petition awaiting review needs its submission time.",
            ),
        ]

    def __str__(self):
        return self.title

    # Moved only by their own UPDATEs, in the transactions that count (add_supporters,
    # milestones): saving a copy read before a confirmation must not write its count back.
    COUNTED_FIELDS = ("supporter_count", "last_milestone")

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            kwargs.setdefault(
                "update_fields",
                [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name not in self.COUNTED_FIELDS
                ],
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("petitions:appeal", args=[self.slug])

    @cached_property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @cached_property
    def outcome_statement_html(self) -> str:
        return render_markdown(self.outcome_statement)

    @property
    def has_outcome(self) -> bool:
        return self.outcome != self.Outcome.NONE

    def asks(self, field: str) -> str:
        """Whether the sign form asks for this extra Signature field (an Ask)."""
        return getattr(self, EXTRA_FIELDS[field])

    @property
    def asked_fields(self) -> list[str]:
        """The extra Signature fields the sign form asks for, in the form's order."""
        return [field for field in EXTRA_FIELDS if self.asks(field) != Ask.NO]

    @property
    def absolute_url(self) -> str:
        """The petition's address to share and to name as canonical."""
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def preview_text(self) -> str:
        """The summary, or the start of the text, for link previews."""
        if self.summary:
            return self.summary
        text = " ".join(strip_tags(self.body_html).split())
        return Truncator(text).chars(200)

    @property
    def image_absolute_url(self) -> str:
        """The image's URL for link previews, which need it absolute."""
        if not self.image:
            return ""
        url = self.image.url
        return settings.SITE_URL + url if url.startswith("/") else url

    def signatures_by_country(self) -> list[tuple[str, str, int]]:
        """(code, name, count) of the confirmed signatures per country, most first: one
        GROUP BY on signature_country_idx, exact as the counter is (the counts sum to the
        confirmed rows). Names are in the active language."""
        rows = (
            self.signatures.confirmed()
            .order_by()
            .values_list("country")
            .annotate(n=Count("pk"))
            .order_by("-n", "country")
        )
        return [(code, countries.name(code) or code, n) for code, n in rows]

    def recent_supporters(self, limit: int = RECENT_SUPPORTERS):
        """The latest confirmed signers who chose to be shown, newest first. One query on
        signature_recent_idx; nothing of the others, and never their email."""
        return (
            self.signatures.confirmed()
            .filter(is_public=True)
            .order_by("-confirmed_at")
            .only("petition", "name", "country", "comment", "confirmed_at")[:limit]
        )

    @property
    def supporters(self) -> int:
        """The number of supporters: the counter, as read with the row."""
        return self.supporter_count

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("paper_count", None)  # read afresh next time
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        """Accepting signatures: open, and before its closing time if it has one (the
        worker closes it within a minute; until then it is open in name only)."""
        return self.state == self.State.OPEN and not self.is_past_closing_time()

    def is_past_closing_time(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def days_to_close(self, now=None) -> int | None:
        """Calendar days until the closing time in the site's time zone (0: today), for
        "Closes in 12 days"; None without one or once it has passed."""
        now = now or timezone.now()
        if self.closes_at is None or self.closes_at <= now:
            return None
        return (timezone.localdate(self.closes_at) - timezone.localdate(now)).days

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @cached_property
    def paper_count(self) -> int:
        """Signatures counted on paper: shown beside the online counter, never in it."""
        return self.paper_signatures.aggregate(n=Coalesce(Sum("count"), 0))["n"]

    @property
    def total_count(self) -> int:
        return self.supporters + self.paper_count

    @property
    def goal_percent(self) -> int:
        # Online supporters only: the goal is what the live counter shows.
        if not self.goal:
            return 0
        return min(100, self.supporters * 100 // self.goal)

    def close(self, when=None) -> None:
        """Close now (or when), or at the closing time if that has already passed: the time
        signing stopped, which becomes the closing time too."""
        when = when or timezone.now()
        with transaction.atomic():
            # Locked and read afresh: closing twice, or as the worker closes it, queues one
            # summary.
            locked = Petition.objects.select_for_update().filter(pk=self.pk)
            was_closed = locked.values_list("state", flat=True).get() == self.State.CLOSED
            self.state = self.State.CLOSED
            self.closed_at = self.closes_at = min(when, self.closes_at or when)
            self.save(update_fields=["state", "closed_at", "closes_at", "updated_at"])
            if not was_closed:
                locked.queue_organizer_emails(OutgoingEmail.Kind.CLOSED_SUMMARY)

    def open(self) -> None:
        """Publish a draft: it becomes public and accepts signatures."""
        self.state = self.State.OPEN
        self.save(update_fields=["state", "updated_at"])

    def reopen(self) -> None:
        """Accept signatures again, without the outcome, and without a closing time that
        has passed (it would close again at once): the organizer may set a new one."""
        self.state = self.State.OPEN
        self.closed_at = None
        if self.is_past_closing_time():
            self.closes_at = None
        self.outcome, self.outcome_statement, self.outcome_on = self.Outcome.NONE, "", None
        self.save(
            update_fields=[
                "state",
                "closed_at",
                "closes_at",
                "outcome",
                "outcome_statement",
                "outcome_on",
                "updated_at",
            ]
        )

    # One statement that moves the counter, never read-modify-write, and returns what the
    # milestones need (petitions/milestones.py): the ORM's update() returns only a row count.
    ADD_SUPPORTERS_SQL = (
        "UPDATE petitions_petition SET supporter_count = supporter_count + %s WHERE id = %s"
        " RETURNING supporter_count, last_milestone, goal"
    )

    def add_supporters(self, n: int) -> CounterRow | None:
        """Count n more supporters (n < 0: fewer), in the caller's transaction, which holds
        the row's lock from here until it ends. Returns the row as it is then (None if the
        petition is gone), and keeps supporter_count in step."""
        with connection.cursor() as cursor:
            cursor.execute(self.ADD_SUPPORTERS_SQL, [n, self.pk])
            row = cursor.fetchone()
        if row is None:
            return None
        self.supporter_count = row[0]
        return CounterRow(self.pk, *row)

    def recount_supporters(self) -> int:
        """Set the counter from the signature rows; return the drift that was corrected."""
        with transaction.atomic():
            # The row's lock first, which every change of the counter holds until it commits:
            # the count that follows sees each counted confirmation committed and none
            # half-done, and none can count before this commits.
            locked = Petition.objects.select_for_update().filter(pk=self.pk)
            stored = locked.values_list("supporter_count", flat=True).get()
            actual = self.signatures.confirmed().count()
            locked.update(supporter_count=actual)
        self.supporter_count = actual
        return actual - stored

    def delete(self, *args, **kwargs):
        """Delete the petition with its signatures and everything else of it. The emails
        queued for its signatures go first (OutgoingEmail.signature does not cascade); then
        Django's collector fast-deletes the signatures in one statement, none loaded, as
        Signature has no delete receivers and nothing cascades to it. Its counter goes
        with it."""
        with transaction.atomic():
            emails, _ = OutgoingEmail.objects.filter(signature__petition=self).delete()
            total, counts = super().delete(*args, **kwargs)
        if emails:
            counts[OutgoingEmail._meta.label] = counts.get(OutgoingEmail._meta.label, 0) + emails
        return total + emails, counts


class PetitionInReview(Petition):
    """Petitions started on the site, as the moderation queue lists them (its own admin)."""

    class Meta:
        proxy = True
        verbose_name = "petition awaiting moderation"
        verbose_name_plural = "moderation queue"


class Recipient(models.Model):
    """A decision maker the petition's letter is addressed to."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="recipients")
    role = models.CharField(max_length=200, help_text="e.g. Chinese Ambassador to the UK")
    name = models.CharField(max_length=200, help_text="e.g. Liu Xiaoming")
    position = models.PositiveSmallIntegerField(default=0)
    responded_on = models.DateField("responded on", null=True, blank=True)
    response = models.TextField(
        blank=True, help_text="Markdown: the decision maker's answer, as they gave it."
    )
    response_url = models.URLField("link to the response", blank=True)
    response_file = models.FileField(
        "response (PDF)",
        upload_to="responses/",
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(responded_on__isnull=False)
                | Q(response="", response_url="", response_file=""),
                name="response_has_its_date",
                violation_error_message="A response needs the date it was given.",
            ),
        ]

    def __str__(self):
        return f"{self.role} {self.name}".strip()

    @property
    def has_response(self) -> bool:
        return self.responded_on is not None

    @cached_property
    def response_html(self) -> str:
        return render_markdown(self.response)


class Organizer(models.Model):
    """A user who runs a petition in the admin: an editor edits it, exports and moderates
    its signatures; a viewer sees its numbers and charts, no personal data. Staff with the
    site-wide permissions (moderators) see every petition without being organizers."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor (edits, exports, moderates signatures)"
        VIEWER = "viewer", "Viewer (numbers and charts, no personal data)"

    # Both indexed by the constraint and the index below, which start with them.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="organizers", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organizing",
        db_index=False,
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "user"], name="one_role_per_organizer"),
        ]
        indexes = [models.Index(fields=["user", "role"], name="organizer_user_idx")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) of {self.petition_id}"


class Invitation(models.Model):
    """An invitation, by email, to organize a petition; its link is accepted once."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Organizer.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SALT = "petitions.invitation.accept"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False),
                name="accepted_by_when_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.petition_id}"


class AccessLog(models.Model):
    """One access to supporters' personal data: who, when, which petition, how many rows.
    It names no supporter, so that an erasure leaves nothing of them here."""

    class Action(models.TextChoices):
        EXPORT = "export", "CSV export"
        DELIVERY_PACK = "delivery-pack", "Delivery pack"
        VIEW_SIGNATURE = "view-signature", "Viewed a signer's record"
        LIST_SIGNATURES = "list-signatures", "Listed signatures"
        ERASE = "erase", "Erasure"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept when the user is deleted: the log outlives accounts.
    username = models.CharField(max_length=150)
    # None for an erasure across petitions; the title is kept when the petition goes.
    petition = models.ForeignKey(
        Petition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # accesslog_petition_idx starts with it
    )
    petition_title = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["petition", "-at"], name="accesslog_petition_idx"),
            models.Index(fields=["-at"], name="accesslog_at_idx"),
        ]

    def __str__(self):
        return f"{self.username}: {self.get_action_display()} ({self.rows})"


class PetitionRevision(models.Model):
    """The words of a published petition as they were before an edit."""

    # Indexed by revision_petition_idx, which starts with it.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    letter = models.TextField()
    # When these words were replaced, and by whom.
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["petition", "-replaced_at"], name="revision_petition_idx")]

    def __str__(self):
        return f"{self.title} (until {self.replaced_at:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """The letter and the signatures handed to one recipient, with the counts delivered."""

    class Method(models.TextChoices):
        EMAIL = "email", _("by email")
        HAND = "hand", _("by hand")
        POST = "post", _("by post")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField()
    method = models.CharField(max_length=10, choices=Method.choices)
    # The counts in the delivery pack that was used: online (confirmed) and on paper.
    signatures = models.PositiveIntegerField("online signatures delivered")
    paper_signatures = models.PositiveIntegerField("paper signatures delivered", default=0)
    pack_made_at = models.DateTimeField("delivery pack made at", null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.recipient} on {self.delivered_on}"


class PaperSignatures(models.Model):
    """Signatures collected on paper and counted by the organizer: shown apart from the
    online counter, which stays exactly the confirmed rows."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="paper_signatures"
    )
    received_on = models.DateField()
    count = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = "paper signatures"
        verbose_name_plural = "paper signatures"
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="paper_count_positive")
        ]

    def __str__(self):
        return f"{self.count} on paper, {self.received_on}"


class UpdateQuerySet(models.QuerySet):
    def published(self):
        """The updates shown on the petition's page and in its feed, newest first."""
        return self.filter(published_at__isnull=False).order_by("-published_at", "-number")


class Update(models.Model):
    """News of a petition for its supporters: shown on its page and, once published with
    email, sent to every confirmed signer who agreed to hear from the organizer."""

    # Indexed by update_number_unique, which starts with it.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="updates", db_index=False
    )
    # 1, 2, ... within the petition: its address, /<slug>/updates/<number>/.
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown, as the petition's text.")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Emailing: when it began, how many consenting signers there were then, how far the
    # worker has queued them (signature ids up to queued_through), when it finished queuing,
    # and when the organizer cancelled the rest.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_total = models.PositiveIntegerField(default=0, editable=False)
    queued_through = models.BigIntegerField(default=0, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "number"], name="update_number_unique"),
            models.CheckConstraint(
                condition=Q(emailed_at__isnull=True) | Q(published_at__isnull=False),
                name="update_emailed_only_when_published",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(emailed_at__isnull=False),
                name="update_cancelled_only_when_emailed",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.number is None:
            last = Update.objects.filter(petition_id=self.petition_id).aggregate(
                n=models.Max("number")
            )["n"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("petitions:update", args=[self.petition.slug, self.number])

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def absolute_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def excerpt(self) -> str:
        """The start of the text, for an older update on the petition's page."""
        return Truncator(" ".join(strip_tags(self.body_html).split())).words(40)


class SignatureQuerySet(models.QuerySet):
    def confirmed(self):
        """The signatures that count: one supporter each."""
        return self.filter(status=Signature.Status.CONFIRMED)

    def pending(self):
        return self.filter(status=Signature.Status.PENDING)

    def by_email(self, email: str):
        # LOWER(email), as in the unique constraint, so that its index serves the lookup.
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def locked_rows(self, **excluded) -> list[tuple[int, int, str]]:
        """(id, petition_id, status) of these signatures but the excluded, locked until the
        transaction ends, in id order as every change of many locks them, with the status
        they have now: one confirmed since a moderator's list was shown counts as confirmed."""
        chosen = list(self.values_list("pk", flat=True))
        rows = Signature.objects.filter(pk__in=chosen).exclude(**excluded).order_by("pk")
        return list(rows.select_for_update().values_list("pk", "petition_id", "status"))

    def moderate(self, status: str) -> int:
        """A moderator's decision for these signatures: hold, remove as spam, or restore
        (confirm). One transaction however many there are, each petition's counter moved
        once in it; returns how many changed."""
        with transaction.atomic():
            changing = self.locked_rows(status=status)
            if not changing:
                return 0
            changes = {"status": status}
            if status == Signature.Status.CONFIRMED:
                changes["confirmed_at"] = Coalesce("confirmed_at", Value(timezone.now()))
            Signature.objects.filter(pk__in=[row[0] for row in changing]).update(**changes)
            supporters_changed.send(sender=Signature, deltas=supporter_deltas(changing, status))
        return len(changing)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete these signatures and the emails queued for them in one transaction, each
        petition's counter moved once by the confirmed ones among them, with the status the
        locked rows have (a stale copy confirmed since counts as confirmed). Every delete of
        signatures comes here, one signature's too (Signature.delete)."""
        with transaction.atomic():
            going = self.locked_rows()
            if not going:
                return 0, {}
            pks = [row[0] for row in going]
            # First, as OutgoingEmail.signature does not cascade: with no delete receivers
            # on Signature and nothing cascading to it, Django's collector then deletes the
            # signatures in one statement, none loaded (tests/test_admin_signature_delete.py).
            emails = OutgoingEmail.objects.filter(signature__in=pks).delete()[0]
            total, counts = super(SignatureQuerySet, Signature.objects.filter(pk__in=pks)).delete()
            supporters_changed.send(sender=Signature, deltas=supporter_deltas(going, None))
        if emails:
            counts[OutgoingEmail._meta.label] = counts.get(OutgoingEmail._meta.label, 0) + emails
        return total + emails, counts


def supporter_deltas(rows: list[tuple[int, int, str]], new: str | None) -> dict[int, int]:
    """{petition_id: n}: how the counters move when these rows' status becomes new (None:
    deleted)."""
    deltas = {}
    for _pk, petition_id, old in rows:
        deltas[petition_id] = deltas.get(petition_id, 0) + supporter_delta(old, new)
    return deltas


def supporter_delta(old: str, new: str | None) -> int:
    """How a change of status from old to new (None: deleted) moves the counter: +1, -1
    or 0."""
    confirmed = Signature.Status.CONFIRMED
    return (new == confirmed) - (old == confirmed)


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        HELD = "held", "Held for review"
        REMOVED = "removed", "Removed as spam"

    # Indexed by the unique constraint and the indexes below, which all start with it: one
    # index fewer to update on every signature.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    name = models.CharField("full name", max_length=100)
    # Stored trimmed with its domain lower-cased; unique per petition whatever its case.
    email = models.EmailField(max_length=254)
    country = CountryField(blank_label=_("Choose your country"))
    comment = models.TextField("why I'm signing", max_length=500, blank=True)
    is_public = models.BooleanField("show my name on the petition", default=False)
    may_contact = models.BooleanField("may the organizer contact me", default=False)
    # The extra fields the petition asks for (Petition.ask_*), empty when not asked.
    postcode = models.CharField(max_length=20, blank=True, db_default="")
    organisation = models.CharField(max_length=200, blank=True, db_default="")
    job_title = models.CharField("job title", max_length=200, blank=True, db_default="")
    phone = models.CharField("phone number", max_length=30, blank=True, db_default="")
    # Only confirmed signatures count. The status changes through confirm() and
    # moderate(), never by assignment, so that the counter moves with it.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # When the signer confirmed their email; kept if a moderator later holds or removes it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Why a moderator must look at it before it counts (a blocked email domain or address
    # range); such a signature is held, not confirmed, when its link is used.
    review_reason = models.CharField(max_length=200, blank=True, db_default="")
    # Keyed hashes of the client address and its network (/24 or /48), for spotting bursts;
    # never the address itself, and erased by purge_personal_data after a few days.
    ip_hash = models.CharField(max_length=32, blank=True, db_default="")
    network_hash = models.CharField(max_length=32, blank=True, db_default="")

    objects = SignatureQuerySet.as_manager()

    CONFIRM_SALT = "petitions.signature.confirm"
    WITHDRAW_SALT = "petitions.signature.withdraw"
    UNSUBSCRIBE_SALT = "petitions.signature.unsubscribe"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "petition", Lower("email"), name="one_signature_per_email_per_petition"
            ),
        ]
        indexes = [
            # Recent confirmed signers of a petition, newest first, the recount, and the
            # campaign panel's counts by status and confirmations per day.
            models.Index(
                fields=["petition", "status", "-confirmed_at"], name="signature_recent_idx"
            ),
            # The burst report and purge_personal_data: signatures by time.
            models.Index(fields=["created_at"], name="signature_created_idx"),
            # The campaign panel's top countries and Petition.signatures_by_country:
            # confirmed signatures grouped by country.
            models.Index(fields=["petition", "status", "country"], name="signature_country_idx"),
            # The campaign panel's latest signatures, and the CSV export and delivery pack in
            # signing order (with their date range).
            models.Index(fields=["petition", "created_at", "id"], name="signature_signed_idx"),
        ]
        permissions = [
            ("export_signatures", "Can export signatures"),
            ("view_signer_email", "Can see signers' email addresses"),
        ]

    def __str__(self):
        return f"{self.name} on {self.petition_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def public_name(self) -> str:
        """First name and the initial of the last: "Marie Curie" shows as "Marie C."."""
        first, *rest = self.name.split() or [""]
        return f"{first} {rest[-1][0]}." if rest else first

    def confirmation_token(self) -> str:
        return signing.dumps(self.pk, salt=self.CONFIRM_SALT, compress=True)

    def confirmation_url(self) -> str:
        path = reverse("petitions:confirm", args=[self.petition.slug, self.confirmation_token()])
        return settings.SITE_URL + path

    @classmethod
    def from_confirmation_token(cls, token: str, *, slug: str) -> "Signature":
        """The signature a link names, with its public petition read in the same query.
        Raises signing.SignatureExpired for an old link, signing.BadSignature for a forged
        one and DoesNotExist for a deleted one or one of another petition."""
        pk = signing.loads(token, salt=cls.CONFIRM_SALT, max_age=settings.CONFIRMATION_LINK_MAX_AGE)
        signatures = cls.objects.select_related("petition")
        return signatures.filter(petition__state__in=Petition.PUBLIC_STATES).get(
            pk=pk, petition__slug=slug
        )

    def withdrawal_token(self) -> str:
        return signing.dumps(self.pk, salt=self.WITHDRAW_SALT, compress=True)

    def withdrawal_url(self) -> str:
        path = reverse("petitions:withdraw", args=[self.petition.slug, self.withdrawal_token()])
        return settings.SITE_URL + path

    @classmethod
    def from_withdrawal_token(cls, token: str, *, slug: str) -> "Signature":
        """Raises signing.BadSignature or DoesNotExist (already withdrawn): the link works
        for as long as the signature exists."""
        pk = signing.loads(token, salt=cls.WITHDRAW_SALT)
        return cls.objects.select_related("petition").get(pk=pk, petition__slug=slug)

    def unsubscribe_token(self) -> str:
        return signing.dumps(self.pk, salt=self.UNSUBSCRIBE_SALT, compress=True)

    def unsubscribe_url(self) -> str:
        path = reverse("petitions:unsubscribe", args=[self.petition.slug, self.unsubscribe_token()])
        return settings.SITE_URL + path

    @classmethod
    def from_unsubscribe_token(cls, token: str, *, slug: str) -> "Signature":
        """Raises signing.BadSignature or DoesNotExist (withdrawn): like the withdrawal
        link, it works for as long as the signature exists."""
        pk = signing.loads(token, salt=cls.UNSUBSCRIBE_SALT)
        return cls.objects.select_related("petition").get(pk=pk, petition__slug=slug)

    def stop_updates(self) -> None:
        """No more updates of this petition by email; the signature stays and counts."""
        Signature.objects.filter(pk=self.pk).update(may_contact=False)
        self.may_contact = False

    def confirm(self) -> bool:
        """Count a pending signature, or hold it if it needs review; False if it was not
        pending (a double click counts once) or its petition no longer accepts signatures."""
        now = timezone.now()
        status = self.Status.HELD if self.review_reason else self.Status.CONFIRMED
        open_petition = Petition.objects.accepting_signatures(now).filter(pk=self.petition_id)
        with transaction.atomic():
            # The conditional UPDATE takes the row lock: of two concurrent confirmations,
            # the second waits, then matches nothing. It also checks the closing time, so
            # that a confirmation a moment after it counts nothing.
            updated = Signature.objects.filter(
                pk=self.pk, status=self.Status.PENDING, petition__in=open_petition.values("pk")
            ).update(status=status, confirmed_at=now)
            if updated:
                self.status, self.confirmed_at = status, now
                signature_status_changed.send(
                    sender=Signature, signature=self, old=self.Status.PENDING
                )
        return bool(updated)

    def moderate(self, status: "Signature.Status") -> bool:
        """SignatureQuerySet.moderate for this one: whether its status changed."""
        changed = Signature.objects.filter(pk=self.pk).moderate(status)
        stored = Signature.objects.filter(pk=self.pk).values_list("status", "confirmed_at")
        if current := stored.first():  # else deleted meanwhile
            self.status, self.confirmed_at = current
        return changed == 1

    def delete(self, using=None, keep_parents=False) -> tuple[int, dict[str, int]]:
        """SignatureQuerySet.delete for this one (a withdrawal, the admin's delete): its row
        locked, its queued emails deleted, its counter moved by the status it has then."""
        if self.pk is None:
            raise ValueError(f"{self!r} can't be deleted: its id is None.")
        deleted = Signature.objects.db_manager(using).filter(pk=self.pk).delete()
        self.pk = None
        return deleted


class BlockedEmailDomain(models.Model):
    """Signatures with an address at this domain (or below it) are held for review."""

    domain = models.CharField(max_length=253, unique=True, help_text="e.g. mailinator.com")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class BlockedNetwork(models.Model):
    """Signatures sent from this address range are held for review."""

    network = models.CharField(
        max_length=49, unique=True, help_text="An address or range: 203.0.113.0/24, 2001:db8::/32"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.network

    def clean(self):
        try:
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
        except ValueError:
            raise ValidationError(
                {"network": "Enter an address or a range like 203.0.113.0/24."}
            ) from None


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Unsent and due. A bulk email once started is never due again: at most once."""
        return self.filter(
            Q(bulk=False) | Q(started_at__isnull=True),
            sent_at__isnull=True,
            send_after__lte=now or timezone.now(),
        )


class OutgoingEmail(models.Model):
    """An email to send, stored in the transaction that needs it and sent by the worker
    (manage.py send_queued_emails), so that a crash or a provider outage loses none."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Please confirm your signature"
        ALREADY_SIGNED = "already-signed", "You have already signed"
        MILESTONE = "milestone", "Milestone reached (to the organizer)"
        UPDATE = "update", "An update (to a supporter)"
        CLOSING_REMINDER = "closing-reminder", "Closing soon (to the organizer)"
        CLOSED_SUMMARY = "closed-summary", "Closed: the summary (to the organizer)"
        STARTER_CONFIRM = "starter-confirm", "Please confirm your petition (to its starter)"
        PUBLISHED = "published", "Published: sign in to run it (to its starter)"
        REJECTED = "rejected", "Rejected, and why (to its starter)"
        CHANGES_ASKED = "changes-asked", "Changes asked for (to its starter)"
        INVITATION = "invitation", "Invited to organize a petition"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    # What the email is about: a signature, or for a milestone its petition and number.
    # DO_NOTHING: every delete of signatures (SignatureQuerySet.delete, Petition.delete)
    # deletes their emails first, so that Django's collector can delete the signatures in
    # one statement; the constraint, checked at commit, fails any delete that forgets them.
    signature = models.ForeignKey(
        Signature, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    milestone = models.PositiveIntegerField(null=True, blank=True)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Indexed by one_update_email_per_signer, which starts with it.
    update = models.ForeignKey(
        Update,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        db_index=False,
    )
    # Bulk emails (updates) go after every due transactional one, and at most once: the
    # worker marks started_at before it sends one and never retries it once marked, so a
    # worker killed mid-send may lose that one email but never sends it twice.
    bulk = models.BooleanField(default=False, db_default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    # The language of the page that caused it: the worker writes the email in it.
    language = models.CharField(max_length=10, blank=True, db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Not before then: a retry's backoff, or the lease of the worker sending it.
    send_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        indexes = [
            # The worker's poll: unsent emails that are due, transactional ones first.
            models.Index(
                fields=["bulk", "send_after"],
                condition=Q(sent_at__isnull=True),
                name="outgoing_email_due_idx",
            ),
        ]
        constraints = [
            # An update reaches each signer once, however often it is queued.
            models.UniqueConstraint(
                fields=["update", "signature"], name="one_update_email_per_signer"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({'sent' if self.sent_at else 'queued'})"

    def is_wanted(self) -> bool:
        """A confirmation request is moot once its signature left pending (e.g. confirmed
        through an earlier link); an update once its signer unsubscribed or was held, or
        the update was cancelled, since it was queued."""
        if self.kind == self.Kind.CONFIRM:
            return self.signature.status == Signature.Status.PENDING
        if self.kind == self.Kind.UPDATE:
            signature = self.signature
            return signature.is_confirmed and signature.may_contact and not self.update.cancelled_at
        if self.kind == self.Kind.CLOSING_REMINDER:
            # Moot once it closed, or lost its closing time or organizer, since it was queued.
            petition = self.petition
            return bool(petition.is_open and petition.closes_at and petition.organizer_email)
        if self.kind == self.Kind.CLOSED_SUMMARY:
            return bool(self.petition.organizer_email)
        if self.kind == self.Kind.STARTER_CONFIRM:  # moot once confirmed, or decided
            return self.petition.review == Petition.Review.UNCONFIRMED
        if self.kind == self.Kind.INVITATION:
            # Moot once accepted; a revoked one took its email with it.
            return self.invitation.accepted_at is None
        return True
