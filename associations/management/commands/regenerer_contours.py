"""Rebuild the commune centres and the EPCI / département outlines from official open data."""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from associations import geodata
from associations.territories import SOURCE_PACKAGE, SOURCE_VERSION, read_extract


class Command(BaseCommand):
    help = "Régénère les centres des communes et les contours des EPCI du Pas-de-Calais (IGN, Licence Ouverte)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            help="Dossier contenant communes-62-pas-de-calais.geojson et departement-62-pas-de-calais.geojson "
            "(sinon : téléchargés depuis gregoiredavid/france-geojson).",
        )
        parser.add_argument(
            "--decoupage", help="Paquet @etalab/decoupage-administratif décompressé (sinon : npm pack)."
        )

    def _contours(self, source: str | None) -> tuple[dict, dict]:
        files = []
        for name in geodata.SOURCE_FILES:
            if source:
                text = (Path(source) / name).read_text(encoding="utf-8")
            else:
                try:
                    with urllib.request.urlopen(geodata.SOURCE_URL + name, timeout=60) as response:  # noqa: S310
                        text = response.read().decode("utf-8")
                except OSError as exc:
                    raise CommandError(f"Téléchargement de {name} impossible : {exc}") from exc
            files.append(json.loads(text))
        return files[0], files[1]

    def _chefs_lieux(self, decoupage: str | None) -> dict[str, str]:
        with tempfile.TemporaryDirectory() as tmp:
            if decoupage is None:
                try:
                    subprocess.run(
                        ["npm", "pack", f"{SOURCE_PACKAGE}@{SOURCE_VERSION}"], cwd=tmp, check=True, capture_output=True
                    )
                except (OSError, subprocess.CalledProcessError) as exc:
                    raise CommandError(f"npm pack a échoué : {exc}") from exc
                with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tar:
                    tar.extractall(tmp, filter="data")
                decoupage = str(Path(tmp) / "package")
            communes = json.loads((Path(decoupage) / "data" / "communes.json").read_text(encoding="utf-8"))
        return {c["code"]: c["chefLieu"] for c in communes if c.get("departement") == "62" and c.get("chefLieu")}

    def handle(self, *args, source=None, decoupage=None, **options):
        communes, departement = self._contours(source)
        centres, outlines = geodata.build(communes, departement, read_extract(), self._chefs_lieux(decoupage))
        geodata.CENTRES_FILE.write_text(
            json.dumps(
                {
                    "source": "IGN ADMIN EXPRESS COG 2018 via gregoiredavid/france-geojson — centroïde du contour",
                    "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
                    "centres": dict(sorted(centres.items())),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            + "\n",
            encoding="utf-8",
        )
        geodata.OUTLINES_FILE.parent.mkdir(parents=True, exist_ok=True)
        geodata.OUTLINES_FILE.write_text(
            json.dumps(outlines, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(centres)} centres de communes et {len(outlines['features'])} contours écrits "
                f"({geodata.OUTLINES_FILE.stat().st_size // 1024} Ko)."
            )
        )
