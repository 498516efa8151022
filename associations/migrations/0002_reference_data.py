"""Load the communes, EPCI and sectors: reference data, never typed by hand."""

from django.db import migrations
from django.utils.text import slugify

SECTORS = [
    "Alimentation et circuits courts",
    "Arts et culture",
    "Éducation populaire",
    "Emploi et insertion",
    "Environnement et transition",
    "Habitat et logement",
    "Jeunesse",
    "Numérique",
    "Santé et solidarités",
    "Sport et loisirs",
    "Tourisme et patrimoine",
    "Économie circulaire et réemploi",
    "Édition et imprimerie",
    "Énergie",
]


def load(apps, schema_editor):
    from associations.territories import load_territories

    load_territories(apps.get_model("associations", "Epci"), apps.get_model("associations", "Commune"))
    Sector = apps.get_model("associations", "Sector")
    for name in SECTORS:
        Sector.objects.get_or_create(slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("associations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
