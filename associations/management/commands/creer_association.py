"""Create an association from the command line, through the same onboarding as the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from associations import services
from associations.models import AssociationStatus, Commune, Sector


class Command(BaseCommand):
    help = "Crée une association avec ses quatre pages, sa médiathèque et ses groupes."

    def add_arguments(self, parser):
        parser.add_argument("nom")
        parser.add_argument("--slug", default="")
        parser.add_argument("--commune", required=True, help="Code INSEE ou nom exact de la commune")
        parser.add_argument("--code-postal", default="")
        parser.add_argument("--adresse", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--objet", required=True)
        parser.add_argument("--rna", default="")
        parser.add_argument("--siren", default="")
        parser.add_argument("--forme", default="association", help="association, scic, scop, fondation…")
        parser.add_argument("--secteur", action="append", default=[], help="identifiant d'un secteur (répétable)")
        parser.add_argument("--editeur", help="e-mail d'un compte existant à ajouter comme éditeur et trésorier")
        parser.add_argument("--en-attente", action="store_true", help="créer le site en attente de validation")

    def handle(self, *args, **options):
        commune = (
            Commune.objects.filter(code=options["commune"]).first()
            or Commune.objects.filter(name__iexact=options["commune"]).first()
        )
        if commune is None:
            raise CommandError(f"Commune inconnue dans le Pas-de-Calais : {options['commune']}")
        editor = None
        if options["editeur"]:
            editor = get_user_model().objects.filter(email__iexact=options["editeur"]).first()
            if editor is None:
                raise CommandError(f"Aucun compte avec l'adresse {options['editeur']}")
        try:
            association = services.association_onboard(
                name=options["nom"],
                slug=options["slug"],
                commune=commune,
                postal_code=options["code_postal"] or (commune.postal_codes or [""])[0],
                street_address=options["adresse"],
                email=options["email"],
                objet=options["objet"],
                rna=options["rna"],
                siren=options["siren"],
                legal_form=options["forme"],
                sectors=Sector.objects.filter(slug__in=options["secteur"]),
                created_by=editor,
                status=AssociationStatus.PENDING if options["en_attente"] else AssociationStatus.ACTIVE,
                notify=False,
            )
        except ValidationError as exc:
            lines = [f"  {field} : {' '.join(errors)}" for field, errors in exc.message_dict.items()]
            raise CommandError("Association non créée :\n" + "\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{association.name} créée : {association.url} (statut : {association.get_status_display()})"
            )
        )
