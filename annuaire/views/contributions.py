"""La carte à compléter: anyone proposes an actor or a link; an actor claims its entry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from annuaire import selectors, services
from annuaire.forms import ActorOwnerForm, ActorProposalForm, ClaimForm, LinkProposalForm
from annuaire.models import Actor, ProposalKind, ProposalStatus


def _rate_limited(request) -> bool:
    """Contributions are open to anyone: a robot may post a few, not hundreds."""
    if request.method != "POST":
        return False
    return is_ratelimited(
        request, group="annuaire-contribution", key="ip", rate=settings.KOLLEKTIF_CONTRIBUTION_RATE, increment=True
    )


def _too_many(request, template: str, form):
    form.add_error(None, _("Trop de propositions envoyées depuis votre connexion : réessayez dans une heure."))
    return render(request, template, {"form": form}, status=429)


def _propose(request, form_class, kind: str, template: str):
    form = form_class(request.POST or None, initial=request.GET.dict() if request.method == "GET" else None)
    if request.method == "POST":
        if _rate_limited(request):
            return _too_many(request, template, form)
        if form.is_valid():
            try:
                services.proposal_submit(
                    kind=kind,
                    data=form.proposal_data(),
                    submitter_name=form.cleaned_data["submitter_name"],
                    submitter_email=form.cleaned_data["submitter_email"],
                    user=request.user if request.user.is_authenticated else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Merci ! Votre proposition sera relue par l'équipe d'animation du réseau."))
                return redirect("annuaire:directory")
        return render(request, template, {"form": form}, status=400)
    return render(request, template, {"form": form})


def propose_actor(request):
    return _propose(request, ActorProposalForm, ProposalKind.ACTOR, "annuaire/propose_actor.html")


def propose_link(request):
    return _propose(request, LinkProposalForm, ProposalKind.LINK, "annuaire/propose_link.html")


def _public_actor(slug: str) -> Actor:
    actor = Actor.objects.public().filter(slug=slug).first()
    if actor is None:
        raise Http404
    return actor


@login_required
def claim(request, slug: str):
    actor = _public_actor(slug)
    template = "annuaire/claim.html"
    already = actor.owners.filter(pk=request.user.pk).exists()
    pending = actor.proposals.filter(kind=ProposalKind.CLAIM, user=request.user, status=ProposalStatus.PENDING).exists()
    form = ClaimForm(request.POST or None)
    context = {"form": form, "actor": actor, "already": already, "pending": pending}
    if request.method == "POST" and not (already or pending):
        if _rate_limited(request):
            form.add_error(None, _("Trop de demandes envoyées depuis votre connexion : réessayez dans une heure."))
            return render(request, template, context, status=429)
        if form.is_valid():
            services.proposal_submit(
                kind=ProposalKind.CLAIM,
                data={"name": actor.name, "message": form.cleaned_data["message"]},
                submitter_name=request.user.get_full_name() or request.user.email,
                submitter_email=request.user.email,
                user=request.user,
                actor=actor,
            )
            messages.success(request, _("Votre demande est envoyée : l'équipe d'animation vous répondra par e-mail."))
            return redirect(actor.get_absolute_url())
        return render(request, template, context, status=400)
    return render(request, template, context)


@login_required
def owner_edit(request, slug: str):
    actor = _public_actor(slug)
    if not (actor.owners.filter(pk=request.user.pk).exists() or selectors.user_is_animator(request.user)):
        raise PermissionDenied
    form = ActorOwnerForm(request.POST or None, instance=actor)
    if request.method == "POST":
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.fields}
            try:
                services.actor_update(actor=Actor.objects.get(pk=actor.pk), updated_by=request.user, **changes)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("La fiche est mise à jour."))
                return redirect(actor.get_absolute_url())
        return render(request, "annuaire/owner_edit.html", {"form": form, "actor": actor}, status=400)
    return render(request, "annuaire/owner_edit.html", {"form": form, "actor": actor})
