from django.urls import path

from annuaire.views import contributions, directory, feuille, meetings, network

app_name = "annuaire"

urlpatterns = [
    path("annuaire/", directory.directory, name="directory"),
    path("annuaire/acteurs.geojson", directory.geojson, name="geojson"),
    path("annuaire/suggestions/<slug:source>.json", directory.suggestions, name="suggestions"),
    path("annuaire/proposer/", contributions.propose_actor, name="propose_actor"),
    path("annuaire/proposer-un-lien/", contributions.propose_link, name="propose_link"),
    path("annuaire/<slug:slug>/", directory.actor_detail, name="actor"),
    path("annuaire/<slug:slug>/gerer/", contributions.claim, name="claim"),
    path("annuaire/<slug:slug>/modifier/", contributions.owner_edit, name="owner_edit"),
    path("reseau/", network.network_page, name="network"),
    path("reseau/graphe.json", network.network_json, name="network_json"),
    path("rencontres/", meetings.agenda, name="agenda"),
    path("rencontres/agenda.ics", meetings.agenda_ics, name="agenda_ics"),
    path("rencontres/desinscription/<str:token>/", feuille.feuille_unsubscribe_view, name="feuille_unsubscribe"),
    path("reseau/veille/<str:token>/", feuille.watch_action_view, name="watch_action"),
    path("rencontres/<slug:slug>/", meetings.meeting_detail, name="meeting"),
    path("rencontres/<slug:slug>/inscription/", meetings.meeting_register, name="meeting_register"),
    path("rencontres/inscription/annuler/<str:token>/", meetings.meeting_unregister, name="meeting_unregister"),
    path("rencontres/<slug:slug>/imprimer/", meetings.meeting_print, name="meeting_print"),
    path("rencontres/<slug:slug>/feuille-de-chou.pdf", meetings.meeting_pdf, name="meeting_pdf"),
]
