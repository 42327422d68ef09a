"""The private calendar feeds: the page with the secret address, its reset, and the ICS itself.

The ICS answers to its token alone (calendar apps send no cookies); a wrong or reset token is
a 404 like any unknown address.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import can_use_staff_dashboard
from cases import access
from cases.feeds import ics, selectors, services
from cases.reminders.emails import absolute, site_domain
from config.http import AuthenticatedHttpRequest, private_page


def _feed_url(token: str) -> str:
    return absolute(reverse("feeds:ics", kwargs={"token": token}))


@require_GET
@login_required
@private_page
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.check_second_factor(request.user)
    feed = services.feed_for(user=request.user)
    context = {"feed_url": _feed_url(feed.token), "is_agent": can_use_staff_dashboard(request.user)}
    return render(request, "feeds/calendar.html", context)


@require_POST
@login_required
@private_page
def reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.check_second_factor(request.user)
    services.reset_feed(user=request.user)
    return redirect(reverse("feeds:calendar") + "?reset=1")


@require_http_methods(["GET", "HEAD"])
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.feed_by_token(token)
    if found is None or not found.user.is_active:
        raise Http404
    user = found.user
    now = timezone.now()
    if can_use_staff_dashboard(user):
        if not access.may_follow_agent_feed(user):
            raise Http404
        entries = selectors.agent_entries(user, now=now)
        name = _("Closeout: follow-ups of my cases")

        def url_for(entry):
            return absolute(reverse("staff:case_detail", kwargs={"ref": entry.reference}))
    else:
        entries = selectors.customer_entries(user, now=now)
        name = _("Closeout: my cases")

        def url_for(entry):
            return absolute(reverse("cases:detail", kwargs={"ref": entry.reference}))

    body = ics.build(
        entries,
        name=name,
        language=user.preferred_language,
        domain=site_domain(),
        url_for=url_for,
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="closeout.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
