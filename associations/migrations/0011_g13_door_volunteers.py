"""Volunteers at the door: a check-in permission and an "Accueil" group per association;
the domestic-violence type of organism (2041-RD, 75 %).

Until now checking tickets in needed the treasurers' money permission (and 2FA). From here on
the check-in page reads ``check_in_tickets``, held by a new "Accueil — <association>" group
(the door's volunteers: the check-in page only) and by the treasurers' groups.
"""

import django.db.models.deletion
from django.db import migrations, models

CODENAME = "check_in_tickets"
NAME = "Peut contrôler les billets à l'entrée des événements"
PREFIX = "Accueil — "


def _unique_group_name(Group, base, slug):
    name = base[:150]
    if Group.objects.filter(name=name).exists():
        name = f"{base[: 150 - len(slug) - 3]} ({slug})"
    return name


def add_door_groups(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    if not Association.objects.exists():
        return  # a fresh database: onboarding creates the groups
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # post_migrate creates permissions only after every migration: create them here to use them now
    content_type, _ = ContentType.objects.get_or_create(app_label="associations", model="association")
    check_in, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for association in Association.objects.select_related("treasurers_group").order_by("pk"):
        if association.treasurers_group is not None:
            association.treasurers_group.permissions.add(check_in)
        if association.door_group_id is None:
            door = Group.objects.create(name=_unique_group_name(Group, f"{PREFIX}{association.name}", association.slug))
            door.permissions.add(access_admin, check_in)
            Association.objects.filter(pk=association.pk).update(door_group=door)


def remove_door_groups(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    Group = apps.get_model("auth", "Group")
    door_ids = list(Association.objects.exclude(door_group=None).values_list("door_group_id", flat=True))
    Association.objects.update(door_group=None)
    Group.objects.filter(pk__in=door_ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0010_ed_video_link_block"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="association",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("moderate_association", "Peut valider ou refuser une association"),
                    (
                        "handle_money",
                        "Peut voir les paiements, adhérents, billets et reçus, les exporter et rembourser",
                    ),
                    ("check_in_tickets", "Peut contrôler les billets à l'entrée des événements"),
                ],
                "verbose_name": "association",
                "verbose_name_plural": "associations",
            },
        ),
        migrations.AddField(
            model_name="association",
            name="door_group",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="door_association",
                to="auth.group",
            ),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="role",
            field=models.CharField(
                choices=[
                    ("editeur", "Éditeur ou éditrice"),
                    ("tresorier", "Trésorier ou trésorière"),
                    ("accueil", "Bénévole à l'accueil (billetterie)"),
                ],
                default="editeur",
                max_length=12,
                verbose_name="rôle",
            ),
        ),
        # the 2041-RD's 75 % box for help to victims of domestic violence (issue #12, item 2)
        migrations.AlterField(
            model_name="association",
            name="tax_other_type",
            field=models.CharField(
                blank=True,
                choices=[
                    (
                        "aide-personnes",
                        "Aide alimentaire, soins médicaux ou logement gratuits pour des personnes en difficulté",
                    ),
                    ("violences-domestiques", "Organisme d'aide aux victimes de violences domestiques (75 %)"),
                    ("festival", "Organisme ayant pour activité principale l'organisation de festivals"),
                    ("insertion", "Atelier et chantier d'insertion, entreprise d'insertion, association intermédiaire"),
                    ("enseignement", "Établissement d'enseignement supérieur ou artistique d'intérêt général"),
                    ("recherche", "Établissement de recherche d'intérêt général"),
                    ("culte", "Association cultuelle ou de bienfaisance (Alsace-Moselle)"),
                    ("autre", "Autre (préciser)"),
                ],
                help_text="Si « Autre organisme listé sur le Cerfa ».",
                max_length=30,
                verbose_name="type d'organisme",
            ),
        ),
        migrations.RunPython(add_door_groups, remove_door_groups),
    ]
