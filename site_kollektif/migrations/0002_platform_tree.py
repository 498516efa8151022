"""Replace Wagtail's welcome page with the platform tree, and remove tree-wide groups.

Wagtail creates "Editors" and "Moderators" groups with rights on the whole tree and a
moderation workflow on the root: on a multi-tenant platform they would let one
association's volunteers reach every other one, so they are removed. Each association gets
its own groups at onboarding.
"""

from django.db import migrations


def create_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("site_kollektif", "HomePage")
    AssociationIndexPage = apps.get_model("site_kollektif", "AssociationIndexPage")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    GroupPagePermission.objects.filter(group__name__in=["Editors", "Moderators"]).delete()
    GroupCollectionPermission.objects.filter(group__name__in=["Editors", "Moderators"]).delete()
    Group.objects.filter(name__in=["Editors", "Moderators"]).delete()
    try:
        WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
        Workflow = apps.get_model("wagtailcore", "Workflow")
        WorkflowPage.objects.all().delete()
        Workflow.objects.update(active=False)
    except LookupError:
        pass

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home").delete()
    locale = Locale.objects.first()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="site_kollektif")
    index_type, _ = ContentType.objects.get_or_create(model="associationindexpage", app_label="site_kollektif")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Kollektif",
        draft_title="Kollektif",
        slug="accueil",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=1,
        url_path="/accueil/",
        locale=locale,
        live=True,
        introduction="Un site internet gratuit pour chaque association du Pas-de-Calais.",
    )
    AssociationIndexPage.objects.create(
        title="Les associations",
        draft_title="Les associations",
        slug="association",
        content_type=index_type,
        path="000100010001",
        depth=3,
        numchild=0,
        url_path="/accueil/association/",
        locale=locale,
        live=True,
        show_in_menus=True,
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page_id=home.id, is_default_site=True, site_name="Kollektif")


class Migration(migrations.Migration):
    dependencies = [
        ("site_kollektif", "0001_initial"),
        ("wagtailcore", "__latest__"),
        ("associations", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(create_tree, migrations.RunPython.noop)]
