"""Case references, derived columns and the database's own guard on the provider fields."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import REFERENCE_ALPHABET, Case, new_reference
from tests import factories

S = Case.Status
REFERENCE = re.compile(rf"^CX-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


class TestReference:
    def test_format_is_cx_and_two_groups_of_four(self):
        for _ in range(500):
            assert REFERENCE.match(new_reference())

    def test_ten_thousand_draws_are_all_different(self):
        draws = [new_reference() for _ in range(10_000)]
        assert len(set(draws)) == len(draws)

    def test_no_characters_that_are_misheard_or_misread(self):
        # 0/O and 1/I/L look alike, U is heard as "you"; lower case is never used.
        assert not set("01OILU") & set(REFERENCE_ALPHABET)
        assert REFERENCE_ALPHABET.isupper()
        assert len(set(REFERENCE_ALPHABET)) == len(REFERENCE_ALPHABET)
        used = {char for _ in range(2_000) for char in new_reference()[3:].replace("-", "")}
        assert used <= set(REFERENCE_ALPHABET)

    def test_references_spread_over_the_whole_alphabet(self):
        # Unguessable means no position stuck on a few characters.
        used = {char for _ in range(2_000) for char in new_reference()[3:].replace("-", "")}
        assert used == set(REFERENCE_ALPHABET)

    @pytest.mark.django_db
    def test_every_case_gets_its_own_reference(self):
        cases = factories.CaseFactory.create_batch(5)
        references = {case.reference for case in cases}
        assert len(references) == 5
        assert all(REFERENCE.match(reference) for reference in references)

    @pytest.mark.django_db
    def test_database_refuses_a_duplicate_reference(self):
        case = factories.CaseFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.CaseFactory(reference=case.reference)


@pytest.mark.django_db
class TestPhoneLast4:
    def test_saved_with_the_number(self):
        case = factories.CaseFactory(phone_number="+447700900123")
        case.refresh_from_db()
        assert case.phone_last4 == "0123"
        assert case.masked_phone == "•••• 0123"

    def test_follows_a_changed_number(self):
        case = factories.CaseFactory(phone_number="+447700900123")
        case.phone_number = "+8613800138000"
        case.save()
        case.refresh_from_db()
        assert case.phone_last4 == "8000"

    def test_follows_a_number_saved_with_update_fields(self):
        case = factories.CaseFactory(phone_number="+447700900123")
        case.phone_number = "+8613800138000"
        case.save(update_fields=["phone_number"])
        assert Case.objects.get(pk=case.pk).phone_last4 == "8000"

    def test_cleared_with_the_number(self):
        case = factories.CaseFactory(phone_number="+447700900123")
        case.phone_number = ""
        case.save(update_fields=["phone_number"])
        assert Case.objects.get(pk=case.pk).phone_last4 == ""
        assert Case.objects.get(pk=case.pk).masked_phone == ""

    def test_search_by_last4(self):
        wanted = factories.CaseFactory(phone_number="+447700900123")
        factories.CaseFactory(phone_number="+447700900999")
        assert list(Case.objects.filter(phone_last4="0123")) == [wanted]


@pytest.mark.django_db
class TestExactlyOneProvider:
    @pytest.mark.parametrize("status", [s for s in S.values if s != S.DRAFT])
    def test_both_provider_and_free_text_are_refused(self, status, provider):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.CaseFactory(status=status, provider=provider, provider_name="Other Mobile")

    @pytest.mark.parametrize("status", [s for s in S.values if s != S.DRAFT])
    def test_neither_past_the_draft_is_refused(self, status):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.CaseFactory(status=status, provider=None, provider_name="")

    def test_an_update_that_breaks_the_rule_is_refused(self, provider):
        case = factories.CaseFactory(status=S.PREPARING, provider=provider)
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(provider=None)

    def test_draft_may_have_neither_yet(self):
        case = factories.CaseFactory(status=S.DRAFT, provider=None, provider_name="")
        assert case.pk

    def test_draft_may_still_not_have_both(self, provider):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.CaseFactory(status=S.DRAFT, provider=provider, provider_name="Other")

    @pytest.mark.parametrize("status", S.values)
    def test_either_one_alone_is_accepted(self, status, provider):
        listed = factories.CaseFactory(status=status, provider=provider, provider_name="")
        unlisted = factories.CaseFactory(status=status, provider=None, provider_name="Tiny Mobile")
        assert listed.provider_label == provider.name
        assert unlisted.provider_label == "Tiny Mobile"

    def test_model_validation_gives_a_readable_message(self, provider):
        case = factories.CaseFactory.build(
            status=S.PREPARING, provider=provider, provider_name="Other", owner=None
        )
        with pytest.raises(ValidationError) as caught:
            case.validate_constraints()
        assert caught.value.messages == ["Choose a provider from the list or name it, not both."]


@pytest.mark.django_db
class TestMaskedIdentifiers:
    def test_identifiers_are_shown_masked(self):
        case = factories.CaseFactory(
            imei="490154203237518", eid="89049032000001000000012345678954", iccid=""
        )
        assert case.masked_imei == "•••• 7518"
        assert case.masked_eid == "•••• 8954"
        assert case.masked_iccid == ""

    def test_str_helps_find_the_case(self, provider):
        case = factories.CaseFactory(provider=provider, status=S.AWAITING_REVIEW)
        assert str(case) == f"{case.reference} · {provider.name} · Awaiting provider review"
