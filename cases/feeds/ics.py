"""A feed's entries as an iCalendar (RFC 5545) file, built with `icalendar`."""

import datetime as dt
from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from cases.feeds.selectors import Entry, EntryKind


def summary(entry: Entry) -> str:
    # The case's provider, not entry.provider: its name in the feed's language.
    values = {"provider": entry.case.provider_label, "reference": entry.reference}
    if entry.kind == EntryKind.EXPECTED_BY:
        return _("%(provider)s should have answered by today (case %(reference)s)") % values
    if entry.kind == EntryKind.BILLING_CHECK:
        return _("Check your bill: did %(provider)s stop charging? (case %(reference)s)") % values
    return _("Follow up with %(provider)s (case %(reference)s)") % values


def build(
    entries: list[Entry],
    *,
    name: str,
    language: str,
    domain: str,
    url_for: Callable[[Entry], str],
    now: dt.datetime,
) -> bytes:
    """The calendar: one all-day event per entry, in `language`."""
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//Closeout//Case dates//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", name)
        for entry in entries:
            event = Event()
            event.add("uid", f"{entry.uid}@{domain}")
            event.add("dtstamp", now)
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + dt.timedelta(days=1))
            event.add("summary", summary(entry))
            event.add("url", url_for(entry))
            event.add("description", url_for(entry))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
        return calendar.to_ical()
