"""The moderation queue: petitions started on the site and awaiting a moderator, oldest
first, each with the petitions like it and a decision (petitions/moderation.py). Only users
with petitions.moderate_petition see it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from petitions import moderation
from petitions.models import Petition, PetitionInReview


class DecisionForm(forms.Form):
    """A moderator's decision: the button pressed, and what it needs."""

    decision = forms.ChoiceField(
        choices=[("publish", "Publish"), ("reject", "Reject"), ("changes", "Ask for changes")]
    )
    reason = forms.ChoiceField(
        choices=Petition.RejectionReason.choices,
        required=False,
        widget=forms.RadioSelect,
        label="Reason for rejecting",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Note to the starter",
        help_text="Required to ask for changes, and to reject for “Another reason”. The starter "
        "reads it in their email.",
    )

    def clean(self):
        data = super().clean()
        decision, reason, note = data.get("decision"), data.get("reason"), data.get("note", "")
        if decision == "reject" and not reason:
            self.add_error("reason", "Choose why it is rejected.")
        if decision == "reject" and reason == Petition.RejectionReason.OTHER and not note:
            self.add_error("note", "Say why in the note: the starter reads it.")
        if decision == "changes" and not note:
            self.add_error("note", "Say which changes to make: the starter reads it.")
        return data


def decide(petition: Petition, moderator, data: dict) -> str:
    """Carry out a valid DecisionForm's decision; what was done, for the message."""
    if data["decision"] == "publish":
        moderation.publish(petition, moderator)
        return "published"
    if data["decision"] == "reject":
        moderation.reject(petition, moderator, data["reason"], data["note"])
        return "rejected"
    moderation.ask_for_changes(petition, moderator, data["note"])
    return "sent back to its starter for changes"


@admin.register(PetitionInReview)
class PetitionInReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "starter", "submitted", "language", "similar"]
    list_display_links = ["title"]
    ordering = ["submitted_at", "pk"]
    sortable_by = ["submitted"]
    list_per_page = 25
    actions = None
    search_fields = ["title", "starter_name", "organizer_email"]

    def get_queryset(self, request):
        return PetitionInReview.objects.awaiting_review()

    def is_moderator(self, request: HttpRequest) -> bool:
        return request.user.has_perm("petitions.moderate_petition")

    def has_module_permission(self, request):
        return self.is_moderator(request)

    def has_view_permission(self, request, obj=None):
        return self.is_moderator(request)

    def has_change_permission(self, request, obj=None):
        return self.is_moderator(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Starter")
    def starter(self, petition: Petition) -> str:
        return f"{petition.starter_name} <{petition.organizer_email}>"

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted(self, petition: Petition):
        return petition.submitted_at

    @admin.display(description="Similar")
    def similar(self, petition: Petition) -> str:
        # One search per row: the queue is short, and a page holds list_per_page of them.
        found = len(moderation.similar_petitions(petition, limit=moderation.SIMILAR_SHOWN + 1))
        return f"{moderation.SIMILAR_SHOWN}+" if found > moderation.SIMILAR_SHOWN else str(found)

    def changelist_view(self, request, extra_context=None):
        rejected_url = None
        if self.admin_site.get_model_admin(Petition).has_view_permission(request):
            rejected_url = reverse("admin:petitions_petition_changelist") + "?state__exact=rejected"
        extra_context = {
            "title": "Moderation queue: oldest first",
            **(extra_context or {}),
            "rejected_url": rejected_url,
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The whole petition, the petitions like it and the decision form; a POST decides."""
        if not self.is_moderator(request):
            raise PermissionDenied
        petition = self.reviewed_petition(object_id)
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return self.page(request, petition, form, status=400 if form.is_bound else 200)
        try:
            done = decide(petition, request.user, form.cleaned_data)
        except moderation.AlreadyDecided as lost:
            return self.page(request, petition, form, notice=str(lost), status=409)
        except Petition.DoesNotExist:  # deleted as the moderator decided
            raise Http404("The petition was deleted.") from None
        except ValidationError as error:  # e.g. its closing date has passed
            form.add_error(None, error)
            return self.page(request, petition, form, status=400)
        self.message_user(request, f"“{petition.title}” {done}.")
        return redirect("admin:petitions_petitioninreview_changelist")

    def reviewed_petition(self, object_id: str) -> Petition:
        """A petition awaiting moderation, or one already decided (the page says by whom);
        never one made in the admin."""
        if not str(object_id).isdigit():
            raise Http404("No such petition in moderation.")
        started_on_site = Petition.objects.exclude(
            review=Petition.Review.NONE, reviewed_at__isnull=True
        )
        petition = started_on_site.select_related("reviewed_by").filter(pk=object_id).first()
        if petition is None:
            raise Http404("No such petition in moderation.")
        return petition

    def page(self, request, petition: Petition, form: DecisionForm, notice="", status=200):
        awaiting = petition.review == Petition.Review.AWAITING
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": petition,
            "title": f"Moderate: {petition.title}",
            "awaiting": awaiting,
            "notice": notice or ("" if awaiting else moderation.describe_decision(petition)),
            "recipients": list(petition.recipients.all()),
            "similar": moderation.similar_petitions(petition),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/petitions/petitioninreview/review.html", context, status=status
        )
