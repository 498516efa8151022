"""What an editor's form may point to: the images, documents and pages of their own association.

The choosers only list the editor's own media and pages, but a form field accepts any id:
an editor of A could submit B's unpublished image as a page image or A's logo, or B's private
document in a StreamField block or a rich-text link, and A's public page would then serve it.
One walk over a bound form checks every reference it carries, whatever the field:

- foreign keys and many-to-many fields to images, documents and pages;
- StreamField values, nested blocks included, and rich text (``<embed embedtype="image">``,
  ``<a linktype="page">``, ``<a linktype="document">``), through Wagtail's own reference
  extraction (the one that feeds the reference index), so every block type is covered;
- the same for the child forms of inline panels.

Rules: an image or a document must sit in the association's collection (or below it); a page
must be in the association's site, or be public (live, no view restriction, not inside the
site of an association that is not public). Linking to another association's published page
is harmless and useful; its drafts are not. An id that does not exist is refused too: ids are
sequential, and the next image of another association would otherwise appear on the page.
Platform staff are not limited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.pages import WagtailAdminPageForm
from wagtail.models import Page, get_page_models

from associations import selectors, tenancy
from associations.models import Association

KIND_MESSAGES = {
    "image": _(
        "« %(field)s » : cette image n'appartient pas à votre association. Choisissez une image de votre médiathèque."
    ),
    "document": _(
        "« %(field)s » : ce document n'appartient pas à votre association. Choisissez un document de votre médiathèque."
    ),
    "page": _("« %(field)s » : cette page n'est ni une page de votre site ni une page publiée de Kollektif."),
}


@dataclass(frozen=True)
class ReferenceScope:
    """Where an editor's references may point: collection paths and site (Accueil) paths."""

    collection_paths: tuple[str, ...]
    home_paths: tuple[str, ...]


def scope_for_association(association) -> ReferenceScope:
    return ReferenceScope(
        collection_paths=(association.collection.path,) if association.collection_id else (),
        home_paths=(association.home_page.path,) if association.home_page_id else (),
    )


def scope_for_user(user) -> ReferenceScope:
    return ReferenceScope(
        collection_paths=tuple(selectors.user_collection_paths(user)),
        home_paths=tuple(selectors.user_home_paths(user)),
    )


def _kind(model) -> str | None:
    """The kind of a reference the form check covers: a page (the tree) or a medium (a
    collection), as declared in ``associations.tenancy``."""
    declaration = tenancy.tenant_model(model)
    if declaration is None or declaration.via == tenancy.Via.FIELD or declaration.kind not in KIND_MESSAGES:
        return None
    return declaration.kind


def extract_field_references(model_field, value) -> Iterator[tuple[str, str]]:
    """(kind, id) of every image, document or page a cleaned form value points to."""
    related = getattr(model_field, "related_model", None)
    kind = _kind(related) if getattr(model_field, "is_relation", False) else None
    if kind is not None:
        if value is None:
            return
        objects = [value] if isinstance(value, models.Model) else list(value)
        for obj in objects:
            if obj is not None:
                yield kind, str(obj.pk if isinstance(obj, models.Model) else obj)
        return
    extractor = getattr(model_field, "extract_references", None)
    if extractor is None or value in (None, ""):
        return
    try:
        references = list(extractor(value))
    except (KeyError, AttributeError, TypeError, ValueError):
        # a rich-text tag without an id: nothing Wagtail can resolve, refuse it as foreign
        yield "page", ""
        return
    for model, object_id, *_paths in references:
        kind = _kind(model)
        if kind is not None:
            yield kind, str(object_id)


MAX_ID = 2**31 - 1  # Wagtail's pages, images and documents use 32-bit ids on PostgreSQL


def _int_ids(ids: set[str]) -> tuple[set[int], bool]:
    """Ids as integers, and whether one was not a usable id (a 23-digit number would overflow
    the database's integer and answer 500)."""
    valid: set[int] = set()
    bad = False
    for raw in ids:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            bad = True
            continue
        if 0 < number <= MAX_ID:
            valid.add(number)
        else:
            bad = True
    return valid, bad


def _media_allowed(declaration: tenancy.TenantModel, ids: set[str], scope: ReferenceScope) -> bool:
    pks, bad = _int_ids(ids)
    if bad:
        return False
    found = dict(declaration.model.objects.filter(pk__in=pks).values_list("pk", f"{declaration.path}__path"))
    return len(found) == len(pks) and all(
        any((path or "").startswith(prefix) for prefix in scope.collection_paths) for path in found.values()
    )


def page_is_public(page: Page) -> bool:
    """Live, not restricted, and not inside the site of an association that is not public."""
    if not page.live or page.get_view_restrictions().exists():
        return False
    prefixes = [page.path[:end] for end in range(page.steplen, len(page.path) + 1, page.steplen)]
    association = Association.objects.filter(home_page__path__in=prefixes).only("status").first()
    return association is None or association.is_public


def _pages_allowed(ids: set[str], scope: ReferenceScope) -> bool:
    pks, bad = _int_ids(ids)
    if bad:
        return False
    pages = list(Page.objects.filter(pk__in=pks).only("pk", "path", "depth", "live"))
    if len(pages) != len(pks):
        return False
    return all(
        any(page.path.startswith(prefix) for prefix in scope.home_paths) or page_is_public(page) for page in pages
    )


def references_allowed(kind: str, ids: set[str], scope: ReferenceScope) -> bool:
    declaration = tenancy.declared(kind)
    if declaration is not None and declaration.via == tenancy.Via.COLLECTION:
        return _media_allowed(declaration, ids, scope)
    return _pages_allowed(ids, scope)


def form_reference_errors(form: forms.BaseForm, scope: ReferenceScope) -> dict[str, list[str]]:
    """Field name → French messages, for every foreign reference in a validated form."""
    model = form._meta.model
    errors: dict[str, list[str]] = {}
    for name, value in form.cleaned_data.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        wanted: dict[str, set[str]] = {}
        for kind, object_id in extract_field_references(model_field, value):
            wanted.setdefault(kind, set()).add(object_id)
        label = form.fields[name].label if name in form.fields else name
        for kind, ids in wanted.items():
            if not references_allowed(kind, ids, scope):
                errors.setdefault(name, []).append(str(KIND_MESSAGES[kind] % {"field": label}))
    return errors


class TenantReferencesFormMixin:
    """Mixed into every admin form an editor reaches (pages, the association record).

    ``reference_scope()`` says which association the edited object belongs to; the check runs
    in ``clean()`` for the form's own fields and in ``is_valid()`` for inline child forms
    (which Wagtail validates after the parent's ``clean()``).
    """

    def reference_scope(self) -> ReferenceScope | None:
        user = getattr(self, "for_user", None)
        if user is None or selectors.user_is_platform_staff(user):
            return None  # code paths without a user, and platform staff, are not limited
        return scope_for_user(user)

    def clean(self):
        cleaned = super().clean()
        scope = self.reference_scope()
        if scope is not None:
            for name, messages in form_reference_errors(self, scope).items():
                self.add_error(name, messages)
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        scope = self.reference_scope()
        if scope is None or getattr(self, "_child_references_checked", False):
            return valid
        self._child_references_checked = True
        for formset in getattr(self, "formsets", {}).values():
            for child in formset.forms:
                if getattr(child, "cleaned_data", None) and not child.cleaned_data.get("DELETE"):
                    for name, messages in form_reference_errors(child, scope).items():
                        child.add_error(name, messages)
        return super().is_valid()  # the formsets recount their forms' errors


def association_of_page(page: Page | None):
    """The association whose site holds ``page`` (its Accueil among the page's ancestors)."""
    if page is None or not page.path:
        return None
    prefixes = [page.path[:end] for end in range(page.steplen, len(page.path) + 1, page.steplen)]
    return Association.objects.select_related("collection", "home_page").filter(home_page__path__in=prefixes).first()


class TenantPageForm(TenantReferencesFormMixin, WagtailAdminPageForm):
    """Base form of every page type (set in ``AssociationsConfig.ready``): a page of A may
    only point to A's media and pages, and to public pages."""

    def reference_scope(self) -> ReferenceScope | None:
        scope = super().reference_scope()
        if scope is None:
            return None
        anchor = self.instance if self.instance.pk else getattr(self, "parent_page", None)
        association = association_of_page(anchor)
        return scope_for_association(association) if association is not None else scope


def use_tenant_page_form() -> None:
    """Give every page model whose form is Wagtail's default the tenant-checking form.

    Page types with a form of their own keep it; it should mix in ``TenantReferencesFormMixin``.
    """
    for model in get_page_models():
        # Page itself is left alone: wagtail.admin sets its form after this app is ready.
        if model is not Page and getattr(model, "base_form_class", None) in (None, WagtailAdminPageForm):
            model.base_form_class = TenantPageForm
