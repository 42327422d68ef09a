"""The outcome wording (patterns.yaml) on realistic provider sentences, in English and Chinese:
what each reads as, the sentence quoted and the reference found; and what must read as nothing."""

import pytest

from cases.inbound.patterns import find_reference, suggest


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        # Confirmations
        ("Your account has now been closed and no further charges will be taken.", "confirmed"),
        ("We've cancelled your SIM Only plan as requested.", "confirmed"),
        ("This email confirms the cancellation of your Pay Monthly contract.", "confirmed"),
        ("Your cancellation is complete. Your final bill will follow.", "confirmed"),
        ("Your eSIM service is now deactivated.", "confirmed"),
        ("尊敬的客户，您的号码已成功销号，感谢您多年来的支持。", "confirmed"),
        ("您申请的销户业务已办理完成。", "confirmed"),
        ("您的宽带及手机业务注销成功。", "confirmed"),
        ("親愛的客戶，您的服務已成功取消。", "confirmed"),  # Traditional, read as Simplified
        # Refusals
        (
            "Unfortunately we are unable to cancel your contract before the minimum term ends.",
            "refused",
        ),
        (
            "Your cancellation request has been declined because the account is in arrears.",
            "refused",
        ),
        ("您的账户存在欠费，暂无法为您办理销号。", "refused"),
        ("经审核，您的申请未通过。", "refused"),
        ("您的号码不符合销号条件。", "refused"),
        # Requests for more
        ("Please provide a copy of your passport so we can verify your identity.", "needs_more"),
        ("We need additional information before we can process the request.", "needs_more"),
        ("Could you please confirm the IMEI of the device?", "needs_more"),
        ("请您携带本人身份证原件到营业厅办理。", "needs_more"),
        ("您提交的资料不全，需要补充身份证背面照片。", "needs_more"),
    ],
)
def test_provider_sentences_read_as_their_outcome(text, outcome):
    found = suggest(text)
    assert found is not None
    assert found.outcome == outcome


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your request. We will review it within 3 working days.",
        "We have received your cancellation request and it is being processed.",
        "您的销号申请已受理，我们将在3个工作日内处理。",
        "Your monthly bill is ready to view in the app.",
        "> Your line has been cancelled.\nIs this true? I never got a confirmation.",  # quoted
    ],
)
def test_acknowledgements_and_quotes_suggest_nothing(text):
    assert suggest(text) is None


def test_a_refusal_that_also_asks_for_more_reads_as_a_refusal():
    text = "We are unable to cancel your line. Please provide proof of address to appeal."
    found = suggest(text)
    assert found is not None
    assert found.outcome == "refused"
    assert found.quote == "We are unable to cancel your line."


def test_references_in_both_languages_but_never_ours():
    assert find_reference("Your cancellation reference: SKY-4471-902. Thanks") == "SKY-4471-902"
    assert find_reference("Ticket #CS12345678 has been updated") == "CS12345678"
    assert find_reference("受理编号：2026120700345，请妥善保存。") == "2026120700345"
    assert find_reference("工单号为 GD20261207001") == "GD20261207001"
    assert find_reference("Reference: CX-4K7M-2QPD") == ""  # a Closeout case reference
    assert find_reference("Reference: pending") == ""  # no digits: a word, not a reference
    assert find_reference("As agreed, ref REQ-77 stands", known="REQ-77") == "REQ-77"


def test_long_sentences_are_quoted_short():
    text = "Your line has been cancelled " + "and " * 200 + "that is all."
    found = suggest(text)
    assert found is not None
    assert len(found.quote) <= 300
    assert found.quote.endswith("…")
