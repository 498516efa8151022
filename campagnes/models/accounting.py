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


# --- the association's chart of accounts for the money that goes through Kollektif -----------

# Plan comptable des associations: règlement ANC n° 2018-06 du 5 décembre 2018 (homologué par
# arrêté du 26 décembre 2018), which keeps the structure of the Plan comptable général
# (règlement ANC n° 2014-03, art. 933-1: account numbers of at least three digits, the first
# one the class, 1 to 8). Each role accepts the roots a chartered accountant would accept.
ACCOUNT_FORMAT = r"^[1-8][0-9]{2,9}$"

ACCOUNT_ROLES: dict[str, dict] = {
    "bank_account": {"default": "512", "label": _("Banque"), "roots": ("512", "514")},
    "processor_account": {"default": "467", "label": _("Stripe (compte d'attente)"), "roots": ("467", "58")},
    "donation_account": {"default": "754", "label": _("Dons manuels"), "roots": ("7",)},
    "monthly_donation_account": {"default": "754", "label": _("Dons manuels (mensuels)"), "roots": ("7",)},
    "membership_account": {"default": "756", "label": _("Cotisations"), "roots": ("7",)},
    "ticket_account": {"default": "706", "label": _("Prestations de services (billetterie)"), "roots": ("7",)},
    "crowdfunding_account": {"default": "754", "label": _("Dons manuels (collectes)"), "roots": ("7",)},
    "fee_account": {"default": "627", "label": _("Services bancaires et assimilés"), "roots": ("62",)},
}

ROOT_NAMES = {
    "512": _("512 (banque)"),
    "514": _("514 (chèques postaux)"),
    "467": _("467 (autres comptes débiteurs ou créditeurs)"),
    "58": _("58 (virements internes)"),
    "7": _("7 (produits)"),
    "62": _("62 (autres services extérieurs)"),
}


def validate_account_number(value: str, roots: tuple[str, ...]) -> None:
    """A PCG account number under one of ``roots``; a French message otherwise."""
    import re

    if not re.match(ACCOUNT_FORMAT, value or ""):
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro de compte du plan comptable : 3 à 10 chiffres, le premier de 1 à 8."),
            params={"value": value},
        )
    if not value.startswith(roots):
        raise ValidationError(
            _("Le compte %(value)s ne convient pas ici : il doit commencer par %(roots)s."),
            params={"value": value, "roots": str(_(" ou ")).join(str(ROOT_NAMES.get(root, root)) for root in roots)},
        )


def _account_field(role: str) -> models.CharField:
    spec = ACCOUNT_ROLES[role]
    return models.CharField(spec["label"], max_length=10, default=spec["default"])


JOURNAL_CODE_FORMAT = r"^[A-Z0-9]{1,6}$"


class AccountingSettings(models.Model):
    """Which accounts and journals an association's entries use, ANC 2018-06 defaults.

    A row is created on first save from the admin; until then ``for_association`` returns the
    defaults unsaved, so the exports work for an association that never opened the settings.
    """

    association = models.OneToOneField(
        "associations.Association", on_delete=models.CASCADE, related_name="accounting_settings"
    )
    bank_account = _account_field("bank_account")
    processor_account = _account_field("processor_account")
    donation_account = _account_field("donation_account")
    monthly_donation_account = _account_field("monthly_donation_account")
    membership_account = _account_field("membership_account")
    ticket_account = _account_field("ticket_account")
    crowdfunding_account = _account_field("crowdfunding_account")
    fee_account = _account_field("fee_account")
    processor_journal = models.CharField(_("code du journal Stripe"), max_length=6, default="ST")
    bank_journal = models.CharField(_("code du journal de banque"), max_length=6, default="BQ")

    class Meta:
        verbose_name = _("plan de comptes")
        verbose_name_plural = _("plans de comptes")

    def __str__(self) -> str:
        return str(_("Comptes de %(association)s") % {"association": self.association})

    @classmethod
    def for_association(cls, association) -> AccountingSettings:
        found = cls.objects.filter(association=association).first()
        return found if found is not None else cls(association=association)

    def clean(self) -> None:
        import re

        errors: dict[str, list] = {}
        for role, spec in ACCOUNT_ROLES.items():
            try:
                validate_account_number(getattr(self, role), spec["roots"])
            except ValidationError as error:
                errors.setdefault(role, []).extend(error.messages)
        for field in ("processor_journal", "bank_journal"):
            if not re.match(JOURNAL_CODE_FORMAT, getattr(self, field) or ""):
                errors.setdefault(field, []).append(
                    _("Un code de journal tient en 1 à 6 lettres majuscules ou chiffres, par exemple « ST ».")
                )
        if errors:
            raise ValidationError(errors)
