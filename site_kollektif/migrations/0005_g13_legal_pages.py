"""The platform's legal pages exist from the first install, demo or not (issue #13, item 10).

/mentions-legales/ and /confidentialite/ are content pages under the platform's home: what the
law requires (LCEN art. 6 III-1; RGPD art. 13) is printed by their template from the operator's
settings (``ContentPage.LEGAL_TEMPLATES``), so an empty page is already complete. Only created
when missing; staff may add their own text above the law's part.
"""

from django.db import migrations

LEGAL_PAGES = (("Mentions légales", "mentions-legales"), ("Confidentialité", "confidentialite"))
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's, as Wagtail's pages use it
STEPLEN = 4


def _next_step(step: str) -> str:
    number = int(step, 36) + 1
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def create_legal_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("site_kollektif", "HomePage")
    ContentPage = apps.get_model("site_kollektif", "ContentPage")
    home = HomePage.objects.first()
    if home is None:
        return
    content_type, _ = ContentType.objects.get_or_create(model="contentpage", app_label="site_kollektif")
    children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
    for title, slug in LEGAL_PAGES:
        if children.filter(slug=slug).exists():
            continue
        last = children.order_by("-path").values_list("path", flat=True).first()
        step = _next_step(last[-STEPLEN:]) if last else "0001"
        ContentPage.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=home.path + step,
            depth=home.depth + 1,
            numchild=0,
            url_path=f"{home.url_path}{slug}/",
            locale_id=home.locale_id,
            live=True,
            show_in_menus=False,
            body=[],
        )
        Page.objects.filter(pk=home.pk).update(numchild=children.count())


class Migration(migrations.Migration):
    dependencies = [
        ("site_kollektif", "0004_ed_video_link_block"),
        ("wagtailcore", "__latest__"),
    ]

    operations = [migrations.RunPython(create_legal_pages, migrations.RunPython.noop)]
