#!/usr/bin/env python
"""Import benchmark (issue #14): 300 actors uploaded through the admin, previewed, then imported.

It builds a throwaway SQLite database in a temporary directory (migrate loads the communes with
their postal codes, the labels and the sectors), writes a 300-row CSV like the network's real
spreadsheet (commune as name, postal code, "St-" abbreviation, labels, sectors, "dernier contact"),
then, as an animator in the admin with Django's test client, measures: the upload and preview,
the confirmation (import of 300 new actors), and a second run of the same file (300 updates).
The issue asks for under 10 s.

    .venv/bin/python bench/import_300.py [--rows 300]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "site_kollektif.settings.test"


def _setup(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_csv(rows: int, seed: int = 1) -> bytes:
    from annuaire.models import Label, Topic
    from associations.models import Commune, Sector

    rng = random.Random(seed)
    communes = list(Commune.objects.filter(kind="commune-actuelle").values_list("name", "postal_codes"))
    unique_postal = {}
    for _name, codes in communes:
        for code in codes:
            unique_postal[code] = unique_postal.get(code, 0) + 1
    single_codes = [code for code, count in unique_postal.items() if count == 1]
    labels = list(Label.objects.values_list("name", flat=True))
    sectors = list(Sector.objects.values_list("name", flat=True))
    topics = list(Topic.objects.values_list("name", flat=True))
    lines = ["nom;type;commune;adresse;email;labels;secteurs;peut_aider_sur;dernier_contact"]
    for index in range(rows):
        name, _codes = rng.choice(communes)
        choice = index % 3
        if choice == 0:
            commune = rng.choice(single_codes)
        elif choice == 1:
            commune = name.upper() if index % 2 else name.replace("Saint-", "St-")
        else:
            commune = name
        contact = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025" if index % 4 == 0 else ""
        lines.append(
            ";".join(
                [
                    f"Structure {index:03d}",
                    "association",
                    commune,
                    f"{index} rue de la République",
                    f"contact{index}@exemple.org",
                    ", ".join(rng.sample(labels, k=min(2, len(labels)))),
                    rng.choice(sectors) if sectors else "",
                    rng.choice(topics) if topics else "",
                    contact,
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        _setup(tmp / "bench.sqlite3")
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.STORAGES = {
            **settings.STORAGES,
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp / "private", "base_url": None},
            },
        }
        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        from annuaire.models import Actor
        from associations.factories import UserFactory

        user = UserFactory(email="bench@exemple.org", is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(user)
        content = build_csv(args.rows)
        print(f"{args.rows} lignes, {len(content) / 1024:.0f} Kio")
        for run in ("création", "mise à jour"):
            upload = SimpleUploadedFile("acteurs.csv", content, content_type="text/csv")
            with CaptureQueriesContext(connection) as preview_queries:
                start = time.perf_counter()
                response = client.post("/admin/annuaire/import/", {"fichier": upload})
                preview = time.perf_counter() - start
            assert response.status_code == 200, response.content.decode()[:2000]
            with CaptureQueriesContext(connection) as import_queries:
                start = time.perf_counter()
                response = client.post("/admin/annuaire/import/confirmer/")
                imported = time.perf_counter() - start
            assert response.status_code == 302, response.status_code
            print(
                f"{run:12} aperçu {preview:6.2f} s ({len(preview_queries)} requêtes SQL)   "
                f"import {imported:6.2f} s ({len(import_queries)} requêtes SQL)   "
                f"total {preview + imported:6.2f} s   acteurs en base : {Actor.objects.count()}"
            )
        never = Actor.objects.filter(last_contact_at=None).count()
        print(f"acteurs sans « dernières nouvelles » après import : {never} (attendu : {args.rows - args.rows // 4})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
