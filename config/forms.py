"""What every form shows of its errors, for accounts' and cases' forms alike: each error tied
to its input for screen readers, and the summary at the top (templates/components/)."""

from django import forms


class ErrorsBesideFields(forms.Form):
    """Ties each field's help and error to its input (aria-describedby) and lists the errors
    for templates/components/error_summary.html, each linking to its field."""

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}_helptext"] if field.help_text else []
            if name in self.errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs for the summary at the top, each linking to its field."""
        items: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            anchor = ""
            if name in self.fields:
                radio = isinstance(self.fields[name].widget, forms.RadioSelect)
                anchor = f"{self[name].auto_id}_0" if radio else self[name].id_for_label
            items.extend((anchor, str(message)) for message in errors)
        return items
