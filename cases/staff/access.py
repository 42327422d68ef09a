"""The one door to the staff dashboard: every view goes through `agent_page` first."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from cases import access


def agent_page(view: Callable) -> Callable:
    """Cleared agents only (cases/access.py); anyone else is sent to the staff sign-in page
    (not signed in), to the second factor they still owe, or refused with 403 (a customer,
    staff outside the agents' group). Private and never cached, and a fragment never stands
    in for the page (Vary: HX-Request)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:staff_login"))
        access.check_agent(request.user)
        return view(request, *args, **kwargs)

    return never_cache(vary_on_headers("HX-Request")(wrapper))
