"""The four-page rule, stated once and asked wherever Wagtail checks a page permission.

Every association's site is exactly Accueil, Actualités, Nous aider and Nos projets. Wagtail
asks the page's permission tester (``Page.permissions_for_user``) before it deletes, moves,
copies or unpublishes a page — in the page views, the bulk actions and the admin API
(``wagtail/actions/*.py``) — and uses the same answers to show or hide the buttons. The
``before_*_page`` hooks, by contrast, only run in the page views: an editor deleted "Nos
projets" through ``/admin/api/main/pages/<id>/action/delete/``. So the rule lives in the tester,
and the admin guard and the API only turn its refusals into a French message.

The rule holds for platform staff too: a section is hidden from the menu ("Afficher dans les
menus"), never unpublished; a whole site is taken offline by suspending its association
(``associations.services.association_suspend``), which leaves the tree intact.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PagePermissionTester

STRUCTURE_REFUSALS = {
    "delete": _("Les quatre pages du site ne peuvent pas être supprimées."),
    "move": _("Les quatre pages du site ne peuvent pas être déplacées."),
    "copy": _("Les quatre pages du site ne peuvent pas être copiées."),
    "unpublish": _(
        "Les quatre pages du site ne peuvent pas être dépubliées. Pour retirer une section du menu, "
        "décochez « Afficher dans les menus » dans l'onglet Promotion de la page."
    ),
}
CROSS_ASSOCIATION_REFUSALS = {
    "move": _("Une page ne peut pas passer d'une association à une autre."),
    "copy": _("Une page ne peut pas être copiée vers une autre association."),
}
GENERIC_REFUSAL = _("Vous n'avez pas le droit de faire cette action sur cette page.")


class StructurePageMixin:
    """The Accueil and its sections: always live (see associations.page_rules).

    An expiry date would unpublish the page later (``publish_scheduled``) and leave a 404 in
    the menu; a section is hidden from the menu instead.
    """

    def clean(self):
        super().clean()
        if self.expire_at:
            raise ValidationError(
                {
                    "expire_at": _(
                        "Les quatre pages du site ne peuvent pas avoir de date d'expiration : pour retirer une "
                        "section du menu, décochez « Afficher dans les menus » dans l'onglet Promotion."
                    )
                }
            )


class SiteHomeMixin(StructurePageMixin):
    """The Accueil: the root of an association's site (``AssociationHomePage``).

    The rule names the page types by these mixins, so it needs no import of the page models
    (which import the rule for their permission tester).
    """


def is_structure_page(page: Page) -> bool:
    """The Accueil and its three sections (read from the content type: no query on a plain Page)."""
    specific_class = page.specific_class
    return specific_class is not None and issubclass(specific_class, StructurePageMixin)


def association_home_of(page: Page) -> Page | None:
    return Page.objects.type(SiteHomeMixin).ancestor_of(page, inclusive=True).only("pk").first()


def same_association(page: Page, destination: Page) -> bool:
    """Whether both pages sit under the same Accueil (or both outside every association)."""
    return association_home_of(page) == association_home_of(destination)


def refusal(page: Page, action: str, destination: Page | None = None) -> str | None:
    """Why the rule forbids ``action`` ("delete", "move", "copy", "unpublish") on ``page``, in French.

    ``None`` when the rule allows it (Wagtail's own permissions still apply). Moving a section
    under its current parent is reordering the menu, which stays allowed.
    """
    if is_structure_page(page) and action in STRUCTURE_REFUSALS:
        reordering = action == "move" and destination is not None and page.is_child_of(destination)
        if not reordering:
            return STRUCTURE_REFUSALS[action]
    if action in CROSS_ASSOCIATION_REFUSALS and destination is not None and not same_association(page, destination):
        return CROSS_ASSOCIATION_REFUSALS[action]
    return None


class AssociationPagePermissionTester(PagePermissionTester):
    """Wagtail's tester, narrowed by the four-page rule for every user, superusers included."""

    def can_delete(self, ignore_bulk: bool = False) -> bool:
        return refusal(self.page, "delete") is None and super().can_delete(ignore_bulk=ignore_bulk)

    def can_unpublish(self) -> bool:
        return refusal(self.page, "unpublish") is None and super().can_unpublish()

    def can_move(self) -> bool:
        return refusal(self.page, "move") is None and super().can_move()

    def can_copy(self) -> bool:
        return refusal(self.page, "copy") is None and super().can_copy()

    def can_move_to(self, destination: Page) -> bool:
        if refusal(self.page, "move", destination) is not None:
            return False
        if is_structure_page(self.page):
            # Only reordering is left (Wagtail's set_position moves the page under its own
            # parent); the base class would refuse it through can_move().
            if not self.user.is_active:
                return False
            return self.user.is_superuser or destination.permissions_for_user(self.user).can_reorder_children()
        return super().can_move_to(destination)

    def can_copy_to(self, destination: Page, recursive: bool = False) -> bool:
        return refusal(self.page, "copy", destination) is None and super().can_copy_to(destination, recursive)
