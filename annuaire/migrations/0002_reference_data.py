"""The "Animateurs" group, the first labels and savoir-faire, and an actor for every association.

Animators run meetings, labels, moderation and the watch network; they are not platform
staff (they cannot approve associations nor reach any association's pages or payments).
"""

from django.db import migrations
from django.utils.text import slugify

ANIMATORS_GROUP = "Animateurs"
LABELS = ["Ambassadeur ESS", "Budget citoyen 2024", "Budget citoyen 2025", "ESUS", "Club des entrepreneurs ESS"]
TOPICS = [
    "Recrutement", "Graphisme", "Statuts coopératifs", "Écriture", "Impression", "Comptabilité", "Communication",
    "Recherche de financements", "Prêt de locaux", "Prêt de matériel", "Bénévolat", "Numérique", "Juridique",
    "Couture et réemploi", "Animation d'ateliers",
]
MODELS = ["actor", "link", "meeting", "label", "topic", "proposal"]
LEGAL_FORM_TO_KIND = {"association": "association", "scic": "scic", "scop": "scop", "esus": "entreprise-engagee"}


def _ensure_permissions(apps):
    """Permissions are created after migrations; a fresh database needs them now."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for label in ("annuaire", "wagtailadmin"):
        create_permissions(global_apps.get_app_config(label), verbosity=0)


def create_animators(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _ensure_permissions(apps)
    group, _created = Group.objects.get_or_create(name=ANIMATORS_GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
    permissions = list(Permission.objects.filter(content_type__app_label="annuaire", codename__in=[*codenames, "animate_network"]))
    permissions += list(Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"))
    group.permissions.add(*permissions)


def load_vocabulary(apps, schema_editor=None):
    Label = apps.get_model("annuaire", "Label")
    Topic = apps.get_model("annuaire", "Topic")
    for name in LABELS:
        Label.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    for name in TOPICS:
        Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})


def actors_for_associations(apps, schema_editor=None):
    Association = apps.get_model("associations", "Association")
    Actor = apps.get_model("annuaire", "Actor")
    taken = set(Actor.objects.values_list("slug", flat=True))
    for association in Association.objects.filter(actor__isnull=True).iterator():
        slug = association.slug
        n = 2
        while slug in taken:
            slug, n = f"{association.slug}-{n}", n + 1
        taken.add(slug)
        actor = Actor.objects.create(
            association=association, slug=slug, name=association.name,
            kind=LEGAL_FORM_TO_KIND.get(association.legal_form, "autre"), commune_id=association.commune_id,
            street_address=association.street_address, latitude=association.latitude,
            longitude=association.longitude, description=association.objet, website=association.website,
            public_email=association.email, public_phone=association.phone, logo_id=association.logo_id,
            is_public=association.status == "active", created_at=association.created_at,
        )
        actor.sectors.set(association.sectors.all())


def load(apps, schema_editor=None):
    create_animators(apps, schema_editor)
    load_vocabulary(apps, schema_editor)
    actors_for_associations(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("annuaire", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0003_admin_managed"),
        ("associations", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
