"""The scam guard flags every kind of unofficial contact and never an official one."""

import pytest

from cases.contacts.scam_guard import Reason, Verdict, check_contact, check_text

# Official values as the directory hands them over: channel values, website, source pages.
CHINA_MOBILE = {
    "official": [
        "10086",
        "https://www.sh.10086.cn/service/static/support/cs/2012/12/2012-12-196022.html",
    ],
    "country": "CN",
    "names": ["China Mobile", "china-mobile"],
}
CHINA_UNICOM = {
    "official": [
        "10010",
        "186 1861 0010",
        "http://www.chinaunicom.com.hk/en/business/customer.php",
    ],
    "country": "CN",
    "names": ["China Unicom", "china-unicom"],
}
EE = {
    "official": ["150", "07953 966 250", "+44 7953 966 250", "https://ee.co.uk/help"],
    "country": "GB",
    "names": ["EE", "ee"],
}
CMHK = {
    "official": [
        "12580",
        "2945 8888",
        "400 120 4000",
        "https://eshop.hk.chinamobile.com/en/about_us/contact_us/index.html",
    ],
    "country": "HK",
    "names": ["China Mobile Hong Kong (CMHK)", "cmhk"],
}
THREE_HK = {
    "official": ["1033", "cs.mobile@three.com.hk", "PO Box 999 GPO Hong Kong", "3Shop"],
    "country": "HK",
    "names": ["3 Hong Kong (3HK)", "three-hk"],
}


def codes(contact: str, provider: dict) -> list[str]:
    return check_contact(contact, **provider).codes


@pytest.mark.parametrize(
    ("provider", "ways"),
    [
        (CHINA_MOBILE, ["10086", "100 86", "+86 10086", "0086-10086", "(+86) 10086", "１００８６"]),
        (
            CHINA_UNICOM,
            ["186 1861 0010", "+86 186 1861 0010", "0086 18618610010", "186-1861-0010",
             "+86-186-1861-0010"],
        ),
        (
            EE,
            ["07953 966 250", "+44 7953 966250", "0044 7953 966 250", "+44 (0)7953 966 250",
             "07953-966-250"],
        ),
        (CMHK, ["400 120 4000", "+86 400 120 4000", "4001204000", "(852) 12580", "+852 12580"]),
        (
            CHINA_MOBILE,
            ["https://www.10086.cn", "WWW.10086.CN/", "10086.cn", "http://sh.10086.cn/service",
             "sh.10086.cn/index.html", "１００８６．cn"],
        ),
        (CMHK, ["chinamobile.com", "https://www.hk.chinamobile.com/", "eshop.hk.chinamobile.com"]),
        (THREE_HK, ["cs.mobile@three.com.hk", "CS.Mobile@Three.com.hk", " cs.mobile@three.com.hk ",
                    "mailto:cs.mobile@three.com.hk", "web.three.com.hk/infosupport"]),
    ],
)  # fmt: skip
def test_an_official_channel_written_five_ways_is_never_flagged(provider, ways):
    for way in ways:
        assert codes(way, provider) == [], way


def test_official_values_that_are_not_numbers_or_addresses_are_not_flagged():
    assert codes("PO Box 999 GPO Hong Kong", THREE_HK) == []
    assert codes("3Shop", THREE_HK) == []
    assert codes("the shop at 123 Nathan Road", THREE_HK) == []
    assert codes("called 1033", THREE_HK) == []


@pytest.mark.parametrize(
    ("contact", "app"),
    [
        ("t.me/cm10086", "Telegram"),
        ("https://t.me/joinchat/AAAAAEkk", "Telegram"),
        ("Telegram: @cm_help", "Telegram"),
        ("tg://resolve?domain=cm_help", "Telegram"),
        ("wa.me/8613800138000", "WhatsApp"),
        ("https://api.whatsapp.com/send?phone=8613800138000", "WhatsApp"),
        ("WhatsApp +86 138 0013 8000", "WhatsApp"),
        ("微信：cm10086kf", "WeChat"),
        ("WeChat ID: kefu_10086", "WeChat"),
        ("vx kefu10086", "WeChat"),
        ("wxid_abc123xyz", "WeChat"),
        ("WeChat", "WeChat"),
        ("QQ 12345678", "QQ"),
        ("QQ号：87654321", "QQ"),
        ("LINE ID: cmhelp", "LINE"),
        ("https://line.me/R/ti/p/@cmhelp", "LINE"),
        ("@cmservice", ""),
    ],
)
def test_messaging_app_handles_and_links_are_flagged_with_their_app(contact, app):
    verdict = check_contact(contact, **CHINA_MOBILE)
    assert [(f.code, f.app) for f in verdict.findings] == [(Reason.MESSAGING, app)]
    assert verdict.findings[0].value == contact.strip()


def test_an_official_messaging_handle_is_not_flagged():
    provider = {**CHINA_UNICOM, "official": [*CHINA_UNICOM["official"], "WeChat: WOShanghai"]}
    assert codes("微信 WOShanghai", provider) == []
    assert codes("微信 WOShanghai-help", provider) == ["messaging_handle"]


@pytest.mark.parametrize(
    "contact", ["mobile-help.net", "https://cancel-line.com/cn", "www.chinaunicom.com.hk"]
)
def test_an_unknown_domain_is_flagged(contact):
    assert codes(contact, CHINA_MOBILE) == ["unknown_domain"]


def test_a_phone_number_not_in_the_directory_is_flagged():
    assert codes("138 0013 8000", CHINA_MOBILE) == ["unknown_phone"]
    assert codes("+44 7700 900123", EE) == ["unknown_phone"]
    assert codes("10010", CHINA_MOBILE) == ["unknown_phone"]  # another carrier's hotline
    assert codes("2945 8889", CMHK) == ["unknown_phone"]


@pytest.mark.parametrize(
    "contact",
    ["kefu10086@163.com", "support@gmail.com", "ee.help@outlook.com", "10086@qq.com",
     "help@189.cn", "ＣＭ＠１２６．ｃｏｍ"],
)  # fmt: skip
def test_a_free_mail_address_posing_as_support_is_flagged(contact):
    assert codes(contact, CHINA_MOBILE) == ["free_mail"]


def test_an_official_address_on_a_free_mail_domain_matches_only_exactly():
    provider = {"official": ["help.example.support@gmail.com"], "country": "GB"}
    assert codes("Help.Example.Support@gmail.com", provider) == []
    assert codes("other@gmail.com", provider) == ["free_mail"]


@pytest.mark.parametrize(
    ("contact", "provider", "imitated"),
    [
        ("https://1OO86.cn", CHINA_MOBILE, "10086.cn"),  # letter O for zero
        ("10086.com", CHINA_MOBILE, "10086.cn"),  # same name, another ending
        ("10068.cn", CHINA_MOBILE, "10086.cn"),  # two digits swapped
        ("10086kf.com", CHINA_MOBILE, "10086.cn"),
        ("help@10086-service.com", CHINA_MOBILE, "10086.cn"),
        ("www.10086.cn.refund-desk.com", CHINA_MOBILE, "10086.cn"),
        ("chinamobile-help.com", CHINA_MOBILE, "China Mobile"),  # the name, no website
        ("ee-support.co.uk", EE, "ee.co.uk"),
        ("https://eе.co.uk", EE, "ee.co.uk"),  # a Cyrillic е
        ("thr3e.com.hk", {**THREE_HK, "official": ["https://three.com.hk"]}, "three.com.hk"),
        ("chinamobi1e.com", CMHK, "chinamobile.com"),  # digit 1 for l
        ("chinarnobile.com", CMHK, "chinamobile.com"),  # rn for m
    ],
)
def test_a_look_alike_domain_is_flagged_with_the_official_one_it_imitates(
    contact, provider, imitated
):
    verdict = check_contact(contact, **provider)
    assert [(f.code, f.official) for f in verdict.findings] == [(Reason.LOOKALIKE, imitated)]


def test_a_punycode_domain_is_flagged():
    assert codes("https://xn--80ak6aa92e.com/login", EE) == ["punycode_domain"]
    assert codes("аррӏе.com", EE) == ["punycode_domain"]  # Cyrillic, typed as Unicode


@pytest.mark.parametrize(
    ("contact", "provider"),
    [
        ("400-820-8820", CHINA_MOBILE),
        ("+86 400 820 8820", CHINA_MOBILE),
        ("4008208820", CHINA_UNICOM),
        ("09098 790000", EE),  # UK premium rate
        ("0845 123 4567", EE),  # UK shared cost
    ],
)
def test_a_premium_rate_or_400_number_is_flagged_when_the_official_number_differs(
    contact, provider
):
    assert codes(contact, provider) == ["premium_rate"]


def test_a_400_number_that_is_official_is_not_flagged():
    assert codes("400-120-4000", CMHK) == []


def test_a_provider_with_no_channels_flags_every_number_and_address():
    broadnet = {"official": [], "country": "CN", "names": ["China Broadnet", "china-broadnet"]}
    assert codes("10099", broadnet) == ["unknown_phone"]
    assert codes("www.10099.com.cn", broadnet) == ["unknown_domain"]
    assert codes("in person at a hall", broadnet) == []


def test_several_findings_in_one_contact_each_get_their_reason():
    verdict = check_contact("Call 400-820-8820 or add QQ 12345678", **CHINA_MOBILE)
    assert verdict.codes == ["messaging_handle", "premium_rate"]


def test_free_text_flags_pasted_contacts_but_not_references_dates_or_app_names():
    note = (
        "Called 10086 on 2026-12-01, ticket 12345678. They said to add 微信 kefu2026, "
        "or call 400-820-8820 or +86 138 0013 8000; see www.10086.cn and 10086-kf.cn."
    )
    verdict = check_text(note, **CHINA_MOBILE)
    assert [(f.code, f.value) for f in verdict.findings] == [
        (Reason.LOOKALIKE, "10086-kf.cn"),
        (Reason.MESSAGING, "微信 kefu2026"),
        (Reason.PREMIUM_RATE, "400-820-8820"),
        (Reason.UNKNOWN_PHONE, "+86 138 0013 8000"),
    ]
    assert not check_text("我已解绑微信和支付宝，工单号 20261201。", **CHINA_MOBILE).findings
    assert not check_text("I unbound WeChat and my bank's SMS codes.", **CHINA_MOBILE).findings
    assert not check_text("", **CHINA_MOBILE).findings


def test_the_verdict_round_trips_through_json_and_explains_each_finding():
    verdict = check_contact("help@10086-service.com", **CHINA_MOBILE)
    stored = verdict.as_dict()
    assert stored == {
        "findings": [
            {"code": "lookalike_domain", "value": "help@10086-service.com", "official": "10086.cn"}
        ]
    }
    again = Verdict.from_dict(stored)
    assert again == verdict
    assert "10086.cn" in again.findings[0].explanation
    assert Verdict.from_dict(None) == Verdict()
    assert Verdict.from_dict({"findings": [{"code": "retired_code", "value": "x"}]}) == Verdict()


def test_contacts_written_into_chinese_text_are_found():
    note = "客服让我加@cmhelp2026，或访问https://10086-kf.cn查询，发邮件到kefu@163.com。"
    verdict = check_text(note, **CHINA_MOBILE)
    assert [(f.code, f.value) for f in verdict.findings] == [
        (Reason.LOOKALIKE, "https://10086-kf.cn"),
        (Reason.FREE_MAIL, "kefu@163.com"),
        (Reason.MESSAGING, "@cmhelp2026"),
    ]


def test_a_line_handle_written_with_a_colon_is_a_line_handle():
    verdict = check_contact("LINE: cmhelp", **CHINA_MOBILE)
    assert [(f.code, f.app, f.value) for f in verdict.findings] == [
        (Reason.MESSAGING, "LINE", "LINE: cmhelp")
    ]
