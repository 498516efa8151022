"""Daily job: remind members whose membership ends soon (one e-mail each, never twice)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campagnes.memberships_reminders import DEFAULT_DAYS_BEFORE, membership_reminders_send


class Command(BaseCommand):
    help = (
        "Envoie un rappel de renouvellement aux adhérents dont l'adhésion expire dans les prochains jours "
        "(un seul rappel par adhésion ; rien à ceux qui ont déjà renouvelé). À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jours",
            type=int,
            default=DEFAULT_DAYS_BEFORE,
            help=f"Prévenir les adhésions qui expirent dans ce nombre de jours (par défaut {DEFAULT_DAYS_BEFORE}).",
        )

    def handle(self, *args, **options):
        days = options["jours"]
        if days < 0:
            raise CommandError(_("--jours doit être un nombre positif."))
        count = membership_reminders_send(days_before=days)
        self.stdout.write(self.style.SUCCESS(f"{count} rappel(s) de renouvellement envoyé(s)."))
