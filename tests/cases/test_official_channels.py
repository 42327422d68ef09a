"""With no verified contacts, the pages and the email say how to find the provider's own
channels, never "only use these official channels" above an empty list."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from cases.reminders import emails
from providers.models import PlaybookStep, ServiceKind
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


def step_url(case: Case, number: int = 1) -> str:
    return reverse("cases:step", kwargs={"ref": case.reference, "number": number})


def email_parts(case: Case, language: str = "en") -> tuple[str, str]:
    reminder = factories.ReminderFactory(case=case)
    case.language = language
    message = emails.reminder_message(reminder=reminder, now=case.status_changed_at)
    return message.body, message.alternatives[0][0]


def test_a_step_page_without_verified_contacts_says_how_to_find_them(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    case.provider.channels.all().delete()
    client.force_login(customer)

    page = client.get(step_url(case)).text

    assert "Only use these official channels" not in page
    assert "search-engine ads" in page
    assert "typed by hand" in page


def test_a_step_page_with_verified_contacts_still_warns_to_use_only_them(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)

    assert "Only use these official channels" in client.get(step_url(case)).text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_email_without_contacts_does_not_point_at_an_empty_list(language):
    case = build_case(owner=factories.UserFactory(), status=S.AWAITING_REVIEW)
    case.provider.channels.all().delete()

    text, html = email_parts(case, language)

    with translation.override(language):
        above = translation.gettext(
            "Only use the official channels above. Closeout and genuine providers never ask "
            "for your verification codes or passwords."
        )
    for part in (text, html):
        assert above not in part
        assert "以上官方渠道" not in part
    assert "search-engine ads" in text or "搜索引擎广告" in text


def test_the_header_links_the_provider_directory(client):
    page = client.get(reverse("cases:home")).text

    assert f'href="{reverse("providers:directory")}"' in page


def test_the_directory_is_tidy_and_has_an_entry_per_provider(client):
    factories.ProviderFactory(name="Zebra Talk", slug="zebra-talk", local_name="斑马", is_demo=True)

    page = client.get(reverse("providers:directory")).text

    assert "[demo]" not in page
    assert not re.search(r"\([^()<]*\([^()<]*\)", page)  # no nested brackets
    assert 'id="provider-zebra-talk"' in page


def test_a_step_links_the_providers_public_page(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)

    page = client.get(step_url(case)).text

    entry = reverse("providers:provider_detail", kwargs={"slug": case.provider.slug})
    assert f'href="{entry}"' in page


def test_no_shipped_step_points_at_a_provider_page_that_does_not_exist():
    call_command("load_shipped_data", verbosity=0)

    assert not PlaybookStep.objects.filter(instructions__icontains="provider page in Closeout")
    assert not PlaybookStep.objects.filter(instructions_zh_hans__contains="Closeout 的服务商页面")
    assert PlaybookStep.objects.filter(
        playbook__service_kind=ServiceKind.ESIM, instructions__icontains="provider directory"
    ).exists()


def test_the_directory_answers_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for provider in factories.ProviderFactory.create_batch(5):
        factories.ContactChannelFactory.create_batch(2, provider=provider)

    with django_assert_max_num_queries(4):
        assert client.get(reverse("providers:directory")).status_code == 200


def test_the_directory_never_claims_a_kind_we_have_not_checked(client):
    factories.ProviderFactory(
        name="Alpha Net",
        slug="alpha-net",
        offers_virtual=False,
        offers_esim=False,
        service_kinds_checked=False,
    )
    factories.ProviderFactory(name="Zulu Net", slug="zulu-net", offers_virtual=False)

    page = client.get(reverse("providers:directory")).text

    def entry(slug: str) -> str:
        start = page.index(f'id="provider-{slug}"')
        return page[start : page.index("</li>", start)]

    assert "Physical SIM, other kinds not checked yet" in entry("alpha-net")
    assert "eSIM" not in entry("alpha-net")
    assert "eSIM, Physical SIM" in entry("zulu-net")
    assert "not checked" not in entry("zulu-net")
