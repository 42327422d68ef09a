"""Staff need a second factor before the staff area; everyone sees times in their own zone."""

import zoneinfo
from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

DEFAULT_STAFF_AREA_PATHS = ("/admin/", "/staff/")


def staff_area_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "STAFF_AREA_PATHS", DEFAULT_STAFF_AREA_PATHS))


def has_second_factor_this_session(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _with_next(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


class StaffSecondFactorMiddleware:
    """Keep the admin and the staff dashboard behind a password *and* a TOTP code.

    Django's admin login form checks a password only, so it is replaced by the staff sign-in
    page, which runs allauth's second-factor stage. A signed-in staff member without an
    authenticator is sent to enrol one; one whose session never passed the second factor
    (signed in before enrolling, say) is asked for a code. STAFF_MFA_REQUIRED=False (the
    default with DEBUG on) lifts the last two, so the printed demo logins work as they are.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        paths = staff_area_paths()
        if request.path.startswith(paths):
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        next_url = request.get_full_path()
        user = request.user
        if request.path == reverse("admin:login") and not user.is_authenticated:
            # Signed-in customers keep the admin's own "not authorised" page: the staff
            # sign-in page would send them straight back here.
            return _with_next("accounts:staff_login", request.GET.get("next", "/admin/"))
        if not (user.is_authenticated and user.is_staff):
            return None  # the area's own access checks answer these
        if not settings.STAFF_MFA_REQUIRED:
            return None
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return _with_next("mfa_activate_totp", next_url)
        if not has_second_factor_this_session(request):
            return _with_next("mfa_reauthenticate", next_url)
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
