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


# --- Look-alike characters in numbers and sender names ----------------------------------------

VODAFONE_UK = {
    "official": ["191", "0333 3048 069", "https://www.vodafone.co.uk/"],
    "country": "GB",
    "names": ["Vodafone UK", "vodafone-uk"],
}
O2 = {
    "official": ["0344 463 2669", "https://www.o2.co.uk/"],
    "country": "GB",
    "names": ["O2", "o2-uk"],
}
EVERY_PROVIDER = ["China Mobile", "China Unicom", "EE", "O2", "Vodafone UK", "giffgaff", "3"]


def disguised(contact: str, provider: dict) -> list[tuple[str, str]]:
    verdict = check_contact(contact, other_names=EVERY_PROVIDER, **provider)
    return [(f.code, f.official) for f in verdict.findings]


@pytest.mark.parametrize(
    ("contact", "reads_as"),
    [
        ("1OO86", "10086"),  # capital O for zero
        ("1oo86", "10086"),  # small o
        ("l0086", "10086"),  # small L for one
        ("I0086", "10086"),  # capital i
        ("|0086", "10086"),  # a bar
        ("10O86", "10086"),
        ("1 OO 86", "10086"),
        ("１ＯＯ８６", "10086"),  # full-width digits and letters
        ("1ОО86", "10086"),  # Cyrillic О
        ("lOOlO", "10010"),  # letters only
        ("1OOOO", "10000"),
        ("SMS from 1OO86", "10086"),
    ],
)
def test_a_carriers_short_code_in_look_alike_letters_is_flagged_for_that_carrier(contact, reads_as):
    assert disguised(contact, CHINA_MOBILE) == [(Reason.DISGUISED, reads_as)]


@pytest.mark.parametrize("provider", [CHINA_UNICOM, EE, VODAFONE_UK, CMHK, THREE_HK])
@pytest.mark.parametrize("contact", ["1OO86", "l0086", "lOOlO", "1OO1O", "95S88"])
def test_a_short_code_in_look_alike_letters_is_flagged_for_every_other_provider(contact, provider):
    assert [code for code, _ in disguised(contact, provider)] == [Reason.DISGUISED]


@pytest.mark.parametrize(
    ("contact", "provider", "reads_as"),
    [
        ("15O", EE, "150"),
        ("l5O", EE, "150"),
        ("l9l", VODAFONE_UK, "191"),
        ("7953 966 25O", EE, "7953966250"),
        ("+44 7953 966 2S0", EE, "447953966250"),
    ],
)
def test_a_short_code_or_number_of_three_or_more_digits_in_disguise_is_flagged(
    contact, provider, reads_as
):
    assert disguised(contact, provider) == [(Reason.DISGUISED, reads_as)]


@pytest.mark.parametrize(
    ("contact", "provider", "reads_as"),
    [
        ("V0dafone", VODAFONE_UK, "Vodafone"),  # digit zero for o
        ("VODAF0NE", VODAFONE_UK, "Vodafone"),
        ("Vоdafone", VODAFONE_UK, "Vodafone"),  # a Cyrillic о
        ("V0dafone", EE, "Vodafone"),  # another carrier's name on an EE case
        ("V0dafone", CHINA_MOBILE, "Vodafone"),
        ("g1ffgaff", EE, "giffgaff"),
        ("02", O2, "O2"),  # zero-two for the sender O2
        ("02", EE, "O2"),
        ("3E", EE, "EE"),
        ("Ch1na Mob1le", CHINA_MOBILE, "China"),
    ],
)
def test_a_sender_name_with_digits_for_letters_is_flagged_for_its_carrier_and_others(
    contact, provider, reads_as
):
    found = disguised(contact, provider)
    assert found[0] == (Reason.DISGUISED, reads_as)
    assert {code for code, _ in found} == {Reason.DISGUISED}


@pytest.mark.parametrize(
    ("contact", "provider"),
    [
        ("10086", CHINA_MOBILE),
        ("１００８６", CHINA_MOBILE),  # full-width digits are the real number: they dial it
        ("O2", O2),
        ("o2", O2),
        ("EE", EE),
        ("Vodafone", VODAFONE_UK),
        ("VODAFONE", VODAFONE_UK),
        ("3Shop", THREE_HK),
        ("Flat 10B, 12 Nathan Road", THREE_HK),
        ("Birmingham B1 1BB", EE),
        ("Shop 1O", THREE_HK),
    ],
)
def test_ordinary_names_numbers_and_addresses_are_not_taken_for_disguises(contact, provider):
    assert Reason.DISGUISED not in [code for code, _ in disguised(contact, provider)]


def test_disguises_in_a_note_are_flagged_but_device_models_and_dates_are_not():
    note = "短信来自1OO86，让我回复。型号 SM-S911B，Galaxy S23，2026-12-01，邮编 B1 1BB。"
    verdict = check_text(note, other_names=EVERY_PROVIDER, **CHINA_MOBILE)
    assert [(f.code, f.value, f.official) for f in verdict.findings] == [
        (Reason.DISGUISED, "1OO86", "10086")
    ]
    assert check_text("Text from V0dafone", other_names=EVERY_PROVIDER, **EE).codes == [
        "disguised_characters"
    ]


# --- Dots that browsers and IDNA accept ------------------------------------------------------


@pytest.mark.parametrize(
    "contact",
    [
        "ee-help。co。uk",  # U+3002 ideographic full stop
        "ee-help．co．uk",  # U+FF0E full-width full stop
        "ee-help｡co｡uk",  # U+FF61 half-width ideographic full stop
        "ee-help。co.uk",
        "https://ee-help。co。uk/login",
        "help@ee-help。co。uk",
        "ＥＥ-ＨＥＬＰ。ＣＯ。ＵＫ",
    ],
)
def test_a_look_alike_written_with_dot_equivalents_is_the_same_look_alike(contact):
    verdict = check_contact(contact, **EE)
    assert [(f.code, f.official) for f in verdict.findings] == [(Reason.LOOKALIKE, "ee.co.uk")]


@pytest.mark.parametrize("contact", ["ee。co。uk", "https://ee．co．uk/help", "ee｡co｡uk/help"])
def test_the_official_domain_written_with_dot_equivalents_is_not_flagged(contact):
    assert codes(contact, EE) == []


def test_dot_equivalents_in_chinese_text_are_read_as_a_browser_would():
    note = "客服让我打开ee-help。co。uk登录，我说好。EE后来回电了。"
    verdict = check_text(note, **EE)
    assert [(f.code, f.value) for f in verdict.findings] == [(Reason.LOOKALIKE, "ee-help。co。uk")]


# --- Shared platforms: the exact official URL only -------------------------------------------

HUSHED = {
    "official": [
        "https://hushed.zendesk.com/",
        "https://hushed.zendesk.com/hc/en-us/articles/360015502732-Number-Expiry",
    ],
    "country": "",
    "names": ["Hushed", "hushed"],
}
GOOGLE_FI = {
    "official": ["https://fi.google.com/", "https://support.google.com/fi/answer/6079398"],
    "country": "US",
    "names": ["Google Fi", "google-fi"],
}


@pytest.mark.parametrize(
    ("contact", "provider", "platform"),
    [
        ("hushed-support.zendesk.com", HUSHED, "Zendesk"),
        ("https://hushed.zendesk.com/hc/en-us/articles/999-Refund-here", HUSHED, "Zendesk"),
        ("help@hushed-billing.zendesk.com", HUSHED, "Zendesk"),
        ("https://hushed.freshdesk.com/support/home", HUSHED, "Freshdesk"),
        ("sites.google.com/view/google-fi-cancel", GOOGLE_FI, "Google Sites"),
        ("https://docs.google.com/forms/d/e/1FAIpQLSe/viewform", GOOGLE_FI,
         "Google Docs and Forms"),
        ("forms.gle/aBcD123", GOOGLE_FI, "Google Forms"),
        ("https://googlefi-help.github.io/cancel", GOOGLE_FI, "github.io"),
        ("https://ee-help.wixsite.com/support", EE, "Wix"),
        ("https://ee-help.pages.dev/", EE, "pages.dev"),  # from the PSL's PRIVATE section
        ("https://www.notion.so/EE-help-1234", EE, "Notion"),
        ("https://ee-support.notion.site/", EE, "Notion"),
        ("linktr.ee/ee_help", EE, "Linktree"),
        ("https://cmcc-kefu.netlify.app", CHINA_MOBILE, "netlify.app"),
        ("https://www.wjx.cn/vm/abc.aspx", CHINA_MOBILE, "问卷星"),
    ],
)  # fmt: skip
def test_a_page_on_a_shared_platform_is_flagged_unless_it_is_the_exact_official_url(
    contact, provider, platform
):
    verdict = check_contact(contact, **provider)
    assert [(f.code, f.official) for f in verdict.findings] == [(Reason.SHARED_PLATFORM, platform)]


@pytest.mark.parametrize(
    ("contact", "provider"),
    [
        ("https://hushed.zendesk.com/", HUSHED),
        ("hushed.zendesk.com", HUSHED),
        ("HTTP://HUSHED.ZENDESK.COM", HUSHED),
        ("hushed.zendesk.com/hc/en-us/articles/360015502732-Number-Expiry/", HUSHED),
        ("https://support.google.com/fi/answer/6079398", GOOGLE_FI),
        ("fi.google.com", GOOGLE_FI),
    ],
)
def test_the_exact_official_url_on_a_shared_platform_is_not_flagged(contact, provider):
    assert codes(contact, provider) == []


def test_the_shared_platform_list_names_its_source():
    from cases.contacts import shared_platforms

    assert "Public Suffix List" in shared_platforms.__doc__
    assert "PRIVATE" in shared_platforms.__doc__
    assert {"zendesk.com", "freshdesk.com", "sites.google.com", "linktr.ee"} <= set(
        shared_platforms.SHARED_HOSTS
    )


# --- A top-level domain the bundled public suffix list does not know -------------------------


@pytest.mark.parametrize(
    "contact",
    [
        "https://cancel-line.zz/",
        "cancel-line.zz",
        "support@cancel-line.zz",
        "http://mobile-refund.invalidtld/claim",
        "http://203.0.113.7/login",  # an IP address instead of a name
    ],
)
def test_a_domain_whose_tld_is_unknown_is_judged_unknown_not_ignored(contact):
    assert codes(contact, CHINA_MOBILE) == ["unknown_domain"]


def test_an_unknown_tld_that_imitates_the_official_name_is_a_look_alike():
    verdict = check_contact("https://10086.kefu/", **CHINA_MOBILE)
    assert [(f.code, f.official) for f in verdict.findings] == [(Reason.LOOKALIKE, "10086.cn")]


def test_in_a_note_only_a_clear_address_with_an_unknown_tld_counts():
    note = "See report.pdf and notes.txt, e.g. the bill; then www.cmcc-help.zz or x.zz/login."
    verdict = check_text(note, **CHINA_MOBILE)
    assert [(f.code, f.value) for f in verdict.findings] == [
        (Reason.UNKNOWN_DOMAIN, "www.cmcc-help.zz"),
        (Reason.UNKNOWN_DOMAIN, "x.zz/login"),
    ]
