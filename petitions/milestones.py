"""Milestone emails to the organizer: 100, 1,000, 10,000 and 100,000 supporters, and the goal.

Each is claimed once in the database, inside the transaction that moved the counter, by a
conditional UPDATE on Petition.last_milestone; only the transaction whose UPDATE matched
queues the email, which the worker sends once it has committed. Two workers confirming at
once can never both send it, and a counter that falls and rises again never announces a
milestone twice.
"""

from django.conf import settings

from petitions import outbox
from petitions.models import CounterRow, OutgoingEmail, Petition

MILESTONES = (100, 1_000, 10_000, 100_000)


def milestones(goal: int | None) -> list[int]:
    """The supporter counts worth an email, smallest first."""
    return sorted({*MILESTONES, *([goal] if goal else [])})


def due_milestone(*, supporters: int, last: int, goal: int | None) -> int | None:
    """The highest milestone reached but not yet announced, if any."""
    reached = [m for m in milestones(goal) if last < m <= supporters]
    return reached[-1] if reached else None


def count_supporters(petition: Petition, n: int) -> None:
    """Move the petition's counter by n and, on a rise, claim the milestone it reaches."""
    counter = petition.add_supporters(n)
    if n > 0 and counter is not None:
        announce_milestone(counter)


def count_supporters_each(deltas: dict[int, int]) -> None:
    """count_supporters for each petition that moves, in the order that takes their locks
    (PetitionQuerySet.add_supporters_each)."""
    for counter in Petition.objects.add_supporters_each(deltas):
        if deltas[counter.petition_id] > 0:
            announce_milestone(counter)


def announce_milestone(counter: CounterRow) -> int | None:
    """Claim the milestone a rise of the counter has just reached, if any, and queue its
    email.

    Call it in the transaction that raised the counter, with the row its UPDATE returned
    (Petition.add_supporters): exact, as that transaction holds the row's lock until it
    commits, so concurrent confirmations each see the others' counts and one of them claims
    the milestone. Nothing more is read unless a milestone is due.
    """
    milestone = due_milestone(
        supporters=counter.supporters, last=counter.last_milestone, goal=counter.goal
    )
    if milestone is None:
        return None
    petition = Petition.objects.filter(pk=counter.petition_id)
    if not petition.filter(last_milestone__lt=milestone).update(last_milestone=milestone):
        return None
    if petition.exclude(organizer_email="").exists():
        # For the organizer, in the site's language, not the confirming visitor's.
        outbox.queue(
            OutgoingEmail.Kind.MILESTONE,
            petition=Petition(pk=counter.petition_id),
            milestone=milestone,
            language=settings.LANGUAGE_CODE,
        )
    return milestone


def mark_passed(petition: Petition) -> None:
    """Count the milestones a petition has already passed as announced, e.g. after loading
    supporters in bulk, so that the next confirmation does not announce an old one."""
    passed = [m for m in milestones(petition.goal) if m <= petition.supporters]
    if passed:
        Petition.objects.filter(pk=petition.pk, last_milestone__lt=passed[-1]).update(
            last_milestone=passed[-1]
        )
