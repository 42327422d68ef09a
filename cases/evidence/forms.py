"""The upload form: a few rows of file + kind + note, or the pasted text of a message."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext, pgettext
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

    def __init__(
        self,
        *args,
        rows: int = ROWS,
        initial_kind: str = "",
        upload_refusal: files.RefusedFile | None = None,
        refused_field: str = "",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = range(1, min(rows, settings.EVIDENCE_MAX_FILES_PER_UPLOAD) + 1)
        # The cap handler stopped the body (a file too large, too many files): nothing arrived.
        self.upload_refusal = upload_refusal
        self.refused_field = refused_field
        for row in self.rows:
            self.fields[f"file_{row}"] = forms.FileField(
                label=_("Choose the file"),
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
        self.refused_names: list[str] = []

    def row_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """Each row's legend ("File 2") and its file, kind and note fields."""
        return [
            (
                gettext("File %(row)d") % {"row": r},
                self[f"file_{r}"],
                self[f"kind_{r}"],
                self[f"note_{r}"],
            )
            for r in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.upload_refusal is not None:
            field = self.refused_field if self.refused_field in self.fields else "file_1"
            self.add_error(field, self.upload_refusal)
            return data
        for row in self.rows:
            name = f"file_{row}"
            item = files.evidence_from_field(
                self,
                name,
                kind=data.get(f"kind_{row}") or Evidence.Kind.OTHER,
                note=data.get(f"note_{row}", "").strip(),
            )
            if item is not None:
                self.new_evidence.append(item)
            elif name in self.errors and data.get(name):
                self.refused_names.append(files.clean_name(data[name].name or ""))
        pasted = files.evidence_from_field(
            self, "pasted_text", kind=data.get("pasted_kind") or Evidence.Kind.CONFIRMATION
        )
        if pasted is not None:
            self.new_evidence.append(pasted)
        if not self.errors and not self.new_evidence:
            self.add_error("file_1", _("Choose a file to add, or paste the message."))
        elif self.errors and self.new_evidence and not self.keeps_accepted_files():
            # A file input cannot be refilled: say which good files must be chosen again.
            self.add_error(None, self.choose_again_message())
        return data

    def keeps_accepted_files(self) -> bool:
        """True when the only errors are refused files: the accepted ones can be kept now."""
        file_fields = {f"file_{row}" for row in self.rows}
        return bool(self.new_evidence) and set(self.errors) <= file_fields

    def accepted_names(self) -> list[str]:
        return [item.checked.original_name for item in self.new_evidence]

    def choose_again_message(self) -> str:
        names = join_names(self.accepted_names())
        count = len(self.new_evidence)
        return ngettext(
            "Nothing was added yet. Once the rest is right, choose %(names)s again.",
            "Nothing was added yet. Once the rest is right, choose these files again: %(names)s.",
            count,
        ) % {"names": names}


def join_names(names: list[str]) -> str:
    """File names as a list in the reader's language ("a.jpg, b.pdf"; "a.jpg、b.pdf")."""
    return pgettext("between file names in a list", ", ").join(names)


def added_message(names: list[str]) -> str:
    """The confirmation after an upload: which files were added."""
    return ngettext(
        "Added %(count)d file: %(names)s.", "Added %(count)d files: %(names)s.", len(names)
    ) % {
        "names": join_names(names),
        "count": len(names),
    }


class DeleteForm(VersionedForm):
    pass
