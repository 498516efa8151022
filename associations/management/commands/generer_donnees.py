"""Generate many active associations at once, for benchmarks and load tests.

``association_onboard`` creates one association through treebeard and Wagtail revisions:
about 150 queries, far too slow for 10,000 associations. This command writes the same end
state in bulk, a batch of associations per transaction:

- the Accueil (AssociationHomePage) under the /association/ index, and under it the three
  sections "actualites", "nous-aider", "nos-projets", plus ``--news`` posts under Actualités,
  all live, with their materialized paths, ``numchild`` and ``url_path`` computed here;
- the association's Collection, its "Éditeurs" and "Trésoriers" groups with the same
  permissions as onboarding gives them (admin access, change association, page permissions
  on the Accueil, image and document permissions on the collection; the money permission for
  the Trésoriers only);
- the Association record, active, pointing at all of the above.

The pages go into the search index too (in bulk): with Wagtail's database search backend,
every later page save scans the whole index table, so an onboarding measured against an
empty index would look faster than it is. ``--sans-index`` skips it.

What it leaves out, on purpose: page revisions (a generated page has none until an editor
publishes it; it renders and can be edited all the same) and the reference index (generated
pages link to nothing).
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backends

from associations.models import (
    Association,
    AssociationHomePage,
    AssociationStatus,
    Commune,
    NewsIndexPage,
    NewsPostPage,
    Sector,
)
from associations.selectors import MONEY_PERMISSION
from associations.services import (
    EDITOR_COLLECTION_PERMISSIONS,
    EDITOR_PAGE_PERMISSIONS,
    SECTIONS,
    association_index_page,
)
from kernel.palette import THEME_CHOICES

SLUG_PREFIX = "asso-gen-"
SLUG_PATTERN = re.compile(rf"^{SLUG_PREFIX}(\d+)$")
NAME_TEMPLATE = "Association générée {number:06d}"
GROUP_NAME_MAX = 150

OBJETS = [
    "Favoriser l'accès de tous à la culture et aux pratiques artistiques sur le territoire.",
    "Accompagner vers l'emploi les personnes qui en sont éloignées par un chantier d'insertion.",
    "Promouvoir une alimentation locale et de saison en lien avec les producteurs du département.",
    "Réparer, réemployer et transmettre les savoir-faire pour moins jeter.",
    "Proposer des activités sportives et de loisirs aux enfants et aux familles du quartier.",
    "Animer un lieu de rencontre ouvert à toutes les générations.",
]
STREETS = ["rue de la République", "place de la Mairie", "rue Jean Jaurès", "rue des Écoles", "rue du Marais"]


@dataclass
class Batch:
    """The rows of one batch, kept together so that keys can be wired once pks are known."""

    numbers: list[int]
    associations: list[Association] = field(default_factory=list)
    homes: list[AssociationHomePage] = field(default_factory=list)
    pages_by_model: dict[type[Page], list[Page]] = field(default_factory=dict)
    ordered_pages: list[Page] = field(default_factory=list)
    collections: list[Collection] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Génère N associations actives, chacune avec ses quatre pages publiées, --news actualités, sa "
        "collection et ses deux groupes : le même état qu'après association_onboard, écrit par lots "
        "(données de mesure et de charge). Les pages générées n'ont pas de révision (une première "
        "publication par un éditeur en crée une) ; elles sont indexées pour la recherche sauf avec "
        "--sans-index. Adresses asso-gen-000001, asso-gen-000002… : une nouvelle exécution continue "
        "la numérotation après les associations déjà générées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--associations", type=int, required=True, help="Nombre d'associations à créer.")
        parser.add_argument("--news", type=int, default=5, help="Actualités par association (5 par défaut).")
        parser.add_argument("--seed", type=int, default=1, help="Graine du hasard (1 par défaut).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Associations par transaction.")
        parser.add_argument(
            "--sans-index", action="store_true", help="Ne pas indexer les pages pour la recherche (plus rapide)."
        )

    def handle(self, *args, associations: int, news: int, seed: int, batch_size: int, sans_index: bool, **options):
        if associations < 0 or news < 0 or batch_size < 1:
            raise CommandError("--associations et --news doivent être positifs, --batch-size au moins 1.")
        started = time.perf_counter()
        try:
            generator = BulkGenerator(news_per_association=news, seed=seed, search_index=not sans_index)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        first = generator.next_number()
        numbers = list(range(first, first + associations))
        for start in range(0, len(numbers), batch_size):
            chunk = numbers[start : start + batch_size]
            with transaction.atomic():
                generator.create_batch(chunk)
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {start + len(chunk)}/{associations} ({time.perf_counter() - started:.1f} s)")
        if not numbers:
            self.stdout.write("Aucune association à générer.")
            return
        elapsed = time.perf_counter() - started
        pages = associations * (1 + len(SECTIONS) + news)
        self.stdout.write(
            self.style.SUCCESS(
                f"{associations} associations générées ({pages} pages, "
                f"{SLUG_PREFIX}{numbers[0]:06d} à {SLUG_PREFIX}{numbers[-1]:06d}) en {elapsed:.1f} s."
            )
        )


class BulkGenerator:
    def __init__(self, *, news_per_association: int, seed: int, search_index: bool = True):
        self.search_backends = list(get_search_backends(with_auto_update=True)) if search_index else []
        self.news_per_association = news_per_association
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.index = association_index_page()
        communes = [
            (code, codes)
            for code, codes in Commune.objects.order_by("code").values_list("code", "postal_codes")
            if codes
        ]
        if not communes:
            raise CommandError("Aucune commune avec code postal : lancez manage.py charger_territoires.")
        self.communes = communes
        self.sector_ids = list(Sector.objects.order_by("pk").values_list("pk", flat=True))
        self.themes = [key for key, _label in THEME_CHOICES]
        self.permissions = self._permissions()

    # -- lookups done once --------------------------------------------------------------
    def _permissions(self) -> dict[tuple[str, str], int]:
        wanted = {("wagtailadmin", "access_admin"), ("associations", "change_association"), MONEY_PERMISSION}
        wanted |= {("wagtailcore", codename) for codename in EDITOR_PAGE_PERMISSIONS}
        wanted |= {
            (app, codename) for app, codenames in EDITOR_COLLECTION_PERMISSIONS.items() for codename in codenames
        }
        found = {
            (app, codename): pk
            for pk, app, codename in Permission.objects.filter(
                codename__in={codename for _app, codename in wanted}
            ).values_list("pk", "content_type__app_label", "codename")
        }
        missing = wanted - found.keys()
        if missing:
            raise CommandError(f"Permissions introuvables (migrations non appliquées ?) : {sorted(missing)}")
        return {key: found[key] for key in wanted}

    def next_number(self) -> int:
        """The first free number after every generated slug, association or page."""
        slugs = list(Association.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True))
        slugs += self.index.get_children().filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
        numbers = [int(match.group(1)) for slug in slugs if (match := SLUG_PATTERN.match(slug))]
        return max(numbers, default=0) + 1

    # -- one batch ------------------------------------------------------------------------
    def create_batch(self, numbers: list[int]) -> None:
        batch = Batch(numbers=numbers)
        self._build_pages(batch)
        self._insert_pages(batch)
        self._index_pages(batch)
        self._create_collections(batch)
        groups = self._create_groups(batch)
        self._create_associations(batch, groups)
        self._grant_permissions(batch, groups)

    def _build_pages(self, batch: Batch) -> None:
        index = Page.objects.get(pk=self.index.pk)
        last_child = index.get_children().order_by("-path").values_list("path", flat=True).first()
        position = Page._str2int(last_child[-Page.steplen :]) if last_child else 0
        if position + len(batch.numbers) >= len(Page.alphabet) ** Page.steplen:
            raise CommandError("Plus de place sous /association/ (limite de treebeard pour un même parent).")
        common = {
            "locale_id": index.locale_id,
            "live": True,
            "has_unpublished_changes": False,
            "first_published_at": self.now,
            "last_published_at": self.now,
        }
        for number in batch.numbers:
            position += 1
            name = NAME_TEMPLATE.format(number=number)
            slug = f"{SLUG_PREFIX}{number:06d}"
            objet = self.random.choice(OBJETS)
            home_path = Page._get_path(index.path, index.depth + 1, position)
            home_url = f"{index.url_path}{slug}/"
            home = AssociationHomePage(
                title=name,
                draft_title=name,
                slug=slug,
                path=home_path,
                depth=index.depth + 1,
                numchild=len(SECTIONS),
                url_path=home_url,
                show_in_menus=True,
                introduction=objet[:600],
                body=[("paragraph", RichText(f"<p>{name} : {objet}</p>"))],
                **common,
            )
            self._add_page(batch, home)
            batch.homes.append(home)
            for step, (page_class, title, section_slug) in enumerate(SECTIONS, start=1):
                news_count = self.news_per_association if page_class is NewsIndexPage else 0
                section_path = Page._get_path(home_path, index.depth + 2, step)
                section = page_class(
                    title=title,
                    draft_title=title,
                    slug=section_slug,
                    path=section_path,
                    depth=index.depth + 2,
                    numchild=news_count,
                    url_path=f"{home_url}{section_slug}/",
                    show_in_menus=True,
                    **common,
                )
                self._add_page(batch, section)
                for post_step in range(1, news_count + 1):
                    self._add_page(batch, self._news_post(name, section, post_step, common))

    def _news_post(self, name: str, news_index: Page, step: int, common: dict) -> NewsPostPage:
        title = f"Actualité {step} de {name}"
        slug = f"actualite-{step}"
        return NewsPostPage(
            title=title,
            draft_title=title,
            slug=slug,
            path=Page._get_path(news_index.path, news_index.depth + 1, step),
            depth=news_index.depth + 1,
            numchild=0,
            url_path=f"{news_index.url_path}{slug}/",
            date=self.now.date() - timedelta(days=self.random.randrange(365)),
            introduction=f"Des nouvelles de {name}.",
            body=[("paragraph", RichText("<p>Merci à toutes celles et ceux qui sont venus nous aider.</p>"))],
            **common,
        )

    @staticmethod
    def _add_page(batch: Batch, page: Page) -> None:
        batch.ordered_pages.append(page)
        batch.pages_by_model.setdefault(type(page), []).append(page)

    def _insert_pages(self, batch: Batch) -> None:
        """Page rows with bulk_create (it returns the pks), then each page type's own row."""
        base_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
        rows = [Page(**{attname: getattr(page, attname) for attname in base_fields}) for page in batch.ordered_pages]
        Page.objects.bulk_create(rows)
        for page, row in zip(batch.ordered_pages, rows, strict=True):
            page.id = page.page_ptr_id = row.pk
            page._state.adding = False
            page._state.db = row._state.db
        # Django's bulk_create refuses multi-table inheritance: insert the child rows directly.
        for model, pages in batch.pages_by_model.items():
            fields = model._meta.local_concrete_fields
            size = connection.ops.bulk_batch_size(fields, pages) or len(pages)
            for start in range(0, len(pages), size):
                model._base_manager._insert(pages[start : start + size], fields=fields)
        Page.objects.filter(pk=self.index.pk).update(numchild=F("numchild") + len(batch.numbers))

    def _index_pages(self, batch: Batch) -> None:
        # What the post_save signal does page by page, once per page type and batch.
        for backend in self.search_backends:
            for model, pages in batch.pages_by_model.items():
                backend.add_bulk(model, pages)

    def _create_collections(self, batch: Batch) -> None:
        root = Collection.get_first_root_node()
        names = [NAME_TEMPLATE.format(number=number)[:255] for number in batch.numbers]
        children = root.get_children()
        # Collections are kept sorted by name (node_order_by): append in bulk only when every new
        # name sorts after the existing ones, else let treebeard place each one.
        if children.filter(name__gt=names[0]).exists():
            batch.collections = [root.add_child(name=name) for name in names]
            return
        last = children.order_by("-path").values_list("path", flat=True).first()
        position = Collection._str2int(last[-Collection.steplen :]) if last else 0
        collections = [
            Collection(
                name=name,
                path=Collection._get_path(root.path, root.depth + 1, position + step),
                depth=root.depth + 1,
                numchild=0,
            )
            for step, name in enumerate(names, start=1)
        ]
        batch.collections = Collection.objects.bulk_create(collections)
        Collection.objects.filter(pk=root.pk).update(numchild=F("numchild") + len(collections))

    def _create_groups(self, batch: Batch) -> dict[str, list[Group]]:
        wanted = {
            kind: [f"{label} — {NAME_TEMPLATE.format(number=number)}"[:GROUP_NAME_MAX] for number in batch.numbers]
            for kind, label in (("editors", "Éditeurs"), ("treasurers", "Trésoriers"))
        }
        taken = set(
            Group.objects.filter(name__in=[name for names in wanted.values() for name in names]).values_list(
                "name", flat=True
            )
        )
        groups: dict[str, list[Group]] = {}
        for kind, names in wanted.items():
            objs = []
            for number, name in zip(batch.numbers, names, strict=True):
                if name in taken:  # Same rule as onboarding: add the slug to stay unique.
                    slug = f"{SLUG_PREFIX}{number:06d}"
                    name = f"{name[: GROUP_NAME_MAX - len(slug) - 3]} ({slug})"
                objs.append(Group(name=name))
            groups[kind] = Group.objects.bulk_create(objs)
        return groups

    def _create_associations(self, batch: Batch, groups: dict[str, list[Group]]) -> None:
        associations = []
        for i, number in enumerate(batch.numbers):
            slug = f"{SLUG_PREFIX}{number:06d}"
            commune_code, postal_codes = self.communes[number % len(self.communes)]
            associations.append(
                Association(
                    name=NAME_TEMPLATE.format(number=number),
                    slug=slug,
                    rna=f"W62{number % 10_000_000:07d}",
                    objet=batch.homes[i].introduction,
                    street_address=f"{1 + number % 120} {self.random.choice(STREETS)}",
                    postal_code=postal_codes[0],
                    commune_id=commune_code,
                    email=f"{slug}@example.org",
                    theme=self.random.choice(self.themes),
                    status=AssociationStatus.ACTIVE,
                    approved_at=self.now,
                    created_at=self.now,
                    home_page=batch.homes[i],
                    collection=batch.collections[i],
                    editors_group=groups["editors"][i],
                    treasurers_group=groups["treasurers"][i],
                )
            )
        if associations:
            associations[0].full_clean(exclude=["logo", "slug"])  # generated values stay valid
        batch.associations = Association.objects.bulk_create(associations)
        if self.sector_ids:
            through = Association.sectors.through
            through.objects.bulk_create(
                through(association_id=association.pk, sector_id=self.sector_ids[number % len(self.sector_ids)])
                for association, number in zip(batch.associations, batch.numbers, strict=True)
            )

    def _grant_permissions(self, batch: Batch, groups: dict[str, list[Group]]) -> None:
        perms = self.permissions
        group_permissions, page_permissions, collection_permissions = [], [], []
        through = Group.permissions.through
        for editors, treasurers, home, collection in zip(
            groups["editors"], groups["treasurers"], batch.homes, batch.collections, strict=True
        ):
            group_permissions += [
                through(group_id=editors.pk, permission_id=perms["wagtailadmin", "access_admin"]),
                through(group_id=editors.pk, permission_id=perms["associations", "change_association"]),
                through(group_id=treasurers.pk, permission_id=perms["wagtailadmin", "access_admin"]),
                through(group_id=treasurers.pk, permission_id=perms[MONEY_PERMISSION]),  # treasurers only
            ]
            page_permissions += [
                GroupPagePermission(group_id=editors.pk, page_id=home.pk, permission_id=perms["wagtailcore", codename])
                for codename in EDITOR_PAGE_PERMISSIONS
            ]
            collection_permissions += [
                GroupCollectionPermission(
                    group_id=editors.pk, collection_id=collection.pk, permission_id=perms[app, codename]
                )
                for app, codenames in EDITOR_COLLECTION_PERMISSIONS.items()
                for codename in codenames
            ]
        through.objects.bulk_create(group_permissions)
        GroupPagePermission.objects.bulk_create(page_permissions)
        GroupCollectionPermission.objects.bulk_create(collection_permissions)
