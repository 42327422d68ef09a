"""The customer's journey pages: what a person sees, and what the database keeps."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStep, Reminder
from providers.models import Provider, ServiceKind, StepKind
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def build_case(*, owner, status=S.PREPARING, steps: int = 3, events: int = 3, **fields) -> Case:
    """A case with one precaution, `steps` numbered steps (the last waits) and some events."""
    case = factories.CaseFactory(owner=owner, status=status, **fields)
    if case.provider_id:
        factories.ContactChannelFactory(provider=case.provider)
    factories.CaseStepFactory(case=case, position=1, kind=StepKind.CHECKLIST)
    for number in range(2, steps + 2):
        factories.CaseStepFactory(case=case, position=number, starts_waiting=number == steps + 1)
    factories.CaseEventFactory.create_batch(events, case=case)
    factories.CaseEventFactory(
        case=case, visibility=CaseEvent.Visibility.INTERNAL, message="Agent-only remark"
    )
    return case


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


@pytest.fixture
def playbook():
    """A generic virtual-SIM playbook: a precaution, two steps, the submit step, a wait."""
    book = factories.PlaybookFactory(service_kind=ServiceKind.VIRTUAL)
    factories.PlaybookStepFactory(playbook=book, position=1, kind=StepKind.CHECKLIST)
    factories.PlaybookStepFactory(playbook=book, position=2)
    factories.PlaybookStepFactory(playbook=book, position=3, starts_waiting=True)
    factories.PlaybookStepFactory(playbook=book, position=4, kind=StepKind.WAIT)
    return book


# --- Start ------------------------------------------------------------------------------------


def test_first_answer_creates_an_anonymous_draft_held_by_the_session(client):
    response = client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})

    case = Case.objects.get()
    assert case.status == S.DRAFT
    assert case.owner is None
    assert client.session["draft_tokens"] == [case.draft_token]
    assert response.url == url("keep_number", case)


def test_start_without_a_choice_explains_beside_the_field(client):
    response = client.post(reverse("cases:start"), {})

    assert response.status_code == 200
    assert "Choose what you want to cancel." in response.text
    assert 'href="#id_service_kind_0"' in response.text  # the summary links to the field
    assert not Case.objects.exists()


def test_keeping_the_number_shows_the_porting_routes(client, provider):
    provider.porting_info = "Ask your new provider for a switch."
    provider.save()
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.PHYSICAL_SIM})
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(provider=provider)

    response = client.post(
        url("keep_number", case), {"version": case.version, "keep_number": "yes"}, follow=True
    )

    assert "PAC to 65075" in response.text
    assert "携号转网" in response.text
    assert "Ask your new provider for a switch." in response.text


def test_provider_search_returns_the_results_fragment_for_htmx(client):
    factories.ProviderFactory(name="Zebra Talk")
    factories.ProviderFactory(name="Other Mobile")
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()

    response = client.get(url("provider", case), {"q": "zeb"}, HTTP_HX_REQUEST="true")

    assert response.text.lstrip().startswith('<section id="provider-results"')
    assert "Zebra Talk" in response.text
    assert "Other Mobile" not in response.text
    assert "HX-Request" in response["Vary"]


def test_provider_search_works_as_a_plain_get(client):
    factories.ProviderFactory(name="Zebra Talk")
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()

    response = client.get(url("provider", case), {"q": "zeb"})

    assert "<html" in response.text
    assert "Zebra Talk" in response.text


def test_unlisted_provider_needs_a_name(client):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()

    response = client.post(url("provider", case), {"version": case.version, "provider_name": ""})

    assert "Choose your provider from the list or type its name." in response.text
    response = client.post(
        url("provider", case), {"version": case.version, "provider_name": "Tiny Telecom"}
    )
    assert "Choose the provider&#x27;s country." in response.text
    response = client.post(
        url("provider", case),
        {"version": case.version, "provider_name": "Tiny Telecom", "country": "GB"},
    )
    case.refresh_from_db()
    assert case.provider_name == "Tiny Telecom"
    assert response.url == url("line_details", case)


def test_bad_phone_number_keeps_what_was_typed(client, provider):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    case = Case.objects.get()
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
    case.refresh_from_db()

    response = client.post(
        url("line_details", case),
        {
            "version": case.version,
            "phone_number": "12",
            "device_model": "Pixel 9",
            "imei": "490154203237519",  # Luhn fails: the last digit should be 8
            "reason": "cost",
        },
    )

    assert response.status_code == 200
    assert 'id="id_phone_number_error"' in response.text
    assert "This IMEI has a typo" in response.text
    assert 'value="Pixel 9"' in response.text
    assert 'aria-invalid="true"' in response.text
    case.refresh_from_db()
    assert case.phone_number == ""


def test_details_htmx_error_is_the_fragment_with_status_200(client, provider):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
    case.refresh_from_db()

    response = client.post(
        url("line_details", case),
        {"version": case.version, "phone_number": "", "reason": ""},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="details-form"')
    assert "Enter the phone number of the line." in response.text


def test_details_store_the_number_in_e164(client, provider):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
    case.refresh_from_db()

    response = client.post(
        url("line_details", case),
        {"version": case.version, "phone_number": "07700 900123", "reason": "cost"},
        HTTP_HX_REQUEST="true",
    )

    assert response["HX-Redirect"] == url("save", case)
    case.refresh_from_db()
    assert case.phone_number == "+447700900123"


def test_signed_in_customer_saves_the_draft_and_gets_the_steps(client, customer, playbook):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(
        provider=factories.ProviderFactory(), phone_number="+447700900123", reason="cost"
    )
    anonymous = client.get(url("save", case))
    assert "next=%2Fcases%2F" in anonymous.text  # sign-in comes back to the case

    client.force_login(customer)  # claims the session's drafts (cases.claims)
    response = client.post(url("save", case), {"version": case.version})

    case.refresh_from_db()
    assert case.owner == customer
    assert case.status == S.PREPARING
    assert case.steps.count() == 4
    assert response.url == url("precautions", case)


# --- Case page, precautions, steps, outcomes ------------------------------------------------------


def test_case_page_shows_the_customer_timeline_and_masked_identifiers(client, customer):
    case = build_case(owner=customer, imei="490154203237518")
    client.force_login(customer)

    response = client.get(url("detail", case))

    assert "Something happened." in response.text
    assert "Agent-only remark" not in response.text
    assert "•••• 0123" in response.text
    assert "+447700900123" not in response.text
    assert "490154203237518" not in response.text


def test_skipping_a_precaution_needs_the_acknowledgement(client, customer):
    case = build_case(owner=customer)
    client.force_login(customer)

    response = client.post(
        url("precautions", case), {"version": case.version, "step": 1, "action": "skip"}
    )

    assert "confirm that you understand the risk" in response.text
    assert CaseStep.objects.get(case=case, position=1).state == CaseStep.State.TODO
    client.post(
        url("precautions", case),
        {"version": case.version, "step": 1, "action": "skip", "acknowledge": "on"},
    )
    skipped = CaseStep.objects.get(case=case, position=1)
    assert skipped.state == CaseStep.State.SKIPPED
    assert skipped.skip_acknowledged
    page = client.get(url("detail", case))
    assert "Precautions you skipped" in page.text


def test_precaution_htmx_returns_the_list_with_the_new_version(client, customer):
    case = build_case(owner=customer)
    client.force_login(customer)

    response = client.post(
        url("precautions", case),
        {"version": case.version, "step": 1, "action": "done"},
        HTTP_HX_REQUEST="true",
    )

    assert response.text.lstrip().startswith('<section id="precaution-list"')
    assert f'name="version" value="{case.version + 1}"' in response.text


def test_stale_version_shows_the_case_changed_meanwhile(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)

    response = client.post(url("step", case, number=1), {"version": case.version - 0 + 5})

    assert "This case was changed meanwhile." in response.text
    assert CaseStep.objects.get(case=case, position=2).state == CaseStep.State.TODO


def test_submit_step_moves_the_case_to_awaiting_review(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS, steps=2)
    client.force_login(customer)
    client.post(url("step", case, number=1), {"version": case.version})
    case.refresh_from_db()

    response = client.post(
        url("step", case, number=2), {"version": case.version, "reference": "REQ-77"}
    )

    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW
    assert case.provider_reference == "REQ-77"
    assert response.url == url("detail", case)
    page = client.get(url("detail", case))
    assert "Waited so far" in page.text
    assert "Expected by" in page.text


def test_confirmed_without_a_reference_asks_for_it(client, customer):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(customer)

    response = client.post(
        url("outcome", case),
        {"version": case.version, "outcome": "confirmed", "note": "by email"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="outcome-form"')
    assert "Type the confirmation or reference number" in response.text
    assert "by email</textarea>" in response.text
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW


def test_confirmed_with_a_reference_completes_the_case(client, customer):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(customer)

    client.post(
        url("outcome", case),
        {"version": case.version, "outcome": "confirmed", "reference": "CONF-1"},
    )

    case.refresh_from_db()
    assert case.status == S.COMPLETED
    assert case.provider_reference == "CONF-1"


def test_they_need_more_moves_to_needs_action_with_what_was_asked(client, customer):
    case = build_case(owner=customer, status=S.AWAITING_OPERATOR, service_kind=ServiceKind.ESIM)
    client.force_login(customer)

    client.post(
        url("outcome", case),
        {"version": case.version, "outcome": "needs_more", "note": "A copy of my ID"},
    )

    case.refresh_from_db()
    assert case.status == S.NEEDS_ACTION
    assert "A copy of my ID" in client.get(url("detail", case)).text


def test_gave_up_withdraws_and_reopen_brings_it_back(client, customer):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(customer)

    client.post(url("outcome", case), {"version": case.version, "outcome": "gave_up"})
    case.refresh_from_db()
    assert case.status == S.WITHDRAWN
    client.post(url("outcome", case), {"version": case.version, "outcome": "reopen"})

    case.refresh_from_db()
    assert case.status == S.PREPARING


@pytest.mark.parametrize(("answer", "status"), [("no", S.COMPLETED), ("yes", S.NEEDS_ACTION)])
def test_billing_check_once_due(client, customer, answer, status):
    completed_at = timezone.now() - dt.timedelta(days=40)
    case = build_case(
        owner=customer, status=S.COMPLETED, completed_at=completed_at, provider_reference="C1"
    )
    factories.ReminderFactory(
        case=case, kind=Reminder.Kind.BILLING_CHECK, due_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(customer)
    assert "Did your latest bill still charge this line?" in client.get(url("detail", case)).text

    client.post(url("billing_check", case), {"version": case.version, "still_charged": answer})

    case.refresh_from_db()
    assert case.status == status
    assert (case.billing_verified_at is not None) == (answer == "no")


def test_still_charged_says_so_not_that_the_provider_asked_for_something(client, customer):
    completed_at = timezone.now() - dt.timedelta(days=40)
    case = build_case(
        owner=customer, status=S.COMPLETED, completed_at=completed_at, provider_reference="C1"
    )
    factories.ReminderFactory(
        case=case, kind=Reminder.Kind.BILLING_CHECK, due_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(customer)
    client.post(
        url("billing_check", case),
        {"version": case.version, "still_charged": "yes", "note": "Charged 12.50 on 3 March"},
    )

    page = client.get(url("detail", case)).text

    assert "Your latest bill still charged this line." in page
    assert "What you noted of the bill: Charged 12.50 on 3 March" in page
    assert "They need something from you." not in page
    assert "Send what they asked for" not in page


def test_billing_check_is_not_asked_before_it_is_due(client, customer):
    case = build_case(owner=customer, status=S.COMPLETED, completed_at=timezone.now())
    client.force_login(customer)

    assert "Did your latest bill" not in client.get(url("detail", case)).text


def test_esim_profile_deleted_and_contract_ended_are_separate(client, customer):
    case = build_case(
        owner=customer,
        status=S.AWAITING_OPERATOR,
        service_kind=ServiceKind.ESIM,
        submitted_at=timezone.now(),
    )
    client.force_login(customer)
    page = client.get(url("detail", case))
    assert "Do not delete the eSIM profile before the operator confirms" in page.text

    client.post(
        url("esim_fact", case),
        {"version": case.version, "fact": "profile_deleted", "confirm": "yes"},
    )

    case.refresh_from_db()
    assert case.esim_profile_deleted_at is not None
    assert case.contract_ended_at is None


def test_provider_search_matches_traditional_chinese_and_aliases(client):
    factories.ProviderFactory(name="China Mobile Hong Kong (CMHK)", local_name="中國移動香港")
    factories.ProviderFactory(name="csl / 1O1O", aliases="1010")
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()

    assert "中國移動香港" in client.get(url("provider", case), {"q": "中国移动"}).text
    assert "csl / 1O1O" in client.get(url("provider", case), {"q": "1010"}).text


# --- Providers whose service kinds we have not checked -----------------------------------------

ESIM_NOTE = "We have not checked its eSIM yet: choose it if your eSIM is with this network."


@pytest.fixture
def kind_providers():
    """A checked eSIM seller, two operators whose kinds we have not checked (SIM confirmed),
    a checked virtual-number app and a checked SIM-only operator; every name has "Net"."""
    only = {"offers_virtual": False, "offers_esim": False, "offers_physical_sim": False}
    return {
        "esim": factories.ProviderFactory(name="Zulu Net eSIM", **{**only, "offers_esim": True}),
        "unchecked": [
            factories.ProviderFactory(
                name=name, **{**only, "offers_physical_sim": True}, service_kinds_checked=False
            )
            for name in ("Alpha Net", "Bravo Net")
        ],
        "app": factories.ProviderFactory(
            name="Charlie Net Numbers", **{**only, "offers_virtual": True}
        ),
        "sim": factories.ProviderFactory(
            name="Delta Net SIM", **{**only, "offers_physical_sim": True}
        ),
    }


def _esim_draft(client) -> Case:
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    return Case.objects.get()


@pytest.mark.parametrize(
    ("query", "htmx"), [({}, False), ({"q": "net"}, False), ({"q": "net"}, True)]
)
def test_esim_lists_known_sellers_first_then_unchecked_operators_with_a_note(
    client, kind_providers, query, htmx
):
    case = _esim_draft(client)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    page = client.get(url("provider", case), query, **headers).text

    assert page.index("Zulu Net eSIM") < page.index("Alpha Net") < page.index("Bravo Net")
    assert "Charlie Net Numbers" not in page  # checked: virtual numbers only
    assert "Delta Net SIM" not in page  # checked: SIM cards only
    assert page.count(ESIM_NOTE) == 2  # once per unchecked operator, none for the seller
    assert page.index("Alpha Net") < page.index(ESIM_NOTE) < page.index("Bravo Net")


def test_the_note_is_in_chinese_for_a_chinese_reader(client, kind_providers):
    case = _esim_draft(client)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(url("provider", case)).text

    assert page.count("我们尚未核实该运营商的 eSIM：如果您的 eSIM 来自这家运营商，请选择它。") == 2


def test_under_another_kind_the_note_names_that_kind(client, kind_providers):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()

    page = client.get(url("provider", case)).text

    assert page.index("Charlie Net Numbers") < page.index("Alpha Net")
    assert page.count("We have not checked its virtual SIMs or numbers yet") == 2
    assert ESIM_NOTE not in page
    assert "Zulu Net eSIM" not in page


def test_a_long_list_says_that_more_providers_match(client):
    for number in range(25):
        factories.ProviderFactory(
            name=f"Echo Mobile {number:02d}", offers_esim=False, service_kinds_checked=False
        )
    case = _esim_draft(client)

    page = client.get(url("provider", case)).text

    assert page.count(ESIM_NOTE) == 20
    assert "More providers match than are shown here." in page
    assert "More providers match" not in client.get(url("provider", case), {"q": "mobile 0"}).text


def test_the_provider_choice_answers_in_a_fixed_number_of_queries(
    client, kind_providers, django_assert_max_num_queries
):
    case = _esim_draft(client)
    with django_assert_max_num_queries(10) as few:
        client.get(url("provider", case))
    for number in range(30):
        factories.ProviderFactory(
            name=f"Foxtrot {number}", offers_esim=number % 2 == 0, service_kinds_checked=number < 15
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("provider", case))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("provider", case), {"q": "fox"}, HTTP_HX_REQUEST="true")


def test_esim_case_with_an_unchecked_uk_operator_reaches_the_operator_wait(client, customer):
    """EE under eSIM: chosen from the note, the generic eSIM steps, on to the operator's wait."""
    call_command("load_shipped_data", verbosity=0)
    ee = Provider.objects.get(slug="ee")
    assert not ee.offers_esim  # no official eSIM fact: never claimed
    client.force_login(customer)
    case = _esim_draft(client)
    client.post(url("keep_number", case), {"version": case.version, "keep_number": "no"})
    case.refresh_from_db()

    listed = client.get(url("provider", case), {"q": "EE"}).text
    assert f'value="{ee.pk}"' in listed
    assert ESIM_NOTE in listed
    client.post(url("provider", case), {"version": case.version, "provider": ee.pk})
    case.refresh_from_db()
    client.post(
        url("line_details", case),
        {
            "version": case.version,
            "phone_number": "07700 900123",
            "device_model": "Pixel 9",
            "imei": "490154203237518",
            "reason": "cost",
        },
    )
    case.refresh_from_db()
    client.post(url("save", case), {"version": case.version, "time_zone": "Europe/London"})
    case.refresh_from_db()

    assert (case.provider, case.status) == (ee, S.PREPARING)
    titles = list(case.steps.order_by("position").values_list("title", flat=True))
    assert "UK: check your contract and leave by text" in titles  # EE's region tip
    assert titles[-1] == "Only now remove the eSIM profile"  # the generic eSIM steps
    for precaution in case.steps.filter(kind=StepKind.CHECKLIST).order_by("position"):
        client.post(
            url("precautions", case),
            {"version": case.version, "step": precaution.position, "action": "done"},
        )
        case.refresh_from_db()
    client.post(url("start_steps", case), {"version": case.version})
    case.refresh_from_db()
    number = 1
    while case.status == S.IN_PROGRESS and number < 10:
        client.post(
            url("step", case, number=number), {"version": case.version, "reference": "EE-1"}
        )
        case.refresh_from_db()
        number += 1

    assert case.status == S.AWAITING_OPERATOR
    assert case.provider_reference == "EE-1"
    assert case.expected_by is not None
    page = client.get(url("detail", case)).text
    assert "Waited so far" in page
    assert "150" in page  # EE's official number, from the directory
