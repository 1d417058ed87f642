import datetime as dt
import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst

from petitions import (  # noqa: F401
    access_log,
    admin_access,
    admin_moderation,  # noqa: F401
    admin_organizers,
    emails,
    revisions,
    updates,
)
from petitions.abuse import bursts
from petitions.admin_scoping import PetitionFilter, PetitionScoped, PetitionScopedInline
from petitions.campaign import campaign_panel
from petitions.deliveries import DeliveryForm, record_deliveries
from petitions.exports import ExportForm, SignatureExport, delivery_pack
from petitions.forms import SignForm
from petitions.models import (
    AccessLog,
    BlockedEmailDomain,
    BlockedNetwork,
    Delivery,
    PaperSignatures,
    Petition,
    Recipient,
    Signature,
    Update,
)
from petitions.organizers import organizes
from petitions.privacy import erase_person
from petitions.responses import RecipientForm, update_prefill_url
from petitions.signing import queue_signing_email
from petitions.views import render_appeal, render_update

logger = logging.getLogger(__name__)


def whole_number(value: str | None, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# Each of these: the site-wide permission, or the petition's organizer with the role for it.
def can_see_emails(request: HttpRequest, petition: Petition | int) -> bool:
    return request.user.has_perm("petitions.view_signer_email") or organizes(
        request.user, petition, "personal_data"
    )


def can_view_signatures(request: HttpRequest, petition: Petition) -> bool:
    return request.user.has_perm("petitions.view_signature") or organizes(
        request.user, petition, "personal_data"
    )


def can_record_deliveries(request: HttpRequest, petition: Petition) -> bool:
    # The pack it comes from lists the signers: only who may see them records it.
    return can_view_signatures(request, petition) and (
        request.user.has_perm("petitions.add_delivery") or organizes(request.user, petition, "edit")
    )


def can_export(request: HttpRequest, petition: Petition) -> bool:
    return can_view_signatures(request, petition) and (
        request.user.has_perm("petitions.export_signatures")
        or organizes(request.user, petition, "personal_data")
    )


def can_add_update(request: HttpRequest, petition: Petition) -> bool:
    return request.user.has_perm("petitions.add_update") or organizes(
        request.user, petition, "edit"
    )


def petition_updates(request: HttpRequest, petition: Petition) -> list[Update] | None:
    """The petition's updates, newest first, for its change page; None for staff who may
    not see updates."""
    perms = ("petitions.view_update", "petitions.change_update")
    if not any(request.user.has_perm(perm) for perm in perms) and not organizes(
        request.user, petition, "view"
    ):
        return None
    return list(petition.updates.order_by("-number"))


def describe_progress(update: Update) -> str:
    """ "Sent to 41,200 of 103,000", with what is still queued, lost or cancelled."""
    if update.emailed_at is None:
        return "Not emailed"
    counts = updates.progress(update)
    text = f"Sent to {counts['sent']:,} of {counts['total']:,}"
    details = []
    if waiting := counts["queued"] - counts["sent"] - counts["lost"]:
        details.append(f"{waiting:,} queued")
    if counts["lost"]:
        details.append(f"{counts['lost']:,} lost")
    if update.cancelled_at is not None:
        details.append("the rest cancelled")
    return f"{text} ({', '.join(details)})" if details else text


class RecipientInline(PetitionScopedInline, admin.TabularInline):
    model = Recipient
    extra = 1
    fields = ["position", "role", "name"]
    # Deliveries and the response are recorded on the recipient's own page.
    show_change_link = True


class PaperSignaturesInline(PetitionScopedInline, admin.TabularInline):
    model = PaperSignatures
    extra = 0
    fields = ["received_on", "count", "note"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The form says what paper_count_positive would only refuse with its name.
        if db_field.name == "count":
            kwargs["min_value"] = 1
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DeliveryInline(PetitionScopedInline, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["delivered_on", "method", "signatures", "paper_signatures", "pack_made_at", "note"]
    readonly_fields = ["pack_made_at"]


def petition_revisions(request: HttpRequest, petition: Petition) -> list | None:
    """The words the petition had before each edit, newest first, for moderators, who judge
    whether an edit changed what supporters signed; None for everyone else."""
    if not request.user.has_perm("petitions.moderate_petition"):
        return None
    return list(petition.revisions.select_related("replaced_by"))


# Who sees a petition's organizer email: staff as before, and its editors, not its viewers.
PETITION_PERSONAL_FIELDS = ("organizer_email",)


@admin.register(Petition)
class PetitionAdmin(PetitionScoped, admin.ModelAdmin):
    list_display = [
        "title",
        "state",
        "closes_at",
        "outcome",
        "supporters",
        "goal",
        "starter_name",
        "created_at",
    ]
    list_filter = ["state", "outcome"]
    search_fields = ["title", "slug", "starter_name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["supporters", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "language",
                    "slug",
                    "starter_name",
                    "organizer_email",
                    "summary",
                    "body",
                    "letter",
                ]
            },
        ),
        ("Image", {"fields": ["image", "image_alt"]}),
        (
            "State",
            {"fields": ["state", "closes_at", "closed_at", "goal", "supporters"]},
        ),
        ("Outcome", {"fields": ["outcome", "outcome_on", "outcome_statement"]}),
        (
            "Sign form: extra fields",
            {
                "fields": ["ask_postcode", "ask_organisation", "ask_job_title", "ask_phone"],
                "description": "What the sign form also asks each signer for. Ask only what "
                "the campaign needs: it is personal data, exported with the signatures.",
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [RecipientInline, PaperSignaturesInline]
    actions = ["open_petitions", "close_petitions", "reopen_petitions"]
    to_petition = ""
    # Moderators add and delete petitions; organizers edit theirs.
    needs = {"view": "view", "change": "edit"}

    def sees_personal_data(self, request, petition: Petition | None) -> bool:
        if self.sees_every_petition(request):
            return True
        return petition is not None and organizes(request.user, petition, "personal_data")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.sees_personal_data(request, obj):
            return fieldsets
        hidden = PETITION_PERSONAL_FIELDS
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def has_publish_permission(self, request) -> bool:
        # Opening a draft publishes it: staff's, never an organizer's own (moderation).
        return self.site_wide(request, "change")

    def save_model(self, request, obj, form, change):
        if change:
            before = Petition.objects.get(pk=obj.pk)
            revisions.keep_revision(before, obj, by=request.user)
        super().save_model(request, obj, form, change)

    @admin.display(ordering="supporter_count")
    def supporters(self, petition: Petition) -> int:
        return petition.supporters

    def get_deleted_objects(self, objs, request):
        """What deleting these petitions takes with them, as Django's confirmation page shows
        it, but with signatures and recipients counted rather than listed: Django would load
        and name every signer of a viral petition, to anyone allowed to delete petitions."""
        petitions = list(objs)
        # Each model that goes with a petition, and the path from it to its petition.
        going_with = {
            Signature: "petition",
            Recipient: "petition",
            Delivery: "recipient__petition",
            PaperSignatures: "petition",
            Update: "petition",
        }
        related = {
            model: dict(
                model.objects.filter(**{f"{to_petition}__in": petitions})
                .values_list(to_petition)
                .annotate(n=Count("pk"))
            )
            for model, to_petition in going_with.items()
        }
        # As Django nests them: each petition, then the list of what goes with it.
        deleted = []
        for petition in petitions:
            deleted.append(f"{capfirst(Petition._meta.verbose_name)}: {petition}")
            if going := [
                f"{capfirst(model._meta.verbose_name_plural)}: {counts[petition.pk]:,}"
                for model, counts in related.items()
                if counts.get(petition.pk)
            ]:
                deleted.append(going)
        model_count = {Petition._meta.verbose_name_plural: len(petitions)}
        perms_needed = set()
        for model, counts in related.items():
            if counts:
                model_count[model._meta.verbose_name_plural] = sum(counts.values())
                # As Django's own: a model only edited inline needs no permission of its own.
                model_admin = self.admin_site._registry.get(model)
                if model_admin and not model_admin.has_delete_permission(request):
                    perms_needed.add(model._meta.verbose_name)
        return deleted, model_count, perms_needed, []

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for petition in queryset:
                petition.delete()

    def slug_is_stable(self, obj: Petition | None) -> bool:
        """Once public, a petition's address is shared: it must not change."""
        return obj is not None and obj.state != Petition.State.DRAFT

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.slug_is_stable(obj):
            fields.append("slug")
        if not self.site_wide(request, "change"):
            fields.append("state")  # an organizer publishes through moderation, closes by action
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self.slug_is_stable(obj) else super().get_prepopulated_fields(request, obj)

    def view_on_site(self, obj: Petition) -> str:
        if obj.state == Petition.State.DRAFT:
            return reverse("admin:petitions_petition_preview", args=[obj.pk])
        return obj.get_absolute_url()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        petition = self.get_object(request, object_id)
        if petition is not None and self.has_view_permission(request, petition):
            extra_context = {
                **(extra_context or {}),
                "campaign": campaign_panel(
                    petition, show_signatures=can_view_signatures(request, petition)
                ),
                "can_export": can_export(request, petition),
                "can_see_emails": can_see_emails(request, petition),
                "can_view_signatures": can_view_signatures(request, petition),
                "can_record_deliveries": can_record_deliveries(request, petition),
                "petition_updates": petition_updates(request, petition),
                "can_add_update": can_add_update(request, petition),
                "petition_revisions": petition_revisions(request, petition),
                "can_manage_organizers": admin_organizers.may_manage(request.user, petition),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview), name="petitions_petition_preview"),
            path("<int:pk>/export/", view(self.export), name="petitions_petition_export"),
            path(
                "<int:pk>/delivery-pack/",
                view(self.delivery_pack),
                name="petitions_petition_delivery_pack",
            ),
            path(
                "<int:pk>/record-delivery/",
                view(self.record_delivery),
                name="petitions_petition_record_delivery",
            ),
            *admin_organizers.urls(self.admin_site),
            *super().get_urls(),
        ]

    def viewable_petition(self, request, pk: int) -> Petition:
        petition = get_object_or_404(Petition, pk=pk)
        if not self.has_view_permission(request, petition):
            raise PermissionDenied
        return petition

    def preview(self, request, pk: int) -> HttpResponse:
        """The public page as it will look, drafts included, with the form disabled."""
        petition = self.viewable_petition(request, pk)
        return render_appeal(request, petition, SignForm(petition=petition), preview=True)

    def export(self, request, pk: int) -> HttpResponse:
        """The export form; submitted (GET, with download=1), the CSV file, streamed."""
        petition = self.viewable_petition(request, pk)
        if not can_export(request, petition):
            raise PermissionDenied
        form = ExportForm(request.GET if "download" in request.GET else None)
        if form.is_valid():
            export = SignatureExport(
                petition=petition,
                include_email=can_see_emails(request, petition),
                **form.cleaned_data,
            )
            # Logged as it starts, with one COUNT of what it selects: a download cut short
            # still handed out the rows it reached.
            rows = export.signatures().count()
            access_log.record(request, petition, AccessLog.Action.EXPORT, rows)
            response = StreamingHttpResponse(
                export.chunks(), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": petition,
            "title": f"Export signatures: {petition}",
            "form": form,
            "with_email": can_see_emails(request, petition),
        }
        return TemplateResponse(request, "admin/petitions/petition/export.html", context)

    def delivery_pack(self, request, pk: int) -> HttpResponse:
        """The letter, its recipients and every confirmed signer, streamed, for printing."""
        petition = self.viewable_petition(request, pk)
        if not can_view_signatures(request, petition):
            raise PermissionDenied
        pack = delivery_pack(petition, can_record=can_record_deliveries(request, petition))
        rows = petition.signatures.confirmed().count()
        access_log.record(request, petition, AccessLog.Action.DELIVERY_PACK, rows)
        return StreamingHttpResponse(pack, content_type="text/html")

    def record_delivery(self, request, pk: int) -> HttpResponse:
        """Record that the letter and the signatures reached the chosen recipients, with
        the counts of now and the time of the delivery pack it came from."""
        petition = self.viewable_petition(request, pk)
        if not can_record_deliveries(request, petition):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        made_at = request.GET.get("pack_made_at")  # from the pack's header link
        form = DeliveryForm(data, petition=petition, initial={"pack_made_at": made_at})
        if form.is_valid():
            deliveries = record_deliveries(petition=petition, **form.cleaned_data)
            self.message_user(request, f"Delivery recorded for {len(deliveries)} recipient(s).")
            return redirect("admin:petitions_petition_change", petition.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": petition,
            "title": f"Record a delivery: {petition}",
            "form": form,
        }
        return TemplateResponse(
            request,
            "admin/petitions/petition/record_delivery.html",
            context,
            status=400 if form.is_bound else 200,
        )

    def change_state(self, request, queryset, state: str, change, verb: str) -> None:
        changed = 0
        for petition in queryset.filter(state=state):
            change(petition)
            changed += 1
        skipped = queryset.count() - changed
        message = f"{changed} petition(s) {verb}."
        if skipped:
            message += f" {skipped} skipped: they were not {Petition.State(state).label.lower()}."
        self.message_user(request, message)

    @admin.action(description="Open selected drafts (make them public)", permissions=["publish"])
    def open_petitions(self, request, queryset):
        # Petitions started on the site are published through the moderation queue.
        drafts = queryset.filter(review=Petition.Review.NONE)
        self.change_state(request, drafts, Petition.State.DRAFT, Petition.open, "opened")

    @admin.action(description="Close selected petitions (now)", permissions=["change"])
    def close_petitions(self, request, queryset):
        self.change_state(request, queryset, Petition.State.OPEN, Petition.close, "closed")

    @admin.action(description="Reopen selected closed petitions", permissions=["change"])
    def reopen_petitions(self, request, queryset):
        """Reopening clears the outcome: where there is one, only once the organizer has
        confirmed it on an intermediate page, as delete_selected asks before deleting."""
        with_outcome = queryset.filter(state=Petition.State.CLOSED).exclude(
            outcome=Petition.Outcome.NONE
        )
        if with_outcome.exists() and request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Reopen and clear the outcome?",
                "opts": self.opts,
                "queryset": queryset,
                "with_outcome": with_outcome,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/petitions/petition/reopen_confirmation.html", context
            )
        self.change_state(request, queryset, Petition.State.CLOSED, Petition.reopen, "reopened")
        return None


@admin.register(Recipient)
class RecipientAdmin(PetitionScoped, admin.ModelAdmin):
    form = RecipientForm
    list_display = ["role", "name", "petition", "position", "responded_on"]
    list_filter = [("petition", PetitionFilter)]
    search_fields = ["role", "name"]
    list_select_related = ["petition"]
    readonly_fields = ["send_as_update"]
    fieldsets = [
        (None, {"fields": ["petition", "position", "role", "name"]}),
        (
            "Response",
            {
                "fields": [
                    "responded_on",
                    "response",
                    "response_url",
                    "response_file",
                    "send_as_update",
                ]
            },
        ),
    ]
    inlines = [DeliveryInline]

    @admin.display(description="Tell the supporters")
    def send_as_update(self, recipient: Recipient) -> str:
        if url := update_prefill_url(recipient):
            return format_html('<a href="{}">Send this response as an update</a>', url)
        return "Once the response is saved with its date, it can be sent as an update."


@admin.register(Update)
class UpdateAdmin(PetitionScoped, admin.ModelAdmin):
    list_display = ["petition", "number", "title", "published", "emailing"]
    list_display_links = ["title"]
    list_filter = [("petition", PetitionFilter)]
    search_fields = ["title"]
    list_select_related = ["petition"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["petition", "title", "body"]
        return ["petition", "number", "title", "body", "published", "emailing"]

    def get_readonly_fields(self, request, obj=None):
        # Chosen once: the update's number and its address belong to its petition.
        return [] if obj is None else ["petition", "number", "published", "emailing"]

    @admin.display(description="published", ordering="published_at")
    def published(self, update: Update):
        return update.published_at or "Draft"

    @admin.display(description="emailed")
    def emailing(self, update: Update) -> str:
        return describe_progress(update)

    def view_on_site(self, obj: Update) -> str:
        if obj.is_published and obj.petition.state != Petition.State.DRAFT:
            return obj.get_absolute_url()
        return reverse("admin:petitions_update_preview", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        update = self.get_object(request, object_id)
        if update is not None and update.emailed_at is None:
            allowed_at = updates.next_email_allowed_at(update.petition)
            extra_context = {**(extra_context or {}), "email_allowed_at": allowed_at}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview), name="petitions_update_preview"),
            path("<int:pk>/send-test/", view(self.send_test), name="petitions_update_send_test"),
            path("<int:pk>/publish/", view(self.publish), name="petitions_update_publish"),
            path("<int:pk>/cancel/", view(self.cancel_sending), name="petitions_update_cancel"),
            *super().get_urls(),
        ]

    def update_for(self, request, pk: int, *, change: bool) -> Update:
        update = get_object_or_404(Update.objects.select_related("petition"), pk=pk)
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, update):
            raise PermissionDenied
        return update

    def page(self, request, update: Update, name: str, title: str, status=200, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": update,
            "title": title,
            **context,
        }
        template = f"admin/petitions/update/{name}.html"
        return TemplateResponse(request, template, context, status=status)

    def back_to(self, update: Update) -> HttpResponse:
        return redirect("admin:petitions_update_change", update.pk)

    def preview(self, request, pk: int) -> HttpResponse:
        """The update's public page as it will look, drafts included."""
        return render_update(request, self.update_for(request, pk, change=False), preview=True)

    def send_test(self, request, pk: int) -> HttpResponse:
        """Email the update now to the staff user's own address, and only there."""
        update = self.update_for(request, pk, change=True)
        to, status = request.user.email, 200
        if request.method == "POST":
            if not to:
                status = 400
            else:
                try:
                    emails.send_update_test(update, to)
                except Exception:
                    logger.exception("The test of update %s could not be sent", update.pk)
                    status = 503  # the email provider's outage: the page asks to retry
                else:
                    self.message_user(request, f"A test of this update was sent to {to}.")
                    return self.back_to(update)
        context = {"to": to, "failed": status == 503}
        return self.page(request, update, "send_test", "Send a test to me", status, **context)

    def publish(self, request, pk: int) -> HttpResponse:
        """Publish, with email or without: with it only once the minimum interval since
        the petition's last emailed update has passed."""
        update = self.update_for(request, pk, change=True)
        if update.emailed_at is not None:
            self.message_user(request, "This update is already published and emailed.")
            return self.back_to(update)
        status = 200
        if request.method == "POST":
            choice = request.POST.get("email")
            if choice not in ("yes", "no"):
                status = 400
            else:
                try:
                    updates.publish(update, email=choice == "yes")
                except updates.TooSoon:
                    status = 409  # the page says from when it may be emailed
                else:
                    update.refresh_from_db()
                    self.message_user(request, published_message(update))
                    return self.back_to(update)
        petition = update.petition
        context = {
            "supporters": updates.consenting_signers(petition).count(),
            "allowed_at": updates.next_email_allowed_at(petition),
            "min_interval_hours": settings.UPDATE_EMAIL_MIN_INTERVAL_HOURS,
            "invalid": status == 400,
        }
        return self.page(request, update, "publish", "Publish this update", status, **context)

    def cancel_sending(self, request, pk: int) -> HttpResponse:
        """Stop emailing the update: the emails not yet sent are dropped."""
        update = self.update_for(request, pk, change=True)
        if update.emailed_at is None or update.cancelled_at is not None:
            self.message_user(request, "This update is not being emailed: nothing to cancel.")
            return self.back_to(update)
        if request.method == "POST":
            dropped = updates.cancel(update)
            self.message_user(
                request,
                f"Sending cancelled: {dropped:,} queued email(s) dropped. "
                "The emails already sent stay sent.",
            )
            return self.back_to(update)
        progress = describe_progress(update)
        return self.page(
            request, update, "cancel", "Cancel the rest of the sending", progress=progress
        )


def published_message(update: Update) -> str:
    if update.emailed_at is None:
        return "Published without email: it is on the petition's page and in its feed."
    return f"Published, and being emailed to {update.email_total:,} supporter(s)."


@admin.register(Signature)
class SignatureAdmin(PetitionScoped, admin.ModelAdmin):
    list_display = ["name", "email", "petition", "country", "status", "created_at", "confirmed_at"]
    list_filter = ["status", ("petition", PetitionFilter), "country", "created_at"]
    search_fields = ["name", "email"]
    list_select_related = ["petition"]
    # The status changes only through the actions, so that the counter moves with it; the
    # extra fields are as the sign form checked them (a postcode per country, a phone number
    # in E.164).
    readonly_fields = [
        "status",
        "created_at",
        "confirmed_at",
        "postcode",
        "organisation",
        "job_title",
        "phone",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = [
        "remove_as_spam",
        "hold_for_review",
        "restore",
        "resend_confirmation",
        "erase_people",
    ]
    # A petition's editors see and moderate its signatures; deleting one, and erasing a
    # person (all their signatures, on every petition), stay with staff.
    needs = {"view": "personal_data", "change": "personal_data"}

    def get_urls(self):
        bursts = self.admin_site.admin_view(self.bursts_view)
        return [
            path("bursts/", bursts, name="petitions_signature_bursts"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = response.status_code == 200 and getattr(response, "context_data", None)
        if shown and (signature := shown.get("original")):
            access_log.record(request, signature.petition, AccessLog.Action.VIEW_SIGNATURE, 1)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if cl := getattr(response, "context_data", {}).get("cl"):
            access_log.record_page(request, cl.result_list, AccessLog.Action.LIST_SIGNATURES)
        return response

    def lookup_allowed(self, lookup, value, request=None):
        # The burst report links to the signatures of one hashed network.
        return lookup == "network_hash" or super().lookup_allowed(lookup, value, request)

    def bursts_view(self, request):
        """Unusual bursts: many signatures from one network or email domain lately."""
        # Across every petition: staff only.
        if not self.sees_every_petition(request):
            raise PermissionDenied
        hours = max(1, min(whole_number(request.GET.get("hours"), 1), 24 * 7))
        threshold = max(2, whole_number(request.GET.get("threshold"), 20))
        since = timezone.now() - dt.timedelta(hours=hours)
        context = {
            **self.admin_site.each_context(request),
            "title": "Unusual bursts of signatures",
            "opts": self.model._meta,
            "hours": hours,
            "threshold": threshold,
            **bursts(since=since, threshold=threshold),
        }
        return TemplateResponse(request, "admin/petitions/signature/bursts.html", context)

    # Signers' email addresses only for staff with the view_signer_email permission and the
    # petition's editors: not listed, not searchable (a search would reveal whether an
    # address signed), not shown.
    def sees_emails(self, request, signature: Signature | None = None) -> bool:
        if signature is not None:
            return can_see_emails(request, signature.petition_id)
        # Without the site-wide view, the list holds only the petitions the user edits.
        return request.user.has_perm("petitions.view_signer_email") or not (
            self.sees_every_petition(request)
        )

    def get_list_display(self, request):
        fields = super().get_list_display(request)
        return fields if self.sees_emails(request) else [f for f in fields if f != "email"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if self.sees_emails(request) else [f for f in fields if f != "email"]

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj) or []
        return exclude if self.sees_emails(request, obj) else [*exclude, "email"]

    def get_readonly_fields(self, request, obj=None):
        # An organizer moderates with the actions; the signer's own words stay theirs.
        fields = super().get_readonly_fields(request, obj)
        if self.site_wide(request, "change"):
            return fields
        excluded = self.get_exclude(request, obj)
        editable = [f.name for f in self.opts.fields if f.editable and f.name not in excluded]
        return [*fields, *(name for name in editable if name not in fields and name != "id")]

    def moderate(self, request, queryset, status: Signature.Status) -> None:
        changed = queryset.moderate(status)
        self.message_user(request, f"{changed} signature(s) now “{status.label}”.")

    @admin.action(description="Remove selected signatures as spam", permissions=["change"])
    def remove_as_spam(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.REMOVED)

    @admin.action(description="Hold selected signatures for review", permissions=["change"])
    def hold_for_review(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.HELD)

    @admin.action(description="Restore selected signatures (count them)", permissions=["change"])
    def restore(self, request, queryset):
        self.moderate(request, queryset, Signature.Status.CONFIRMED)

    @admin.action(
        description="Resend the confirmation email to selected unconfirmed signatures",
        permissions=["change"],
    )
    def resend_confirmation(self, request, queryset):
        pending = list(queryset.pending())
        with transaction.atomic():
            for signature in pending:
                queue_signing_email(signature)
        self.message_user(request, f"Confirmation email resent to {len(pending)} signer(s).")

    @admin.action(
        description="Erase everything about these people (all their signatures, everywhere)",
        permissions=["delete"],
    )
    def erase_people(self, request, queryset):
        emails = {email.lower() for email in queryset.values_list("email", flat=True)}
        deleted = sum(erase_person(email) for email in emails)
        access_log.record(request, None, AccessLog.Action.ERASE, deleted)
        self.message_user(request, f"Erased {len(emails)} email address(es): {deleted} record(s).")


@admin.register(BlockedEmailDomain)
class BlockedEmailDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain"]


@admin.register(BlockedNetwork)
class BlockedNetworkAdmin(admin.ModelAdmin):
    list_display = ["network", "note", "created_at"]
    search_fields = ["network"]
