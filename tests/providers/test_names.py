"""A provider's name per language: the Chinese name on Chinese pages, found by search."""

import pytest
from django.core.management import call_command
from django.utils import translation

from providers.importer import ImportFailed, import_documents
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def entry(**fields) -> dict:
    return {
        "providers": [
            {
                "slug": "demo-net",
                "name": "Demo Net (fictional)",
                "service_kinds": ["physical_sim"],
                "is_demo": True,
                **fields,
            }
        ]
    }


def test_display_name_is_chinese_only_on_chinese_pages_when_there_is_one():
    mobile = Provider(name="China Mobile", name_zh="中国移动", local_name="中国移动")
    brand = Provider(name="giffgaff")
    assert mobile.display_name == "China Mobile"
    assert mobile.display_local_name == "中国移动"
    with translation.override("zh-hans"):
        assert mobile.display_name == "中国移动"
        # The local name says the same thing: not shown twice.
        assert mobile.display_local_name == ""
        assert brand.display_name == "giffgaff"


def test_a_traditional_local_name_is_not_repeated_beside_its_simplified_name():
    smartone = Provider(name="SmarTone", name_zh="数码通", local_name="數碼通")
    assert smartone.display_local_name == "數碼通"
    with translation.override("zh-hans"):
        assert (smartone.display_name, smartone.display_local_name) == ("数码通", "")


def test_search_finds_a_provider_by_its_chinese_name_alone():
    ProviderFactory(name="Example Net", name_zh="示例移动", slug="example-net")
    ProviderFactory(name="Other Net", slug="other-net")
    assert [p.slug for p in Provider.objects.matching("移动")] == ["example-net"]
    assert [p.slug for p in Provider.objects.matching("示例移動")] == ["example-net"]


def test_search_finds_china_mobile_in_the_shipped_data_by_移动():
    call_command("load_shipped_data", verbosity=0)
    found = set(Provider.objects.matching("移动").values_list("slug", flat=True))
    assert {"china-mobile", "cmhk"} <= found
    assert Provider.objects.get(slug="china-mobile").name_zh == "中国移动"


def test_the_importer_loads_name_zh_and_keeps_it_on_a_second_run():
    import_documents([("demo.yaml", entry(name_zh="示例网络"))])
    assert Provider.objects.get(slug="demo-net").name_zh == "示例网络"
    summary = import_documents([("demo.yaml", entry(name_zh="示例网络"))])
    assert summary.counts["providers"]["unchanged"] == 1


@pytest.mark.parametrize(
    ("name_zh", "message"),
    [
        ("Demo Net", "Give the name in Chinese characters"),
        ("香港電訊", "Use Simplified Chinese: 香港电讯."),
        ("名" * 121, "Ensure this value has at most 120 characters"),
    ],
)
def test_the_importer_refuses_a_chinese_name_that_is_not_simplified_chinese(name_zh, message):
    with pytest.raises(ImportFailed) as failed:
        import_documents([("demo.yaml", entry(name_zh=name_zh))])
    [error] = failed.value.errors
    assert error.field == "name_zh"
    assert message in error.message
    assert not Provider.objects.exists()


def test_the_importer_refuses_a_channel_or_check_dated_in_the_future(time_machine):
    time_machine.move_to("2026-12-07 12:00Z", tick=False)
    channel = {
        "kind": "phone",
        "value": "+44 20 7946 0001",
        "is_official": True,
        "verified_on": "2026-12-08",
        "source_url": "https://demo-net.example.com/contact",
    }
    with pytest.raises(ImportFailed) as failed:
        import_documents([("demo.yaml", entry(last_verified_on="2030-01-01", channels=[channel]))])
    assert {(error.field, error.message) for error in failed.value.errors} == {
        ("last_verified_on", "It cannot have been checked on a future date."),
        ("channels[0].verified_on", "A channel cannot have been seen on a future date."),
    }
    assert not Provider.objects.exists()

    channel["verified_on"] = "2026-12-07"  # today is fine
    import_documents([("demo.yaml", entry(last_verified_on="2026-12-07", channels=[channel]))])
    assert Provider.objects.get().channels.count() == 1
