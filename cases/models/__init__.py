"""The cases app's models, one module per concern; import them from here."""

from cases.models.case import (
    REFERENCE_ALPHABET,
    REFERENCE_TERM,
    STAFF_OPEN_STATUSES,
    Case,
    CaseQuerySet,
    new_draft_token,
    new_reference,
    normalize_reference,
)
from cases.models.contacts import (
    ContactAttempt,
)
from cases.models.evidence import (
    Evidence,
    ProofPackBuild,
    _evidence_storage,
    _EvidenceStorage,
    evidence_key,
    evidence_storage,
    proof_pack_key,
)
from cases.models.feeds import (
    CalendarFeed,
    new_feed_token,
)
from cases.models.inbound import (
    InboundAddress,
    InboundMessage,
    InboundMessageQuerySet,
    inbound_key,
    new_inbound_token,
)
from cases.models.once import (
    FormSubmission,
)
from cases.models.reminders import (
    AgentDigest,
    Reminder,
    ReminderQuerySet,
)
from cases.models.stats import (
    ProviderStats,
    StatsSnapshot,
)
from cases.models.steps import (
    CaseStep,
)
from cases.models.suggestions import (
    INBOUND_TOKEN_ALPHABET,
    ProviderSuggestion,
)
from cases.models.timeline import (
    CaseEvent,
)
from cases.models.workers import (
    WorkerHeartbeat,
)

__all__ = [
    "INBOUND_TOKEN_ALPHABET",
    "REFERENCE_ALPHABET",
    "REFERENCE_TERM",
    "STAFF_OPEN_STATUSES",
    "AgentDigest",
    "CalendarFeed",
    "Case",
    "CaseEvent",
    "CaseQuerySet",
    "CaseStep",
    "ContactAttempt",
    "Evidence",
    "FormSubmission",
    "InboundAddress",
    "InboundMessage",
    "InboundMessageQuerySet",
    "ProofPackBuild",
    "ProviderStats",
    "ProviderSuggestion",
    "Reminder",
    "ReminderQuerySet",
    "StatsSnapshot",
    "WorkerHeartbeat",
    "_EvidenceStorage",
    "_evidence_storage",
    "evidence_key",
    "evidence_storage",
    "inbound_key",
    "new_draft_token",
    "new_feed_token",
    "new_inbound_token",
    "new_reference",
    "normalize_reference",
    "proof_pack_key",
]
