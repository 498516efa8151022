from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.Model):
    """A field of activity ("secteur"): culture, insertion, alimentation…; shared with the directory."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
