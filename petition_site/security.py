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
