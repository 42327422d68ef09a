"""Line identifiers: what a person types becomes the stored form, or a message they can act on."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from cases.identifiers import (
    eid_check_is_valid,
    luhn_is_valid,
    mask,
    mask_phone_number,
    parse_eid,
    parse_iccid,
    parse_imei,
    parse_phone_number,
)

VALID_IMEI = "490154203237518"
# 30 digits, then the two ISO 7064 mod 97-10 check digits that make the whole number ≡ 1 (mod 97).
VALID_EID = "89049032000001000000012345678954"
VALID_ICCID = "8944123456789012348"


def message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


class TestImei:
    @pytest.mark.parametrize(
        "typed",
        [VALID_IMEI, "49 015420 323751 8", "49-015420-323751-8", " 490154203237518 "],
    )
    def test_valid_imei_is_stored_as_15_digits(self, typed):
        assert parse_imei(typed) == VALID_IMEI

    @pytest.mark.parametrize("typed", ["490154203237517", "490154203237519", "123456789012345"])
    def test_imei_with_a_wrong_check_digit_is_refused_as_a_typo(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_imei(typed)
        assert caught.value.code == "checksum"
        assert "typo" in message(caught.value)

    @pytest.mark.parametrize("typed", ["", "49015420323751", "4901542032375180", "49015420323751A"])
    def test_imei_of_the_wrong_length_says_how_long_it_is(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_imei(typed)
        assert caught.value.code == "length"
        assert "15 digits" in message(caught.value)
        assert "*#06#" in message(caught.value)

    def test_luhn(self):
        assert luhn_is_valid("79927398713")
        assert not luhn_is_valid("79927398710")
        assert not luhn_is_valid("")
        assert not luhn_is_valid("12a4")


class TestPhoneNumber:
    @pytest.mark.parametrize(
        ("typed", "region", "e164"),
        [
            ("07700 900123", "GB", "+447700900123"),
            ("07700900123", "gb", "+447700900123"),
            ("+44 7700 900123", "GB", "+447700900123"),
            ("+44 (0)7700 900123", "", "+447700900123"),
            ("0044 7700 900123", "GB", "+447700900123"),
            ("020 7946 0000", "GB", "+442079460000"),
            ("138 0013 8000", "CN", "+8613800138000"),
            ("138-0013-8000", "CN", "+8613800138000"),
            ("+86 138 0013 8000", "", "+8613800138000"),
            ("+86 138 0013 8000", "GB", "+8613800138000"),
            ("010 1234 5678", "CN", "+861012345678"),
        ],
    )
    def test_national_and_international_forms_become_e164(self, typed, region, e164):
        assert parse_phone_number(typed, region=region) == e164

    def test_national_number_without_a_region_asks_for_the_country_code(self):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number("07700 900123")
        assert caught.value.code == "no_region"
        assert "country code" in message(caught.value)

    def test_empty_number_is_required(self):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number("  ", region="GB")
        assert caught.value.code == "required"

    @pytest.mark.parametrize(
        ("typed", "region"), [("0770 090", "GB"), ("138 0013", "CN"), ("+44 7700", "")]
    )
    def test_too_short_number_is_refused(self, typed, region):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number(typed, region=region)
        assert caught.value.code == "length"
        assert "too short" in message(caught.value)

    @pytest.mark.parametrize(
        ("typed", "region"), [("138 0013 8000 12", "CN"), ("07700 900123 45", "GB")]
    )
    def test_too_long_number_is_refused(self, typed, region):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number(typed, region=region)
        assert caught.value.code == "length"
        assert "too many digits" in message(caught.value)

    @pytest.mark.parametrize(
        "typed", ["+44 7700 900abc", "abc-123", "not a number", "07700 9OO123", "+44+7700900123"]
    )
    def test_letters_or_other_signs_are_refused_with_what_to_type(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number(typed, region="GB")
        assert caught.value.code == "characters"
        assert message(caught.value) == (
            "Use digits only (spaces, dashes and a leading + are fine)."
        )

    @pytest.mark.parametrize("typed", ["+", "+999 1234 5678"])
    def test_garbage_is_refused_readably(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_phone_number(typed, region="GB")
        assert "phone number" in message(caught.value)


class TestEid:
    def test_valid_eid_with_spaces(self):
        spaced = " ".join(VALID_EID[i : i + 4] for i in range(0, 32, 4))
        assert parse_eid(spaced) == VALID_EID
        assert eid_check_is_valid(VALID_EID)

    def test_eid_with_a_wrong_check_is_a_typo(self):
        wrong = VALID_EID[:-1] + "5"
        with pytest.raises(ValidationError) as caught:
            parse_eid(wrong)
        assert caught.value.code == "checksum"
        assert parse_eid(wrong, check=False) == wrong

    @pytest.mark.parametrize(
        "typed", ["", VALID_EID[:-1], VALID_EID + "0", "8904903200000100000001234567895X"]
    )
    def test_eid_must_have_32_digits(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_eid(typed)
        assert "32 digits" in message(caught.value)


class TestIccid:
    def test_valid_iccid(self):
        assert parse_iccid(VALID_ICCID) == VALID_ICCID
        assert parse_iccid("8944 1234 5678 9012 348") == VALID_ICCID

    def test_trailing_padding_letter_is_dropped(self):
        assert parse_iccid(VALID_ICCID + "F") == VALID_ICCID
        assert parse_iccid(VALID_ICCID + "f") == VALID_ICCID

    def test_iccid_must_start_with_89(self):
        with pytest.raises(ValidationError) as caught:
            parse_iccid("9944123456789012348")
        assert caught.value.code == "prefix"
        assert "89" in message(caught.value)

    def test_iccid_with_a_wrong_check_digit(self):
        with pytest.raises(ValidationError) as caught:
            parse_iccid("8944123456789012349")
        assert caught.value.code == "checksum"

    @pytest.mark.parametrize("typed", ["", "89441234567890123", "89" + "0" * 21])
    def test_iccid_must_have_18_to_22_digits(self, typed):
        with pytest.raises(ValidationError) as caught:
            parse_iccid(typed)
        assert "18 to 22 digits" in message(caught.value)


class TestMasking:
    def test_mask_shows_the_last_four(self):
        assert mask(VALID_IMEI) == "•••• 7518"
        assert mask("49 015420 323751 8") == "•••• 7518"
        assert mask(VALID_EID, visible=6) == "•••• 678954"

    def test_mask_of_nothing_or_a_short_value_shows_nothing(self):
        assert mask("") == ""
        assert mask("1234") == "••••"

    def test_masked_phone_keeps_the_country_code_and_last_four(self):
        assert mask_phone_number("+447700900123") == "+44 •••• 0123"
        assert mask_phone_number("+8613800138000") == "+86 •••• 8000"
        assert mask_phone_number("") == ""

    def test_masked_output_never_contains_the_whole_number(self):
        for value in (VALID_IMEI, VALID_EID, VALID_ICCID):
            assert value not in mask(value)
            assert value[:-4] not in mask(value)
        assert "7700900" not in mask_phone_number("+447700900123")


class TestMessagesAreTranslatable:
    @pytest.mark.parametrize(
        "parse", [parse_imei, parse_eid, parse_iccid, lambda v: parse_phone_number(v)]
    )
    def test_messages_are_translated_when_shown_not_when_raised(self, parse):
        with pytest.raises(ValidationError) as caught:
            parse("123")
        # A lazy string renders in the language active where the form shows it.
        assert isinstance(caught.value.message, Promise)
