"""A staff session remembers "agent" and "has an authenticator", and forgets them as soon as
either changes: a staff page costs no group or authenticator query, and loses nothing of the
second factor's or the agents' group's protection."""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles, session_facts
from accounts.models import User
from tests import factories
from tests.accounts.test_staff_mfa import PASSWORD, current_code, enrol

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_required")]

STAFF_PAGE = "/staff/"


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def sign_in(client, user) -> None:
    """Password, then the TOTP code, as a browser does."""
    secret = enrol(user)
    response = client.post("/accounts/staff/sign-in/", {"login": user.email, "password": PASSWORD})
    assert response.headers["Location"].startswith("/accounts/2fa/authenticate/")
    response = client.post(response.headers["Location"], {"code": current_code(secret)})
    assert response.status_code == 302


@pytest.fixture
def agent_browser(client, agent):
    sign_in(client, agent)
    assert client.get(STAFF_PAGE).status_code == 200
    return client


MEMBERSHIP = 'SELECT 1 AS "a" FROM "auth_group"'  # roles.is_in_support_agents_group
AUTHENTICATOR = 'FROM "mfa_authenticator"'


def queries_of(client, url: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return "\n".join(query["sql"] for query in captured)


def test_a_staff_page_asks_neither_group_nor_authenticator_once_known(agent_browser):
    sql = queries_of(agent_browser, STAFF_PAGE)

    assert MEMBERSHIP not in sql
    assert AUTHENTICATOR not in sql


def test_agent_taken_out_of_the_group_is_refused_at_once(agent_browser, agent):
    agent.groups.clear()

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_agent_removed_from_the_group_side_is_refused_at_once(agent_browser, agent):
    roles.support_agents_group().user_set.remove(agent)

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_clearing_the_group_refuses_its_members_at_once(agent_browser):
    roles.support_agents_group().user_set.clear()

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_renaming_the_group_refuses_its_members_at_once(agent_browser):
    group = roles.support_agents_group()
    group.name = "Former agents"
    group.save()

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_deleting_the_group_refuses_its_members_at_once(agent_browser):
    Group.objects.filter(name=roles.SUPPORT_AGENTS).delete()

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_staff_put_in_the_group_get_in_at_once(client):
    outsider = factories.AgentFactory(support_agent=False)
    sign_in(client, outsider)
    assert client.get(STAFF_PAGE).status_code == 403

    roles.make_support_agent(outsider)

    assert client.get(STAFF_PAGE).status_code == 200


def test_removing_the_authenticator_sends_the_agent_to_enrol_at_once(agent_browser, agent):
    Authenticator.objects.filter(user=agent).delete()

    response = agent_browser.get(STAFF_PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_activate_totp"))


def test_enrolling_lets_the_agent_on_at_once(client, agent):
    client.force_login(agent)
    assert client.get(STAFF_PAGE).headers["Location"].startswith(reverse("mfa_activate_totp"))

    enrol(agent)

    # Enrolled, but this session has not passed the code yet: asked for it, not to enrol.
    assert client.get(STAFF_PAGE).headers["Location"].startswith(reverse("mfa_reauthenticate"))


def test_signing_out_forgets_the_facts(agent_browser, agent):
    assert session_facts.SESSION_KEY in agent_browser.session

    agent_browser.post(reverse("account_logout"))

    assert session_facts.SESSION_KEY not in agent_browser.session
    response = agent_browser.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:staff_login"))


def test_facts_remembered_for_another_person_are_not_used(agent_browser, agent):
    outsider = factories.AgentFactory(support_agent=False)
    session = agent_browser.session
    facts = session[session_facts.SESSION_KEY]
    outsider.access_version = facts["version"]
    outsider.save()
    session[session_facts.SESSION_KEY] = {**facts, "user": outsider.pk}
    session.save()
    # The same session now claims the "agent" fact for someone else: it is read afresh.
    agent.groups.clear()
    agent.access_version = facts["version"]
    agent.save()

    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_facts_are_read_afresh_after_a_while(agent_browser, time_machine):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=session_facts.MAX_AGE_SECONDS)
    time_machine.move_to(later)

    sql = queries_of(agent_browser, STAFF_PAGE)

    assert MEMBERSHIP in sql
    assert AUTHENTICATOR in sql


def test_a_change_behind_the_signals_back_holds_no_longer_than_the_facts(agent_browser, agent):
    # A bulk delete of the membership rows sends no signal...
    type(agent).groups.through.objects.filter(user=agent).delete()
    session = agent_browser.session
    session[session_facts.SESSION_KEY] = {**session[session_facts.SESSION_KEY], "at": 0}
    session.save()

    # ...but the facts are old by then, so the next page reads the group again.
    assert agent_browser.get(STAFF_PAGE).status_code == 403


def test_evidence_still_needs_the_second_factor_with_facts_remembered(client, agent):
    evidence = factories.EvidenceFactory()
    enrol(agent)
    client.force_login(agent)  # a password sign-in that never gave the code
    client.get(STAFF_PAGE)  # the facts are remembered; the factor is still owed

    response = client.get(reverse("evidence:show", args=[evidence.pk]))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_reauthenticate"))


def test_saving_a_person_loaded_before_a_change_does_not_undo_it(agent_browser, agent):
    loaded = User.objects.get(pk=agent.pk)  # a request that loaded them before...
    before = loaded.access_version
    agent.groups.clear()  # ...the change, which bumps their access version...
    loaded.display_name = "Ana"
    loaded.save()  # ...then saves the whole row

    assert User.objects.values_list("access_version", flat=True).get(pk=agent.pk) > before
    assert agent_browser.get(STAFF_PAGE).status_code == 403
