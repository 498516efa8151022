"""The association record's own admin screens: moderation (staff) and invitations (editors).

Served under the record's snippet viewset (``wagtail_hooks.AssociationViewSet.get_urlpatterns``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin import messages

from associations import selectors, services
from associations.forms import InvitationForm, ModerationForm
from associations.models import Association
from kernel.mail import latest_emails_about
from kernel.models import EmailStatus

# The URL namespace Wagtail gives the Association snippet viewset.
ASSOCIATION_URLS = "wagtailsnippets_associations_association"


def _association_for(request, pk: int, *, staff_only: bool = False) -> Association:
    association = get_object_or_404(Association, pk=pk)
    if selectors.user_is_platform_staff(request.user):
        return association
    if staff_only or not selectors.associations_edited_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return association


def moderate_view(request, pk: int):
    if not selectors.user_is_platform_staff(request.user):
        raise PermissionDenied
    association = _association_for(request, pk, staff_only=True)
    form = ModerationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.association_approve(association=association, approved_by=request.user)
                    messages.success(
                        request, _("%(name)s est validée : son site est en ligne.") % {"name": association}
                    )
                else:
                    services.association_refuse(
                        association=association, refused_by=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("La demande de %(name)s est refusée.") % {"name": association})
                return redirect(ASSOCIATION_URLS + ":list")
            except ValidationError as exc:
                form.add_error(None, exc)
        status = 400
    return TemplateResponse(
        request,
        "associations/admin/moderate.html",
        {"association": association, "form": form, "page_title": _("Valider ou refuser")},
        status=status,
    )


def _report_invitation_email(request, invitation) -> None:
    """Say what happened to the e-mail, never "sent" before the mail server took it."""
    email = latest_emails_about([invitation]).get(str(invitation.pk))
    values = {"email": invitation.email}
    if email is not None and email.status == EmailStatus.SENT:
        messages.success(request, _("Invitation envoyée à %(email)s.") % values)
    elif email is not None and email.failed:
        messages.warning(
            request,
            _(
                "L'invitation à %(email)s est enregistrée, mais son e-mail n'a pas pu partir : il sera renvoyé "
                "automatiquement. Son état est affiché dans la liste des invitations."
            )
            % values,
        )
    else:
        messages.success(
            request, _("Invitation enregistrée : l'e-mail à %(email)s part dans quelques instants.") % values
        )


def invite_view(request, pk: int):
    association = _association_for(request, pk)
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.editor_invite(
                    association=association,
                    email=form.cleaned_data["email"],
                    invited_by=request.user,
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                _report_invitation_email(request, invitation)
                return redirect(reverse(ASSOCIATION_URLS + ":invite", args=[association.pk]))
        status = 400
    pending = list(association.invitations.filter(accepted_at=None).order_by("-created_at")[:20])
    latest_emails = latest_emails_about(pending)
    for invitation in pending:
        invitation.last_email = latest_emails.get(str(invitation.pk))
    team = association.editors_group.user_set.order_by("email") if association.editors_group else []
    return TemplateResponse(
        request,
        "associations/admin/invite.html",
        {
            "association": association,
            "form": form,
            "pending": pending,
            "team": team,
            "page_title": _("Inviter un bénévole"),
        },
        status=status,
    )
