"""Hot petitions: a petition confirmed faster than one counter row's lock sustains gets its
supporter counter spread over COUNTER_SHARDS rows (CounterShard), and the worker folds them
back into the row every few seconds. The exact total is the row plus the shards, at every
commit; docs/performance.md ("The counter under a hot petition") has the measurements.
"""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from petitions import milestones
from petitions.models import CounterShard, Petition, Signature

# Seconds of confirmations that measure a petition's rate.
RATE_WINDOW = 5


def confirmation_rates(now: dt.datetime | None = None) -> list[tuple[int, float, int]]:
    """(petition id, confirmations per second over the last RATE_WINDOW seconds, its
    counter_shards) of each open petition: one query, a range scan of signature_recent_idx
    per petition."""
    since = (now or timezone.now()) - dt.timedelta(seconds=RATE_WINDOW)
    recent = (
        Signature.objects.confirmed()
        .filter(petition=OuterRef("pk"), confirmed_at__gte=since)
        .order_by()
        .values("petition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Petition.objects.filter(state=Petition.State.OPEN)
        .annotate(recent=Coalesce(Subquery(recent), 0))
        .values_list("pk", "recent", "counter_shards")
    )
    return [(pk, recent / RATE_WINDOW, shards) for pk, recent, shards in rows]


def wanted_shards(*, rate: float, shards: int) -> int:
    """COUNTER_SHARDS above COUNTER_SHARD_THRESHOLD confirmations a second; the single row
    again below half of it, so that a rate near the threshold does not flip it every pass.
    A threshold of 0 keeps every counter on its row."""
    threshold = settings.COUNTER_SHARD_THRESHOLD
    if not threshold or rate < threshold / 2:
        return 0
    if rate > threshold:
        return settings.COUNTER_SHARDS
    return shards


def reshard_counters(now: dt.datetime | None = None) -> int:
    """Shard the counters of hot petitions and unshard those that cooled down; returns how
    many changed. Only on PostgreSQL: SQLite runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return 0
    changed = 0
    for pk, rate, shards in confirmation_rates(now):
        wanted = wanted_shards(rate=rate, shards=shards)
        if wanted != shards:
            # No lock needed: whichever way a confirmation routes its change, it counts.
            Petition.objects.filter(pk=pk).update(counter_shards=wanted)
            changed += 1
    return changed


def fold_counters() -> int:
    """Fold every petition's shards into its row, and claim a milestone a fold reveals (its
    concurrent confirmations may each have missed the others'). Returns the petitions
    folded."""
    sharded = list(CounterShard.objects.order_by().values_list("petition", flat=True).distinct())
    for pk in sharded:
        Petition(pk=pk).fold_counter_shards()
        with transaction.atomic():
            milestones.announce_milestone(petition_id=pk)
    return len(sharded)


def tend_counters(now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's pass over the counters, every few seconds."""
    return {"resharded": reshard_counters(now), "folded": fold_counters()}
