"""The per-process cache of what the pages share: Django's local-memory cache, less its copies."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class ObjectCache(LocMemCache):
    """LocMemCache that keeps each value itself rather than a pickled copy, and takes any key.

    The appeal page reads four entries per request (the petition, its HTML, the counter and
    the recent supporters): unpickling them, a model instance above all, was a sixth of the
    page's CPU (docs/performance.md). The price is that readers share one object, so a value
    must never be changed in place: these are strings, and model instances only read.
    Keys are not checked for memcached's rules, which this cache does not have.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            self._cache.move_to_end(key, last=False)
            return self._cache[key]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key {key!r} not found")
            self._cache[key] += delta
            return self._cache[key]

    def validate_key(self, key):
        """Any string will do: nothing here goes to memcached."""
