"""Each request carries an id: from a sane X-Request-ID, or a new one; it comes back on the
response and is in every log line written while serving the request."""

import io
import json
import logging

import pytest

from petition_site.middleware import RequestIDFilter


@pytest.fixture
def log_lines():
    """What the configured console handler writes, as parsed JSON lines."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIDFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


class TestRequestID:
    def test_a_sane_id_from_the_proxy_comes_back(self, client):
        response = client.get("/healthz", headers={"X-Request-ID": "0f3c9a1e-proxy-77"})
        assert response["X-Request-ID"] == "0f3c9a1e-proxy-77"

    def test_without_one_a_new_id_is_made_for_each_request(self, client):
        first = client.get("/healthz")["X-Request-ID"]
        second = client.get("/healthz")["X-Request-ID"]
        assert len(first) == 32 and first != second

    @pytest.mark.parametrize(
        "forged", ["short", "x" * 129, "abc def ghi", 'id"}\n{"level": "ERROR"', "ünïcödé-123"]
    )
    def test_an_id_that_is_not_a_plain_token_is_replaced(self, client, forged):
        response = client.get("/healthz", headers={"X-Request-ID": forged})
        assert response["X-Request-ID"] != forged
        assert len(response["X-Request-ID"]) == 32

    def test_djangos_log_lines_carry_the_id(self, client, db, log_lines):
        response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-4242-abcd"})
        assert response.status_code == 404
        (line,) = [line for line in log_lines() if line["logger"] == "django.request"]
        assert line["request_id"] == "trace-4242-abcd"
        assert line["level"] == "WARNING"
        assert "Not Found" in line["message"]

    def test_outside_a_request_the_id_is_a_dash(self, log_lines):
        logging.getLogger("petitions").warning("from a worker")
        assert log_lines()[-1]["request_id"] == "-"
        assert log_lines()[-1]["message"] == "from a worker"

    def test_the_id_is_forgotten_once_the_response_is_sent(self, client, db, log_lines):
        client.get("/healthz", headers={"X-Request-ID": "trace-4242-abcd"}).close()
        logging.getLogger("petitions").warning("after the request")
        assert log_lines()[-1]["request_id"] == "-"
