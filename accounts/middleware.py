"""Staff need a second factor before the staff area; everyone sees times in their own zone."""

import zoneinfo
from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts import roles, session_facts

DEFAULT_STAFF_AREA_PATHS = ("/admin/", "/staff/")


def staff_area_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "STAFF_AREA_PATHS", DEFAULT_STAFF_AREA_PATHS))


def has_second_factor_this_session(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _with_next(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


class SecondFactorRequired(PermissionDenied):
    """A staff session that still owes the second factor asked for something behind it.

    Raised by access checks outside the staff area (a case's files, say). The middleware
    answers it exactly as it answers /staff/ (enrol, or enter a code); without the middleware
    it is still a 403, never the thing asked for.
    """


def second_factor_step(request: HttpRequest) -> HttpResponse | None:
    """The redirect to enrol or to enter a code that this staff session still owes, or None."""
    user = request.user
    if not roles.signs_in_with_password(user) or not settings.STAFF_MFA_REQUIRED:
        return None
    next_url = request.get_full_path()
    if not session_facts.staff_facts(request).has_totp:
        return _with_next("mfa_activate_totp", next_url)
    if not has_second_factor_this_session(request):
        return _with_next("mfa_reauthenticate", next_url)
    return None


def _stamp_second_factor(request: HttpRequest) -> None:
    """Tell the access rule (roles.passed_second_factor) what this session passed, and
    roles.can_use_staff_dashboard what the session remembers of the agents' group."""
    user = getattr(request, "user", None)
    if user is not None and roles.signs_in_with_password(user):
        setattr(user, roles.SECOND_FACTOR_STAMP, has_second_factor_this_session(request))
        facts = session_facts.staff_facts(request)
        setattr(user, roles.SUPPORT_AGENT_STAMP, facts.is_support_agent)


class StaffSecondFactorMiddleware:
    """Keep the admin and the staff dashboard behind a password *and* a TOTP code.

    Django's admin login form checks a password only, so it is replaced by the staff sign-in
    page, which runs allauth's second-factor stage. A signed-in staff member without an
    authenticator is sent to enrol one; one whose session never passed the second factor
    (signed in before enrolling, say) is asked for a code. STAFF_MFA_REQUIRED=False (the
    default with DEBUG on) lifts the last two, so the printed demo logins work as they are.

    Outside those paths the same answer comes from `SecondFactorRequired`, which the case
    access rule (cases/access.py) raises; the rule reads what this session passed from the
    stamp put on the request's user here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _stamp_second_factor(request)
        paths = staff_area_paths()
        if request.path.startswith(paths):
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if request.path == reverse("admin:login") and not user.is_authenticated:
            # Signed-in customers keep the admin's own "not authorised" page: the staff
            # sign-in page would send them straight back here.
            return _with_next("accounts:staff_login", request.GET.get("next", "/admin/"))
        # Anyone else is answered by the area's own access checks.
        return second_factor_step(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SecondFactorRequired):
            return second_factor_step(request)  # None: Django answers the 403
        return None


class UserTimeZoneMiddleware:
    """Show times in the signed-in person's own time zone (DESIGN.md "Time")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
