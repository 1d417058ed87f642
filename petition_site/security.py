from functools import wraps

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Attributes through which django-csp's decorators give one response its own policy.
POLICY_OVERRIDES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
EXEMPTIONS = {HEADER: "_csp_exempt", HEADER_REPORT_ONLY: "_csp_exempt_ro"}


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp, with the site's policy built once per process: django-csp builds it from
    the settings for every response, a large share of a minimal request's CPU (the figure is
    in docs/performance.md). A response with a policy of its own (django-csp's decorators),
    a nonce or a path excluded in the settings goes through django-csp as usual, and so does
    everything in development, where django-csp spares Django's debug pages."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.policies = {HEADER: build_policy(), HEADER_REPORT_ONLY: build_policy(report_only=True)}
        self.excluded = any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or self.excluded
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in POLICY_OVERRIDES)
        ):
            return super().process_response(request, response)
        for header, policy in self.policies.items():
            if policy and not getattr(response, EXEMPTIONS[header], False):
                response.headers.setdefault(header, policy)
        # As django-csp: a nonce asked for after the header is written would not be in it.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class CrossOriginIsolationMiddleware:
    """Cross-origin isolation: other sites can neither embed our resources nor share a
    browsing context with our pages (COOP comes from Django's SecurityMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Embedder-Policy", "require-corp")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


# The reason CSRF_FAILURE_VIEW gets for a POST the browser says came from another site.
CROSS_SITE = "Cross-site POST"


def sent_from_our_pages(request: HttpRequest) -> bool | None:
    """Whether the browser says this request came from one of the site's own pages: True or
    False, or None when it says nothing (a browser from before 2020, or not a browser).

    Sec-Fetch-Site first, as every current browser sends it; else the Origin header, against
    the site's own origin and CSRF_TRUSTED_ORIGINS, as Django compares it.
    """
    origin = request.headers.get("Origin")
    if origin is not None and origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")  # "none": the person's own action
    if origin is not None:
        return origin == f"{request.scheme}://{request.get_host()}"
    return None


def cross_origin_protected(view):
    """CSRF protection for a form on a page that shared caches serve, which carries no
    token: a POST the browser says came from elsewhere is refused with CSRF_FAILURE_VIEW,
    one it says came from our own pages goes through, and one that says nothing needs
    Django's CSRF cookie and token as usual (docs/security.md argues the design)."""
    token_checked = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def protected(request: HttpRequest, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return view(request, *args, **kwargs)
        verdict = sent_from_our_pages(request)
        if verdict is None:
            return token_checked(request, *args, **kwargs)
        if not verdict:
            return import_string(settings.CSRF_FAILURE_VIEW)(request, reason=CROSS_SITE)
        return view(request, *args, **kwargs)

    return protected
