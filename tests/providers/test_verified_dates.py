"""A "verified" date says when someone checked an official page: it cannot be in the future."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers.importer import ImportFailed, import_files
from providers.models import ContactChannel, EscalationRegion, Provider
from tests import factories
from tests.providers.test_importer import VALID, write

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


@time_machine.travel(TODAY, tick=False)
def test_a_channel_verified_in_the_future_is_refused_by_its_validation():
    channel = factories.ContactChannelFactory.build(
        provider=factories.ProviderFactory(), verified_on=dt.date(2030, 1, 1)
    )

    with pytest.raises(ValidationError) as refused:
        channel.full_clean()

    assert "verified_on" in refused.value.message_dict
    assert "future" in refused.value.message_dict["verified_on"][0]


@time_machine.travel(TODAY, tick=False)
def test_a_channel_verified_today_anywhere_on_earth_is_accepted():
    # 7 Dec 12:00 UTC is already 8 Dec in Kiribati: a date seen there is no future date.
    for day in (dt.date(2026, 12, 7), dt.date(2026, 12, 8)):
        channel = factories.ContactChannelFactory.build(
            provider=factories.ProviderFactory(), verified_on=day
        )
        channel.full_clean()


@time_machine.travel(TODAY, tick=False)
def test_provider_and_region_dates_cannot_be_in_the_future_either():
    provider = factories.ProviderFactory.build(last_verified_on=dt.date(2027, 1, 1))
    region = EscalationRegion(
        country="GB", regulator="Ofcom", notice_verified_on=dt.date(2027, 1, 1)
    )

    with pytest.raises(ValidationError) as provider_refused:
        provider.full_clean()
    with pytest.raises(ValidationError) as region_refused:
        region.full_clean()

    assert "last_verified_on" in provider_refused.value.message_dict
    assert "notice_verified_on" in region_refused.value.message_dict


@time_machine.travel(TODAY, tick=False)
def test_the_importer_refuses_a_channel_or_provider_verified_in_the_future(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["last_verified_on"] = "2030-01-01"
    data["providers"][0]["channels"][0]["verified_on"] = "2030-01-01"

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    fields = {(e.entry, e.field) for e in failed.value.errors}
    assert ("providers[0] (demo-one)", "last_verified_on") in fields
    assert ("providers[0] (demo-one)", "channels[0].verified_on") in fields
    assert not Provider.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_admin_refuses_a_channel_verified_in_the_future(admin_client):
    channel = factories.ContactChannelFactory(verified_on=dt.date(2026, 11, 1))
    url = reverse("admin:providers_contactchannel_change", args=[channel.pk])
    form = {
        "provider": channel.provider.pk,
        "kind": channel.kind,
        "value": channel.value,
        "is_official": "on",
        "verified_on": "2030-01-01",
        "source_url": channel.source_url,
        "position": "0",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert "This date is in the future" in response.content.decode()
    channel.refresh_from_db()
    assert channel.verified_on == dt.date(2026, 11, 1)
    assert ContactChannel.objects.count() == 1
