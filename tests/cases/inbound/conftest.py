"""The inbound mail tests' world: a provider with official addresses, a customer's case waiting
on it, and the corpus of messages in corpus/ addressed to that case."""

from pathlib import Path

import pytest

from cases.inbound import address
from cases.models import Case, InboundMessage
from providers.models import ContactChannel
from tests import factories

CORPUS = Path(__file__).with_name("corpus")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://closeout.example"
    settings.INBOUND_DOMAIN = "in.closeout.local"


@pytest.fixture
def skyline(db):
    provider = factories.ProviderFactory(
        name="Skyline Mobile", slug="skyline-mobile", website="https://www.skylinemobile.co.uk/"
    )
    factories.ContactChannelFactory(
        provider=provider, kind=ContactChannel.Kind.EMAIL, value="support@skylinemobile.co.uk"
    )
    return provider


@pytest.fixture
def china_mobile(db):
    return factories.ProviderFactory(
        name="China Mobile", slug="china-mobile", country="CN", website="https://www.10086.cn/"
    )


@pytest.fixture
def waiting_case(customer, skyline):
    return factories.CaseFactory(
        owner=customer,
        provider=skyline,
        status=Case.Status.AWAITING_REVIEW,
        submitted_at="2026-12-01T09:00:00Z",
        waiting_since="2026-12-01T09:00:00Z",
    )


def corpus(name: str, *, case: Case | None = None, to: str = "") -> bytes:
    """A corpus message, addressed to the case (its current address) or to `to`."""
    raw = (CORPUS / name).read_bytes()
    if case is not None:
        to = address.address_for(case).address
        if case.owner is not None:
            raw = raw.replace(b"OWNER", case.owner.email.encode())
    return raw.replace(b"case-TOKEN@in.closeout.local", (to or "nobody@in.closeout.local").encode())


def process_all() -> None:
    """What the worker does with every stored message: the task's body, run here."""
    from cases import tasks

    for pk in InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED).values_list(
        "pk", flat=True
    ):
        tasks.process_inbound_mail.apply(kwargs={"message_id": pk}).get()
