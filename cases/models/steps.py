from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from providers.models import (
    EvidenceKind,
    StepKind,
)


class CaseStep(models.Model):
    """The case's own copy of a playbook step, so editing a playbook never rewrites history."""

    class State(models.TextChoices):
        TODO = "todo", _("To do")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    instructions = models.TextField(_("instructions"))
    instructions_zh_hans = models.TextField(_("instructions (Chinese)"))
    evidence_kind = models.CharField(
        _("evidence asked for"), max_length=20, choices=EvidenceKind.choices, blank=True
    )
    starts_waiting = models.BooleanField(default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TODO)
    skip_acknowledged = models.BooleanField(_("skip acknowledged"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="casestep_order")]

    def __str__(self) -> str:
        return f"{self.case.reference} step {self.position}: {self.title}"
