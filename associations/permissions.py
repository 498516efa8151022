"""Per-association permission policy for the Association record.

Wagtail permissions snippets per model only: a user with ``change_association`` could edit
every association. This policy narrows instance checks to the associations whose editors
group the user belongs to; platform staff keep the model-wide permissions.
"""

from __future__ import annotations

from wagtail.permission_policies import ModelPermissionPolicy

from associations import tenancy
from associations.selectors import user_is_platform_staff

STAFF_ONLY_ACTIONS = {"add", "delete", "moderate"}


class AssociationPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in STAFF_ONLY_ACTIONS and not user_is_platform_staff(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return tenancy.owns(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return tenancy.scope(self.model.objects.all(), user)
