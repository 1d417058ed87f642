import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions.models import Delivery, PaperSignatures, Petition, Signature, Update
from tests.conftest import make_petition, make_signature

SITE = settings.SITE_URL


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def get_json(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def confirmed_at(signature, when):
    Signature.objects.filter(pk=signature.pk).update(confirmed_at=when)


def test_the_list_shows_public_petitions_newest_first(client, petition, closed_petition):
    make_petition(slug="draft-one", state=Petition.State.DRAFT)
    Petition.objects.filter(pk=closed_petition.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    data = get_json(client, api("petitions"))
    assert data["count"] == 2
    assert [p["slug"] for p in data["results"]] == ["free-the-river", "closed-one"]
    assert data["next"] is None and data["previous"] is None
    first = data["results"][0]
    assert first["url"] == f"{SITE}/free-the-river/"
    assert first["api_url"] == f"{SITE}/api/petitions/free-the-river/"
    assert first["state"] == "open"
    assert data["results"][1]["state"] == "closed"


def test_the_list_filters_by_state_and_outcome(client, petition, closed_petition):
    Petition.objects.filter(pk=closed_petition.pk).update(outcome=Petition.Outcome.VICTORY)
    slugs = {
        state: [
            p["slug"] for p in get_json(client, api("petitions"), data={"state": state})["results"]
        ]
        for state in ["open", "closed", "victory", "declined"]
    }
    assert slugs == {
        "open": ["free-the-river"],
        "closed": ["closed-one"],
        "victory": ["closed-one"],
        "declined": [],
    }


def test_a_petition_past_its_closing_time_is_listed_as_closed(client, petition):
    Petition.objects.filter(pk=petition.pk).update(closes_at=timezone.now() - dt.timedelta(1))
    assert get_json(client, api("petitions"), data={"state": "open"})["count"] == 0
    closed = get_json(client, api("petitions"), data={"state": "closed"})["results"]
    assert [p["state"] for p in closed] == ["closed"]


@pytest.mark.both_databases  # PostgreSQL's full-text search, SQLite's substring match
def test_the_search_finds_petitions_by_a_word_of_their_title_summary_or_text(client, petition):
    make_petition(slug="libraries", title="Save the libraries", body="Books for everyone.")
    make_petition(slug="parks", title="Open the parks", summary="Green spaces for the city")
    make_petition(slug="draft", title="A river in a draft", state=Petition.State.DRAFT)

    def found(words):
        results = get_json(client, api("petitions"), data={"q": words})["results"]
        return sorted(p["slug"] for p in results)

    assert found("river") == ["free-the-river"]  # and not the draft
    assert found("Libraries") == ["libraries"]
    assert found("green") == ["parks"]
    assert found("everyone") == ["libraries"]
    assert found("hospital") == []


def test_the_search_finds_an_english_petition_by_a_stemmed_word(client, petition):
    make_petition(slug="other", title="Save the libraries", body="Books for everyone.")
    # "rivers" and "freeing" stem to the same words as the title's "river" and "free".
    found = get_json(client, api("petitions"), data={"q": "freeing rivers"})["results"]
    assert [p["slug"] for p in found] == ["free-the-river"]


def test_the_search_uses_each_petitions_own_language(client, petition):
    text = {"title": "Sauvons les forêts", "body": "Nous voulons protéger les forêts."}
    make_petition(slug="sauvons-les-forets", language="fr", **text)
    make_petition(slug="same-words-as-english", language="en", **text)
    # French stemming: "protégeront" and "protéger" share the stem "proteg"; the English
    # configuration keeps both whole, so the same text marked English is not found.
    found = get_json(client, api("petitions"), data={"q": "protégeront"})["results"]
    assert [p["slug"] for p in found] == ["sauvons-les-forets"]
    assert get_json(client, api("petitions"), data={"q": "forêt"})["count"] == 2
    assert get_json(client, api("petitions"), data={"q": "hospital"})["count"] == 0


def test_the_list_is_paginated_with_absolute_links(client, db):
    for n in range(5):
        make_petition(slug=f"p{n}", title=f"Petition {n}")
    data = get_json(client, api("petitions"), data={"page_size": 2, "page": 2, "state": "open"})
    assert data["count"] == 5
    assert [p["slug"] for p in data["results"]] == ["p2", "p1"]
    base = f"{SITE}/api/petitions/?state=open&page_size=2&page="
    assert data["next"] == base + "3"
    assert data["previous"] == base + "1"
    last = get_json(client, data["next"].removeprefix(SITE))
    assert [p["slug"] for p in last["results"]] == ["p0"] and last["next"] is None


def test_the_page_size_is_bounded(client, db):
    for n in range(3):
        make_petition(slug=f"p{n}")
    assert len(get_json(client, api("petitions"), data={"page_size": 100})["results"]) == 3
    for bad in ["0", "101", "-1", "abc", "1e3", "2.5", "99999999999999999999"]:
        data = get_json(client, api("petitions"), 400, data={"page_size": bad})
        assert data == {"error": "The parameter “page_size” must be a whole number from 1 to 100."}


def test_a_page_past_the_last_is_not_found(client, petition):
    data = get_json(client, api("petitions"), 404, data={"page": 2})
    assert data == {"error": "There is no page 2."}


def test_bad_parameters_get_a_json_400(client, petition):
    cases = [
        {"state": "draft"},
        {"state": ["open", "closed"]},
        {"q": "river\x00"},
        {"q": "x" * 201},
        {"page": "0"},
    ]
    for params in cases:
        assert "error" in get_json(client, api("petitions"), 400, data=params)
    data = get_json(client, api("history", petition.slug), 400, data={"interval": "week"})
    assert data == {"error": "The parameter “interval” must be “hour” or “day”."}


def test_the_detail_shows_the_petition_and_what_came_of_it(client, closed_petition):
    petition = closed_petition
    Petition.objects.filter(pk=petition.pk).update(
        goal=500,
        summary="A short summary.",
        outcome=Petition.Outcome.RESPONDED,
        outcome_statement="They *answered*.",
        outcome_on=dt.date(2013, 5, 1),
    )
    recipient = petition.recipients.create(
        role="Mayor",
        name="Jo Bank",
        responded_on=dt.date(2013, 4, 20),
        response="We **will** look into it.",
        response_url="https://example.org/answer",
    )
    Delivery.objects.create(
        recipient=recipient, delivered_on=dt.date(2013, 4, 10), method="hand", signatures=3
    )
    PaperSignatures.objects.create(petition=petition, received_on=dt.date(2013, 4, 1), count=40)
    PaperSignatures.objects.create(petition=petition, received_on=dt.date(2013, 4, 2), count=2)
    published = Update.objects.create(
        petition=petition,
        title="We delivered",
        body="It went **well**.",
        published_at=timezone.now(),
    )
    Update.objects.create(petition=petition, title="A draft update", body="Not yet.")

    data = get_json(client, api("petition", petition.slug))
    assert data["title"] == "A closed petition"
    assert data["summary"] == "A short summary."
    assert data["language"] == "en"
    assert data["state"] == "closed"
    assert data["closed_at"] == "2013-04-08T12:00:00Z"
    assert data["closes_at"] is None
    assert data["starter_name"] == "Ada Organizer"
    assert data["goal"] == 500
    assert data["signature_count"] == 0
    assert data["paper_signature_count"] == 42
    assert data["outcome"] == {
        "value": "responded",
        "label": "The decision maker responded",
        "statement_html": "<p>They <em>answered</em>.</p>",
        "date": "2013-05-01",
    }
    assert data["recipients"] == [
        {
            "name": "Jo Bank",
            "role": "Mayor",
            "deliveries": [
                {"date": "2013-04-10", "method": "hand", "signatures": 3, "paper_signatures": 0}
            ],
            "response": {
                "date": "2013-04-20",
                "text_html": "<p>We <strong>will</strong> look into it.</p>",
                "url": "https://example.org/answer",
                "file_url": None,
            },
        }
    ]
    assert data["updates"] == [
        {
            "number": published.number,
            "title": "We delivered",
            "published_at": data["updates"][0]["published_at"],
            "url": f"{SITE}/closed-one/updates/{published.number}/",
            "body_html": "<p>It went <strong>well</strong>.</p>",
        }
    ]


def test_the_detail_has_no_opened_date_as_none_is_stored(client, petition):
    # The petition keeps when it was created, not when it was first made public.
    data = get_json(client, api("petition", petition.slug))
    assert "created_at" in data and "opened_at" not in data
    assert data["outcome"]["value"] == "none" and data["outcome"]["date"] is None


def test_the_count_is_the_pages_counter_and_by_country_sums_to_it(client, petition):
    for country in ["FR", "FR", "DE", "GB", "FR"]:
        make_signature(petition, confirmed=True, country=country)
    make_signature(petition, country="IT")  # pending: not counted anywhere
    held = make_signature(petition, confirmed=True, country="ES")
    held.moderate(Signature.Status.HELD)

    detail = get_json(client, api("petition", petition.slug))
    count = get_json(client, api("count", petition.slug))
    page = client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()
    assert detail["signature_count"] == count["signature_count"] == 5
    assert '<strong class="count">5</strong>' in page
    assert detail["signatures_by_country"] == [
        {"code": "FR", "name": "France", "count": 3},
        {"code": "DE", "name": "Germany", "count": 1},
        {"code": "GB", "name": "United Kingdom", "count": 1},
    ]
    assert sum(c["count"] for c in detail["signatures_by_country"]) == 5


def test_the_count_says_when_it_was_read(client, petition):
    before = timezone.now()
    data = get_json(client, api("count", petition.slug))
    assert data["signature_count"] == 0
    assert before - dt.timedelta(seconds=1) <= dt.datetime.fromisoformat(data["read_at"])
    assert data["read_at"].endswith("Z")


def test_the_count_is_the_confirmed_supporters(client, petition):
    for _ in range(4):
        make_signature(petition, confirmed=True)
    make_signature(petition)  # pending
    assert get_json(client, api("count", petition.slug))["signature_count"] == 4


def test_the_history_counts_confirmations_per_day_with_zeros(client, petition):
    days = [dt.datetime(2026, 3, d, 23, 30, tzinfo=dt.UTC) for d in (1, 1, 4)]
    for when in days:
        confirmed_at(make_signature(petition, confirmed=True), when)
    make_signature(petition)  # pending
    data = get_json(client, api("history", petition.slug))
    assert data == {
        "interval": "day",
        "points": [
            {"start": "2026-03-01T00:00:00Z", "count": 2},
            {"start": "2026-03-02T00:00:00Z", "count": 0},
            {"start": "2026-03-03T00:00:00Z", "count": 0},
            {"start": "2026-03-04T00:00:00Z", "count": 1},
        ],
    }


def test_the_hourly_history_covers_the_last_ninety_days(client, petition):
    now = timezone.now().replace(minute=10, second=0, microsecond=0)
    for when in [now - dt.timedelta(days=200), now - dt.timedelta(hours=2), now]:
        confirmed_at(make_signature(petition, confirmed=True), when)
    points = get_json(client, api("history", petition.slug), data={"interval": "hour"})["points"]
    assert [p["count"] for p in points] == [1, 0, 1]
    assert points[0]["start"] == (now - dt.timedelta(hours=2)).replace(minute=0).isoformat(
        timespec="seconds"
    ).replace("+00:00", "Z")


def test_a_petition_without_supporters_has_an_empty_history(client, petition):
    assert get_json(client, api("history", petition.slug))["points"] == []


@pytest.mark.parametrize("name", ["petition", "count", "history"])
def test_drafts_and_unknown_petitions_are_json_404s(client, draft_petition, name):
    for slug in [draft_petition.slug, "no-such-petition"]:
        data = get_json(client, api(name, slug), 404)
        assert data == {"error": f"There is no public petition “{slug}”."}


def test_unknown_api_addresses_are_json_404s(client, db):
    for path in ["/api/", "/api/nothing", "/api/petitions/x/y/z/", "/api/petitions"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"].startswith("There is no such API address")


def test_other_methods_get_a_json_405(client, petition):
    for method in ["post", "put", "patch", "delete"]:
        response = getattr(client, method)(api("petition", petition.slug))
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response.json() == {"error": "Only GET, HEAD, OPTIONS are allowed here."}


def test_head_answers_like_get_without_a_body(client, petition):
    response = client.head(api("count", petition.slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


def test_responses_may_be_cached_briefly_and_revalidated(client, petition, settings):
    settings.API_CACHE_SECONDS = 10
    url = api("petition", petition.slug)
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=10"
    etag = response["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    make_signature(petition, confirmed=True)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_any_origin_may_read_it_without_credentials(client, petition):
    response = client.get(api("count", petition.slug), headers={"origin": "https://news.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Access-Control-Expose-Headers"] == "ETag"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    error = client.get(api("count", "nope"), headers={"origin": "https://news.example"})
    assert error["Access-Control-Allow-Origin"] == "*"


def test_it_answers_the_cors_preflight(client, petition):
    response = client.options(
        api("petitions"),
        headers={
            "origin": "https://news.example",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "*"


def test_the_response_is_the_same_in_every_language(client, petition, closed_petition):
    make_signature(petition, confirmed=True, country="DE")
    Petition.objects.filter(pk=closed_petition.pk).update(outcome=Petition.Outcome.VICTORY)
    type(petition).objects.filter(pk=petition.pk).update(supporter_count=1030)
    for url in [api("petitions"), api("petition", petition.slug), api("petition", "closed-one")]:
        english = client.get(url, headers={"accept-language": "en"})
        french = client.get(url, headers={"accept-language": "fr"})
        assert english.content == french.content
        assert "Accept-Language" not in french.get("Vary", "")
        assert "Content-Language" not in french
    data = client.get(api("count", petition.slug), headers={"accept-language": "fr"}).json()
    assert data["signature_count"] == 1030  # a plain number, never "1 030"
    french = client.get(api("petition", petition.slug), headers={"accept-language": "fr"})
    assert french.json()["signatures_by_country"][0]["name"] == "Germany"


def test_the_appeal_page_still_varies_with_the_language(client, petition):
    response = client.get(reverse("petitions:appeal", args=[petition.slug]))
    assert "Accept-Language" in response["Vary"]


def test_hostile_query_strings_never_cause_a_server_error(client, petition):
    queries = [
        "q=%00",
        "page=%00",
        "page=-1",
        "page=99999999999999999999999999999999999999",
        "page_size=1" + "0" * 5000,
        "state[]=open",
        "state=open&state=open",
        "q=%F0%9F%A6%86%E2%80%AE",
        "q=%ff%fe",
        "q=" + "%27%22%3B--" * 10,
        "q=!!!%26%7C()",
        "interval=%00",
        "interval=hour&interval=day",
    ]
    for path in [api("petitions"), api("history", petition.slug), api("count", petition.slug)]:
        for query in queries:
            response = client.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query)
            assert "application/json" in response["Content-Type"]


def test_a_petition_may_not_take_the_apis_address(db):
    petition = Petition(slug="api", title="x", body="x", letter="x", starter_name="x")
    with pytest.raises(ValidationError, match="used by the site"):
        petition.full_clean()


def test_the_count_and_detail_are_as_fresh_as_the_page(client, petition, settings):
    settings.APPEAL_STATE_MAX_AGE = 60  # production's is 1 s
    assert get_json(client, api("count", petition.slug))["signature_count"] == 0
    assert get_json(client, api("petition", petition.slug))["signature_count"] == 0
    make_signature(petition, confirmed=True)
    # Read once per period, however many ask: this one is still the earlier reading.
    assert get_json(client, api("count", petition.slug))["signature_count"] == 0
    assert get_json(client, api("petition", petition.slug))["signature_count"] == 0


@pytest.mark.both_databases  # REPEATABLE READ set on PostgreSQL; SQLite's own transaction
@pytest.mark.django_db(transaction=True)
def test_the_detail_reads_one_snapshot_in_its_own_transaction(client):
    # Outside a test's transaction, as in production: REPEATABLE READ is set first.
    petition = make_petition()
    for country in ["FR", "DE"]:
        make_signature(petition, confirmed=True, country=country)
    data = get_json(client, api("petition", petition.slug))
    assert sum(c["count"] for c in data["signatures_by_country"]) == data["signature_count"] == 2


def test_by_country_is_one_group_by_on_its_index(petition):
    for country in ["FR", "DE"]:
        make_signature(petition, confirmed=True, country=country)
    with CaptureQueriesContext(connection) as queries:
        assert [n for _, _, n in petition.signatures_by_country()] == [1, 1]
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: as on a big one
        # And no tie between the indexes that start with (petition, status): only this one
        # gives the rows grouped by country without a sort of their own.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_hashagg = off")
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "signature_country_idx" in plan
