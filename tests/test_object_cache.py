"""The pages' per-process cache keeps its values themselves, uncopied, for their timeout."""

import warnings

import pytest
from django.core.cache import caches

from petition_site.cache import ObjectCache


@pytest.fixture
def cache():
    cache = ObjectCache("test-objects", {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 3}})
    yield cache
    cache.clear()


def test_the_pages_use_it():
    assert isinstance(caches["pages"], ObjectCache)


def test_a_value_comes_back_as_the_same_object(cache):
    page = object()
    cache.set("page", page)
    assert cache.get("page") is page
    assert cache.get_or_set("page", object) is page
    assert cache.get("missing", "default") == "default"


def test_get_or_set_stores_what_it_made_once(cache):
    made = []
    for _ in range(3):
        cache.get_or_set("page", lambda: made.append(1) or "html")
    assert made == [1]
    assert cache.get("page") == "html"


def test_a_value_expires_after_its_timeout(cache, monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: now)
    monkeypatch.setattr("django.core.cache.backends.base.time.time", lambda: now)
    cache.set("counter", "1,030", timeout=1)
    assert cache.add("counter", "1,031") is False
    now += 1
    assert cache.get("counter") is None
    assert cache.add("counter", "1,031") is True
    assert cache.get("counter") == "1,031"


def test_incr_and_delete(cache):
    cache.set("n", 1)
    assert cache.incr("n", 2) == 3
    assert cache.delete("n") is True
    with pytest.raises(ValueError):
        cache.incr("n")


def test_the_oldest_entries_are_culled_when_full(cache):
    for key in "abc":
        cache.set(key, key)
    cache.get("a")  # the most recently used
    cache.set("d", "d")
    assert cache.get("a") == "a" and cache.get("d") == "d"
    assert cache.get("b") is None


def test_any_key_will_do_without_a_warning(cache):
    key = "appeal:1:2026-11-25 13:41:23+00:00:pt-br:" + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, "html")
        assert cache.get(key) == "html"
