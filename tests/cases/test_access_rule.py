"""The one access rule (cases/access.py), walked over the whole URLconf with real objects.

Every URL pattern that takes a case reference or a case object's id is tried, GET and POST,
with the staff second factor required, as: the owner, another customer, an anonymous visitor,
staff outside the agents' group (with and without a second factor), an agent who never set
up TOTP, an agent who gave the password and stopped at the code, an agent whose session
skipped the code, and an agent who passed it. Whoever is refused gets what /staff/ gives
them (sign-in, the second-factor step, or 403/404), never the customer's data or files; a
new case-object URL that the walk does not know fails the walk.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone

from accounts.models import User
from cases import access, services, staff_services
from cases.escalation import services as escalation_services
from cases.evidence import services as evidence_services
from cases.feeds import services as feed_services
from cases.models import Case, CaseEvent, ContactAttempt, Evidence, ProofPackBuild
from cases.notices import letter
from cases.notices import services as notice_services
from cases.reminders import controls, emails
from cases.transitions import TransitionNotAllowed
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence
from tests.cases.test_views_journey import build_case

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PASSWORD = "correct horse battery staple"
S = Case.Status

# Secrets of the owner that no refused person may see, whatever the page.
PHONE = "+447700900777"
NOTICE_NAME = "Winifred Quartermaine"
CONTACT_SUMMARY = "Spoke to Priya about the final bill"
TEXT_PROOF = b"Your line 07700 900777 is cancelled. Reference QZ-774411."
PACK_BYTES = b"PK\x03\x04 the whole proof pack of Winifred Quartermaine"


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.STAFF_MFA_REQUIRED = True
    # allauth's sign-in and the upload limit count in the cache: every test starts with none.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


# --- The objects ------------------------------------------------------------------------------


@dataclass
class World:
    owner: User
    case: Case
    identity: Evidence  # an identity document (a photo), with a thumbnail
    text: Evidence  # a pasted confirmation
    build: ProofPackBuild  # a pack a worker made, ready to download
    contact: ContactAttempt  # logged by the owner
    agent_contact: ContactAttempt  # logged by the cleared agent
    cleared_agent: User

    def secrets(self) -> list[bytes]:
        stored = [
            self.identity.file.storage.open(self.identity.file.name or "").read(),
            self.identity.thumbnail.storage.open(self.identity.thumbnail.name or "").read(),
            TEXT_PROOF,
            PACK_BYTES,
        ]
        return [
            *stored,
            PHONE.encode(),
            NOTICE_NAME.encode(),
            CONTACT_SUMMARY.encode(),
            self.owner.email.encode(),
        ]


def make_world(owner: User, cleared_agent: User) -> World:
    case = build_case(
        owner=owner,
        status=S.AWAITING_REVIEW,
        phone_number=PHONE,
        phone_last4=PHONE[-4:],
        notice_name=NOTICE_NAME,
        notice_address="1 Quay Street, Bristol",
        assigned_agent=cleared_agent,
    )
    identity = add_evidence(
        case, samples.phone_photo_jpeg(), "passport.jpg", kind=Evidence.Kind.IDENTITY
    )
    assert identity.thumbnail, "the walk needs a file with a thumbnail"
    text = add_evidence(case, TEXT_PROOF, "confirmation.txt")
    build = factories.ProofPackBuildFactory(
        case=case,
        requested_by=owner,
        file__data=PACK_BYTES,
        size=len(PACK_BYTES),
        finished_at=timezone.now(),
    )
    contact = factories.ContactAttemptFactory(
        case=case, created_by=owner, summary=CONTACT_SUMMARY, follow_up_on=dt.date(2026, 12, 20)
    )
    agent_contact = factories.ContactAttemptFactory(
        case=case, created_by=cleared_agent, summary=CONTACT_SUMMARY
    )
    case.refresh_from_db()
    return World(owner, case, identity, text, build, contact, agent_contact, cleared_agent)


# --- Every URL that takes a case or a case object, and who it is for ---------------------------

OWNER, AGENT, SHARED = "owner", "agent", "shared"  # the customer's pages, staff's, both


def _ref(world: World) -> dict:
    return {"ref": world.case.reference}


def _ref_and(**extra: Callable[[World], object]) -> Callable[[World], dict]:
    return lambda world: {"ref": world.case.reference, **{k: f(world) for k, f in extra.items()}}


def _evidence(pick: Callable[[World], Evidence]) -> Callable[[World], dict]:
    return lambda world: {"pk": pick(world).pk}


def _first_language(world: World) -> str:
    return letter.languages_for(world.case)[0]


CASE_URLS: dict[str, tuple[str, Callable[[World], dict]]] = {
    # The customer's journey (cases/urls.py).
    **{
        f"cases:{name}": (OWNER, _ref)
        for name in (
            "kind",
            "keep_number",
            "porting",
            "provider",
            "details",
            "save",
            "discard",
            "detail",
            "timeline",
            "precautions",
            "start_steps",
            "outcome",
            "billing_check",
            "esim_fact",
            "escalate",
        )
    },
    "cases:step": (OWNER, _ref_and(number=lambda world: 1)),
    # Reminder controls on the case page.
    "reminders:case_stop": (OWNER, _ref),
    "reminders:case_resume": (OWNER, _ref),
    "reminders:case_snooze": (OWNER, _ref),
    # The contact log and the notice.
    "contacts:new": (OWNER, _ref),
    "contacts:edit": (OWNER, _ref_and(pk=lambda world: world.contact.pk)),
    "notices:notice": (OWNER, _ref),
    "notices:sent": (OWNER, _ref),
    "notices:notice_pdf": (OWNER, _ref_and(language=_first_language)),
    "notices:notice_text": (OWNER, _ref_and(language=_first_language)),
    # Evidence and proof packs: the owner's and the agents'.
    "evidence:add": (SHARED, _ref),
    "evidence:pack": (SHARED, _ref),
    "evidence:pack_download": (SHARED, _ref_and(pk=lambda world: world.build.pk)),
    "evidence:delete_case": (SHARED, _ref),
    "evidence:show": (SHARED, _evidence(lambda world: world.identity)),
    "evidence:download": (SHARED, _evidence(lambda world: world.identity)),
    "evidence:thumbnail": (SHARED, _evidence(lambda world: world.identity)),
    "evidence:delete": (SHARED, _evidence(lambda world: world.text)),
    # The staff dashboard's case pages.
    **{
        f"staff:{name}": (AGENT, _ref)
        for name in (
            "case_detail",
            "case_timeline",
            "case_presence",
            "case_assign",
            "case_note",
            "case_message",
            "case_move",
            "case_reminders",
            "contact_new",
        )
    },
    "staff:contact_edit": (AGENT, _ref_and(pk=lambda world: world.agent_contact.pk)),
}

# Answer to a secret in the address alone (calendar apps and one-click unsubscribe send no
# session): tested below on their own.
TOKEN_URLS = {"feeds:ics", "reminders:stop"}

# Take parameters that are not a case or a case object.
NOT_CASE_URLS = {
    "accounts:password_reset_from_key",
    "account_confirm_email",
    "account_reset_password_from_key",
    "staff:provider_detail",
    "staff:channel_edit",
}


def url_patterns(patterns=None, namespaces: tuple[str, ...] = ()):
    """(name, parameter names) of every URL pattern outside the admin and static files."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin: behind the second factor and its own permissions
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if str(entry.pattern).lstrip("^").startswith("static/"):
                continue
            yield ":".join((*namespaces, entry.name or "")), set(entry.pattern.regex.groupindex)


def walk_gaps() -> tuple[list[str], list[str]]:
    """URLs with parameters the walk does not know, and names it knows that are gone."""
    found = {name: params for name, params in url_patterns() if params}
    known = set(CASE_URLS) | TOKEN_URLS | NOT_CASE_URLS
    unknown = sorted(
        f"{name} {sorted(params)}" for name, params in found.items() if name not in known
    )
    return unknown, sorted(known - set(found))


def test_the_walk_knows_every_url_that_takes_a_parameter():
    unknown, gone = walk_gaps()

    # A new page on a case's objects must be added to CASE_URLS (and so to this walk).
    assert unknown == []
    assert gone == []


def _new_page(request, ref):
    raise AssertionError


# The site's URLconf with one page more, as a helper adding a case page would leave it.
urlpatterns = [
    path("", include("config.urls")),
    path("cases/<str:ref>/new-page/", _new_page, name="new_page"),
]


def test_a_new_case_page_the_walk_does_not_know_fails_it(settings):
    settings.ROOT_URLCONF = __name__

    unknown, gone = walk_gaps()

    assert unknown == ["new_page ['ref']"]
    assert gone == []


# --- The people ------------------------------------------------------------------------------


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def enrol(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def staff_password_sign_in(client: Client, user: User) -> str:
    """The staff sign-in page with the password; returns where it sends the browser next."""
    response = client.post(
        reverse("accounts:staff_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response["Location"]


def sign_in_with_second_factor(client: Client, user: User) -> None:
    secret = enrol(user)
    step = staff_password_sign_in(client, user)
    assert urlsplit(step).path == reverse("mfa_authenticate")
    assert client.post(step, {"code": current_code(secret)}).status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def _owner(client, world):
    client.force_login(world.owner)


def _other_customer(client, world):
    client.force_login(factories.UserFactory())


def _anonymous(client, world):
    pass


def _staff_outside_agents(client, world):
    client.force_login(factories.UserFactory(is_staff=True))


def _staff_outside_agents_past_second_factor(client, world):
    sign_in_with_second_factor(client, factories.UserFactory(is_staff=True))


def _agent_without_totp(client, world):
    client.force_login(factories.AgentFactory())


def _agent_stopped_at_the_code(client, world):
    agent = factories.AgentFactory()
    enrol(agent)
    step = staff_password_sign_in(client, agent)
    assert urlsplit(step).path == reverse("mfa_authenticate")  # and goes no further


def _agent_whose_session_skipped_the_code(client, world):
    agent = factories.AgentFactory()
    enrol(agent)
    client.force_login(agent)  # a password session that never passed the second factor


def _cleared_agent(client, world):
    sign_in_with_second_factor(client, world.cleared_agent)


REFUSED = {
    "other customer": _other_customer,
    "anonymous": _anonymous,
    "staff outside the agents' group": _staff_outside_agents,
    "staff outside the agents' group, past the second factor": (
        _staff_outside_agents_past_second_factor
    ),
    "agent without TOTP": _agent_without_totp,
    "agent who stopped at the code": _agent_stopped_at_the_code,
    "agent whose session skipped the code": _agent_whose_session_skipped_the_code,
}


# --- What they get ---------------------------------------------------------------------------


def answer(response) -> str:
    """What a person gets, in the words of the test: sign-in, enrol, code, or the status."""
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path in (reverse("account_login"), reverse("accounts:staff_login")):
            return "sign-in"
        if path == reverse("mfa_activate_totp"):
            return "enrol"
        if path in (reverse("mfa_reauthenticate"), reverse("mfa_authenticate")):
            return "code"
        return f"redirect to {path}"
    return str(response.status_code)


def allowed_refusals(staff_answer: str, audience: str) -> set[str]:
    """What a refused person may get from a case URL, given what /staff/ gives them."""
    if staff_answer in ("enrol", "code"):
        return {staff_answer, "405"}  # the same step, whichever page they asked for
    if staff_answer == "sign-in":
        return {"sign-in", "404", "405"}
    assert staff_answer == "403", staff_answer
    # Signed in but not an agent: the staff pages' 403, the customer pages' 404.
    return {"403", "405"} if audience == AGENT else {"404", "405"}


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


METHODS = ("get", "post", "htmx get", "htmx post")


def request(client: Client, method: str, url: str, world: World):
    """GET, or POST what the case's forms post (the version on screen and a plausible choice
    for each form), plainly or as htmx does."""
    htmx = {"headers": {"HX-Request": "true"}} if method.startswith("htmx") else {}
    if method.endswith("get"):
        return client.get(url, **htmx)
    version = Case.objects.values_list("version", flat=True).get(pk=world.case.pk)
    data = {
        "version": str(version),
        "note": "Done as asked",
        "message": "Please call us",
        "to": S.WITHDRAWN,
        "outcome": "gave_up",
        "action": "stop",
        "state": "editing",
        "confirmed": "1",
    }
    return client.post(url, data, **htmx)


def _state(world: World) -> tuple:
    case = Case.objects.get(pk=world.case.pk)
    return (
        case.version,
        case.status,
        Evidence.objects.filter(case=case).count(),
        ContactAttempt.objects.filter(case=case).count(),
        ProofPackBuild.objects.filter(case=case).count(),
        CaseEvent.objects.filter(case=case).count(),
        case.reminders_stopped_at,
    )


@pytest.fixture
def world(customer):
    return make_world(customer, factories.AgentFactory())


@pytest.mark.parametrize("who", list(REFUSED))
def test_refused_people_get_what_staff_gives_them_and_never_the_object(world, who):
    client = Client()
    REFUSED[who](client, world)
    staff_answer = answer(client.get(reverse("staff:case_list")))
    before = _state(world)
    secrets = world.secrets()
    problems = []
    for name, (audience, kwargs) in CASE_URLS.items():
        url = reverse(name, kwargs=kwargs(world))
        for method in METHODS:
            response = request(client, method, url, world)
            got = answer(response)
            if got not in allowed_refusals(staff_answer, audience):
                problems.append(f"{method.upper()} {name}: {got} (/staff/ gives {staff_answer})")
            content = body(response)
            if leaked := [secret[:24] for secret in secrets if secret in content]:
                problems.append(f"{method.upper()} {name}: shows {leaked}")
            if _state(world) != before:
                problems.append(f"{method.upper()} {name}: changed the case")
                before = _state(world)

    assert problems == []


def test_the_refusals_are_the_staff_dashboards_own(world):
    """The walk's expectations follow /staff/: check that /staff/ gives what they say."""
    answers = {}
    for who, sign_in in REFUSED.items():
        client = Client()
        sign_in(client, world)
        answers[who] = answer(client.get(reverse("staff:case_list")))

    assert answers == {
        "other customer": "403",
        "anonymous": "sign-in",
        "staff outside the agents' group": "enrol",
        "staff outside the agents' group, past the second factor": "403",
        "agent without TOTP": "enrol",
        "agent who stopped at the code": "sign-in",
        "agent whose session skipped the code": "code",
    }


@pytest.mark.parametrize(
    ("who", "audiences"),
    [("owner", {OWNER, SHARED}), ("cleared agent", {AGENT, SHARED})],
)
def test_the_owner_and_a_cleared_agent_get_their_pages(world, who, audiences):
    client = Client()
    (_owner if who == "owner" else _cleared_agent)(client, world)
    problems = []
    for name, (audience, kwargs) in CASE_URLS.items():
        url = reverse(name, kwargs=kwargs(world))
        got = answer(client.get(url))
        refused = got in ("sign-in", "enrol", "code", "403", "404")
        if audience in audiences and refused:
            problems.append(f"GET {name}: {got}")
        if audience not in audiences and got not in ("403", "404", "405"):
            # Agents work from the staff pages; customers never reach them.
            problems.append(f"GET {name}: {got}, but it is not their page")

    assert problems == []


def test_a_cleared_agent_gets_the_identity_document_and_the_view_is_recorded(world):
    client = Client()
    _cleared_agent(client, world)
    stored = world.identity.file.storage.open(world.identity.file.name or "").read()

    response = client.get(reverse("evidence:download", kwargs={"pk": world.identity.pk}))

    assert response.status_code == 200
    assert body(response) == stored
    viewed = CaseEvent.objects.get(case=world.case, kind=CaseEvent.Kind.EVIDENCE_VIEWED)
    assert viewed.actor == world.cleared_agent
    assert viewed.visibility == CaseEvent.Visibility.INTERNAL
    assert viewed.message == world.identity.original_name


def test_the_owner_opens_their_identity_document_without_an_agent_view_on_record(client, world):
    client.force_login(world.owner)
    stored = world.identity.file.storage.open(world.identity.file.name or "").read()

    response = client.get(reverse("evidence:download", kwargs={"pk": world.identity.pk}))

    assert body(response) == stored
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.EVIDENCE_VIEWED).exists()


def test_a_customer_guessing_ids_gets_404_like_an_id_that_does_not_exist(client, world):
    client.force_login(factories.UserFactory())
    missing = Evidence.objects.order_by("-pk").first().pk + 100

    for name in ("evidence:show", "evidence:download", "evidence:thumbnail", "evidence:delete"):
        real = client.get(reverse(name, kwargs={"pk": world.identity.pk}))
        made_up = client.get(reverse(name, kwargs={"pk": missing}))
        assert (real.status_code, made_up.status_code) == (404, 404), name


def test_a_staff_session_owing_the_code_is_asked_for_it_for_any_reference(client, world):
    """The second-factor step comes whether or not the case exists: it reveals nothing."""
    _agent_whose_session_skipped_the_code(client, world)

    real = client.get(reverse("evidence:pack", kwargs={"ref": world.case.reference}))
    made_up = client.get(reverse("evidence:pack", kwargs={"ref": "CX-AAAA-BBBB"}))

    assert answer(real) == answer(made_up) == "code"
    assert parse_qs(urlsplit(real["Location"]).query)["next"] == [
        reverse("evidence:pack", kwargs={"ref": world.case.reference})
    ]


# --- The services refuse too -------------------------------------------------------------------


def _refused_users(world: World) -> dict[str, User]:
    """The people the rule refuses, as a service sees them (no session passed a factor)."""
    outsider = factories.UserFactory(is_staff=True)
    agent = factories.AgentFactory()
    enrol(agent)
    return {"other customer": factories.UserFactory(), "staff outside": outsider, "agent": agent}


@pytest.mark.parametrize("who", ["other customer", "staff outside", "agent"])
def test_services_refuse_who_the_rule_refuses(world, who):
    by = _refused_users(world)[who]
    case = world.case
    attempts = {
        "add_evidence": lambda: evidence_services.add_evidence(
            case=case, by=by, version=case.version, files=[]
        ),
        "delete_evidence": lambda: evidence_services.delete_evidence(
            evidence=world.text, by=by, version=case.version
        ),
        "request_proof_pack": lambda: evidence_services.request_proof_pack(case=case, by=by),
        "record_identity_view": lambda: evidence_services.record_identity_view(
            evidence=world.identity, by=by
        ),
        "delete_case": lambda: evidence_services.delete_case(
            case=case, by=by, version=case.version
        ),
        "move_case": lambda: services.move_case(
            case=case, to=S.WITHDRAWN, by=by, version=case.version
        ),
        "edit_case": lambda: services.edit_case(
            case=case, by=by, version=case.version, changes={"provider_reference": "X"}
        ),
        "add_internal_note": lambda: staff_services.add_internal_note(
            case=case, by=by, version=case.version, note="Seen"
        ),
        "message_customer": lambda: staff_services.message_customer(
            case=case, by=by, version=case.version, message="Hello"
        ),
        "stop_reminders": lambda: controls.stop_reminders(case=case, by=by),
        "save_notice_details": lambda: notice_services.save_details(
            case=case, by=by, version=case.version, name="X", address="Y", effective_on=None
        ),
        "escalate": lambda: escalation_services.escalate(
            case=case, by=by, version=case.version, route_id=None
        ),
    }
    before = _state(world)
    allowed = []
    for name, attempt in attempts.items():
        try:
            attempt()
        except (access.AccessDenied, TransitionNotAllowed):
            continue
        allowed.append(name)

    assert allowed == []
    assert _state(world) == before


def test_an_agent_loaded_outside_a_request_is_not_cleared(world):
    """Only the session that passed the code clears an agent; a user row alone never does."""
    agent = User.objects.get(pk=world.cleared_agent.pk)
    enrol(agent)

    assert not access.is_cleared_agent(agent)
    with pytest.raises(access.AccessDenied):
        evidence_services.request_proof_pack(case=world.case, by=agent)


# --- The calendar --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sign_in", "expected"),
    [
        (_agent_without_totp, "enrol"),
        (_agent_whose_session_skipped_the_code, "code"),
        (_staff_outside_agents, "enrol"),
    ],
)
def test_the_calendar_page_asks_a_staff_session_for_its_second_factor(world, sign_in, expected):
    client = Client()
    sign_in(client, world)

    for method in ("get", "post"):
        url = reverse("feeds:calendar" if method == "get" else "feeds:reset")
        assert answer(getattr(client, method)(url)) == expected, method


def test_a_cleared_agent_gets_the_calendar_page(world):
    client = Client()
    _cleared_agent(client, world)

    assert client.get(reverse("feeds:calendar")).status_code == 200


def test_an_agents_feed_answers_only_while_they_have_a_second_factor(client, world):
    feed = feed_services.feed_for(user=world.cleared_agent)
    url = reverse("feeds:ics", kwargs={"token": feed.token})

    without = client.get(url)
    enrol(world.cleared_agent)
    with_factor = client.get(url)

    assert without.status_code == 404
    assert with_factor.status_code == 200
    assert world.case.reference.encode() in with_factor.content


def test_made_up_tokens_open_nothing_for_anyone(world):
    for who, sign_in in {**REFUSED, "owner": _owner}.items():
        client = Client()
        sign_in(client, world)
        for name in TOKEN_URLS:
            response = client.get(reverse(name, kwargs={"token": "not-a-real-token"}))
            # The stop link's page says the link is not valid (400); the feed is a 404.
            assert response.status_code in (400, 404), (who, name)
            assert world.case.reference.encode() not in response.content, (who, name)


def test_the_stop_link_answers_to_its_token(client, world):
    token = emails.stop_token(world.case)

    assert client.get(reverse("reminders:stop", kwargs={"token": token})).status_code == 200


def test_a_cleared_agent_writes_through_the_services_with_the_factor_required(world):
    """The session's second factor reaches the services: an agent past it may act."""
    client = Client()
    _cleared_agent(client, world)
    ref = world.case.reference

    noted = client.post(
        reverse("staff:case_note", kwargs={"ref": ref}),
        {"version": world.case.version, "note": "Called the provider"},
    )
    world.case.refresh_from_db()
    added = client.post(
        reverse("evidence:add", kwargs={"ref": ref}),
        {
            "version": world.case.version,
            "file_1": SimpleUploadedFile("bill.pdf", samples.pdf_document(), "application/pdf"),
            "kind_1": Evidence.Kind.FINAL_BILL,
        },
    )

    assert (noted.status_code, added.status_code) == (302, 302)
    assert CaseEvent.objects.filter(case=world.case, message="Called the provider").exists()
    bill = Evidence.objects.get(case=world.case, original_name="bill.pdf")
    assert bill.uploaded_by == world.cleared_agent


def test_the_owner_writes_through_the_services(world):
    assert controls.stop_reminders(case=world.case, by=world.owner)
    build = evidence_services.request_proof_pack(case=world.case, by=world.owner)

    assert build.requested_by == world.owner
