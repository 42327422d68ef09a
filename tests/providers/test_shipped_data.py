import re

import pytest
from django.core.management import call_command

from providers.importer import is_reserved_host, shipped_files
from providers.models import ContactChannel, Playbook, PlaybookStep, Provider, ServiceKind

pytestmark = pytest.mark.django_db

RESERVED_TEXT = re.compile(r"example\.(com|net|org)|\.test\b|\.example\b|7946\s?0", re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")
# The two passes over the reference: most facts on 2026-11-25, mainland China on 2026-12-01.
VERIFIED_ON = {"2026-11-25", "2026-12-01"}


@pytest.fixture
def shipped(db, capsys):
    call_command("load_shipped_data")
    return capsys.readouterr().out


def test_shipped_data_loads_cleanly_and_twice_changes_nothing(shipped, capsys):
    assert "updated 0" in shipped
    assert Provider.objects.filter(is_demo=False).count() >= 15
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


def test_every_shipped_channel_is_official_with_source_and_date(shipped):
    channels = ContactChannel.objects.select_related("provider")
    assert channels.exists()
    for channel in channels:
        assert channel.is_official, channel
        assert channel.source_url.startswith(("https://", "http://")), channel
        assert channel.verified_on.isoformat() in VERIFIED_ON, channel


def test_no_real_provider_uses_demo_domains_or_numbers(shipped):
    for provider in Provider.objects.filter(is_demo=False).prefetch_related("channels"):
        texts = [provider.website, provider.cancellation_url, provider.notes]
        for channel in provider.channels.all():
            texts += [channel.value, channel.source_url]
        for text in texts:
            assert not RESERVED_TEXT.search(text), (provider, text)
        assert provider.last_verified_on.isoformat() in VERIFIED_ON


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


def test_providers_with_only_third_party_contacts_are_not_shipped(shipped):
    for slug_part in ("tesco", "mint", "telekom"):
        assert not Provider.objects.filter(slug__contains=slug_part, is_demo=False).exists()
    # Third-party or mirror-only numbers: Telecom's SMS 10001, Broadnet's 10099, O2 UK, Three
    # UK, Verizon, AT&T; and Unicom's GSM-era roaming line.
    for unofficial in ("10001", "10099", "202", "333", "800-922-0204", "800.331.0500"):
        assert not ContactChannel.objects.filter(provider__is_demo=False, value=unofficial).exists()
    assert not ContactChannel.objects.filter(value__contains="1019 9999").exists()


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
