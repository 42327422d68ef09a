from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language

urlpatterns = [
    path("i18n/set-language/", set_language, name="set_language"),
    # Before allauth: accounts overrides some of allauth's paths.
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("providers/", include("providers.urls")),
    path("reminders/", include("cases.reminders.urls")),
    path("staff/", include("cases.staff.urls")),
    path("", include("cases.evidence.urls")),
    path("admin/", admin.site.urls),
    path("", include("cases.contacts.urls")),
    path("", include("cases.notices.urls")),
    path("", include("cases.feeds.urls")),
    path("", include("cases.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
