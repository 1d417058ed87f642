import secrets

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.middleware import csrf

# Attributes through which django-csp's decorators give one response its own policy.
POLICY_OVERRIDES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
EXEMPTIONS = {HEADER: "_csp_exempt", HEADER_REPORT_ONLY: "_csp_exempt_ro"}


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp, with the site's policy built once per process: django-csp builds it from
    the settings for every response, which cost an eighth of a minimal request's CPU
    (docs/performance.md). A response with a policy of its own (django-csp's decorators), a
    nonce or a path excluded in the settings goes through django-csp as usual, and so does
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


# CSRF secrets and masks as Django draws them, 32 characters uniformly from its 62, but from
# one read of the OS's random source: Django's get_random_string() makes one per character,
# 64 for every visitor without a cookie, which was a tenth of the appeal page's CPU
# (docs/performance.md). A byte >= 248 (4 x 62) is dropped, so every character stays
# equally likely; 40 bytes leave at least 32 all but never, and the loop covers that.
CSRF_CHARACTERS = bytes(
    ord(csrf.CSRF_ALLOWED_CHARS[b % len(csrf.CSRF_ALLOWED_CHARS)]) for b in range(256)
)
CSRF_DROPPED = bytes(range(256 - 256 % len(csrf.CSRF_ALLOWED_CHARS), 256))


def new_csrf_string() -> str:
    drawn = b""
    while len(drawn) < csrf.CSRF_SECRET_LENGTH:
        drawn += secrets.token_bytes(40).translate(CSRF_CHARACTERS, CSRF_DROPPED)
    return drawn[: csrf.CSRF_SECRET_LENGTH].decode()


def draw_csrf_secrets_in_one_read() -> None:
    """Make Django's CSRF middleware draw its secrets and masks with new_csrf_string()."""
    csrf._get_new_csrf_string = new_csrf_string
