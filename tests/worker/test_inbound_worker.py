"""Inbound email end to end with a real Celery worker: a message piped in is processed by the
worker into evidence and a suggestion; one received while the broker is unreachable waits,
stored, and the beat's re-queue hands it to the worker once the broker is back."""

import datetime as dt
import io
import json
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from cases.inbound import services
from cases.models import Case, Evidence, InboundMessage
from providers.models import ContactChannel
from tests import factories
from tests.cases.inbound.conftest import corpus
from tests.worker.conftest import WORKER_REDIS_URL, free_port, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def case(settings):
    settings.INBOUND_DOMAIN = "in.closeout.local"
    provider = factories.ProviderFactory(
        name="Skyline Mobile", slug="skyline-mobile", website="https://www.skylinemobile.co.uk/"
    )
    factories.ContactChannelFactory(
        provider=provider, kind=ContactChannel.Kind.EMAIL, value="support@skylinemobile.co.uk"
    )
    return factories.CaseFactory(
        provider=provider,
        status=Case.Status.AWAITING_REVIEW,
        submitted_at="2026-12-01T09:00:00Z",
        waiting_since="2026-12-01T09:00:00Z",
    )


def start_worker(worker_env):
    location = django_settings.STORAGES["evidence"]["OPTIONS"]["location"]
    return worker_env.start(
        EVIDENCE_STORAGE_OPTIONS=json.dumps({"location": location}),
        INBOUND_DOMAIN="in.closeout.local",
    )


def pipe(raw: bytes, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("receive_email")


def processed(worker_env):
    def check() -> InboundMessage | None:
        message = InboundMessage.objects.get()
        assert message.state != InboundMessage.State.FAILED, worker_env.workers[0].log
        return message if message.state == InboundMessage.State.PROCESSED else None

    return check


def test_worker_processes_a_piped_email(worker_env, case, monkeypatch):
    start_worker(worker_env)
    pipe(corpus("zh_gb2312_base64_confirmation.eml", case=case), monkeypatch)

    message = wait_for(processed(worker_env), timeout=60, what="the worker to process it")
    assert isinstance(message, InboundMessage)
    assert message.suggestion == InboundMessage.Suggestion.CONFIRMED
    assert message.suggested_reference == "2026120700345"
    assert Evidence.objects.filter(case=case).count() == 1
    assert "process_inbound_mail" in worker_env.workers[0].log


def test_mail_received_while_the_broker_is_down_is_processed_after_the_requeue(
    worker_env, case, monkeypatch
):
    worker_env.use_broker(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    pipe(corpus("en_confirmation_plain.eml", case=case), monkeypatch)
    message = InboundMessage.objects.get()
    assert message.state == InboundMessage.State.RECEIVED  # stored, its task never sent

    worker_env.use_broker(WORKER_REDIS_URL)
    start_worker(worker_env)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert services.requeue_waiting(now=timezone.now()) == 1
    message = wait_for(processed(worker_env), timeout=60, what="the re-queued processing")
    assert isinstance(message, InboundMessage)
    assert message.case == case
