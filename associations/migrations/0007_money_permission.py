"""The role split: only the "Trésoriers" groups hold the money permission.

Until now every volunteer of an association (editors and treasurers) saw its payments,
members, tickets and receipts. From here on the screens read the ``handle_money`` permission
of the association's groups: existing treasurers groups receive it, editors groups lose it.
"""

from django.db import migrations

CODENAME = "handle_money"
NAME = "Peut voir les paiements, adhérents, billets et reçus, les exporter et rembourser"


def split_roles(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    # post_migrate creates permissions only after every migration: create it here to use it now
    content_type, _ = ContentType.objects.get_or_create(app_label="associations", model="association")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    for association in Association.objects.exclude(treasurers_group=None).select_related("treasurers_group"):
        association.treasurers_group.permissions.add(permission)
    for association in Association.objects.exclude(editors_group=None).select_related("editors_group"):
        association.editors_group.permissions.remove(permission)


def give_back(apps, schema_editor):
    """Going back restores nothing to editors: the old code did not read the permission."""


class Migration(migrations.Migration):

    dependencies = [
        ("associations", "0006_association_tax_receipts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="association",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("moderate_association", "Peut valider ou refuser une association"),
                    ("handle_money", NAME),
                ],
                "verbose_name": "association",
                "verbose_name_plural": "associations",
            },
        ),
        migrations.RunPython(split_roles, give_back),
    ]
