"""Edits of a published petition's words: the words supporters signed are kept, and its page
says it was edited."""

from django.utils import timezone

from petitions.models import Petition, PetitionRevision


def words(petition: Petition) -> dict[str, str]:
    return {field: getattr(petition, field) for field in Petition.TEXT_FIELDS}


def keep_revision(before: Petition, after: Petition, *, by) -> PetitionRevision | None:
    """Before `after` is saved over `before` (the same petition as stored): when a petition
    that was no longer a draft has new words, keep the old ones as a revision and mark it
    edited now (after.edited_at, saved with it). None when there is nothing to keep."""
    if before.state == Petition.State.DRAFT or words(before) == words(after):
        return None
    after.edited_at = timezone.now()
    return PetitionRevision.objects.create(
        petition=after, replaced_at=after.edited_at, replaced_by=by, **words(before)
    )
