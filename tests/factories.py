"""factory_boy factories for every model the tests build."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts import roles
from accounts.models import User
from cases.models import (
    AgentDigest,
    Case,
    CaseEvent,
    CaseStep,
    ContactAttempt,
    Evidence,
    ProofPackBuild,
    Reminder,
)
from providers.models import (
    ContactChannel,
    EscalationRegion,
    EscalationRoute,
    Playbook,
    PlaybookStep,
    Provider,
    ServiceKind,
    StepKind,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    display_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery staple")


class AgentFactory(UserFactory):
    """A support agent: staff, in the "Support agents" group (the staff dashboard's door)."""

    class Meta:
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@closeout.example")
    is_staff = True

    @factory.post_generation
    def support_agent(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted is not False:
            roles.make_support_agent(self)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Demo Mobile {n}")
    slug = factory.Sequence(lambda n: f"demo-mobile-{n}")
    country = "GB"
    offers_virtual = True
    offers_esim = True
    offers_physical_sim = True
    has_self_service = True
    website = "https://example.com/"
    is_demo = True


class ContactChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactChannel

    provider = factory.SubFactory(ProviderFactory)
    kind = ContactChannel.Kind.PHONE
    value = factory.Sequence(lambda n: f"+44 20 7946 {n % 10000:04d}")
    hours = "Mon–Fri 09:00–17:00"
    is_official = True
    source_url = "https://example.com/contact"


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    provider = None
    service_kind = ServiceKind.VIRTUAL
    title = factory.Sequence(lambda n: f"Playbook {n}")
    title_zh_hans = factory.Sequence(lambda n: f"指南 {n}")


class PlaybookStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaybookStep

    playbook = factory.SubFactory(PlaybookFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = StepKind.ACTION
    title = factory.Sequence(lambda n: f"Step {n}")
    title_zh_hans = factory.Sequence(lambda n: f"步骤 {n}")
    instructions = "Do the thing."
    instructions_zh_hans = "做这件事。"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    owner = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)
    service_kind = ServiceKind.VIRTUAL
    phone_number = "+447700900123"
    reason = Case.Reason.NOT_NEEDED
    status = Case.Status.PREPARING
    time_zone = "Europe/London"


class CaseStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStep

    case = factory.SubFactory(CaseFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = StepKind.ACTION
    title = factory.Sequence(lambda n: f"Step {n}")
    title_zh_hans = factory.Sequence(lambda n: f"步骤 {n}")
    instructions = "Do the thing."
    instructions_zh_hans = "做这件事。"


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    actor_role = CaseEvent.Actor.SYSTEM
    kind = CaseEvent.Kind.NOTE
    message = "Something happened."


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactAttempt

    case = factory.SubFactory(CaseFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    direction = ContactAttempt.Direction.OUTBOUND
    outcome = ContactAttempt.Outcome.IN_PROGRESS


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    case = factory.SubFactory(CaseFactory)
    kind = Reminder.Kind.LADDER
    period_started_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(timezone.now)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    case = factory.SubFactory(CaseFactory)
    kind = Evidence.Kind.CONFIRMATION
    file = factory.django.FileField(filename="confirmation.txt", data=b"Your line is cancelled.")
    original_name = "confirmation.txt"
    size = 23
    content_type = "text/plain"
    sha256 = "0" * 64


class ProofPackBuildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProofPackBuild

    case = factory.SubFactory(CaseFactory)
    state = ProofPackBuild.State.READY
    files_done = 3
    files_total = 3
    file = factory.django.FileField(filename="proof-pack.zip", data=b"PK")
    size = 2
    manifest_sha256 = "0" * 64
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class AgentDigestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentDigest

    day = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))


class EscalationRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationRegion
        django_get_or_create = ("country",)

    country = "GB"
    regulator = "Ofcom"
    regulator_zh_hans = "英国通信管理局"
    wait_days = 56
    wait_rule = "Wait 8 weeks after the complaint, or less with a deadlock letter."
    wait_rule_zh_hans = "投诉满 8 周后。"
    wait_source_url = "https://www.ofcom.org.uk/adr-schemes"
    wait_verified_on = date(2026, 12, 1)


class EscalationRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationRoute

    region = factory.SubFactory(EscalationRegionFactory)
    slug = factory.Sequence(lambda n: f"scheme-{n}")
    name = factory.Sequence(lambda n: f"Scheme {n}")
    name_zh_hans = factory.Sequence(lambda n: f"调解机构 {n}")
    url = "https://scheme.org.uk/start"
    applies_when = "After 8 weeks."
    applies_when_zh_hans = "满 8 周后。"
    how = "Apply online."
    how_zh_hans = "在线申请。"
    include = "Letters and bills."
    include_zh_hans = "信件和账单。"
    cost = "Free"
    cost_zh_hans = "免费"
    source_url = "https://scheme.org.uk/rules"
    verified_on = date(2026, 12, 1)
