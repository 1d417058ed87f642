"""The site on gunicorn with production settings and a real streaming replica (pg_basebackup
-R from a private primary): the public pages read from it and nothing else does, as the
replica's own log of statements shows; a lagging replica never hides a supporter's own
signature from them; a stopped replica or a restarted primary costs no lost write and no
500. The drills are bench/fault_drill.py's, run small."""

import pytest

from tests.conftest import load_bench

pytestmark = pytest.mark.system

drill = load_bench("fault_drill")
harness = load_bench("harness")
SLUG = drill.SLUG
ADMIN_PASSWORD = "drill-admin-password-4f9d"
ADMIN_OTP_KEY = "5d1f0b7c3a9e2d4f6b8a0c1e3f5a7b9d1c3e5f7a"  # the superuser's authenticator


@pytest.fixture(scope="module")
def site():
    # Every appeal page reads its petition (no per-process copy), so each read shows in the
    # replica's log; a short pool timeout keeps the outages' waits short.
    with drill.replica_site(
        durable=False, APPEAL_STATE_MAX_AGE="0", DATABASE_POOL_TIMEOUT="2"
    ) as site:
        env = {**site.env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
        harness.manage(
            env, "createsuperuser", "--noinput", "--username", "ada", "--email", "a@x.org"
        )
        harness.manage(env, "shell", "-c", harness.authenticator_script("ada", ADMIN_OTP_KEY))
        site.replica.wait_for_replay(site.primary)
        yield site


def replica_reads_during(site, action) -> list[str]:
    offset = site.replica.log_size()
    action()
    return site.replica_reads_since(offset)


class TestReplica:
    @pytest.mark.parametrize(
        "path", ["/", f"/{SLUG}/", f"/{SLUG}/supporters.json", "/api/petitions/"]
    )
    def test_public_pages_read_from_the_replica(self, site, path):
        browser = drill.Browser(site.base)
        reads = replica_reads_during(site, lambda: browser.get(path))
        assert any("petitions_petition" in read for read in reads), reads

    def test_the_api_reads_a_petitions_detail_in_one_snapshot_of_the_primary(self, site):
        # Its counter and its counts by country must agree: one transaction, one server.
        browser = drill.Browser(site.base)
        reads = replica_reads_during(site, lambda: browser.get(f"/api/petitions/{SLUG}/"))
        assert reads == []

    def test_signing_confirming_and_the_admin_never_read_from_the_replica(self, site):
        signer = drill.Browser(site.base)
        status, _, html = signer.get(f"/{SLUG}/")
        assert status == 200
        data = {
            "started": drill.STARTED.search(html).group(1),
            "name": "Never Replica",
            "email": "never-replica@example.org",
            "country": "GB",
        }
        reads = replica_reads_during(site, lambda: signer.request("POST", f"/{SLUG}/sign/", data))
        assert reads == []

        path = drill.confirmation_paths(site.env)[-1]  # the newest pending signature
        mail_reader = drill.Browser(site.base)  # the link, opened where the email is read
        assert replica_reads_during(site, lambda: mail_reader.confirm(path) == 302) == []
        assert replica_reads_during(site, lambda: drill.thanks_count(mail_reader)) == []

        organizer = drill.Browser(site.base)
        status, _, html = organizer.get("/admin/login/")
        login = {
            "csrfmiddlewaretoken": drill.TOKEN.search(html).group(1),
            "username": "ada",
            "password": ADMIN_PASSWORD,
            "otp_token": harness.authenticator_code(ADMIN_OTP_KEY),
            "next": "/admin/",
        }
        assert organizer.request("POST", "/admin/login/?next=/admin/", login)[0] == 302

        def admin_pages():
            for page in ("/admin/", "/admin/petitions/petition/", "/admin/petitions/signature/"):
                assert organizer.get(page)[0] == 200, page

        assert replica_reads_during(site, admin_pages) == []

    def test_the_thank_you_page_shows_a_confirmation_the_replica_has_not_replayed(self, site):
        lag = drill.lag_drill(site, pause=1.0)
        assert lag["confirmed"] == 302
        assert lag["thanks"] == lag["before"] + 1  # read from the primary
        assert lag["while_paused"] == lag["before"]  # the replica's, behind
        assert lag["after_resume_s"] < 5
        assert lag["streaming_s"] < 5
        assert site.replica.replica_stats()["replay_paused"] == "not paused"

    def test_a_stopped_replica_costs_at_most_a_few_errors_and_is_used_again(self, site):
        down = drill.replica_down_drill(site, outage=3, clients=2)
        assert down["answers"] > 20
        assert down["failures"] <= 2, down
        assert down["failures_after_restart"] == 0, down
        if down["failures"]:
            assert down["last_failure_after_stop_s"] < 2, down
        assert down["replica_again_s"] < 15, down

    def test_a_restarted_primary_loses_no_acknowledged_signature(self, site):
        restart = drill.primary_restart_drill(site, outage=3, signers=3)
        assert restart["acknowledged"] > 0, restart
        assert restart["acknowledged"] == restart["found"] == restart["emails"], restart
        assert restart["half_written"] == 0, restart
        assert restart["answered_503"] > 0, restart  # the outage was seen, as the 503 page
        assert restart["answered_500"] == 0, restart
        assert restart["no_answer"] == 0, restart
        assert restart["recovered_s"] < 15, restart
