"""Writes about associations: onboarding, moderation, invitations, custom domains.

Every business action is one function and one transaction: it either leaves the
association complete (record, four pages, collection, groups) or leaves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, cast

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from associations import events
from associations.domains import association_home_url, forget_sites_after_commit, site_port
from associations.models import (
    Association,
    AssociationHomePage,
    AssociationStatus,
    Invitation,
    NewsIndexPage,
    ProjectsPage,
    Sector,
    SupportPage,
)
from associations.models.association import InvitationRole
from associations.selectors import (
    CHECK_IN_PERMISSION,
    MONEY_PERMISSION,
    associations_with_money_of,
    user_is_platform_staff,
    user_verified_emails,
)
from kernel.mail import send_templated_email
from kernel.page_cache import purge_after_commit

INVITATION_VALIDITY = timedelta(days=14)
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "delete_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "delete_document", "choose_document"],
}
SECTIONS = [
    (NewsIndexPage, "Actualités", "actualites"),
    (SupportPage, "Nous aider", "nous-aider"),
    (ProjectsPage, "Nos projets", "nos-projets"),
]


def _permissions(*natural_keys: tuple[str, str]) -> dict[tuple[str, str], Permission]:
    """Fetch the named permissions in one query."""
    condition = Q(pk__in=[])
    for app_label, codename in natural_keys:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(condition).select_related("content_type")
    }
    missing = set(natural_keys) - found.keys()
    if missing:
        raise ImproperlyConfigured(f"Missing permissions: {sorted(missing)}")
    return found


def _unique_group_name(base: str, slug: str) -> str:
    name = base[:150]
    if Group.objects.filter(name=name).exists():
        name = f"{base[: 150 - len(slug) - 3]} ({slug})"
    return name


def association_index_page() -> Page:
    """The parent of every Accueil: the page type Wagtail allows above ``AssociationHomePage``
    (the platform's /association/ index, a model of the project package above this app)."""
    index = Page.objects.type(*AssociationHomePage.allowed_parent_page_models()).specific().first()
    if index is None:
        raise ImproperlyConfigured("La page /association/ n'existe pas : lancez manage.py charger_demo.")
    return index


def _team_group(association: Association, role: str) -> Group:
    """The editors', the treasurers' or the door's group, which onboarding creates with the association."""
    if role == InvitationRole.DOOR:
        return _door_group(association)
    group = association.editors_group if role == InvitationRole.EDITOR else association.treasurers_group
    if group is None:
        raise ImproperlyConfigured(f"L'association {association.slug} n'a pas de groupe {role}.")
    return group


DOOR_GROUP_PREFIX = "Accueil — "


def _door_group(association: Association) -> Group:
    """The "Accueil" group: volunteers at the door, who check tickets in and see no money.

    Created at onboarding; an association made otherwise (bulk data) gets it on first use.
    """
    if association.door_group_id is not None:
        return cast(Group, association.door_group)  # set, since door_group_id is
    admin_key = ("wagtailadmin", "access_admin")
    permissions = _permissions(admin_key, CHECK_IN_PERMISSION)
    door = Group.objects.create(name=_unique_group_name(f"{DOOR_GROUP_PREFIX}{association.name}", association.slug))
    door.permissions.add(permissions[admin_key], permissions[CHECK_IN_PERMISSION])
    association.door_group = door
    if association.pk is not None:
        Association.objects.filter(pk=association.pk).update(door_group=door)
    return door


def _create_groups(association: Association) -> None:
    page_keys = [("wagtailcore", codename) for codename in EDITOR_PAGE_PERMISSIONS]
    collection_keys = [
        (app_label, codename)
        for app_label, codenames in EDITOR_COLLECTION_PERMISSIONS.items()
        for codename in codenames
    ]
    admin_key, record_key = ("wagtailadmin", "access_admin"), ("associations", "change_association")
    money_key = MONEY_PERMISSION
    permissions = _permissions(admin_key, record_key, money_key, CHECK_IN_PERMISSION, *page_keys, *collection_keys)
    editors = Group.objects.create(name=_unique_group_name(f"Éditeurs — {association.name}", association.slug))
    treasurers = Group.objects.create(name=_unique_group_name(f"Trésoriers — {association.name}", association.slug))
    # The role split treasurers expect: editors edit pages, images, documents and the record;
    # only treasurers see payers, members, tickets, receipts, exports and refund (behind 2FA).
    editors.permissions.add(permissions[admin_key], permissions[record_key])
    treasurers.permissions.add(permissions[admin_key], permissions[money_key], permissions[CHECK_IN_PERMISSION])
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=editors, page=association.home_page, permission=permissions[key]) for key in page_keys
    )
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(group=editors, collection=association.collection, permission=permissions[key])
        for key in collection_keys
    )
    association.editors_group = editors
    association.treasurers_group = treasurers
    _door_group(association)  # the volunteers at the door: the check-in page only


def _create_pages(association: Association, *, user: User | None) -> None:
    index = association_index_page()
    if Page.objects.filter(path__startswith=index.path, depth=index.depth + 1, slug=association.slug).exists():
        raise ValidationError({"slug": _("Cette adresse est déjà prise par une autre association.")})
    home = AssociationHomePage(
        title=association.name,
        slug=association.slug,
        introduction=association.objet[:600],
        show_in_menus=True,
        owner=user,
    )
    index.add_child(instance=home)
    home.save_revision(user=user, log_action=False).publish(log_action=False)
    for page_class, title, slug in SECTIONS:
        section = page_class(title=title, slug=slug, show_in_menus=True, owner=user)
        home.add_child(instance=section)
        section.save_revision(user=user, log_action=False).publish(log_action=False)
    association.home_page = home


@transaction.atomic
def association_onboard(
    *,
    name: str,
    slug: str = "",
    created_by: User | None = None,
    status: str = AssociationStatus.PENDING,
    sectors: Iterable[Sector] = (),
    logo_file: UploadedFile | None = None,
    notify: bool = True,
    **fields: Any,
) -> Association:
    """Create an association with its four pages, its collection and its two groups."""
    slug = slugify(slug or name)[:80].strip("-")
    association = Association(name=name.strip(), slug=slug, status=status, created_by=created_by, **fields)
    association.full_clean(exclude=["logo"])
    association.save()
    if sectors:
        association.sectors.set(sectors)
    association.collection = Collection.get_first_root_node().add_child(name=association.name[:255])
    _create_pages(association, user=created_by)
    _create_groups(association)
    if logo_file is not None:
        image = get_image_model()(
            title=_("Logo de %(name)s") % {"name": association.name},
            file=logo_file,
            collection=association.collection,
            uploaded_by_user=created_by,
        )
        image.save()
        association.logo = image
    association.save()
    if created_by is not None:
        created_by.groups.add(
            _team_group(association, InvitationRole.EDITOR), _team_group(association, InvitationRole.TREASURER)
        )
    if association.custom_domain:
        association_sync_site(association=association)
    if notify and status == AssociationStatus.PENDING:
        _notify_new_request(association)
    events.association_created.send(sender=Association, association=association)
    _purge_public_pages(association)
    return association


def _notify_new_request(association: Association) -> None:
    from django.conf import settings

    context = {"association": association}
    send_templated_email(
        to=settings.KOLLEKTIF_STAFF_EMAILS,
        subject=_("Nouvelle demande de site : %(name)s") % {"name": association.name},
        template="association_request_staff",
        context=context,
    )
    send_templated_email(
        to=[_applicant_email(association)],
        subject=_("Votre demande de site pour %(name)s est bien reçue") % {"name": association.name},
        template="association_request_received",
        context=context,
    )


def _applicant_email(association: Association) -> str:
    return association.created_by.email if association.created_by else association.email


@transaction.atomic
def association_approve(*, association: Association, approved_by: User) -> Association:
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.status == AssociationStatus.ACTIVE:
        raise ValidationError(_("Cette association est déjà active."))
    association.status = AssociationStatus.ACTIVE
    association.approved_at = timezone.now()
    association.refusal_reason = ""
    association.save(update_fields=["status", "approved_at", "refusal_reason", "updated_at"])
    send_templated_email(
        to=[_applicant_email(association), association.email],
        subject=_("Le site de %(name)s est en ligne") % {"name": association.name},
        template="association_approved",
        context={"association": association, "association_url": association_home_url(association)},
    )
    events.association_activated.send(sender=Association, association=association)
    _purge_public_pages(association)
    return association


@transaction.atomic
def association_refuse(*, association: Association, refused_by: User, reason: str) -> Association:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Expliquez le motif du refus : il sera envoyé au demandeur.")})
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.status != AssociationStatus.PENDING:
        raise ValidationError(_("Seule une demande en attente peut être refusée."))
    association.status = AssociationStatus.REFUSED
    association.refusal_reason = reason
    association.save(update_fields=["status", "refusal_reason", "updated_at"])
    send_templated_email(
        to=[_applicant_email(association)],
        subject=_("Votre demande de site pour %(name)s") % {"name": association.name},
        template="association_refused",
        context={"association": association, "reason": reason},
    )
    events.association_refused.send(sender=Association, association=association)
    _purge_public_pages(association)
    return association


@transaction.atomic
def association_suspend(*, association: Association, suspended_by: User) -> Association:
    association.status = AssociationStatus.SUSPENDED
    association.save(update_fields=["status", "updated_at"])
    events.association_suspended.send(sender=Association, association=association)
    _purge_public_pages(association)
    return association


def _purge_public_pages(association: Association) -> None:
    """Cached public pages show the record (name, colours, status): stale once it changes; so is
    the list of served domains (only an active association's domain is served)."""
    purge_after_commit(association.slug)
    forget_sites_after_commit()


@transaction.atomic
def association_record_saved(*, association: Association) -> None:
    """After an edit of the record: its custom domain, its cached pages, and the apps above
    (the directory's actor copies the name, address, contacts and logo)."""
    association_sync_site(association=association)
    events.association_record_changed.send(sender=Association, association=association)


@transaction.atomic
def association_sync_site(*, association: Association) -> Site | None:
    """Keep the optional custom domain's Wagtail Site pointing at the association's Accueil
    (called after every edit of the record, which also makes its cached pages stale).

    The Site's port carries the platform's scheme (443: https://domain) so every URL Wagtail
    builds for these pages (links, feeds, sitemap, e-mails) uses the domain; every process drops
    its site root paths and served domains once this is committed (associations/domains.py)."""
    _purge_public_pages(association)
    domain = association.custom_domain
    existing = Site.objects.filter(root_page=association.home_page).exclude(is_default_site=True)
    stale = existing.exclude(hostname=domain)
    changed = stale.exists()
    stale.delete()
    site = None
    if domain:
        port = site_port()
        site = Site.objects.filter(hostname=domain).first()
        if site is None:
            site = Site.objects.create(
                hostname=domain, port=port, root_page=association.home_page, site_name=association.name
            )
            changed = True
        elif (site.port, site.root_page_id, site.site_name) != (port, association.home_page_id, association.name):
            site.port, site.root_page, site.site_name = port, association.home_page, association.name
            site.save()
            changed = True
    if changed:
        forget_sites_after_commit()
    return site


def user_handles_money_of(user: User | None, association: Association) -> bool:
    if user is None:
        return False
    return user_is_platform_staff(user) or associations_with_money_of(user).filter(pk=association.pk).exists()


@transaction.atomic
def editor_invite(
    *, association: Association, email: str, invited_by: User, role: str = InvitationRole.EDITOR
) -> Invitation:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Cette adresse e-mail n'est pas valide.")}) from exc
    if role == InvitationRole.TREASURER and not user_handles_money_of(invited_by, association):
        # otherwise an editor could invite a second address of hers and see every payer
        raise ValidationError(
            {"role": _("Seul un trésorier de l'association (ou l'équipe) peut inviter un trésorier.")}
        )
    group = _team_group(association, role)
    if group.user_set.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Cette personne fait déjà partie de l'équipe.")})
    invitation = Invitation.objects.create(
        association=association,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    send_templated_email(
        to=[email],
        subject=(
            _("%(name)s vous invite à contrôler les billets à l'entrée de ses événements")
            if role == InvitationRole.DOOR
            else _("%(name)s vous invite à modifier son site sur Kollektif")
        )
        % {"name": association.name},
        template="invitation",
        context={"invitation": invitation, "association": association, "invited_by": invited_by},
        about=invitation,  # its state shows on the invitations list
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Association:
    invitation = Invitation.objects.select_for_update().select_related("association").get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("Cette invitation a déjà servi ou a expiré. Demandez-en une nouvelle."))
    from allauth.account.models import EmailAddress

    # The invitation was sent to a mailbox: whoever accepts it must have proved they read that
    # mailbox, not just typed the same address at signup (see selectors.user_verified_emails).
    invited = invitation.email.lower()
    if invited not in user_verified_emails(user):
        known = {user.email.lower()} | {
            address.lower() for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
        if invited in known:
            raise ValidationError(
                _(
                    "Confirmez d'abord votre adresse %(email)s avec le lien que nous vous avons envoyé (ou depuis "
                    "« Adresses e-mail » dans votre compte), puis ouvrez de nouveau cette invitation."
                )
                % {"email": invitation.email}
            )
        raise ValidationError(
            _("Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse.")
            % {"email": invitation.email}
        )
    association = invitation.association
    user.groups.add(_team_group(association, invitation.role))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return association


@transaction.atomic
def association_stripe_account_update(*, account: Mapping[str, Any]) -> bool:
    """Record what Stripe says of an association's Connect account (``account.updated``)."""
    association = Association.objects.select_for_update().filter(stripe_account_id=account["id"]).first()
    if association is None:
        return False
    association.stripe_charges_enabled = bool(account["charges_enabled"]) if "charges_enabled" in account else False
    association.stripe_details_submitted = (
        bool(account["details_submitted"]) if "details_submitted" in account else False
    )
    association.save(update_fields=["stripe_charges_enabled", "stripe_details_submitted", "updated_at"])
    return True
