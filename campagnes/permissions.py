"""Who may see and act on the money records (payments, memberships, tickets, receipts).

The groups hold no Django permission on these models: the rule is the association-level money
permission (``associations.handle_money``, see ``associations.selectors.associations_with_money_of``)
and the association a record belongs to, checked here for every instance. Platform staff see
everything; an association's Éditeurs never see payers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy

from associations import tenancy
from associations.selectors import (
    CHECK_IN_PERMISSION,
    MONEY_PERMISSION,
    associations_checking_in_of,
    associations_with_money_of,
    user_is_platform_staff,
)


class PaymentPermissionPolicy(BasePermissionPolicy):
    """View and refund for the association's treasurers; everything for staff."""

    VOLUNTEER_ACTIONS = frozenset({"view", "refund"})

    def _volunteer_action(self, actions: Iterable[str]) -> bool:
        return any(action in self.VOLUNTEER_ACTIONS for action in actions)

    def user_has_permission(self, user: Any, action: str) -> bool:
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        if user_is_platform_staff(user):
            return True
        if not user.is_authenticated or not user.is_active or not self._volunteer_action(actions):
            return False
        return associations_with_money_of(user).exists()

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        staff = Q(is_superuser=True) | Q(is_staff=True)
        if self._volunteer_action(actions):
            staff |= Q(groups__in=money_groups())
        return get_user_model().objects.filter(staff, is_active=True).distinct()

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user: Any, actions: Iterable[str], instance: Any) -> bool:
        if user_is_platform_staff(user):
            return True
        if not self.user_has_any_permission(user, actions):
            return False
        return tenancy.owns(user, instance)  # the record's association, as declared in campagnes/tenancy.py

    def instances_user_has_any_permission_for(self, user: Any, actions: Iterable[str]) -> QuerySet:
        return self.scope(self.model.objects.all(), user, actions)

    def scope(self, queryset: QuerySet, user: Any, actions: Iterable[str]) -> QuerySet:
        """``queryset`` narrowed to the records the user may act on."""
        if user_is_platform_staff(user):
            return queryset
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        return tenancy.scope(queryset, user)  # as declared in campagnes/tenancy.py

    def users_with_any_permission_for_instance(self, actions: Iterable[str], instance: Any) -> QuerySet:
        users = self.users_with_any_permission(actions)
        if not self._volunteer_action(actions):
            return users
        association = Q(
            groups__in=money_groups().filter(
                Q(edited_association__pk=instance.association_id) | Q(treasured_association__pk=instance.association_id)
            )
        )
        return users.filter(Q(is_superuser=True) | Q(is_staff=True) | association).distinct()


class AssociationRecordPermissionPolicy(PaymentPermissionPolicy):
    """The payments' rule for any record with an ``association``: its treasurers, and staff."""

    VOLUNTEER_ACTIONS = frozenset({"view"})


class TicketPermissionPolicy(AssociationRecordPermissionPolicy):
    """Seeing tickets: the treasurers; checking them in: the volunteers at the door too; and staff.

    The check-in reads its own permission (``associations.check_in_tickets``, held by the
    "Accueil" groups and the treasurers): a volunteer at the door opens the check-in page and
    picks one of the association's events, and sees no listing, payment, amount or export.
    """

    VOLUNTEER_ACTIONS = frozenset({"view", "check_in"})
    CHECK_IN = "check_in"

    def _check_in_only(self, actions: Iterable[str]) -> bool:
        return self.CHECK_IN in set(actions)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        actions = list(actions)
        if super().user_has_any_permission(user, actions):
            return True
        if not self._check_in_only(actions) or not user.is_authenticated or not user.is_active:
            return False
        return associations_checking_in_of(user).exists()

    def user_has_any_permission_for_instance(self, user: Any, actions: Iterable[str], instance: Any) -> bool:
        actions = list(actions)
        if user_is_platform_staff(user):
            return True
        if super().user_has_any_permission_for_instance(user, actions, instance):
            return True
        return self._check_in_only(actions) and tenancy.owns(user, instance, access=tenancy.Access.CHECK_IN)

    def scope(self, queryset: QuerySet, user: Any, actions: Iterable[str]) -> QuerySet:
        actions = list(actions)
        if user_is_platform_staff(user) or not self._check_in_only(actions):
            return super().scope(queryset, user, actions)
        return tenancy.scope(queryset, user, access=tenancy.Access.CHECK_IN)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        actions = list(actions)
        users = super().users_with_any_permission(actions)
        if not self._check_in_only(actions):
            return users
        door = get_user_model().objects.filter(groups__in=check_in_groups(), is_active=True)
        return get_user_model().objects.filter(Q(pk__in=users.values("pk")) | Q(pk__in=door.values("pk")))

    def users_with_any_permission_for_instance(self, actions: Iterable[str], instance: Any) -> QuerySet:
        actions = list(actions)
        users = super().users_with_any_permission_for_instance(actions, instance)
        if not self._check_in_only(actions):
            return users
        door = get_user_model().objects.filter(
            groups__in=check_in_groups().filter(door_association__pk=instance.association_id), is_active=True
        )
        return get_user_model().objects.filter(Q(pk__in=users.values("pk")) | Q(pk__in=door.values("pk")))


class ReceiptPermissionPolicy(AssociationRecordPermissionPolicy):
    """Seeing, cancelling and adding (manual gifts) receipts: the treasurers, and staff."""

    VOLUNTEER_ACTIONS = frozenset({"view", "cancel", "add"})


def money_groups() -> QuerySet:
    """The associations' groups that hold the money permission."""
    app_label, codename = MONEY_PERMISSION
    return Group.objects.filter(
        Q(edited_association__isnull=False) | Q(treasured_association__isnull=False),
        permissions__content_type__app_label=app_label,
        permissions__codename=codename,
    ).values("pk")


def check_in_groups() -> QuerySet:
    """The associations' door groups ("Accueil") that hold the check-in permission."""
    app_label, codename = CHECK_IN_PERMISSION
    return Group.objects.filter(
        door_association__isnull=False,
        permissions__content_type__app_label=app_label,
        permissions__codename=codename,
    ).values("pk")
