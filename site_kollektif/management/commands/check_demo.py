"""Smoke-test the demo: the pages a first visitor opens answer 200."""

import io
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from campagnes.models import DonationCampaignPage, Payment
from campagnes.receipts.delivery import render_pdf
from campagnes.receipts.services import active_receipt_for

DEMO_URLS = [
    "/",
    "/association/",
    "/association/ma-super-asso-demo/",
    "/association/ma-super-asso-demo/actualites/",
    "/association/ma-super-asso-demo/nous-aider/",
    "/association/ma-super-asso-demo/nos-projets/",
    "/a-propos/",
    "/comptes/login/",
]


class Command(BaseCommand):
    help = "Vérifie que les pages de la démo répondent."

    def handle(self, *args, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        failures = []
        for url in DEMO_URLS:
            status = client.get(url).status_code
            self.stdout.write(f"  {status} {url}")
            if status != 200:
                failures.append(url)
        if failures:
            raise CommandError(f"Pages de la démo en erreur : {', '.join(failures)}")
        self._donate(client)
        self.stdout.write(self.style.SUCCESS("La démo répond."))

    def _donate(self, client) -> None:
        """A 20 € donation through the demo campaign, the card confirmed as Stripe.js would."""
        import re
        import time

        import stripe

        campaign = DonationCampaignPage.objects.live().filter(slug="soutenir-le-projet").first()
        if campaign is None:
            raise CommandError("Pas de campagne de dons dans la démo")
        started = time.perf_counter()
        response = client.post(
            campaign.url,
            {
                "amount": "20",
                "frequency": "once",
                "first_name": "Camille",
                "last_name": "Démo",
                "email": "camille@exemple.org",
                "street_address": "1 rue de la Paix",
                "postal_code": "62000",
                "city": "Arras",
                "consent": "on",
            },
        )
        if response.status_code != 200:
            raise CommandError(f"Formulaire de don : {response.status_code}")
        secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode()).group(1)
        stripe_client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
        )
        stripe_client.v1.setup_intents.confirm(
            secret.split("_secret_")[0],
            params={
                "client_secret": secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
                },
            },
        )
        payment = Payment.objects.get(stripe_setup_intent=secret.split("_secret_")[0])
        client.post(f"/paiement/{payment.public_token}/confirmer/")
        payment.refresh_from_db()
        elapsed = (time.perf_counter() - started) * 1000
        self.stdout.write(f"  don de 20 € : {payment.get_status_display()} en {elapsed:.0f} ms")
        if payment.status != "reussi":
            raise CommandError("Le don de démonstration a échoué")
        self._receipt(payment)

    def _receipt(self, payment) -> None:
        """The donation got its receipt, and its PDF renders with the mandatory mentions."""
        # pypdf is a development tool (requirements-dev.lock): imported only when the check runs.
        from pypdf import PdfReader

        receipt = active_receipt_for(payment)
        if receipt is None:
            raise CommandError("Le don de démonstration n'a pas de reçu")
        started = time.perf_counter()
        text = PdfReader(io.BytesIO(render_pdf(receipt))).pages[0].extract_text()
        elapsed = (time.perf_counter() - started) * 1000
        if receipt.number not in text or "vingt euros" not in text:
            raise CommandError("Le PDF du reçu ne porte pas ses mentions")
        self.stdout.write(f"  {receipt.get_kind_display()} n° {receipt.number} : PDF en {elapsed:.0f} ms")
