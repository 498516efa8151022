"""Rebuild associations/data/territoires-62.json from @etalab/decoupage-administratif."""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from associations.territories import DATA_FILE, SOURCE_PACKAGE, SOURCE_VERSION, build_extract


class Command(BaseCommand):
    help = "Régénère la liste des communes et EPCI du Pas-de-Calais depuis les données officielles."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="Dossier du paquet npm déjà décompressé (sinon : npm pack).")
        parser.add_argument("--package-version", dest="package_version", default=SOURCE_VERSION)

    def handle(self, *args, source=None, package_version=SOURCE_VERSION, **options):
        with tempfile.TemporaryDirectory() as tmp:
            if source is None:
                try:
                    subprocess.run(
                        ["npm", "pack", f"{SOURCE_PACKAGE}@{package_version}"],
                        cwd=tmp,
                        check=True,
                        capture_output=True,
                    )
                except (OSError, subprocess.CalledProcessError) as exc:
                    raise CommandError(f"npm pack a échoué : {exc}") from exc
                archive = next(Path(tmp).glob("*.tgz"))
                with tarfile.open(archive) as tar:
                    tar.extractall(tmp, filter="data")
                source = Path(tmp) / "package"
            data_dir = Path(source) / "data"
            communes = json.loads((data_dir / "communes.json").read_text(encoding="utf-8"))
            epcis = json.loads((data_dir / "epci.json").read_text(encoding="utf-8"))
        extract = build_extract(communes, epcis)
        DATA_FILE.write_text(json.dumps(extract, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        postal_codes = {code for commune in extract["communes"] for code in commune["codesPostaux"]}
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(extract['communes'])} communes, {len(postal_codes)} codes postaux (La Poste) et "
                f"{len(extract['epci'])} EPCI écrits dans {DATA_FILE}"
            )
        )
