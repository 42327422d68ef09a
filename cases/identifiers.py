"""Line identifiers: phone numbers, IMEI, EID and ICCID — normalised, checked and masked.

Each `parse_*` takes what a person typed (spaces, dashes and dots allowed) and returns the
canonical form stored on the case, or raises a ValidationError whose message can be shown
next to the field.
"""

import re
import zoneinfo

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import timezone as phone_time_zones

# People copy identifiers from settings screens and letters, which group digits with these.
_SEPARATORS = re.compile(r"[\s\-./()]+")

MASK = "••••"

# What a phone number may hold: digits, the separators above and one leading +. A letter is
# refused rather than read as a keypad digit (phonenumbers turns "abc" into "222").
_PHONE_CHARACTERS = re.compile(r"\+?[\d\s\-./()]*")


def _digits_only(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def luhn_is_valid(digits: str) -> bool:
    """True when `digits` passes the Luhn (mod 10) check used by IMEI and ICCID."""
    if not digits or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def eid_check_is_valid(digits: str) -> bool:
    """True when the EID's ISO 7064 mod 97-10 check holds (the number mod 97 is 1)."""
    return len(digits) == 32 and digits.isdigit() and int(digits) % 97 == 1


def parse_phone_number(value: str, *, region: str = "") -> str:
    """The number in E.164 (+447700900123); `region` (GB, CN…) reads a national number."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter the phone number of the line."), code="required")
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise ValidationError(
            _("Use digits only (spaces, dashes and a leading + are fine)."), code="characters"
        )
    try:
        number = phonenumbers.parse(raw, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        if not raw.startswith("+") and not region:
            raise ValidationError(
                _("Enter the number with its country code, for example +44 7700 900123."),
                code="no_region",
            ) from None
        raise ValidationError(
            _("This does not look like a phone number. Check the digits and try again."),
            code="invalid",
        ) from None
    # A number the library does not know but that has a mobile number's length is accepted:
    # its range data lags new allocations, and refusing a real line would block its
    # cancellation. Anything else gets a message that says what is wrong with it.
    mobile = phonenumbers.PhoneNumberType.MOBILE
    if not phonenumbers.is_valid_number(number):
        result = phonenumbers.ValidationResult
        reason = phonenumbers.is_possible_number_for_type_with_reason(number, mobile)
        if reason in (result.TOO_SHORT, result.IS_POSSIBLE_LOCAL_ONLY):
            raise ValidationError(
                _("This phone number is too short. Enter the whole number, with its prefix."),
                code="length",
            )
        if reason in (result.TOO_LONG, result.INVALID_LENGTH):
            raise ValidationError(
                _("This phone number has too many digits for its country. Check the digits."),
                code="length",
            )
        if reason != result.IS_POSSIBLE:
            raise ValidationError(
                _("This does not look like a phone number. Check the country code and digits."),
                code="invalid",
            )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_imei(value: str) -> str:
    """The 15-digit IMEI, its last digit the Luhn check digit (dial *#06# to see it)."""
    digits = _digits_only(value)
    if not digits.isdigit() or len(digits) != 15:
        raise ValidationError(
            _("An IMEI has 15 digits. Dial *#06# on the phone to see it."), code="length"
        )
    if not luhn_is_valid(digits):
        raise ValidationError(
            _("This IMEI has a typo: its last digit does not match. Check each digit."),
            code="checksum",
        )
    return digits


def parse_eid(value: str, *, check: bool = True) -> str:
    """The 32-digit EID of an eSIM-capable device; `check` verifies its mod 97 check digits."""
    digits = _digits_only(value)
    if not digits.isdigit() or len(digits) != 32:
        raise ValidationError(
            _("An EID has 32 digits. You will find it in the phone's settings, under About."),
            code="length",
        )
    if check and not eid_check_is_valid(digits):
        raise ValidationError(
            _("This EID has a typo: its check digits do not match. Check each digit."),
            code="checksum",
        )
    return digits


def parse_iccid(value: str, *, esim: bool = False) -> str:
    """The SIM's ICCID: 18 to 22 digits starting with 89, the last a Luhn check digit.

    `esim` says where to find it: an eSIM has no card to read it from.
    """
    # Some SIM cards print a trailing letter (often F) that is padding, not part of the number.
    digits = _digits_only(value).upper().removesuffix("F")
    if not digits.isdigit() or not 18 <= len(digits) <= 22:
        if esim:
            message = _(
                "An ICCID has 18 to 22 digits. For an eSIM it is in the phone's settings, "
                "under About."
            )
        else:
            message = _(
                "An ICCID has 18 to 22 digits. It is printed on the SIM card and its holder."
            )
        raise ValidationError(message, code="length")
    if not digits.startswith("89"):
        raise ValidationError(
            _("An ICCID starts with 89. Check that you copied the SIM number, not another one."),
            code="prefix",
        )
    if not luhn_is_valid(digits):
        raise ValidationError(
            _("This ICCID has a typo: its last digit does not match. Check each digit."),
            code="checksum",
        )
    return digits


def mask(value: str, *, visible: int = 4) -> str:
    """Hide all but the last `visible` characters: '•••• 7518'. Empty stays empty."""
    value = _digits_only(value)
    if not value:
        return ""
    if len(value) <= visible:
        return MASK
    return f"{MASK} {value[-visible:]}"


def mask_phone_number(value: str) -> str:
    """Keep the country code and the last 4 digits: '+44 •••• 0123'."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return mask(value)
    national = str(number.national_number)
    if len(national) <= 4:
        return f"+{number.country_code} {MASK}"
    return f"+{number.country_code} {MASK} {national[-4:]}"


# Countries with one time zone: a number the prefix data does not place (mobile ranges often)
# still says where its owner most likely is. Countries spanning several zones are left out.
SINGLE_ZONE_COUNTRIES = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "MO": "Asia/Macau",
    "TW": "Asia/Taipei",
    "SG": "Asia/Singapore",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "IN": "Asia/Kolkata",
    "AE": "Asia/Dubai",
    "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg",
}


def time_zone_for_number(value: str) -> str | None:
    """The time zone a stored (E.164) number most likely lives in, or None if unclear.

    From phonenumbers' prefix data when it names one zone; else the country's, when the
    country has only one.
    """
    try:
        number = phonenumbers.parse(value or "", None)
    except phonenumbers.NumberParseException:
        return None
    zones = [z for z in phone_time_zones.time_zones_for_number(number) if z != "Etc/Unknown"]
    if len(zones) == 1:
        zone: str | None = zones[0]
    else:
        # A number outside the known ranges (a new allocation) still has its country code.
        region = phonenumbers.region_code_for_number(number) or (
            phonenumbers.region_code_for_country_code(number.country_code or 0)
        )
        zone = SINGLE_ZONE_COUNTRIES.get(region or "")
    return zone if zone in zoneinfo.available_timezones() else None
