import datetime as dt

import hypothesis
import jsonschema
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.definitions import OPENAPI_31

from petition_site.wsgi import application
from petitions.models import Delivery, PaperSignatures, Petition, Update
from petitions.openapi import openapi_document
from tests.conftest import make_petition, make_signature

# The slug the document gives as its example: the fuzzer's examples reach a real petition.
SLUG = "release-dr-wang-bingzhang"
# The WSGI test client does not decompress: ask for the plain body.
PLAIN = {"Accept-Encoding": "identity"}
OPERATIONS = {
    "/api/petitions/": {},
    "/api/petitions/{slug}/": {"slug": SLUG},
    "/api/petitions/{slug}/count/": {"slug": SLUG},
    "/api/petitions/{slug}/history/": {"slug": SLUG},
    "/api/openapi.json": {},
}


def make_campaign() -> Petition:
    """A petition with something in every part of the API's answer."""
    petition = make_petition(slug=SLUG, goal=100, summary="Free him.")
    for country in ["CN", "CN", "GB"]:
        make_signature(petition, confirmed=True, country=country)
    recipient = petition.recipients.create(
        role="Ambassador",
        name="Liu Xiaoming",
        responded_on=dt.date(2026, 1, 5),
        response="We *note* it.",
        response_url="https://example.org/reply",
    )
    Delivery.objects.create(
        recipient=recipient, delivered_on=dt.date(2026, 1, 2), method="post", signatures=3
    )
    PaperSignatures.objects.create(petition=petition, received_on=dt.date(2026, 1, 1), count=7)
    Update.objects.create(petition=petition, title="News", body="Hi.", published_at=timezone.now())
    closed = make_petition(slug="closed-one", state=Petition.State.CLOSED, closed_at=timezone.now())
    Petition.objects.filter(pk=closed.pk).update(
        outcome=Petition.Outcome.DECLINED, outcome_on=dt.date(2026, 2, 1)
    )
    return petition


def load_schema():
    """The document, run against the site's WSGI application in the test's transaction."""
    loaded = schemathesis.openapi.from_dict(openapi_document())
    loaded.app = application
    # Bounded and repeatable: a few examples per operation, the same on every run.
    loaded.config.generation.update(max_examples=50, deterministic=True, database="none")
    return loaded


schema = load_schema()


@pytest.fixture
def in_process(db, settings):
    """Requests through the WSGI handler as the test client makes them: on the test's own
    database connection, which the handler's request signals would otherwise close."""
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client sends
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    make_campaign()
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    jsonschema.Draft202012Validator(OPENAPI_31).validate(document)
    for component in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(component)
    assert set(document["paths"]) == set(OPERATIONS)


def test_the_served_document_is_the_one_in_the_code(client):
    response = client.get("/api/openapi.json")
    assert response.json() == openapi_document()


def test_every_endpoints_real_responses_match_the_document(in_process):
    cases = [(path, params, {}) for path, params in OPERATIONS.items()]
    cases += [
        ("/api/petitions/", {}, {"state": "declined", "q": "free", "page_size": 1}),
        ("/api/petitions/", {}, {"page": 99}),
        ("/api/petitions/", {}, {"state": "draft"}),
        ("/api/petitions/{slug}/", {"slug": "closed-one"}, {}),
        ("/api/petitions/{slug}/", {"slug": "nope"}, {}),
        ("/api/petitions/{slug}/history/", {"slug": SLUG}, {"interval": "hour"}),
        ("/api/petitions/{slug}/history/", {"slug": SLUG}, {"interval": "week"}),
    ]
    statuses = []
    for path, path_parameters, query in cases:
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call(headers=PLAIN)
        schema[path]["GET"].validate_response(response)
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [200, 404, 400, 200, 404, 200, 400]


def test_a_response_that_broke_the_promise_would_be_caught(in_process):
    # The check above is worth something only if validation rejects a wrong answer.
    operation = schema["/api/petitions/{slug}/count/"]["GET"]
    response = operation.Case(path_parameters={"slug": SLUG}).call(headers=PLAIN)
    response.content = b'{"signature_count": "3", "read_at": "now"}'
    with pytest.raises(FailureGroup) as failed:
        operation.validate_response(response)
    found = " ".join(str(e) for e in failed.value.exceptions)
    assert '"3" is not of type "integer"' in found and '"now" is not a "date-time"' in found


@schema.parametrize()
@hypothesis.settings(suppress_health_check=list(hypothesis.HealthCheck), deadline=None)
def test_the_fuzzer_finds_no_server_error_and_no_broken_promise(case, in_process):
    # Valid and invalid parameters, hostile strings among them: never a 5xx, and every
    # answer (400s and 404s included) as the document describes it.
    case.call_and_validate(headers=PLAIN)
