"""The time zones people pick from, with their names in the page's language."""

import zoneinfo

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# Offered on the preferences page and the line-details page; any other valid zone a person
# already has is kept, under its IANA name.
ZONE_NAMES: dict[str, StrOrPromise] = {
    "UTC": _("UTC"),
    "Europe/London": _("Europe/London"),
    "Europe/Dublin": _("Europe/Dublin"),
    "Europe/Berlin": _("Europe/Berlin"),
    "Europe/Paris": _("Europe/Paris"),
    "Europe/Madrid": _("Europe/Madrid"),
    "Europe/Amsterdam": _("Europe/Amsterdam"),
    "Asia/Shanghai": _("Asia/Shanghai"),
    "Asia/Hong_Kong": _("Asia/Hong Kong"),
    "Asia/Taipei": _("Asia/Taipei"),
    "Asia/Singapore": _("Asia/Singapore"),
    "Asia/Tokyo": _("Asia/Tokyo"),
    "Asia/Kolkata": _("Asia/Kolkata"),
    "Asia/Dubai": _("Asia/Dubai"),
    "Australia/Sydney": _("Australia/Sydney"),
    "Pacific/Auckland": _("Pacific/Auckland"),
    "America/New_York": _("America/New York"),
    "America/Chicago": _("America/Chicago"),
    "America/Denver": _("America/Denver"),
    "America/Los_Angeles": _("America/Los Angeles"),
    "America/Toronto": _("America/Toronto"),
    "America/Sao_Paulo": _("America/Sao Paulo"),
    "Africa/Johannesburg": _("Africa/Johannesburg"),
}
COMMON_TIME_ZONES = list(ZONE_NAMES)


def zone_name(zone: str) -> str:
    """A zone as people read it in the active language ("亚洲/上海"); its IANA name otherwise."""
    name = ZONE_NAMES.get(zone)
    return str(name) if name is not None else zone.replace("_", " ")


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The select's (value, label) pairs, with `current` kept if it is any other valid zone."""
    zones = list(COMMON_TIME_ZONES)
    if current and current not in zones and current in zoneinfo.available_timezones():
        zones.append(current)
    return [(zone, zone_name(zone)) for zone in sorted(zones)]
