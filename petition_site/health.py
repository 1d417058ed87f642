from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is alive and serving Django: no database, no cache. Also the minimal
    view that bench/load.py measures the appeal page against."""
    return HttpResponse("ok\n", content_type="text/plain")
