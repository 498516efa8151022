"""Copy the Stripe payouts (and what they contain) of one association, or of every connected one."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from associations.models import Association
from campagnes import stripe_gateway as gateway
from campagnes.services.payouts import payouts_sync


class Command(BaseCommand):
    help = (
        "Lit chez Stripe les virements des associations connectées et les paiements, remboursements "
        "et frais qu'ils contiennent (les webhooks payout.* le font d'ordinaire au fil de l'eau)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--association", help="le slug d'une association (défaut : toutes les connectées)")
        parser.add_argument(
            "--depuis",
            type=datetime.date.fromisoformat,
            help="AAAA-MM-JJ : relire depuis cette date (défaut : depuis le dernier virement lu)",
        )

    def handle(self, *args, association: str | None, depuis: datetime.date | None, **options):
        associations = Association.objects.exclude(stripe_account_id="").order_by("pk")
        if association:
            associations = associations.filter(slug=association)
            if not associations.exists():
                raise CommandError(f"Aucune association connectée à Stripe avec le slug « {association} ».")
        failures = 0
        for item in associations:
            try:
                report = payouts_sync(association=item, since=depuis)
            except gateway.GatewayError as exc:
                failures += 1
                self.stderr.write(f"{item.name} : {exc}")
                continue
            self.stdout.write(
                f"{item.name} : {report.payouts} virement(s), {report.transactions} mouvement(s), "
                f"{report.unmatched} sans paiement correspondant."
            )
        if failures:
            raise CommandError(f"{failures} association(s) non lue(s) : réessayez plus tard.")
