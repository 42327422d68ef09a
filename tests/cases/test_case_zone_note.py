"""A case's times are shown in its own zone (its reminder hours are that zone's); when that is
not the viewer's zone, the page says which zone it is, once, so nobody reads Shanghai's 08:00
as their own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Case, CaseEvent
from tests import factories

pytestmark = pytest.mark.django_db
NOTE = "Dates and times of this case are in its time zone"


@pytest.fixture
def shanghai_case(customer):
    case = factories.CaseFactory(
        owner=customer, status=Case.Status.IN_PROGRESS, time_zone="Asia/Shanghai"
    )
    case = services.move_case(
        case=case, to=Case.Status.AWAITING_REVIEW, by=customer, version=case.version
    )
    event = factories.CaseEventFactory(case=case, actor_role="customer", message="Called them.")
    CaseEvent.objects.filter(pk=event.pk).update(
        created_at=dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    )
    return case


def case_pages(case: Case) -> list[str]:
    ref = case.reference
    return [
        reverse("cases:detail", kwargs={"ref": ref}),
        reverse("cases:timeline", kwargs={"ref": ref}),
        reverse("evidence:pack", kwargs={"ref": ref}),
    ]


def test_a_viewer_in_another_zone_is_told_the_cases_zone_once(client, customer, shanghai_case):
    customer.time_zone = "Europe/London"
    customer.save()
    client.force_login(customer)

    for url in case_pages(shanghai_case):
        page = client.get(url).text
        assert page.count(NOTE) == 1, url
        assert "Asia/Shanghai; yours is Europe/London." in page, url

    timeline = client.get(case_pages(shanghai_case)[1]).text
    assert "8:30" in timeline  # the case's clock, as the note says


def test_a_viewer_in_the_cases_zone_sees_no_note(client, customer, shanghai_case):
    customer.time_zone = "Asia/Shanghai"
    customer.save()
    client.force_login(customer)

    for url in case_pages(shanghai_case):
        assert NOTE not in client.get(url).text, url


def test_the_note_reads_in_chinese(client, customer, shanghai_case):
    customer.time_zone = "Europe/London"
    customer.preferred_language = "zh-hans"
    customer.save()
    client.force_login(customer)

    with translation.override("zh-hans"):
        url = reverse("cases:detail", kwargs={"ref": shanghai_case.reference})
    page = client.get(url, headers={"accept-language": "zh-hans"}).text

    assert NOTE not in page
    assert "本工单的日期和时间按其时区（亚洲/上海）显示；您的时区是欧洲/伦敦。" in page


def test_an_agent_logging_a_contact_is_told_which_zone_when_means(client, shanghai_case):
    agent = factories.AgentFactory(time_zone="Europe/London")
    client.force_login(agent)
    url = reverse("staff:contact_new", kwargs={"ref": shanghai_case.reference})

    response = client.get(url, follow=True)
    page = response.text

    assert response.redirect_chain[-1][0].startswith(url), response.redirect_chain
    assert page.count(NOTE) == 1
    assert "Asia/Shanghai; yours is Europe/London." in page
