"""The upload form: a few rows of file + kind + note, or the pasted text of a message."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.evidence import files
from cases.forms import VersionedForm
from cases.models import Evidence
from cases.once import OnceFormMixin

ROWS = 3


class EvidenceForm(OnceFormMixin, VersionedForm):
    """Rows of (file, kind, note); works as a plain multipart POST with JavaScript off."""

    pasted_text = forms.CharField(
        label=_("Or paste the text of the message"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("An SMS or an email you cannot save as a file: paste it as it is."),
    )
    pasted_kind = forms.ChoiceField(
        label=_("What is the pasted message?"),
        choices=Evidence.Kind.choices,
        initial=Evidence.Kind.CONFIRMATION,
        required=False,
    )

    def __init__(self, *args, rows: int = ROWS, initial_kind: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = range(1, min(rows, settings.EVIDENCE_MAX_FILES_PER_UPLOAD) + 1)
        for row in self.rows:
            self.fields[f"file_{row}"] = forms.FileField(
                label=_("File %(row)d") % {"row": row},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.png,.jpg,.jpeg,.heic,.heif,.webp,.txt,.eml"}
                ),
            )
            self.fields[f"kind_{row}"] = forms.ChoiceField(
                label=_("What is it?"),
                choices=Evidence.Kind.choices,
                initial=initial_kind or Evidence.Kind.CONFIRMATION,
                required=False,  # rows left empty need no kind
            )
            self.fields[f"note_{row}"] = forms.CharField(
                label=_("Note (optional)"), max_length=500, required=False
            )
        self.new_evidence: list[files.NewEvidence] = []

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"file_{r}"], self[f"kind_{r}"], self[f"note_{r}"]) for r in self.rows]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        for row in self.rows:
            upload = data.get(f"file_{row}")
            if not upload:
                continue
            try:
                checked = files.check_uploaded(upload)
            except files.RefusedFile as refused:
                self.add_error(f"file_{row}", refused)
                continue
            kind = data.get(f"kind_{row}") or Evidence.Kind.OTHER
            self.new_evidence.append(
                files.NewEvidence(
                    checked=checked, kind=kind, note=data.get(f"note_{row}", "").strip()
                )
            )
        pasted = data.get("pasted_text", "").strip()
        if pasted:
            try:
                checked = files.check_pasted(pasted)
            except files.RefusedFile as refused:
                self.add_error("pasted_text", refused)
            else:
                kind = data.get("pasted_kind") or Evidence.Kind.CONFIRMATION
                self.new_evidence.append(files.NewEvidence(checked=checked, kind=kind))
        if not self.errors and not self.new_evidence:
            self.add_error("file_1", _("Choose a file to add, or paste the message."))
        return data

    def add_upload_refusal(self, refusal: files.RefusedFile) -> None:
        """The cap handler stopped the body: the error goes next to the first file input."""
        self.add_error("file_1", refusal)


class DeleteForm(VersionedForm):
    pass
