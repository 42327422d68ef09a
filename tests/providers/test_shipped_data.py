import re

import pytest
from django.core.management import call_command

from providers.importer import is_reserved_host, shipped_files
from providers.models import ContactChannel, Playbook, PlaybookStep, Provider, ServiceKind

pytestmark = pytest.mark.django_db

RESERVED_TEXT = re.compile(r"example\.(com|net|org)|\.test\b|\.example\b|7946\s?0", re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")


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
        assert channel.verified_on.isoformat() == "2026-11-25", channel


def test_no_real_provider_uses_demo_domains_or_numbers(shipped):
    for provider in Provider.objects.filter(is_demo=False).prefetch_related("channels"):
        texts = [provider.website, provider.cancellation_url, provider.notes]
        for channel in provider.channels.all():
            texts += [channel.value, channel.source_url]
        for text in texts:
            assert not RESERVED_TEXT.search(text), (provider, text)
        assert provider.last_verified_on.isoformat() == "2026-11-25"


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
    for slug_part in ("china-mobile", "unicom", "telecom-cn", "tesco", "mint", "telekom"):
        assert not Provider.objects.filter(slug__contains=slug_part, is_demo=False).exists()
    for unofficial in ("10086", "202", "333", "800-922-0204", "800.331.0500"):
        assert not ContactChannel.objects.filter(provider__is_demo=False, value=unofficial).exists()


def test_shipped_files_are_yaml_under_providers_data():
    names = [path.name for path in shipped_files()]
    assert {"playbooks.yaml", "directory.yaml", "demo.yaml"} <= set(names)
