import pytest

from providers.importer import import_documents
from providers.models import ContactChannel, ContactChannelChange
from providers.signals import acting_as
from tests.factories import ContactChannelFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_create_update_delete_each_write_an_audit_row_with_the_actor(agent):
    with acting_as(agent):
        channel = ContactChannelFactory()
        channel.hours = "24 hours"
        channel.save()
        channel.save()  # no change: no row
        channel.delete()

    changes = list(ContactChannelChange.objects.order_by("id"))
    assert [c.action for c in changes] == ["created", "updated", "deleted"]
    assert all(c.changed_by == agent for c in changes)
    created, updated, deleted = changes
    assert created.before is None
    assert created.after["value"] == channel.value
    assert updated.before["hours"] == "Mon–Fri 09:00–17:00"
    assert updated.after["hours"] == "24 hours"
    assert deleted.before["hours"] == "24 hours"
    assert deleted.after is None


def test_changes_outside_the_admin_have_no_user():
    ContactChannelFactory()
    assert ContactChannelChange.objects.get().changed_by is None


def test_deleting_a_provider_takes_its_channels_and_their_audit_with_it():
    provider = ProviderFactory()
    ContactChannelFactory.create_batch(2, provider=provider)
    provider.delete()
    assert not ContactChannel.objects.exists()
    assert not ContactChannelChange.objects.exists()


def test_importer_changes_are_audited_without_a_user():
    entry = {
        "slug": "demo-audit",
        "name": "Demo Audit (fictional)",
        "service_kinds": ["esim"],
        "is_demo": True,
        "channels": [
            {
                "kind": "email",
                "value": "help@audit.test",
                "verified_on": "2026-11-25",
                "source_url": "https://audit.test/help",
            }
        ],
    }
    import_documents([("memory", {"providers": [entry]})])
    entry["channels"][0]["hours"] = "24 hours"
    import_documents([("memory", {"providers": [entry]})])

    changes = ContactChannelChange.objects.order_by("id")
    assert [(c.action, c.changed_by) for c in changes] == [("created", None), ("updated", None)]
    assert changes[1].after["hours"] == "24 hours"
