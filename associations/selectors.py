"""Reads about associations: tenant scoping lives here, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q, QuerySet
from taggit.models import Tag, TaggedItem
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from associations.models import Association, AssociationStatus, Commune, Epci, Invitation, Sector
from associations.models.pages import NewsPostTag
from kernel.text_search import fold, search_filter, words


def user_is_platform_staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def associations_for_user(user: User | AnonymousUser) -> QuerySet[Association]:
    """The associations whose volunteers (editors or treasurers) this user is part of."""
    if not user.is_authenticated:
        return Association.objects.none()
    return Association.objects.filter(Q(editors_group__user=user) | Q(treasurers_group__user=user)).distinct()


def associations_edited_by(user: User | AnonymousUser) -> QuerySet[Association]:
    if not user.is_authenticated:
        return Association.objects.none()
    return Association.objects.filter(editors_group__user=user)


# The permission that opens an association's money and its payers' personal data: payments,
# members, tickets, receipts, their exports, refunds and the Stripe account. Onboarding gives
# it to the "Trésoriers" group only; a group holds it for the association it belongs to.
MONEY_PERMISSION = ("associations", "handle_money")


def associations_with_money_of(user: User | AnonymousUser) -> QuerySet[Association]:
    """The associations whose payments and payers this (non-staff) user may see.

    Through a group of the association (its editors or its treasurers) that holds the money
    permission: the role split is data, so the 2FA rule and every money screen read the same
    answer. Platform staff see every association's money: see ``user_handles_money``.
    """
    if not user.is_authenticated or not user.is_active:
        return Association.objects.none()
    app_label, codename = MONEY_PERMISSION
    groups = user.groups.filter(permissions__content_type__app_label=app_label, permissions__codename=codename)
    return Association.objects.filter(
        Q(treasurers_group__in=groups.values("pk")) | Q(editors_group__in=groups.values("pk"))
    ).distinct()


# The permission that opens the check-in page at the door of an association's events, and
# nothing else of its money: the "Accueil" group's (volunteers at the door) and the treasurers'.
CHECK_IN_PERMISSION = ("associations", "check_in_tickets")


def associations_checking_in_of(user: User | AnonymousUser) -> QuerySet[Association]:
    """The associations whose tickets this (non-staff) user may check in at the door.

    Through a group of the association (editors, treasurers or the door's "Accueil" group) that
    holds the check-in permission or the money permission (whoever sees the tickets may let
    them in). The door's volunteers see no payment, amount or export: only the check-in page.
    """
    if not user.is_authenticated or not user.is_active:
        return Association.objects.none()
    permissions = Q(pk__in=[])
    for app_label, codename in (CHECK_IN_PERMISSION, MONEY_PERMISSION):
        permissions |= Q(permissions__content_type__app_label=app_label, permissions__codename=codename)
    groups = user.groups.filter(permissions).values("pk")
    return Association.objects.filter(
        Q(door_group__in=groups) | Q(treasurers_group__in=groups) | Q(editors_group__in=groups)
    ).distinct()


def user_handles_money(user: User | AnonymousUser) -> bool:
    """Whether this user sees payers, members, receipts or exports, or may refund.

    The one predicate behind the second-factor rule (``site_kollektif.security``): whoever it
    answers True for must use 2FA when ``KOLLEKTIF_REQUIRE_MFA`` is on.
    """
    return user_is_platform_staff(user) or associations_with_money_of(user).exists()


def _cached_on_user(user: User | AnonymousUser, key: str, compute: Callable[[], Iterable[str]]) -> list[str]:
    """Tree paths are asked for many times per admin request: compute them once per user object."""
    cached = getattr(user, key, None)
    if cached is None:
        cached = list(compute())
        if user.is_authenticated:
            setattr(user, key, cached)
    return cached


def user_home_paths(user: User | AnonymousUser) -> list[str]:
    """Tree paths of the Accueil pages this user volunteers for."""
    return _cached_on_user(
        user,
        "_kollektif_home_paths",
        lambda: associations_for_user(user).exclude(home_page=None).values_list("home_page__path", flat=True),
    )


def user_collection_paths(user: User | AnonymousUser) -> list[str]:
    return _cached_on_user(
        user,
        "_kollektif_collection_paths",
        lambda: associations_for_user(user).exclude(collection=None).values_list("collection__path", flat=True),
    )


def _path_filter(field: str, paths: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for tree_path in paths:
        condition |= Q(**{f"{field}__startswith": tree_path})
    return condition


def pages_for_user(user: User | AnonymousUser) -> QuerySet[Page]:
    """Every page inside the sites of the user's associations."""
    return Page.objects.filter(_path_filter("path", user_home_paths(user)))


def page_belongs_to_user(user: User | AnonymousUser, page: Page) -> bool:
    return any(page.path.startswith(home_path) for home_path in user_home_paths(user))


def pages_with_money_of(user: User | AnonymousUser) -> QuerySet[Page]:
    """Every page inside the sites whose money this user sees (their campaigns, for the totals)."""
    paths = associations_with_money_of(user).exclude(home_page=None).values_list("home_page__path", flat=True)
    return Page.objects.filter(_path_filter("path", list(paths)))


def pages_checking_in_of(user: User | AnonymousUser) -> QuerySet[Page]:
    """Every page inside the sites whose tickets this user may check in (their events)."""
    paths = associations_checking_in_of(user).exclude(home_page=None).values_list("home_page__path", flat=True)
    return Page.objects.filter(_path_filter("path", list(paths)))


def collections_for_user(user: User | AnonymousUser) -> QuerySet[Collection]:
    return Collection.objects.filter(_path_filter("path", user_collection_paths(user)))


def collection_belongs_to_user(user: User | AnonymousUser, collection: Collection | None) -> bool:
    if collection is None:
        return False
    return any(collection.path.startswith(p) for p in user_collection_paths(user))


def association_search(
    *,
    q: str = "",
    commune: Commune | None = None,
    epci: Epci | None = None,
    sector: Sector | None = None,
    **_ignored: object,
) -> QuerySet[Association]:
    """Active associations for the public index, with everything the listing shows."""
    associations = Association.objects.filter(status=AssociationStatus.ACTIVE)
    if commune:
        associations = associations.filter(commune=commune)
    if epci:
        associations = associations.filter(commune__epci=epci)
    if sector:
        associations = associations.filter(sectors=sector)
    if q:
        associations, _corrected = search_filter(associations, q, association_vocabulary)
    return (
        associations.select_related("commune", "commune__epci", "logo", "home_page")
        .prefetch_related("sectors")
        .order_by("name", "pk")
    )


def association_vocabulary() -> set[str]:
    """Folded words of active associations' names and of the communes (typo correction), cached
    for five minutes: two queries, whatever the number of associations."""
    vocabulary = cache.get("associations:vocabulary")
    if vocabulary is None:
        vocabulary = set()
        names = Association.objects.filter(status=AssociationStatus.ACTIVE).values_list("name", flat=True)
        for name in [*names, *Commune.objects.values_list("name", flat=True)]:
            vocabulary |= words(fold(name))
        cache.set("associations:vocabulary", vocabulary, 300)
    return vocabulary


def featured_associations(*, home: Page, limit: int = 6) -> list[Association]:
    chosen = [
        item.association
        for item in home.featured_associations.select_related(
            "association", "association__logo", "association__commune"
        )
        if item.association.is_public
    ]
    if chosen:
        return chosen[:limit]
    return list(
        Association.objects.active().filter(featured=True).select_related("logo", "commune").order_by("name")[:limit]
    )


def tags_for_user(user: User | AnonymousUser) -> QuerySet:
    """Tags the user may see: those of the pages, images and documents of their associations.

    Tag names are shared across the platform (taggit's ``Tag``); a draft's tags say what an
    association is preparing, so the admin's autocomplete offers only these (staff: all).
    """
    if user_is_platform_staff(user):
        return Tag.objects.all()
    condition = Q(pk__in=NewsPostTag.objects.filter(content_object__in=pages_for_user(user)).values("tag_id"))
    collections = collections_for_user(user)
    for model in (get_image_model(), get_document_model()):
        condition |= Q(
            pk__in=TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=model.objects.filter(collection__in=collections).values("pk"),
            ).values("tag_id")
        )
    return Tag.objects.filter(condition)


def user_verified_emails(user: User) -> set[str]:
    """The addresses this user proved to read (allauth's verified EmailAddress), lower-cased.

    `user.email` alone proves nothing: anyone can sign up with someone else's address. What is
    sent to a mailbox (an invitation) belongs only to whoever verified it.
    """
    from allauth.account.models import EmailAddress

    return {
        email.lower() for email in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }


def invitations_pending_for(user: User) -> list:
    """Usable invitations sent to one of the user's verified addresses ("Mon espace")."""
    invitations = Invitation.objects.filter(email__in=user_verified_emails(user), accepted_at=None)
    return [invitation for invitation in invitations.select_related("association") if invitation.is_usable]
