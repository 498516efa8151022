"""manage.py importer_acteurs FILE [--dry-run]: the labelled ambassadors from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annuaire.importer import COLUMNS, check_file, import_file


class Command(BaseCommand):
    help = (
        "Importe des acteurs (ambassadeurs labellisés) depuis un fichier CSV ou XLSX. Colonnes : "
        + ", ".join(COLUMNS)
        + ". Commune : nom officiel, code postal, « 62300 Lens » ou code INSEE. Listes séparées par des virgules."
        " Rien n'est importé si une ligne est invalide ; relancer met à jour. Aussi dans l'admin : Importer des acteurs."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path)
        parser.add_argument(
            "--dry-run",
            "--essai",
            action="store_true",
            dest="dry_run",
            help="Vérifie le fichier et affiche chaque erreur, sans rien importer.",
        )

    def handle(self, *args, fichier: Path, dry_run: bool, **options):
        if not fichier.exists():
            raise CommandError(f"Fichier introuvable : {fichier}")
        report = check_file(fichier) if dry_run else import_file(fichier)
        for error in report.errors:
            self.stderr.write(f"  {error}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} erreur(s) : aucun acteur importé. Corrigez le fichier puis relancez."
            )
        verb = "seraient" if dry_run else "ont été"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} acteur(s) {verb} créé(s), {report.updated} mis à jour."
                + (" (essai : rien n'a été importé)" if dry_run else "")
            )
        )
