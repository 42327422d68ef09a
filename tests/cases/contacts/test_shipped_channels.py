"""Every official value the shipped directory carries passes the scam guard, however written.

The guard's new classes (look-alike characters, IDNA dots, shared platforms, unknown
top-level domains) must not cost a false alarm on a real channel: each value is checked as
the directory writes it and in the other ways people type it, as a contact and inside a note,
through the same selector the contact log and the step notes use.
"""

import re

import phonenumbers
import pytest
from django.core.management import call_command

from cases.contacts import scam_guard, selectors
from providers.models import ContactChannel, Provider

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def phone_ways(value: str, country: str) -> list[str]:
    digits = re.sub(r"\D", "", value)
    ways = [value, digits, value.replace(" ", "-"), value.translate(FULL_WIDTH)]
    if not value.startswith("+") and country:
        code = phonenumbers.country_code_for_region(country)
        national = value[1:] if value.startswith("0") else value
        ways += [f"+{code} {national}", f"00{code} {national}", f"(+{code}) {national}"]
    return ways


def url_ways(value: str) -> list[str]:
    scheme, _, rest = value.partition("://")
    host, slash, path = rest.partition("/")
    ways = [value, rest, f"{scheme}://{host.upper()}{slash}{path}", f" {value} "]
    ways.append(value[:-1] if value.endswith("/") else value + "/")
    ways.append(f"http://{rest}" if scheme == "https" else f"https://{rest}")
    if not scam_guard.shared_platform(host) and not host.startswith("www."):
        ways.append(f"www.{rest}")
    return ways


def email_ways(value: str) -> list[str]:
    return [value, value.upper(), f"mailto:{value}", f" {value} "]


def ways_of(value: str, *, kind: str, country: str) -> list[str]:
    if value.startswith(("http://", "https://")):
        return url_ways(value)
    if kind == ContactChannel.Kind.PHONE:
        return phone_ways(value, country)
    if kind == ContactChannel.Kind.EMAIL:
        return email_ways(value)
    return [value, value.lower(), value.upper()]


@pytest.fixture
def shipped():
    call_command("load_shipped_data", verbosity=0)
    return list(Provider.objects.order_by("slug"))


def test_every_shipped_official_value_passes_the_guard_in_every_way_it_is_written(shipped):
    checked = 0
    alarms = []
    for provider in shipped:
        channels = selectors.official_channels(provider)
        values = [(channel.value, channel.kind) for channel in channels]
        values += [(url, "url") for url in selectors.official_values(provider, channels)]
        for value, kind in dict.fromkeys(values):
            for way in ways_of(value, kind=kind, country=provider.country):
                verdict = selectors.check_entry(
                    provider=provider,
                    channels=channels,
                    contact=way,
                    notes=f"They said to use {way.strip()} for this.",
                )
                checked += 1
                if verdict.findings:
                    alarms.append(f"{provider.slug}: {way!r} -> {verdict.codes}")
    assert not alarms, "\n".join(alarms)
    assert len(shipped) >= 20
    assert checked >= 300  # every value, each in several ways


def test_an_official_value_of_one_provider_is_flagged_on_another_providers_case(shipped):
    """The check is not blind: the same selector flags the channels of another provider."""
    ee = Provider.objects.get(slug="ee")
    china_mobile = Provider.objects.get(slug="china-mobile")
    verdict = selectors.check_entry(
        provider=china_mobile,
        channels=selectors.official_channels(china_mobile),
        contact="https://ee.co.uk/help",
    )
    assert verdict.codes == ["unknown_domain"]
    assert ee.channels.exists()
