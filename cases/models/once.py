from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case


class FormSubmission(models.Model):
    """A create form's one-time token, used: a replay (Back, then submit again) finds it and
    is shown what the first submission made instead of making it twice (cases/once.py)."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("what it made"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [models.Index(fields=["created_at"], name="formsubmission_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.token[:8]}…"
