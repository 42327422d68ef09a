"""Mail plumbing: the .eml file backend of the embedded default, and mailing-list headers."""

import email.policy
import secrets
from email import headerregistry
from pathlib import Path

from django.core.mail import EmailMultiAlternatives, InvalidMailer
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not file_path:
            # django-stubs does not know Django 6.1's MAILERS alias yet.
            alias = self.alias  # type: ignore[attr-defined]
            raise InvalidMailer("OPTIONS must define 'file_path'.", alias=alias)
        self.file_path = Path(file_path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            # Written under a temporary name and renamed, so a reader never sees half a message.
            partial = self.file_path / f".{name}.part"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(self.file_path / name)
            sent += 1
        return sent


class UrlListHeader(headerregistry.UnstructuredHeader):
    """An RFC 2369 header (List-Unsubscribe): `<url>`, written out whole.

    Folded at 78 columns like any unstructured header, a long URL becomes RFC 2047 encoded
    words, which mail clients do not read as a URL: one-click unsubscribe would silently
    stop working. A line up to 998 characters is within RFC 5322.
    """

    # typeshed types the header classes, which the registry mixes together, only loosely.
    def fold(self, *, policy) -> str:
        value = str(self)
        if not value.isascii():
            return super().fold(policy=policy)  # type: ignore[misc]
        return f"{self.name}: {value}{policy.linesep}"  # type: ignore[attr-defined]


_LIST_HEADERS = headerregistry.HeaderRegistry()
_LIST_HEADERS.map_to_type("list-unsubscribe", UrlListHeader)  # type: ignore[arg-type]


class ListEmail(EmailMultiAlternatives):
    """An email carrying List-Unsubscribe, whatever policy the mail backend serializes with."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=_LIST_HEADERS))
