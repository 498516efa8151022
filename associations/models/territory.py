"""Communes and EPCI of the Pas-de-Calais, from the official open data (Licence Ouverte).

They are reference data loaded from ``associations/data/territoires-62.json``; nobody types
them, and an association can only be placed in a commune of that list.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Epci(models.Model):
    code = models.CharField(_("SIREN de l'EPCI"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, blank=True)  # CA, CC, CU, MET

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=200, db_index=True)
    postal_codes = models.JSONField(_("codes postaux"), default=list, blank=True)
    epci = models.ForeignKey(
        Epci,
        verbose_name=_("EPCI"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="communes",
    )
    kind = models.CharField(_("type"), max_length=20, default="commune-actuelle")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
