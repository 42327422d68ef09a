from collections.abc import Callable
from functools import wraps

from allauth.account import views as allauth_views
from allauth.account.internal.stagekit import clear_login
from allauth.account.views import ConfirmLoginCodeView, LoginView, RequestLoginCodeView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import roles, services
from accounts.cookies import set_language_cookie
from accounts.forms import PreferencesForm
from config.http import AuthenticatedHttpRequest


class RequestCodeView(RequestLoginCodeView):
    """The one sign-in page for customers, at allauth's login URL."""

    template_name = "account/request_login_code.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "POST" and not request.user.is_authenticated:
            # allauth sends anyone with a code pending back to the code page; asking again
            # (a new code, another address) starts over instead. Only allauth's pending
            # sign-in is dropped: a sign-out would flush the session and its draft tokens.
            clear_login(request)
            if "restart" in request.POST:
                return redirect(self.passthrough_next_url(reverse("account_login")))
        return super().dispatch(request, *args, **kwargs)


class ConfirmCodeView(ConfirmLoginCodeView):
    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["code_minutes"] = settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60
        return context


class StaffLoginView(LoginView):
    """Password sign-in, followed by allauth's second-factor stage for enrolled staff."""

    template_name = "account/login.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        # The page mentions the authenticator code only where it will be asked for.
        context["mfa_required"] = settings.STAFF_MFA_REQUIRED
        return context


def staff_password_page(view: Callable) -> Callable:
    """allauth's password pages, for staff only: customers have no password to reset, set or
    change (the emailed code is their one way in), so a signed-in customer gets a 404. Reset
    mail goes to staff addresses only (AccountAdapter.send_mail)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_authenticated and not roles.signs_in_with_password(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


password_change = staff_password_page(allauth_views.password_change)
password_set = staff_password_page(allauth_views.password_set)
password_reset = staff_password_page(allauth_views.password_reset)
password_reset_done = staff_password_page(allauth_views.password_reset_done)
password_reset_from_key = staff_password_page(allauth_views.password_reset_from_key)
password_reset_from_key_done = staff_password_page(allauth_views.password_reset_from_key_done)


@require_GET
def signup(request: HttpRequest) -> HttpResponse:
    # Accounts come from the sign-in code; keep old links working.
    url = reverse("account_login")
    next_url = request.GET.get("next")
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also remembered on the account of a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        services.remember_language(user=request.user, language=language)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, user=request.user)
    if form.is_valid():
        user = services.update_preferences(user=request.user, **form.cleaned_data)
        # The next page is already in the new language.
        with translation.override(user.preferred_language):
            messages.success(request, _("Your preferences are saved."))
        response = HttpResponseRedirect(reverse("accounts:preferences"))
        set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/preferences.html", {"form": form})
