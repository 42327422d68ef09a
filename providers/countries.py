"""Every country a person may name, in the active language, for the forms that ask for one.

The names come from phonenumbers' geocoding data (already a dependency, in English and
Chinese), so no hand-kept list goes stale; the directory's own countries come first, named as
the directory names them (COUNTRY_NAMES: "Mainland China", not "China").
"""

from functools import cache

import phonenumbers
from django.utils.translation import get_language
from phonenumbers import geocoder

from providers.models import COUNTRY_NAMES


@cache
def _names(language: str) -> dict[str, str]:
    names = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(example, language) if example else ""
        if name:
            names[region] = name
    return names


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) pairs: the directory's countries, then every other one by name."""
    language = "zh" if (get_language() or "").lower().startswith("zh") else "en"
    names = _names(language)
    first = [(code, str(name)) for code, name in COUNTRY_NAMES.items()]
    rest = sorted(
        ((code, name) for code, name in names.items() if code not in COUNTRY_NAMES),
        key=lambda item: item[1],
    )
    return first + rest


def is_country(code: str) -> bool:
    return code in COUNTRY_NAMES or code in _names("en")
