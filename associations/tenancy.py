"""Tenancy declared once: how each tenant-owned model reaches its association.

Every row a volunteer may see belongs to one association. Each app declares, once and in its
own ``AppConfig.ready()``, how its models reach that association; every check reads the
declaration instead of restating it:

- the admin guard (``associations/admin_guard.py``): an id in an admin URL names an object of
  another association → 404;
- the permission policies and the viewsets' querysets (``scope``, ``owns``);
- the page chooser and the explorer (``scope`` on pages);
- the form validation of references (``associations/references.py``: ``kind``).

Three ways to reach the association (``Via``):

- ``FIELD``: a lookup path to the ``Association`` (``"association"``, ``"payment__association"``,
  ``"pk"`` for the association itself);
- ``TREE``: a page belongs to the association whose Accueil is among its ancestors;
- ``COLLECTION``: an image or a document belongs to the association whose collection holds it.

Adding a tenant-owned model is one ``register()`` call in its app, no edit here. The idea is
django-scopes' (used by pretix: a query that forgets its scope fails loudly); a registry read by
the few places where Wagtail lets us narrow a query fits Wagtail's admin better than a manager.
Platform staff are never narrowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import QuerySet
from wagtail.models import Page

from associations import selectors
from associations.models import Association


class Via(StrEnum):
    FIELD = "field"
    TREE = "tree"
    COLLECTION = "collection"


class Access(StrEnum):
    """Which volunteers of the association see the rows."""

    VOLUNTEER = "volunteer"  # editors and treasurers (pages, media)
    EDIT = "edit"  # its editors (the record)
    MONEY = "money"  # the groups holding the money permission (payers' personal data)
    CHECK_IN = "check-in"  # the groups letting tickets in at the door (the check-in page only)


@dataclass(frozen=True)
class TenantModel:
    model: type[models.Model]
    via: Via
    path: str = ""
    access: Access = Access.EDIT
    kind: str = ""  # a short name for messages ("page", "image", "document", "payment"…)
    admin_namespaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestrictedArea:
    """Admin URLs that only some users may open, whatever the object (the directory's admin)."""

    allowed: Callable[[User | AnonymousUser], bool]
    namespaces: frozenset[str] = field(default_factory=frozenset)
    namespace_prefixes: tuple[str, ...] = ()
    url_names: frozenset[str] = field(default_factory=frozenset)

    def covers(self, namespace: str, view_name: str) -> bool:
        return (
            namespace in self.namespaces
            or view_name in self.url_names
            or bool(self.namespace_prefixes and namespace.startswith(self.namespace_prefixes))
        )


_MODELS: dict[type[models.Model], TenantModel] = {}
_ADMIN_AREAS: dict[str, TenantModel] = {}
_RESTRICTED_AREAS: list[RestrictedArea] = []


def register(
    model: type[models.Model],
    *,
    path: str = "",
    via: Via = Via.FIELD,
    access: Access = Access.EDIT,
    kind: str = "",
    admin_namespaces: Iterable[str] = (),
) -> TenantModel:
    """Declare how ``model`` reaches its association (subclasses inherit the declaration).

    ``admin_namespaces``: the admin URL namespaces whose ``pk`` names a ``model`` row (a
    viewset's name), which the admin guard then checks. Registering twice replaces.
    """
    if via == Via.FIELD and not path:
        raise ValueError(f"{model.__name__}: a FIELD tenancy needs the lookup path to the association")
    declaration = TenantModel(
        model=model,
        via=via,
        path=path,
        access=access,
        kind=kind or str(model._meta.model_name),
        admin_namespaces=tuple(admin_namespaces),
    )
    _MODELS[model] = declaration
    for namespace in declaration.admin_namespaces:
        _ADMIN_AREAS[namespace] = declaration
    return declaration


def register_admin_area(namespace: str, model: type[models.Model], *, access: Access | None = None) -> None:
    """An admin namespace whose ``pk`` names a row of an already registered ``model``; ``access``
    overrides who may open it (the Stripe screens of an association: its treasurers)."""
    declaration = tenant_model(model)
    if declaration is None:
        raise LookupError(f"{model.__name__} is not a registered tenant-owned model")
    if access is not None:
        declaration = TenantModel(
            model=declaration.model,
            via=declaration.via,
            path=declaration.path,
            access=access,
            kind=declaration.kind,
        )
    _ADMIN_AREAS[namespace] = declaration


def register_restricted_area(
    allowed: Callable[[User | AnonymousUser], bool],
    *,
    namespaces: Iterable[str] = (),
    namespace_prefixes: Iterable[str] = (),
    url_names: Iterable[str] = (),
) -> None:
    """Admin URLs that only users for whom ``allowed(user)`` holds may open (staff always may)."""
    _RESTRICTED_AREAS.append(
        RestrictedArea(
            allowed=allowed,
            namespaces=frozenset(namespaces),
            namespace_prefixes=tuple(namespace_prefixes),
            url_names=frozenset(url_names),
        )
    )


def tenant_model(model: type[models.Model] | None) -> TenantModel | None:
    """The declaration that applies to ``model`` (its own, or its nearest registered parent's)."""
    if model is None:
        return None
    for klass in model.__mro__:
        declaration = _MODELS.get(klass)
        if declaration is not None:
            return declaration
    return None


def declared(kind: str) -> TenantModel | None:
    """The declaration registered under ``kind`` ("page", "image", "document"…)."""
    return next((declaration for declaration in _MODELS.values() if declaration.kind == kind), None)


def admin_area(namespace: str) -> TenantModel | None:
    return _ADMIN_AREAS.get(namespace)


def restricted_area(namespace: str, view_name: str) -> RestrictedArea | None:
    return next((area for area in _RESTRICTED_AREAS if area.covers(namespace, view_name)), None)


def associations_for(user: User | AnonymousUser, access: Access) -> QuerySet[Association]:
    if access == Access.MONEY:
        return selectors.associations_with_money_of(user)
    if access == Access.CHECK_IN:
        return selectors.associations_checking_in_of(user)
    if access == Access.EDIT:
        return selectors.associations_edited_by(user)
    return selectors.associations_for_user(user)


def scope(queryset: QuerySet, user: User | AnonymousUser, *, access: Access | None = None) -> QuerySet:
    """``queryset`` narrowed to the rows of the user's associations (staff: unchanged).

    A model nobody declared is refused outright (an empty queryset), never served whole.
    """
    if selectors.user_is_platform_staff(user):
        return queryset
    declaration = tenant_model(queryset.model)
    if declaration is None:
        return queryset.none()
    if declaration.via == Via.TREE:
        return queryset.filter(pk__in=selectors.pages_for_user(user).values("pk"))
    if declaration.via == Via.COLLECTION:
        return queryset.filter(**{f"{declaration.path or 'pk'}__in": selectors.collections_for_user(user).values("pk")})
    allowed = associations_for(user, access or declaration.access).values("pk")
    return queryset.filter(**{f"{declaration.path}__in": allowed})


def object_is_users(user: User | AnonymousUser, declaration: TenantModel, object_id: object) -> bool:
    """Whether the row ``object_id`` belongs to one of the user's associations.

    A row that does not exist is not refused here: the view answers its own 404.
    """
    manager = declaration.model._default_manager
    if declaration.via == Via.TREE:
        page = manager.filter(pk=object_id).only("path").first()
        return page is None or selectors.page_belongs_to_user(user, page)
    if declaration.via == Via.COLLECTION:
        obj = manager.filter(pk=object_id).first()
        if obj is None:
            return True
        collection = getattr(obj, declaration.path) if declaration.path else obj  # a collection itself
        return selectors.collection_belongs_to_user(user, collection)
    association_id = manager.filter(pk=object_id).values_list(declaration.path, flat=True).first()
    return association_id is None or associations_for(user, declaration.access).filter(pk=association_id).exists()


def _association_id_of(instance: models.Model, path: str) -> int | None:
    """Follow ``path`` ("association", "payment__association", "pk") on an instance."""
    if path == "pk":
        return instance.pk
    *steps, last = path.split("__")
    obj: Any = instance
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def owns(user: User | AnonymousUser, instance: models.Model, *, access: Access | None = None) -> bool:
    """Whether ``instance`` belongs to one of the user's associations (staff: always).

    Read on the instance itself (an unsaved one included), not from the database. ``access``
    overrides the declared one (the door's check-in reads the tickets with ``CHECK_IN``).
    """
    if selectors.user_is_platform_staff(user):
        return True
    declaration = tenant_model(type(instance))
    if declaration is None:
        return False
    if declaration.via == Via.TREE:
        return isinstance(instance, Page) and bool(instance.path) and selectors.page_belongs_to_user(user, instance)
    if declaration.via == Via.COLLECTION:
        collection = getattr(instance, declaration.path) if declaration.path else instance
        return selectors.collection_belongs_to_user(user, collection)
    association_id = _association_id_of(instance, declaration.path)
    allowed = associations_for(user, access or declaration.access)
    return association_id is not None and allowed.filter(pk=association_id).exists()
