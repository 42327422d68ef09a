from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from accounts.views import set_language


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        # At request time: the hashed name exists only once collectstatic has run.
        return static("favicon.svg")


urlpatterns = [
    path("i18n/set-language/", set_language, name="set_language"),
    # Browsers ask for /favicon.ico whatever the page links.
    path("favicon.ico", FaviconView.as_view()),
    # Before allauth: accounts overrides some of allauth's paths.
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("providers/", include("cases.directory.urls")),
    path("reminders/", include("cases.reminders.urls")),
    path("staff/", include("cases.staff.urls")),
    path("", include("cases.evidence.urls")),
    path("admin/", admin.site.urls),
    path("", include("cases.contacts.urls")),
    path("", include("cases.notices.urls")),
    path("", include("cases.feeds.urls")),
    path("", include("cases.inbound.urls")),
    path("inbound/", include("cases.inbound.webhooks")),
    path("", include("cases.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
