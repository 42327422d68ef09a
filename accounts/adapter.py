"""allauth hooks: the real client address, mail in the reader's language, where sign-in lands."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from accounts import roles, services
from accounts.cookies import set_language_cookie
from accounts.models import User

LOGIN_CODE_MAIL = "account/email/login_code"
PASSWORD_RESET_MAIL = "account/email/password_reset_key"  # noqa: S105 - a template name


def client_ip(request: HttpRequest) -> str:
    """The address of whoever is talking to the outermost of our own proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so with N of them the
    client is the Nth entry from the right; everything further left is whatever the client
    chose to send and is never believed.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [ip.strip() for ip in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [ip for ip in forwarded if ip]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by the sign-in-by-code form, only ever for the address the code
        # is sent to; allauth's own signup would hand out accounts without proof of the email.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = User.objects.filter(email__iexact=email).first()
        staff = user is not None and roles.signs_in_with_password(user)
        if template_prefix == LOGIN_CODE_MAIL and (user is None or staff):
            # The request form already withholds codes from staff; this holds even if some
            # other allauth path starts a code sign-in for them.
            return
        if template_prefix == PASSWORD_RESET_MAIL and not staff:
            # Customers have no password: a reset link would be a second way in beside the
            # emailed code. The page answers the same either way (no account enumeration).
            return
        language = user.preferred_language if user else translation.get_language()
        context = {"code_minutes": settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60, **context}
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if roles.can_use_staff_dashboard(request.user):
            # Agents work from the staff dashboard; the admin is for admins.
            return reverse("staff:case_list")
        if roles.signs_in_with_password(request.user):
            return super().get_login_redirect_url(request)
        return reverse("cases:my_cases")

    def post_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        language = services.language_at_sign_in(request=request, user=user)
        set_language_cookie(response, language)
        return response
