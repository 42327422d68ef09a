"""Typed requests for views: HTMX details (django-htmx's middleware) and a signed-in user;
the redirect after a successful POST."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: User | AnonymousUser


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """For views behind login_required: the user is always a signed-in User."""

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user behind a request, for pages only they reach; anyone else is refused."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def private_page(view: Callable) -> Callable:
    """Private, never cached, and a fragment never stands in for the page (Vary: HX-Request)."""
    return wraps(view)(never_cache(vary_on_headers("HX-Request")(view)))


def go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; an HTMX request gets a full-page redirect too."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
