"""Index wagtailcore_page on url_path.

The page router (kernel/serving.py) reads a page and all its ancestors in one query,
``url_path IN ('/', '/home/', '/home/association/', …)``: without an index, every request
would scan the whole page table (90,000 rows with 10,000 associations).
"""

from django.db import migrations

INDEX = "kollektif_page_url_path"


class Migration(migrations.Migration):
    dependencies = [("associations", "0012_s14a_association_search_text"), ("wagtailcore", "__latest__")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (url_path)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
