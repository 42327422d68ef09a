import re

import pytest
from django.contrib.auth import SESSION_KEY

from cases.claims import claim_drafts
from cases.models import Case, CaseEvent
from tests import factories

pytestmark = pytest.mark.django_db


def anonymous_draft(**kwargs) -> Case:
    return factories.CaseFactory(owner=None, status=Case.Status.DRAFT, **kwargs)


def put_in_session(client, tokens: list[str]) -> None:
    session = client.session
    session["draft_tokens"] = tokens
    session.save()


def test_claim_gives_the_draft_to_the_user_and_spends_the_token(customer):
    draft = anonymous_draft()

    claimed = claim_drafts(user=customer, tokens=[draft.draft_token])

    draft.refresh_from_db()
    assert claimed == [draft]
    assert draft.owner == customer
    assert draft.draft_token == ""
    event = CaseEvent.objects.get(case=draft)
    assert event.kind == CaseEvent.Kind.CLAIMED
    assert event.actor == customer
    assert event.actor_role == CaseEvent.Actor.CUSTOMER


def test_someone_elses_claimed_case_is_left_alone(customer, other_customer):
    draft = anonymous_draft()
    token = draft.draft_token
    claim_drafts(user=other_customer, tokens=[token])

    assert claim_drafts(user=customer, tokens=[token]) == []

    draft.refresh_from_db()
    assert draft.owner == other_customer
    assert CaseEvent.objects.filter(case=draft).count() == 1


def test_owned_case_with_a_leftover_token_is_not_taken(customer, other_customer):
    owned = factories.CaseFactory(owner=other_customer)

    assert claim_drafts(user=customer, tokens=[owned.draft_token]) == []
    owned.refresh_from_db()
    assert owned.owner == other_customer


def test_empty_and_junk_tokens_claim_nothing(customer):
    anonymous_draft(draft_token="")

    assert claim_drafts(user=customer, tokens=["", None, 42]) == []
    assert Case.objects.filter(owner__isnull=True).count() == 1


def test_signing_in_by_code_claims_the_sessions_drafts(client, customer, mailoutbox):
    mine, also_mine, strangers = anonymous_draft(), anonymous_draft(), anonymous_draft()
    put_in_session(client, [mine.draft_token, also_mine.draft_token])

    client.post("/accounts/login/", {"email": customer.email})
    code = re.search(r"^ {4}(\S+)$", mailoutbox[0].body, re.MULTILINE).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})

    assert client.session[SESSION_KEY] == str(customer.pk)
    assert set(Case.objects.filter(owner=customer)) == {mine, also_mine}
    strangers.refresh_from_db()
    assert strangers.owner is None
    assert "draft_tokens" not in client.session


def test_any_sign_in_claims_the_sessions_drafts(client, customer):
    draft = anonymous_draft()
    put_in_session(client, [draft.draft_token])

    client.force_login(customer)

    draft.refresh_from_db()
    assert draft.owner == customer
