"""Agents see who else has a case open; presence lives in the shared cache and expires."""

import datetime as dt
import os

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.urls import reverse

from cases.staff import presence
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_second_agent_sees_the_first_viewing_then_editing(agent_client, ana_client):
    case = waiting_case()
    url = reverse("staff:case_detail", kwargs={"ref": case.reference})
    ana_client.get(url)

    viewing = agent_client.get(url).content.decode()
    ana_client.post(
        reverse("staff:case_presence", kwargs={"ref": case.reference}),
        {"state": "editing"},
        HTTP_HX_REQUEST="true",
    )
    editing = agent_client.get(url).content.decode()

    assert "Ana is viewing" in viewing
    assert "Ana is editing" in editing


def test_presence_expires_when_the_agent_leaves(agent, other_agent):
    case = waiting_case()
    start = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        presence.visit(case_id=case.pk, agent=other_agent)
    with time_machine.travel(start + dt.timedelta(seconds=presence.TTL_SECONDS - 5), tick=False):
        assert [p.name for p in presence.visit(case_id=case.pk, agent=agent)] == ["Ana"]
    with time_machine.travel(start + dt.timedelta(seconds=presence.TTL_SECONDS + 1), tick=False):
        assert presence.on_cases([case.pk], agent=agent) == {}
        assert [p.name for p in presence.on_cases([case.pk], agent=other_agent)[case.pk]] == [
            agent.get_short_name()
        ]


def test_the_list_shows_who_has_each_case_open_with_one_cache_read(
    agent_client, other_agent, monkeypatch
):
    first, second = waiting_case(), waiting_case()
    presence.visit(case_id=second.pk, agent=other_agent, state=presence.EDITING)
    reads = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or real_get_many(keys))

    page = agent_client.get(reverse("staff:case_list"), {"queue": "all"}).content.decode()

    assert len(reads) == 1
    assert "Ana · editing" in page
    assert first.reference in page


def test_an_agent_does_not_see_themselves(agent):
    case = waiting_case()
    presence.visit(case_id=case.pk, agent=agent)

    assert presence.visit(case_id=case.pk, agent=agent) == []


@pytest.mark.redis
def test_presence_lives_in_the_shared_cache(settings, agent, other_agent):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "closeout-test-presence",
        }
    }
    case = waiting_case()
    presence.visit(case_id=case.pk, agent=other_agent)
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(server.scan_iter(match=f"closeout-test-presence*staff:presence:{case.pk}"))

    assert len(keys) == 1
    assert 0 < server.ttl(keys[0]) <= presence.TTL_SECONDS
    assert [p.name for p in presence.on_cases([case.pk], agent=agent)[case.pk]] == ["Ana"]
    cache.clear()
