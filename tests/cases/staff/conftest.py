import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from tests import factories


def agents_group_as_migrated() -> None:
    """Run the agents' group migration's forward step as migrate does, on the models as they
    were then: a flush or a serialized restore may have emptied or half-restored what it made."""
    migration = importlib.import_module("cases.migrations.0004_support_agents_group")
    state = MigrationExecutor(connection).loader.project_state(
        ("cases", "0004_support_agents_group")
    )
    migration.create_group(state.apps, None)


def opened_a_staff_page(client: Client) -> Client:
    """A browser that has shown a staff page before, so its session remembers the agent's
    facts (accounts/session_facts.py) as every later page finds them: query counts are those
    of an ordinary page, not of the session's first."""
    client.get(reverse("staff:case_detail", kwargs={"ref": "CX-NONE-NONE"}))
    return client


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return opened_a_staff_page(client)


@pytest.fixture
def other_agent(db):
    return factories.AgentFactory(display_name="Ana")


@pytest.fixture
def ana_client(other_agent):
    """A second agent's own browser session."""
    client = Client()
    client.force_login(other_agent)
    return opened_a_staff_page(client)


def waiting_case(**fields) -> Case:
    """A case waiting on the provider's review, as the journey leaves it (with its events)."""
    case = factories.CaseFactory(status=Case.Status.IN_PROGRESS, **fields)
    return services.move_case(
        case=case, to=Case.Status.AWAITING_REVIEW, by=case.owner, version=case.version
    )


def stalled_case(**fields) -> Case:
    case = waiting_case(**fields)
    Case.objects.filter(pk=case.pk).update(
        is_stalled=True, stall_at=timezone.now() - dt.timedelta(hours=1)
    )
    case.refresh_from_db()
    return case
