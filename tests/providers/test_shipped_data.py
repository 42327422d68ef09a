import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from providers.importer import is_reserved_host, shipped_files
from providers.models import ContactChannel, Playbook, PlaybookStep, Provider, ServiceKind

pytestmark = pytest.mark.django_db

RESERVED_TEXT = re.compile(r"example\.(com|net|org)|\.test\b|\.example\b|7946\s?0", re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")
# The passes over the reference: most facts on 2026-11-25, mainland China and more on
# 2026-12-01, the provider pages found for more_providers.yaml on 2026-12-07.
VERIFIED_ON = {"2026-11-25", "2026-12-01", "2026-12-07"}
# Second-level names under which a registrable domain has three labels (bt.co.uk, x.com.hk).
PUBLIC_SUFFIX_PARENTS = {"co.uk", "org.uk", "com.hk", "gov.hk", "com.cn", "gov.cn", "com.au"}
# Official sources on a domain other than the provider's own website, each for a stated reason.
OFFICIAL_EXCEPTIONS = {
    # Hong Kong's regulator lists every carrier's lost-phone line.
    "ofca.gov.hk": "OFCA, the Hong Kong regulator",
}
# A provider's own other domains: its group's or its listed company's site, or a branch.
OWN_DOMAINS = {
    "china-mobile": {"10086.cn"},  # China Mobile's provincial branch (Shanghai)
    "china-unicom": {"chinaunicom.com.hk"},  # China Unicom (Hong Kong) Ltd, the listed company
    "china-telecom": {"chinatelecom-h.com"},  # China Telecom Corp Ltd, the listed company
    "csl": {"hkt.com", "hkcsl.com", "1010.com.hk"},  # CSL Mobile is part of HKT
    "cmhk": {"chinamobile.com"},
    "lycamobile-uk": {"lycamobile.co.uk"},
    "yesim": {"yesim.app", "yesim.tech"},
}


@pytest.fixture
def shipped(db, capsys):
    call_command("load_shipped_data")
    return capsys.readouterr().out


def registrable_domain(url_or_address: str) -> str:
    """example.co.uk for https://help.example.co.uk/x or cs@example.co.uk."""
    host = url_or_address.rsplit("@", 1)[1] if "@" in url_or_address else ""
    host = (host or urlsplit(url_or_address).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in PUBLIC_SUFFIX_PARENTS else 2
    return ".".join(labels[-keep:])


def own_domains(provider: Provider) -> set[str]:
    urls = [provider.website, provider.cancellation_url]
    return {registrable_domain(url) for url in urls if url} | OWN_DOMAINS.get(provider.slug, set())


def test_shipped_data_loads_cleanly_and_twice_changes_nothing(shipped, capsys):
    assert "updated 0" in shipped
    assert Provider.objects.filter(is_demo=False).count() >= 66
    assert Provider.objects.filter(is_demo=True).count() >= 3

    call_command("load_shipped_data")

    assert "created 0, updated 0" in capsys.readouterr().out


def test_every_service_kind_has_a_generic_playbook_opening_with_precautions(shipped):
    for kind in ServiceKind.values:
        playbook = Playbook.objects.get(provider=None, service_kind=kind)
        steps = list(playbook.steps.all())
        assert steps[0].kind == "checklist"
        assert sum(step.starts_waiting for step in steps) == 1
        assert any(step.evidence_kind == "confirmation" for step in steps)
        assert {step.region for step in steps if step.region} == {"GB", "CN", "DE"}


def test_esim_playbook_warns_not_to_delete_the_profile_first(shipped):
    last = Playbook.objects.get(provider=None, service_kind="esim").steps.last()
    assert "do not delete" in last.instructions.lower()
    assert "SGP.22" in last.instructions
    assert "SGP.22" in last.instructions_zh_hans


def test_every_shipped_step_is_in_english_and_chinese(shipped):
    for step in PlaybookStep.objects.all():
        assert step.title
        assert step.instructions
        assert CJK.search(step.title_zh_hans), step
        assert CJK.search(step.instructions_zh_hans), step


def test_loading_prints_what_the_directory_holds(shipped):
    counts = re.search(
        r"The directory now holds (\d+) providers, (\d+) official channels, (\d+) playbooks\.",
        shipped,
    )
    assert counts, shipped
    providers, channels, playbooks = map(int, counts.groups())
    assert providers == Provider.objects.active().count() >= 70
    assert channels == ContactChannel.objects.filter(is_official=True).count()
    assert playbooks == Playbook.objects.filter(is_active=True).count()


def test_every_shipped_channel_is_official_with_source_and_date(shipped):
    channels = ContactChannel.objects.select_related("provider")
    assert channels.exists()
    today = timezone.localdate()
    for channel in channels:
        assert channel.is_official, channel
        assert channel.source_url.startswith(("https://", "http://")), channel
        assert channel.verified_on.isoformat() in VERIFIED_ON, channel
        assert channel.verified_on <= today, channel


def test_every_real_channel_is_sourced_on_the_providers_own_domain(shipped):
    channels = ContactChannel.objects.filter(provider__is_demo=False).select_related("provider")
    for channel in channels:
        source = registrable_domain(channel.source_url)
        assert source in own_domains(channel.provider) | set(OFFICIAL_EXCEPTIONS), (
            channel,
            channel.source_url,
        )
        if channel.kind in (ContactChannel.Kind.EMAIL, ContactChannel.Kind.WEB_FORM):
            # An address to write to is the provider's own, never a middleman's.
            assert registrable_domain(channel.value) in own_domains(channel.provider), channel


def test_providers_without_an_official_page_ship_without_channels_and_say_so(shipped):
    for slug in ("boost-mobile", "telekom-de", "o2-de", "1und1", "textnow", "visible"):
        provider = Provider.objects.get(slug=slug)
        assert not provider.channels.exists(), slug
        assert not provider.website, slug  # none was seen on an official page
        assert "we show no contact details" in provider.notes, slug
        assert "不显示联系方式" in provider.notes_zh_hans, slug
        assert provider.last_verified_on is not None, slug  # the day we looked
    # Not looked for yet: said so, and never dated as checked.
    for slug in ("china-post-mobile", "yuante-telecom"):
        provider = Provider.objects.get(slug=slug)
        assert not provider.channels.exists(), slug
        assert "We have not checked" in provider.notes, slug
        assert "尚未查阅" in provider.notes_zh_hans, slug
        assert provider.last_verified_on is None, slug


def test_the_asked_for_providers_are_all_listed(shipped):
    slugs = set(Provider.objects.filter(is_demo=False).values_list("slug", flat=True))
    asked = {
        *("tesco-mobile", "sky-mobile", "id-mobile", "lebara-uk", "lycamobile-uk", "smarty"),
        *("voxi", "bt-mobile", "telekom-de", "o2-de", "1und1", "congstar", "t-mobile-us"),
        *("att", "mint-mobile", "visible", "csl", "smartone", "three-hk", "cmhk", "airalo"),
        *("holafly", "nomad", "ubigi", "saily", "google-voice", "textnow", "burner", "2ndline"),
    }
    assert asked <= slugs, asked - slugs
    assert Provider.objects.filter(country="CN", is_demo=False).count() >= 9


def test_chinese_and_hong_kong_providers_have_a_simplified_chinese_name(shipped):
    names = dict(Provider.objects.values_list("slug", "name_zh"))
    assert names["china-mobile"] == "中国移动"
    assert names["china-unicom"] == "中国联通"
    assert names["china-telecom"] == "中国电信"
    assert names["china-broadnet"] == "中国广电"
    assert names["cmhk"] == "中国移动香港"
    assert names["smartone"] == "数码通"
    assert names["three-hk"] == "3香港"
    assert "香港电讯" in names["csl"]
    for provider in Provider.objects.filter(country__in=["CN", "HK"], is_demo=False):
        assert CJK.search(provider.name_zh), provider
    # Brands known only in Latin letters keep their name.
    assert names["giffgaff"] == names["airalo"] == ""


def test_no_real_provider_uses_demo_domains_or_numbers(shipped):
    for provider in Provider.objects.filter(is_demo=False).prefetch_related("channels"):
        texts = [provider.website, provider.cancellation_url, provider.notes]
        for channel in provider.channels.all():
            texts += [channel.value, channel.source_url]
        for text in texts:
            assert not RESERVED_TEXT.search(text), (provider, text)
        if provider.last_verified_on is not None or provider.channels.exists():
            assert provider.last_verified_on.isoformat() in VERIFIED_ON, provider


def test_demo_providers_are_marked_fictional_and_cover_every_kind(shipped):
    demos = Provider.objects.filter(is_demo=True)
    assert all("(fictional)" in demo.name for demo in demos)
    for kind in ServiceKind.values:
        assert demos.offering(kind).exists(), kind
    assert Playbook.objects.filter(provider__is_demo=True).exists()
    for demo in demos:
        for url in (demo.website, *demo.channels.values_list("source_url", flat=True)):
            host = re.sub(r"^https?://([^/]+).*$", r"\1", url)
            assert is_reserved_host(host), url


def test_third_party_contacts_are_never_shipped(shipped):
    # Third-party or mirror-only numbers: Telecom's SMS 10001, Broadnet's 10099, O2 UK, Three
    # UK, Verizon, AT&T, Telekom, Lycamobile's landline number (seen only on its platform
    # host), BT's number from a blog, Lebara's of 2012; and Unicom's GSM-era roaming line.
    # (Tesco Mobile's 4455, once seen only on blogs, is now sourced on tescomobile.com.)
    unofficial = ("10001", "10099", "202", "333", "800-922-0204", "800.331.0500")
    unofficial += ("0800 330 2202", "020 7132 0322", "0800 800 150", "0870 075 5588")
    for value in unofficial:
        assert not ContactChannel.objects.filter(provider__is_demo=False, value=value).exists()
    assert not ContactChannel.objects.filter(value__contains="1019 9999").exists()
    for middleman in ("postclic", "aboalarm", "donotpay", "sparhandy", "ldsvcplatform"):
        assert not ContactChannel.objects.filter(source_url__contains=middleman).exists()
        assert not ContactChannel.objects.filter(value__contains=middleman).exists()


def test_mainland_china_carriers_ship_with_only_their_official_hotlines(shipped):
    hotlines = {
        "china-mobile": ["10086"],
        "china-unicom": ["10010", "186 1861 0010"],
        "china-telecom": ["10000"],
        "china-broadnet": [],
    }
    for slug, numbers in hotlines.items():
        provider = Provider.objects.get(slug=slug)
        assert provider.country == "CN"
        assert CJK.search(provider.local_name)
        channels = list(provider.channels.all())
        assert [channel.value for channel in channels] == numbers
        for channel in channels:
            assert channel.kind == "phone"
            assert channel.verified_on.isoformat() == "2026-12-01"
            assert any(
                host in channel.source_url for host in ("10086.cn", "chinaunicom", "chinatelecom")
            )
    broadnet = Provider.objects.get(slug="china-broadnet")
    # No official number found: the page says how to reach the app or a hall, invents none.
    assert "official app" in broadnet.notes
    assert "营业厅" in broadnet.notes_zh_hans
    assert not re.search(r"\d{5}", broadnet.notes + broadnet.notes_zh_hans)


def test_mainland_china_playbooks_look_up_first_settle_bills_and_offer_porting(shipped):
    playbooks = Playbook.objects.filter(provider__country="CN", provider__is_demo=False)
    assert {(p.provider.slug, p.service_kind) for p in playbooks} == {
        ("china-mobile", "physical_sim"),
        ("china-unicom", "physical_sim"),
        ("china-unicom", "esim"),
        ("china-telecom", "physical_sim"),
        ("china-telecom", "esim"),
        ("china-broadnet", "physical_sim"),
    }
    for playbook in playbooks:
        steps = list(playbook.steps.all())
        assert "一证通查" in steps[0].title_zh_hans
        titles = [step.title_zh_hans for step in steps]
        assert titles.index("销号前结清全部费用") < titles.index("到营业厅或在官方 App 中办理销号")
        assert any("携号转网" in step.instructions_zh_hans for step in steps)
        close = next(step for step in steps if "销号" in step.title and step.kind == "action")
        assert "service hall" in close.instructions
        assert "official app" in close.instructions
        assert sum(step.starts_waiting for step in steps) == 1
        assert not any(step.region for step in steps)


def test_shipped_files_are_yaml_under_providers_data():
    names = [path.name for path in shipped_files()]
    assert {"playbooks.yaml", "directory.yaml", "demo.yaml"} <= set(names)


def test_uk_operators_are_never_claimed_for_esim_and_their_kinds_are_unchecked(shipped):
    # No official eSIM fact for them in ../shared/providers-reference.md: offered with a note.
    for slug in ("ee", "o2-uk", "vodafone-uk", "three-uk"):
        operator = Provider.objects.get(slug=slug)
        assert (operator.offers_esim, operator.service_kinds_checked) == (False, False), slug
        assert operator.offers_physical_sim, slug
    unchecked = Provider.objects.filter(service_kinds_checked=False)
    assert not unchecked.filter(offers_esim=True, offers_physical_sim=True).exists()
    # Sellers of one kind, and operators with both SIM and eSIM in the reference, stay checked.
    for slug in ("airalo", "holafly", "nomad", "ubigi", "hushed", "t-mobile-us", "china-unicom"):
        assert Provider.objects.get(slug=slug).service_kinds_checked, slug
    esim = list(Provider.objects.active().offering("esim", unchecked_too=True))
    known = [provider for provider in esim if provider.offers_esim]
    assert esim[: len(known)] == known
    assert {"ee", "o2-uk", "vodafone-uk", "three-uk"} <= {provider.slug for provider in esim}
    assert "hushed" not in {provider.slug for provider in esim}
