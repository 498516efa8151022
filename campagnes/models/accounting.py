"""Financial years ("exercices comptables") an association declares explicitly.

Most associations keep the same yearly period (``Association.accounting_year_start_*``); a
first or a changed year may be shorter or longer (up to 24 months in practice). Years never
overlap: the accounting exports, the general assembly figures and the 222 bis declaration all
read one period per date.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class FinancialYear(models.Model):
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="financial_years"
    )
    label = models.CharField(_("libellé"), max_length=50, help_text=_("Par exemple « Exercice 2026 »."))
    start = models.DateField(_("début"))
    end = models.DateField(_("fin (incluse)"))

    class Meta:
        ordering = ["association", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="financial_year_end_after_start"
            ),
            models.UniqueConstraint(fields=["association", "start"], name="financial_year_unique_start"),
        ]
        verbose_name = _("exercice comptable")
        verbose_name_plural = _("exercices comptables")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La fin de l'exercice doit suivre son début.")})
        if self.association_id and self.start and self.end:
            overlapping = (
                FinancialYear.objects.filter(
                    association_id=self.association_id, start__lte=self.end, end__gte=self.start
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                raise ValidationError(
                    _("Cet exercice chevauche « %(other)s » (du %(start)s au %(end)s).")
                    % {
                        "other": overlapping.label,
                        "start": overlapping.start.strftime("%d/%m/%Y"),
                        "end": overlapping.end.strftime("%d/%m/%Y"),
                    }
                )
