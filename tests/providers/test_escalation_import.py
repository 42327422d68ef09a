"""The escalation data (regions, their waiting rules and routes) through the importer."""

import copy
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from providers.importer import ImportFailed, import_files
from providers.models import EscalationRegion, EscalationRoute, Provider

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")

PROVIDERS = {
    "providers": [
        {
            "slug": "real-uk",
            "name": "Real UK",
            "country": "GB",
            "service_kinds": ["physical_sim"],
            "last_verified_on": "2026-12-01",
        },
        {
            "slug": "real-hk",
            "name": "Real HK",
            "country": "HK",
            "service_kinds": ["physical_sim"],
            "last_verified_on": "2026-12-01",
        },
    ]
}

REGIONS = {
    "regions": [
        {
            "country": "GB",
            "regulator": "Ofcom",
            "wait_days": 56,
            "wait_rule": "8 weeks, or a deadlock letter.",
            "wait_source_url": "https://www.ofcom.org.uk/adr",
            "wait_verified_on": "2026-12-01",
            "routes": [
                {
                    "slug": "ombudsman",
                    "name": "Ombudsman",
                    "url": "https://ombudsman.org.uk/start",
                    "applies_when": "After 8 weeks.",
                    "how": "Online.",
                    "include": "Letters.",
                    "providers": ["real-uk"],
                    "source_url": "https://ombudsman.org.uk/rules",
                    "verified_on": "2026-12-01",
                }
            ],
        }
    ]
}


def write(tmp_path: Path, data: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def errors_of(tmp_path: Path, regions: dict) -> list[str]:
    paths = [write(tmp_path, PROVIDERS, "a.yaml"), write(tmp_path, regions, "b.yaml")]
    with pytest.raises(ImportFailed) as failed:
        import_files(paths)
    return [str(error) for error in failed.value.errors]


def test_regions_import_with_routes_and_member_providers_from_another_file(tmp_path):
    paths = [write(tmp_path, PROVIDERS, "a.yaml"), write(tmp_path, REGIONS, "b.yaml")]

    summary = import_files(paths)

    region = EscalationRegion.objects.get(country="GB")
    assert region.wait_days == 56
    route = EscalationRoute.objects.get(slug="ombudsman")
    assert route.region == region
    assert list(route.providers.values_list("slug", flat=True)) == ["real-uk"]
    assert summary.counts["escalation routes"]["created"] == 1
    assert import_files(paths).created == 0


def test_changed_wait_is_updated_and_a_route_no_longer_named_is_removed(tmp_path):
    import_files([write(tmp_path, PROVIDERS, "a.yaml"), write(tmp_path, REGIONS, "b.yaml")])
    changed = copy.deepcopy(REGIONS)
    changed["regions"][0]["wait_days"] = 42
    changed["regions"][0]["routes"][0]["slug"] = "renamed"

    import_files([write(tmp_path, changed, "b.yaml")])

    assert EscalationRegion.objects.get().wait_days == 42
    assert list(EscalationRoute.objects.values_list("slug", flat=True)) == ["renamed"]


def test_a_waiting_time_without_its_source_and_date_is_refused(tmp_path):
    bad = copy.deepcopy(REGIONS)
    del bad["regions"][0]["wait_source_url"]
    del bad["regions"][0]["wait_verified_on"]

    errors = errors_of(tmp_path, bad)

    assert any("wait_source_url: A rule needs the official page" in e for e in errors)
    assert any("wait_verified_on: A rule needs the date it was seen" in e for e in errors)
    assert not EscalationRegion.objects.exists()
    assert not Provider.objects.exists()


def test_a_route_without_source_or_with_a_stranger_as_member_is_refused(tmp_path):
    bad = copy.deepcopy(REGIONS)
    route = bad["regions"][0]["routes"][0]
    del route["source_url"]
    route["providers"] = ["real-hk", "nobody"]
    route["colour"] = "blue"

    errors = errors_of(tmp_path, bad)

    assert any("regions[0] (GB): routes[0].source_url:" in e for e in errors)
    assert any("The provider real-hk is not in this region." in e for e in errors)
    assert any("No provider with slug nobody" in e for e in errors)
    assert any("routes[0].colour: Unknown key." in e for e in errors)


def test_a_region_needs_routes_and_a_country_code(tmp_path):
    bad = {"regions": [{"country": "uk", "regulator": "Ofcom", "routes": []}]}

    errors = errors_of(tmp_path, bad)

    assert any("country: Use a two-letter upper-case ISO 3166 code" in e for e in errors)
    assert any("routes: A region needs a list of routes." in e for e in errors)


# --- The shipped escalation data ------------------------------------------------------------


@pytest.fixture
def shipped(db):
    call_command("load_shipped_data", verbosity=0)


def test_every_shipped_route_and_rule_has_its_official_source_and_date(shipped):
    routes = EscalationRoute.objects.select_related("region")
    assert {route.region.country for route in routes} == {"GB", "DE", "CN", "HK", "US"}
    for route in routes:
        assert route.source_url.startswith(("https://", "http://")), route
        assert route.verified_on.isoformat() == "2026-12-01", route
        for field in ("name", "applies_when", "how", "include"):
            assert getattr(route, field), (route, field)
            assert CJK.search(getattr(route, f"{field}_zh_hans")), (route, field)
        assert "jsessionid" not in route.url + route.source_url
    for region in EscalationRegion.objects.all():
        if region.wait_days is not None:
            assert region.wait_source_url, region
            assert region.wait_verified_on, region


def test_the_uk_wait_is_the_figure_on_ofcoms_own_page(shipped):
    # 8 weeks until the 6-week rule is seen on ofcom.org.uk itself (see escalation.yaml).
    region = EscalationRegion.objects.get(country="GB")
    assert region.wait_days == 56
    assert region.wait_source_url.startswith("https://www.ofcom.org.uk/")


def test_uk_schemes_name_their_member_providers(shipped):
    ombudsman = EscalationRoute.objects.get(slug="communications-ombudsman")
    cisas = EscalationRoute.objects.get(slug="cisas")
    assert {"ee", "o2-uk", "three-uk", "giffgaff"} <= set(
        ombudsman.providers.values_list("slug", flat=True)
    )
    assert "vodafone-uk" in set(cisas.providers.values_list("slug", flat=True))


def test_germany_ships_the_one_month_notice_of_tkg_56(shipped):
    region = EscalationRegion.objects.get(country="DE")
    assert region.notice_period_months == 1
    assert "§ 56" in region.notice_rule
    assert region.notice_source_url.startswith("http://www.gesetze-im-internet.de/")
