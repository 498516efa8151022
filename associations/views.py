"""Public views of the association space: "Mon espace", the signup form, invitations."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from associations.forms import AssociationSignupForm
from associations.geocoding import locate
from associations.models import Association, Invitation
from associations.models.association import InvitationRole
from associations.selectors import associations_for_user, invitations_pending_for
from associations.services import association_onboard, invitation_accept


def _has_verified_email(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists() or user.is_superuser


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    associations = associations_for_user(request.user).select_related("home_page", "commune")
    return render(
        request,
        "associations/my_space.html",
        {"associations": associations, "invitations": invitations_pending_for(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def association_signup(request: HttpRequest) -> HttpResponse:
    if not _has_verified_email(request.user):
        messages.error(request, _("Confirmez d'abord votre adresse e-mail avec le lien reçu."))
        return redirect("account_email")
    form = AssociationSignupForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("accept_terms")
            logo = data.pop("logo_upload", None)
            sectors = data.pop("sectors", [])
            # A position from the address when a geocoder is set up; otherwise none, and the
            # map shows the association at its commune's centre (approximate).
            position = locate(
                data.get("street_address", ""), data["commune"].code, postal_code=data.get("postal_code", "")
            )
            if position:
                data["latitude"], data["longitude"] = position
            try:
                association = association_onboard(
                    created_by=request.user, sectors=sectors, logo_file=logo or None, **data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande pour %(name)s est enregistrée : l'équipe Kollektif la valide sous peu. "
                        "Vous pouvez déjà préparer vos pages."
                    )
                    % {"name": association.name},
                )
                return redirect("associations:mon_espace")
        return render(request, "associations/signup.html", {"form": form}, status=400)
    return render(request, "associations/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("association"), token=token)
    context = {"invitation": invitation, "association": invitation.association}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            association: Association = invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "associations/invitation.html", context, status=400)
        messages.success(request, _("Bienvenue dans l'équipe de %(name)s !") % {"name": association.name})
        if invitation.role == InvitationRole.DOOR:
            return redirect("wagtailadmin_home")  # no page to edit: the dashboard leads to the check-in page
        return redirect("wagtailadmin_explore", association.home_page_id)
    if not invitation.is_usable:
        context["error"] = _("Cette invitation a déjà servi ou a expiré. Demandez-en une nouvelle.")
        return render(request, "associations/invitation.html", context, status=410)
    return render(request, "associations/invitation.html", context)
