"""Benchmark: deleting a viral petition in the admin, against Django's own way in the same run.

    .venv/bin/python bench/admin_delete.py            # 100,000 signatures; --rows N

Starts a durable PostgreSQL, loads two petitions of N signatures each with COPY (9 in 10
confirmed), then as a superuser through Django's test client:
- the site's way: GET the petition's delete page in the admin (signatures counted), then
  POST it (Petition.delete: signatures and their emails in one statement each);
- the baseline, Django's own way, on the other petition: the delete page as
  django.contrib.admin.utils.get_deleted_objects() builds it (every signature loaded and
  named), then Model.delete(), without the site's override (it fast-deletes the signatures
  too, as Signature has no delete receivers and nothing cascades to it; with one, it loads
  and signals every signature).
Prints the seconds and this process's peak memory for each. Target: both steps well within
gunicorn's 30-s timeout (under 5 s) at 100,000 signatures.
"""

import resource
import sys
import time

from export import load_signatures  # noqa: I001 (bench/export.py, beside this file)
from harness import ROOT, main_on_postgres, sign_in_to_admin

sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step):
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def run(rows: int, database_url: str) -> int:
    import django

    django.setup()
    from django.contrib import admin
    from django.contrib.admin.utils import get_deleted_objects
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import models
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from petitions.models import Petition, Signature

    call_command("migrate", verbosity=0)
    ours, theirs = (
        Petition.objects.create(slug=slug, title=slug, body="b", letter="l", starter_name="Bench")
        for slug in ("ours", "djangos")
    )
    for petition in (ours, theirs):
        load_signatures(petition, rows)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "pw")
    client = Client()
    sign_in_to_admin(client, user)
    url = reverse("admin:petitions_petition_delete", args=[ours.pk])

    page_seconds, page = timed(lambda: client.get(url))
    assert page.status_code == 200, page.status_code
    delete_seconds, done = timed(lambda: client.post(url, {"post": "yes"}))
    assert done.status_code == 302, done.status_code
    our_peak = peak_mb()

    request = RequestFactory().get("/")
    request.user = user
    their_page_seconds, _ = timed(lambda: get_deleted_objects([theirs], request, admin.site))
    their_delete_seconds, _ = timed(lambda: models.Model.delete(theirs))
    their_peak = peak_mb()

    assert not Signature.objects.exists()
    print(f"\nDeleting a petition of {rows:,} signatures in the admin:")
    print(f"{'':28} {'this site':>12} {'Django':>12}")
    print(f"{'delete page':28} {page_seconds:>10.1f} s {their_page_seconds:>10.1f} s")
    print(f"{'delete':28} {delete_seconds:>10.1f} s {their_delete_seconds:>10.1f} s")
    print(f"{'peak memory of the process':28} {our_peak:>9.0f} MB {their_peak:>9.0f} MB")
    print(f"{'page size':28} {len(page.content) / 1024:>9.0f} KB")
    print("target: each step under 5 s (gunicorn's timeout is 30 s)")
    return 0 if max(page_seconds, delete_seconds) < 5 else 1


if __name__ == "__main__":
    sys.exit(main_on_postgres(__doc__.splitlines()[0], 100_000, run))
