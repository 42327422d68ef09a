"""Dates and times on every page, in one shape per language (config/formats/).

`{{ moment|when }}` is a moment in the viewer's own zone; `{{ moment|when:case.time_zone }}` is
one in the case's zone, and says which zone whenever that is not the viewer's, so an agent in
London never reads a Shanghai customer's 08:00 as their own. `{{ day|day }}` is a date.
`{{ zone|zone_name }}` is a zone as people read it in the page's language.
`{% case_zone_note case %}` says once, at the top of a page that shows a case's times in its own
zone, which zone that is, when it is not the viewer's.
"""

import datetime as dt
import zoneinfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from accounts.time_zones import zone_name as _zone_name

register = template.Library()


def _zone(key: str) -> dt.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(key) if key else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@register.filter
def when(value: dt.datetime | dt.date | None, zone: str = "") -> str:
    """A moment as "Dec. 7, 2026, 13:02", with "(Asia/Shanghai)" when not the viewer's zone."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return formats.date_format(value, "DATE_FORMAT")
    viewer = timezone.get_current_timezone()
    shown = _zone(zone) or viewer
    text = formats.date_format(timezone.localtime(value, shown), "DATETIME_FORMAT")
    if str(shown) == str(viewer):
        return text
    return gettext("%(when)s (%(zone)s)") % {"when": text, "zone": _zone_name(str(shown))}


@register.filter
def day(value: dt.datetime | dt.date | None, zone: str = "") -> str:
    """A day as "Dec. 20, 2026"; a moment's day in `zone` (the viewer's zone without one)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, _zone(zone) or timezone.get_current_timezone())
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def zone_name(zone: str) -> str:
    return _zone_name(zone or "")


def differs_from_viewer(zone: str, viewer: str = "") -> bool:
    """Whether times shown in `zone` are not the viewer's own clock (the active zone's)."""
    shown = _zone(zone)
    return shown is not None and str(shown) != (viewer or timezone.get_current_timezone_name())


@register.simple_tag
def case_zone_note(case: object, viewer: str = "") -> SafeString:
    """ "Times for this case are in Asia/Shanghai …", or nothing when that is the viewer's zone.
    `viewer` names the viewer's zone where the page renders under the case's zone."""
    zone = str(getattr(case, "time_zone", "") or "")
    viewer = viewer or timezone.get_current_timezone_name()
    if not differs_from_viewer(zone, viewer):
        return SafeString("")
    return format_html(
        '<p class="muted zone-note">{}</p>',
        gettext("Dates and times of this case are in its time zone, %(zone)s; yours is %(yours)s.")
        % {"zone": _zone_name(zone), "yours": _zone_name(viewer)},
    )
