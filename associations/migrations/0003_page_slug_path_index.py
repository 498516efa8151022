"""Index wagtailcore_page on (slug, path).

Wagtail routes a URL by looking up each child with ``path BETWEEN … AND slug = …``; the
four section slugs are shared by every association, so with an index on slug alone the
database reads thousands of rows per request. (slug, path) answers it directly.
"""

from django.db import migrations

INDEX = "kollektif_page_slug_path"


class Migration(migrations.Migration):
    dependencies = [("associations", "0002_reference_data"), ("wagtailcore", "__latest__")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (slug, path)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
