"""Links that arrive by e-mail: unsubscribe from the feuilles de chou, the watch network's actions.

Both follow the same rule: opening the link (a mail scanner or a phone's preview does) changes
nothing; it shows a page with one button, and only that POST writes.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annuaire import services
from annuaire.feuille import feuille_unsubscribe, recipient_from_token
from annuaire.models import ContactKind
from annuaire.watch import action_from_token


def _message(request, *, title: str, message: str, status: int):
    return render(request, "annuaire/email_link.html", {"title": title, "message": message}, status=status)


@require_http_methods(["GET", "POST"])
def feuille_unsubscribe_view(request, token: str):
    recipient = recipient_from_token(token)
    if recipient is None:
        return _message(
            request,
            title=_("Lien de désinscription invalide"),
            message=_("Ce lien est incomplet ou a été modifié : copiez-le en entier depuis l'e-mail reçu."),
            status=400,
        )
    used = _message(
        request,
        title=_("Lien déjà utilisé"),
        message=_(
            "Ce lien de désinscription a déjà servi : %(email)s ne reçoit plus les feuilles de chou. "
            "Pour les recevoir de nouveau, écrivez à l'équipe d'animation du réseau."
        )
        % {"email": recipient.email},
        status=410,
    )
    if recipient.unsubscribed_at is not None:
        return used
    if request.method == "POST":
        if not feuille_unsubscribe(recipient):
            return used
        return _message(
            request,
            title=_("Désinscription enregistrée"),
            message=_("%(email)s ne recevra plus les feuilles de chou des rencontres du réseau.")
            % {"email": recipient.email},
            status=200,
        )
    return render(
        request,
        "annuaire/email_link.html",
        {
            "title": _("Ne plus recevoir les feuilles de chou"),
            "message": _(
                "Vous avez reçu la feuille de chou de « %(title)s » à l'adresse %(email)s. "
                "Confirmez pour ne plus recevoir celles des prochaines rencontres."
            )
            % {"title": recipient.meeting.title, "email": recipient.email},
            "button": _("Me désinscrire"),
        },
    )


@require_http_methods(["GET", "POST"])
def watch_action_view(request, token: str):
    action = action_from_token(token)
    if action is None:
        return _message(
            request,
            title=_("Lien de veille invalide ou expiré"),
            message=_(
                "Ce lien a été modifié ou date de plus de 60 jours. Notez les nouvelles depuis "
                "l'administration, menu « Réseau de veille »."
            ),
            status=400,
        )
    actor, kind, user = action
    label = ContactKind(kind).label
    if request.method == "POST":
        services.actor_news_taken(actor=actor, by=user, kind=kind)
        return _message(
            request,
            title=_("C'est noté"),
            message=_("%(name)s : « %(kind)s » le %(date)s. La structure sort de la liste de veille.")
            % {"name": actor.name, "kind": label, "date": actor.last_contact_at.strftime("%d/%m/%Y")},
            status=200,
        )
    return render(
        request,
        "annuaire/email_link.html",
        {
            "title": _("Réseau de veille : %(name)s") % {"name": actor.name},
            "message": _("Enregistrer « %(kind)s » comme dernières nouvelles de %(name)s, à la date d'aujourd'hui ?")
            % {"kind": label, "name": actor.name},
            "button": _("Enregistrer : %(kind)s") % {"kind": label},
        },
    )
