"""Load the demo: platform pages, associations with their four pages, one editor each.

Idempotent: run it again and it completes what is missing without duplicating anything.
"""

from __future__ import annotations

from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from annuaire.demo import load_demo as load_directory_demo
from associations import services
from associations.demo_data import DEFAULT_PASSWORD, make_eligible, make_image
from associations.models import Association, AssociationStatus, Commune, NewsPostPage, Sector
from campagnes.models import DonationCampaignPage
from campagnes.receipts.manual_gifts import manual_gift_record
from site_kollektif.demo_campaigns import load_demo_campaigns
from site_kollektif.demo_content import ASSOCIATIONS, CONTENT_PAGES
from site_kollektif.models import ContentPage, HomePage, HomePageFeaturedAssociation

ADMIN_EMAIL = "admin@kollektif.demo"


def _user(email: str, *, superuser: bool = False):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=email, defaults={"email": email})
    if created:
        user.set_password(DEFAULT_PASSWORD)
        user.is_superuser = user.is_staff = superuser
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _paragraph(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent)."

    def handle(self, *args, **options):
        admin = _user(ADMIN_EMAIL, superuser=True)
        home = HomePage.objects.first()
        self._platform_pages(home)
        self._default_site(home)
        editors = []
        for spec in ASSOCIATIONS:
            association = self._association(spec)
            editor = _user(f"{spec['slug']}@benevoles.kollektif.demo")
            editor.groups.add(association.editors_group, association.treasurers_group)
            editors.append((association, editor))
            if spec.get("tax_receipts"):
                self._receipts(association)
            if spec.get("all_campaigns"):
                load_demo_campaigns(association)  # one campaign of each kind, with payments
        for position, (association, _editor) in enumerate(editors[:6]):
            HomePageFeaturedAssociation.objects.get_or_create(
                page=home, association=association, defaults={"sort_order": position}
            )
        load_directory_demo()  # annuaire: actors, links, meetings and their feuilles de chou
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"  Administration : http://127.0.0.1:8000/admin/  {admin.email} / {DEFAULT_PASSWORD}")
        for association, editor in editors[:3]:
            self.stdout.write(f"  Éditeur et trésorier de {association.name} : {editor.email} / {DEFAULT_PASSWORD}")
        self.stdout.write(
            f"  (un compte éditeur et trésorier par association : <adresse-du-site>@benevoles.kollektif.demo / {DEFAULT_PASSWORD})"
        )

    def _default_site(self, home: HomePage) -> None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="127.0.0.1", port=8000, root_page=home, is_default_site=True, site_name="Kollektif"
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()

    @transaction.atomic
    def _platform_pages(self, home: HomePage) -> None:
        if not home.body:
            home.introduction = (
                "Kollektif offre à chaque association du Pas-de-Calais un site internet gratuit de quatre "
                "pages, des campagnes de dons, d'adhésions et de billetterie avec leurs reçus, et un annuaire "
                "des acteurs de l'ESS."
            )
            home.body = _paragraph(
                "Accueil, Actualités, Nous aider, Nos projets : quatre pages que vous paramétrez comme vous "
                "le souhaitez, aussi simplement qu'un document de traitement de texte."
            )
            home.save_revision().publish()
        for title, slug, text in CONTENT_PAGES:
            if not ContentPage.objects.filter(slug=slug).exists():
                page = ContentPage(title=title, slug=slug, body=_paragraph(text), show_in_menus=False)
                home.add_child(instance=page)
                page.save_revision().publish()

    @transaction.atomic
    def _receipts(self, association: Association) -> None:
        """An eligible association with a signatory and a few gifts received by cheque (idempotent)."""
        import datetime

        if not association.issues_tax_receipts:
            make_eligible(
                association,
                signatory="Camille Lefebvre",
                capacity="Présidente",
                tax_basis="rescrit",
                tax_rescrit_date=datetime.date(2024, 3, 12),
            )
        if association.receipts.exists():
            return
        today = timezone.localdate()
        for number, (first, last, amount) in enumerate(
            [("Jeanne", "Lemaire", 5000), ("Karim", "Benali", 12000), ("Sophie", "Vasseur", 3000)], start=1
        ):
            manual_gift_record(
                association=association,
                by=None,
                data={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}@donateurs.kollektif.demo",
                    "street_address": f"{number * 4} rue de la République",
                    "postal_code": association.postal_code,
                    "city": association.commune.name,
                    "amount": amount,
                    "method": "cheque",
                    "received_on": today - datetime.timedelta(days=number * 9),
                },
            )

    def _association(self, spec: dict) -> Association:
        existing = Association.objects.filter(slug=spec["slug"]).first()
        if existing is not None:
            return existing
        commune = Commune.objects.get(code=spec["commune"])
        latitude, longitude = spec["coords"]
        association = services.association_onboard(
            name=spec["name"],
            slug=spec["slug"],
            legal_form=spec["legal_form"],
            rna=spec.get("rna", ""),
            siren=spec.get("siren", ""),
            objet=spec["objet"],
            street_address="1 place de la Mairie",
            postal_code=commune.postal_codes[0],
            commune=commune,
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
            email=f"contact@{spec['slug']}.kollektif.demo",
            theme=spec["theme"],
            status=AssociationStatus.ACTIVE,
            sectors=Sector.objects.filter(slug__in=spec["sectors"]),
            featured=True,
            notify=False,
        )
        collection = association.collection
        association.logo = make_image(f"Logo {spec['name']}", collection=collection, width=240, height=240)
        association.save(update_fields=["logo"])
        home_page = association.home_page.specific
        home_page.cover_image = make_image(spec["name"], collection=collection)
        home_page.introduction = spec["intro"]
        home_page.body = [
            {"type": "paragraph", "value": f"<h2>Qui sommes-nous ?</h2><p>{spec['objet']}</p>"},
            {"type": "quote", "value": {"text": "Seul on va plus vite, ensemble on va plus loin.", "attribution": ""}},
            {
                "type": "video",
                "value": {
                    "video": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                    "title": f"{spec['name']} en vidéo",
                    "caption": "",
                },
            },
        ]
        home_page.save_revision().publish()
        news_index = home_page.get_children().type(Page).get(slug="actualites").specific
        for number, (title, text) in enumerate(spec["news"]):
            post = NewsPostPage(
                title=title,
                introduction=text,
                body=_paragraph(text),
                image=make_image(title, collection=collection, width=960, height=640) if number == 0 else None,
            )
            news_index.add_child(instance=post)
            post.tags.add("vie de l'association")
            post.save_revision().publish()
        projects = home_page.get_children().get(slug="nos-projets").specific
        projects.introduction = "<p>Ce que nous construisons avec les habitants et nos partenaires.</p>"
        projects.body = [
            {
                "type": "project",
                "value": {
                    "title": "Projet de l'année",
                    "status": "en-cours",
                    "image": None,
                    "description": f"<p>{spec['objet']}</p>",
                    "link": "",
                },
            }
        ]
        projects.save_revision().publish()
        support = home_page.get_children().get(slug="nous-aider").specific
        support.introduction = "<p>Dons, adhésions, bénévolat : toutes les façons de nous soutenir.</p>"
        support.save_revision().publish()
        campaign = DonationCampaignPage(
            title=f"Soutenir {spec['name']}",
            slug="soutenir-le-projet",
            goal=Decimal("3000"),
            introduction=f"<p>Chaque don aide {spec['name']} à poursuivre ses actions.</p>",
            suggested_amounts="10, 20, 50, 100",
            min_amount=Decimal("5"),
            max_amount=Decimal("5000"),
        )
        support.add_child(instance=campaign)
        campaign.save_revision().publish()
        return association
