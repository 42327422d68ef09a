"""Dates and times on every page, in one shape per language (config/formats/).

`{{ moment|when }}` is a moment in the viewer's own zone; `{{ moment|when:case.time_zone }}` is
one in the case's zone, and says which zone whenever that is not the viewer's, so an agent in
London never reads a Shanghai customer's 08:00 as their own. `{{ day|day }}` is a date.
`{{ zone|zone_name }}` is a zone as people read it in the page's language.
"""

import datetime as dt
import zoneinfo

from django import template
from django.utils import formats, timezone
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
