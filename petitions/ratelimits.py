"""Rate limits on the forms that cost us an email or a login attempt, per client address
and per email address or username, counted by django-ratelimit in the shared cache."""

import ipaddress
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import (  # the private parts: its keys and windows, for Redis
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)
from redis.commands.core import Script
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Each limit's count, as django-ratelimit's get_usage() keeps it (add 0 with the window's
# expiry, then incr), all in one command: a script costs the client less than a pipeline.
COUNT_SCRIPT = Script(
    None,
    b"""
local counts = {}
for i, key in ipairs(KEYS) do
    redis.call("SET", key, 0, "EX", ARGV[i], "NX")
    counts[i] = redis.call("INCR", key)
end
return counts
""",
)


def client_ip(request) -> str:
    """The address of whoever sent the request. Behind TRUSTED_PROXY_COUNT proxies that each
    append to X-Forwarded-For, that is the right-most entry none of ours wrote; anything to
    its left was written by the client and may be forged."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def ip_key(group, request) -> str:
    return client_ip(request)


def email_key(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


def username_key(group, request) -> str:
    return request.POST.get("username", "").strip().lower()


KEYS = {"ip": ip_key, "email": email_key, "username": username_key}


def rate_limited(group: str):
    """Refuse a POST that is over any of settings.RATE_LIMITS[group], with a 429 page that
    says when to try again. If the cache is down the limits fail open (see settings)."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if request.method == "POST":
                retry_after = count_request(request, group)
                if retry_after is not None:
                    return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def count_request(request, group: str) -> int | None:
    """Count this request against each of the group's limits; if it is over any, the seconds
    until that limit's window ends.

    In Redis, all the counts go in one command, under the keys and windows django-ratelimit
    uses: its get_usage() makes two round trips per limit, which was a fifth of the sign
    POST's CPU (docs/performance.md). Elsewhere (development's local cache), get_usage().
    """
    cache = caches[settings.RATELIMIT_USE_CACHE]
    limits = settings.RATE_LIMITS[group]
    if not hasattr(cache, "client"):  # not django-redis
        for key, rate in limits.items():
            usage = get_usage(
                request, group=f"{group}:{key}", key=KEYS[key], rate=rate, increment=True
            )
            if usage and usage["should_limit"]:
                return usage["time_left"]
        return None
    keys, expiries, windows = [], [], []
    for key, rate in limits.items():
        name, value = f"{group}:{key}", KEYS[key](group, request)
        limit, period = _split_rate(rate)
        window = _get_window(value, period)
        keys.append(cache.make_key(_make_cache_key(name, window, rate, value, ALL)))
        expiries.append(period + EXPIRATION_FUDGE)
        windows.append((limit, window))
    try:
        counts = COUNT_SCRIPT(keys, expiries, client=cache.client.get_client(write=True))
    except RedisError:
        log.exception("Rate limits not counted: Redis failed")
        return None  # fail open, as RATELIMIT_FAIL_OPEN says
    now = int(time.time())
    counted = zip(windows, counts, strict=True)
    over = [window - now for (limit, window), count in counted if count > limit]
    return max(over) if over else None


def too_many_requests(request, *, retry_after: int):
    minutes = max(1, -(-retry_after // 60))  # rounded up
    response = render(request, "429.html", {"retry_minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response
