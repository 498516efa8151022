"""January job: the annual tax receipts of monthly donors for year N-1 (or --annee)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from campagnes.receipts.services import receipts_issue_annual_summaries


class Command(BaseCommand):
    help = "Émet les reçus fiscaux annuels des donateurs mensuels (par défaut : l'année précédente)."

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, default=None, help="Année des dons (par défaut : N-1).")
        parser.add_argument("--association", default=None, help="Slug d'une seule association.")

    def handle(self, *args, annee: int | None, association: str | None, **options):
        year = annee or timezone.localdate().year - 1
        if year >= timezone.localdate().year:
            raise CommandError(_("Les reçus annuels ne s'émettent qu'une fois l'année terminée."))
        associations = Association.objects.filter(monthly_annual_summary=True).exclude(tax_status="non-eligible")
        if association:
            associations = associations.filter(slug=association)
            if not associations.exists():
                raise CommandError(
                    _("Aucune association « %(name)s » émettant des reçus annuels.") % {"name": association}
                )
        total = 0
        for record in associations.order_by("pk"):
            issued = receipts_issue_annual_summaries(association=record, year=year)
            total += issued
            if issued:
                self.stdout.write(f"{record.name} : {issued} reçu(s) annuel(s) {year}.")
        self.stdout.write(self.style.SUCCESS(f"{total} reçu(s) annuel(s) {year} émis."))
