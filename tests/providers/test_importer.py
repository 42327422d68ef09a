import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from providers.importer import ImportFailed, import_files
from providers.models import ContactChannel, ContactChannelChange, Playbook, PlaybookStep, Provider

pytestmark = pytest.mark.django_db

VALID = {
    "providers": [
        {
            "slug": "demo-one",
            "name": "Demo One (fictional)",
            "country": "GB",
            "service_kinds": ["virtual", "esim"],
            "website": "https://demo-one.example.com/",
            "has_self_service": True,
            "last_verified_on": "2026-11-25",
            "is_demo": True,
            "channels": [
                {
                    "kind": "phone",
                    "value": "+44 20 7946 0001",
                    "hours": "Mon–Fri 09:00–17:00",
                    "is_official": True,
                    "verified_on": "2026-11-25",
                    "source_url": "https://demo-one.example.com/contact",
                },
                {
                    "kind": "email",
                    "value": "help@demo-one.test",
                    "is_official": True,
                    "verified_on": "2026-11-25",
                    "source_url": "https://demo-one.example.com/contact",
                },
            ],
        }
    ],
    "playbooks": [
        {
            "provider": "demo-one",
            "service_kind": "virtual",
            "title": "Cancel Demo One",
            "title_zh_hans": "注销演示一号",
            "steps": [
                {
                    "kind": "checklist",
                    "title": "Settle bills",
                    "title_zh_hans": "结清欠费",
                    "instructions": "Pay first.",
                    "instructions_zh_hans": "请先付清。",
                },
                {
                    "kind": "action",
                    "title": "Submit",
                    "title_zh_hans": "提交",
                    "instructions": "Submit it.",
                    "instructions_zh_hans": "提交申请。",
                    "starts_waiting": True,
                },
            ],
        }
    ],
}


def write(tmp_path: Path, data: dict, name: str = "directory.yaml") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def db_state() -> tuple:
    return (
        list(Provider.objects.values_list("slug", "name").order_by("slug")),
        list(ContactChannel.objects.values_list("kind", "value").order_by("id")),
        list(PlaybookStep.objects.values_list("title", flat=True).order_by("id")),
        ContactChannelChange.objects.count(),
    )


@pytest.mark.parametrize("name", ["directory.yaml", "directory.yml", "directory.json"])
def test_valid_file_imports_providers_channels_and_playbooks(tmp_path, capsys, name):
    call_command("import_providers", str(write(tmp_path, VALID, name)))

    provider = Provider.objects.get(slug="demo-one")
    assert provider.offers_virtual
    assert provider.offers_esim
    assert not provider.offers_physical_sim
    assert provider.channels.count() == 2
    playbook = Playbook.objects.get(provider=provider, service_kind="virtual")
    assert [s.position for s in playbook.steps.all()] == [1, 2]
    assert playbook.steps.get(position=2).starts_waiting
    assert "created 4, updated 0, unchanged 0" in capsys.readouterr().out


def test_same_file_twice_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, VALID)
    call_command("import_providers", str(path))
    capsys.readouterr()
    before = db_state()
    playbook_updated = Playbook.objects.get().updated_at

    call_command("import_providers", str(path))

    assert "created 0, updated 0, unchanged 4, deleted 0" in capsys.readouterr().out
    assert db_state() == before
    assert Playbook.objects.get().updated_at == playbook_updated


def test_changed_file_updates_in_place_and_removes_stale_channels(tmp_path):
    import_files([write(tmp_path, VALID)])
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["name"] = "Demo One Renamed (fictional)"
    data["providers"][0]["channels"][0]["hours"] = "24 hours"
    del data["providers"][0]["channels"][1]
    data["playbooks"][0]["steps"][1]["title"] = "Submit the request"

    summary = import_files([write(tmp_path, data)])

    assert (summary.created, summary.updated, summary.deleted) == (0, 3, 1)
    assert Provider.objects.get().name == "Demo One Renamed (fictional)"
    assert list(ContactChannel.objects.values_list("hours", flat=True)) == ["24 hours"]
    assert PlaybookStep.objects.get(position=2).title == "Submit the request"


def test_file_with_several_errors_reports_each_and_imports_nothing(tmp_path, capsys):
    import_files([write(tmp_path, VALID, "first.yaml")])
    before = db_state()
    bad = json.loads(json.dumps(VALID))
    bad["providers"][0]["name"] = "Changed (fictional)"  # valid, but must not be written
    bad["providers"][0]["colour"] = "red"
    bad["providers"][0]["channels"][0]["source_url"] = ""
    bad["providers"][0]["channels"][1]["source_url"] = "not a url"
    bad["providers"].append(
        {
            "slug": "demo-one",
            "name": "Duplicate",
            "service_kinds": ["satellite"],
            "website": "https://ee.co.uk/",
        }
    )
    bad["playbooks"][0]["steps"][1]["position"] = 1
    bad["playbooks"][0]["steps"][0]["title_zh_hans"] = ""
    path = write(tmp_path, bad, "bad.yaml")

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_providers", str(path))

    err = capsys.readouterr().err
    expected = [
        "providers[0] (demo-one): colour: Unknown key.",
        "providers[0] (demo-one): channels[0].source_url: An official channel needs the source",
        "providers[0] (demo-one): channels[1].source_url: Enter a valid URL.",
        "providers[1] (demo-one): slug: Duplicate slug",
        "providers[1] (demo-one): service_kinds: Select a valid choice. satellite",
        "playbooks[0] (demo-one/virtual): steps[0].title_zh_hans: This field is required.",
        "playbooks[0] (demo-one/virtual): steps[1].position: Position 1 is already used",
    ]
    for line in expected:
        assert line in err, line
    assert all(line.startswith(str(path)) for line in err.strip().splitlines())
    assert db_state() == before


def test_errors_in_one_file_stop_every_file(tmp_path):
    good = write(tmp_path, VALID, "good.json")
    bad = write(tmp_path, {"providers": [{"slug": "x"}], "extra": 1}, "bad.yaml")

    with pytest.raises(ImportFailed) as failed:
        import_files([good, bad])

    fields = {(e.entry, e.field) for e in failed.value.errors}
    assert ("(file)", "extra") in fields
    assert ("providers[0] (x)", "name") in fields
    assert ("providers[0] (x)", "service_kinds") in fields
    assert not Provider.objects.exists()


def test_real_provider_cannot_use_example_domains_or_drama_numbers(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["is_demo"] = False
    data["playbooks"] = []

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    fields = {e.field for e in failed.value.errors}
    assert {"website", "channels[0].value", "channels[0].source_url", "channels[1].value"} <= fields


def test_demo_provider_cannot_link_to_a_real_site(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["channels"][0]["value"] = "+44 7953 966 250"
    data["providers"][0]["channels"][1]["source_url"] = "https://ee.co.uk/help"

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    fields = {e.field for e in failed.value.errors}
    assert fields == {"channels[0].value", "channels[1].source_url"}


def test_playbook_for_unknown_provider_or_kind_is_refused(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["playbooks"].append({**data["playbooks"][0], "provider": "nobody"})
    data["playbooks"].append({**data["playbooks"][0], "service_kind": "physical_sim"})

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    assert {(e.entry, e.field) for e in failed.value.errors} == {
        ("playbooks[1] (nobody/virtual)", "provider"),
        ("playbooks[2] (demo-one/physical_sim)", "service_kind"),
    }


def test_unreadable_file_is_an_error_not_a_crash(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("providers: [", encoding="utf-8")
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_providers", str(broken), str(other))
    assert not Provider.objects.exists()


def test_dry_run_validates_without_writing(tmp_path, capsys):
    call_command("import_providers", "--dry-run", str(write(tmp_path, VALID)))

    assert "dry run" in capsys.readouterr().out
    assert not Provider.objects.exists()


def test_service_kinds_checked_defaults_to_true_and_imports_false(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["providers"].append(
        {
            "slug": "demo-two",
            "name": "Demo Two (fictional)",
            "service_kinds": ["physical_sim"],
            "service_kinds_checked": False,
            "is_demo": True,
        }
    )

    import_files([write(tmp_path, data)])

    assert Provider.objects.get(slug="demo-one").service_kinds_checked
    assert not Provider.objects.get(slug="demo-two").service_kinds_checked


@pytest.mark.parametrize("value", ["no", "maybe", 0, None, ["esim"]])
def test_service_kinds_checked_must_be_a_yaml_boolean(tmp_path, value):
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["service_kinds_checked"] = value
    data["playbooks"] = []

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    [error] = failed.value.errors
    assert (error.entry, error.field) == ("providers[0] (demo-one)", "service_kinds_checked")
    assert error.message.startswith("Write true or false (false: the official pages confirm")
    assert error.message.endswith(f"not {value!r}.")
    assert not Provider.objects.exists()


def test_a_provider_of_every_kind_has_nothing_left_unchecked(tmp_path):
    data = json.loads(json.dumps(VALID))
    data["providers"][0]["service_kinds"] = ["virtual", "esim", "physical_sim"]
    data["providers"][0]["service_kinds_checked"] = False
    data["playbooks"] = []

    with pytest.raises(ImportFailed) as failed:
        import_files([write(tmp_path, data)])

    assert [(e.field, e.message) for e in failed.value.errors] == [
        (
            "service_kinds_checked",
            "It offers every kind, so none is left unchecked: leave the key out.",
        )
    ]
