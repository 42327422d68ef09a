"""Provider search: Simplified and Traditional, any case, aliases, sorted by name."""

import pytest
from django.core.management import call_command
from django.utils import translation

from providers import search
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return [provider.name for provider in queryset]


@pytest.fixture
def carriers():
    return [
        ProviderFactory(name="China Mobile", local_name="中国移动", slug="cm", aliases="CMCC"),
        ProviderFactory(
            name="China Mobile Hong Kong (CMHK)", local_name="中國移動香港", slug="cmhk"
        ),
        ProviderFactory(name="csl / 1O1O", local_name="香港電訊", slug="csl", aliases="1010, HKT"),
        ProviderFactory(name="giffgaff", slug="giffgaff"),
        ProviderFactory(name="EE", slug="ee"),
        ProviderFactory(name="Vodafone UK", slug="vf"),
    ]


def test_simplified_finds_traditional_and_the_reverse(carriers):
    found = names(Provider.objects.matching("中国移动").by_name())
    assert found == ["China Mobile", "China Mobile Hong Kong (CMHK)"]
    assert names(Provider.objects.matching("中國移動").by_name()) == found
    assert names(Provider.objects.matching("香港电讯")) == ["csl / 1O1O"]


def test_names_and_aliases_match_in_any_case(carriers):
    assert names(Provider.objects.matching("cmhk")) == ["China Mobile Hong Kong (CMHK)"]
    assert names(Provider.objects.matching("1o1o")) == ["csl / 1O1O"]
    assert names(Provider.objects.matching("1010")) == ["csl / 1O1O"]
    assert names(Provider.objects.matching("hkt")) == ["csl / 1O1O"]
    assert names(Provider.objects.matching("cmcc")) == ["China Mobile"]
    assert names(Provider.objects.matching("ＧＩＦＦ")) == ["giffgaff"]  # full-width letters
    assert names(Provider.objects.matching("vodafone uk")) == ["Vodafone UK"]


def test_an_empty_query_matches_everything(carriers):
    assert Provider.objects.matching("  ").count() == len(carriers)


def test_names_sort_whatever_their_case(carriers):
    assert names(Provider.objects.by_name()) == [
        "China Mobile",
        "China Mobile Hong Kong (CMHK)",
        "csl / 1O1O",
        "EE",
        "giffgaff",
        "Vodafone UK",
    ]


def test_renaming_a_provider_updates_what_finds_it(carriers):
    provider = carriers[-1]
    provider.name = "VOXI"
    provider.save(update_fields=["name"])
    assert names(Provider.objects.matching("voxi")) == ["VOXI"]
    assert not Provider.objects.matching("vodafone").exists()


def test_fold_joins_every_name_once():
    text = search.search_text(name="CSL", local_name="csl", slug="csl", aliases="1010，HKT")
    assert text == "csl | 1010 | hkt"


def test_shipped_directory_finds_the_hong_kong_carriers_by_alias(db):
    call_command("load_shipped_data", verbosity=0)
    assert "cmhk" in Provider.objects.matching("CMHK").values_list("slug", flat=True)
    assert "csl" in Provider.objects.matching("1O1O").values_list("slug", flat=True)
    assert {"china-mobile", "cmhk"} <= set(
        Provider.objects.matching("中國移動").values_list("slug", flat=True)
    )


def test_country_names_are_translated():
    provider = Provider(name="China Mobile", country="CN")
    assert provider.country_name == "Mainland China"
    with translation.override("zh-hans"):
        assert provider.country_name == "中国大陆"
    assert Provider(name="Elsewhere", country="FR").country_name == "FR"
