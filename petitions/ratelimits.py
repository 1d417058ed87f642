"""Rate limits on the forms that cost us an email or a login attempt, per client address
and per email address or username, counted by django-ratelimit in the shared cache."""

import ipaddress
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage


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
    until the next window (django-ratelimit's time_left is to the window's last second). If
    Redis is down, django-redis logs it and the count fails open (RATELIMIT_FAIL_OPEN)."""
    for key, rate in settings.RATE_LIMITS[group].items():
        usage = get_usage(request, group=f"{group}:{key}", key=KEYS[key], rate=rate, increment=True)
        if usage and usage["should_limit"]:
            return usage["time_left"] + 1
    return None


def too_many_requests(request, *, retry_after: int):
    minutes = max(1, -(-retry_after // 60))  # rounded up
    response = render(request, "429.html", {"retry_minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response
