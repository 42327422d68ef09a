"""Health probes, answered before any other middleware (no host check, no HTTPS redirect)."""

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return self.readiness()
        return self.get_response(request)

    @staticmethod
    def readiness() -> HttpResponse:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any database failure means "not ready"
            logger.exception("readiness check failed")
            return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        return JsonResponse({"status": "ok", "database": "ok"})


class PrivatePagesMiddleware:
    """Every response to a signed-in person is private and never stored.

    Any page they get may show their own data (My cases, preferences, the email page, the
    header's sign-out); one rule here means a new page cannot forget its never_cache. Pages
    for signed-out visitors that hold personal data (a draft) mark themselves (never_cache).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        already_private = "no-store" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not already_private:
            add_never_cache_headers(response)
        return response
