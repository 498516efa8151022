"""Demo directory: organisations named in the department's own documents (names and towns only),
their links (the BookKafé collective…) and three meetings with their feuille de chou.

Descriptions and the towns of organisations whose town is not given in the documents are
invented for the demo; no personal data. Idempotent: run again, nothing is duplicated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from annuaire import services
from annuaire.models import Actor, Label, Link, Meeting, MeetingStatus, Topic
from associations.models import Association, Commune, Sector

PARIS = ZoneInfo("Europe/Paris")
AMBASSADOR = "ambassadeur-ess"

# Approximate centres of the communes used (public geography), to place the markers.
CENTRES = {
    "62041": ("50.2910", "2.7775"),
    "62119": ("50.5303", "2.6408"),
    "62178": ("50.4833", "2.5500"),
    "62489": ("50.5372", "2.5367"),
    "62498": ("50.4322", "2.8333"),
    "62510": ("50.4190", "2.7790"),
    "62765": ("50.7500", "2.2522"),
    "62268": ("50.6700", "1.8350"),
    "62473": ("50.6236", "2.4578"),
    "62160": ("50.7264", "1.6147"),
    "62193": ("50.9513", "1.8587"),
    "62427": ("50.4225", "2.9511"),
    "62048": ("50.5058", "2.4728"),
    "62767": ("50.3811", "2.3347"),
    "62133": ("50.4186", "2.9050"),
    "62587": ("50.4258", "2.9361"),
    "62376": ("50.5636", "2.5767"),
}

# name, kind, commune, sectors, labels, can help with, looks for, description
ACTORS = [
    (
        "Indelab",
        "scic",
        "62178",
        ["numerique"],
        [AMBASSADOR],
        ["numerique", "statuts-cooperatifs"],
        ["graphisme"],
        "SCIC qui fabrique des outils numériques pour l'ESS, dont Kollektif.",
    ),
    (
        "Brunö Atelier graphique",
        "entreprise-engagee",
        "62178",
        ["arts-et-culture"],
        [AMBASSADOR],
        ["graphisme", "communication"],
        ["pret-de-locaux"],
        "Atelier de graphisme : identités visuelles, affiches, signalétique.",
    ),
    (
        "Maison d'édition Vous êtes ici",
        "entreprise-engagee",
        "62178",
        ["edition-et-imprimerie"],
        [AMBASSADOR],
        ["impression", "ecriture"],
        ["recherche-de-financements"],
        "Petite maison d'édition et atelier d'impression RISO.",
    ),
    (
        "Maison de la Poésie",
        "association",
        "62041",
        ["arts-et-culture"],
        [AMBASSADOR],
        ["ecriture", "animation-dateliers"],
        ["benevolat"],
        "Lectures, ateliers d'écriture et résidences de poètes.",
    ),
    (
        "Club des entrepreneurs ESS de l'Artois",
        "reseau",
        "62041",
        ["emploi-et-insertion"],
        [AMBASSADOR, "club-des-entrepreneurs-ess"],
        ["statuts-cooperatifs", "comptabilite", "juridique"],
        [],
        "Réseau d'entrepreneurs de l'économie sociale et solidaire de l'Artois.",
    ),
    (
        "Meloko",
        "entreprise-engagee",
        "62498",
        ["alimentation-et-circuits-courts"],
        [AMBASSADOR],
        ["numerique"],
        ["recrutement"],
        "Livraison de courses chez les commerçants et producteurs locaux.",
    ),
    (
        "Toerana Habitat",
        "association",
        "62510",
        ["habitat-et-logement"],
        [AMBASSADOR],
        ["juridique"],
        ["communication"],
        "Accompagnement de projets d'habitat participatif et solidaire.",
    ),
    (
        "Enercoop Nord-Pas-de-Calais",
        "scic",
        "62498",
        ["energie"],
        [AMBASSADOR, "esus"],
        ["statuts-cooperatifs"],
        ["pret-de-locaux"],
        "Fournisseur coopératif d'électricité renouvelable.",
    ),
    (
        "Terre d'Opale",
        "association",
        "62160",
        ["alimentation-et-circuits-courts", "environnement-et-transition"],
        [AMBASSADOR],
        ["animation-dateliers"],
        ["benevolat"],
        "Jardins partagés et circuits courts sur la Côte d'Opale.",
    ),
    (
        "Bou'Sol",
        "reseau",
        "62193",
        ["alimentation-et-circuits-courts", "emploi-et-insertion"],
        [AMBASSADOR],
        ["recrutement"],
        ["graphisme"],
        "Réseau de boulangeries solidaires d'insertion.",
    ),
    (
        "Solis",
        "association",
        "62427",
        ["sante-et-solidarites"],
        [AMBASSADOR],
        ["benevolat"],
        ["pret-de-materiel"],
        "Solidarités de proximité et accompagnement des familles.",
    ),
    (
        "Galilée",
        "association",
        "62048",
        ["jeunesse", "education-populaire"],
        [AMBASSADOR, "budget-citoyen-2025"],
        ["animation-dateliers"],
        ["impression"],
        "Sciences et découvertes pour les jeunes du territoire.",
    ),
    (
        "MAHRA Le Toit",
        "association",
        "62767",
        ["habitat-et-logement", "sante-et-solidarites"],
        [AMBASSADOR],
        ["juridique"],
        ["recherche-de-financements"],
        "Hébergement, accueil et réinsertion.",
    ),
    (
        "Communauté d'agglomération de Béthune-Bruay",
        "collectivite",
        "62119",
        [],
        [],
        ["recherche-de-financements", "pret-de-locaux"],
        [],
        "Intercommunalité partenaire des acteurs de l'ESS du Béthunois et du Bruaysis.",
    ),
    (
        "Atelier de la Lys",
        "scop",
        "62473",
        ["economie-circulaire-et-reemploi"],
        [AMBASSADOR, "budget-citoyen-2024"],
        ["pret-de-materiel", "couture-et-reemploi"],
        ["communication"],
        "Menuiserie de réemploi en SCOP.",
    ),
    (
        "La Ressourcerie du Haut-Pays",
        "association",
        "62268",
        ["economie-circulaire-et-reemploi"],
        [AMBASSADOR],
        ["pret-de-materiel"],
        ["graphisme", "recrutement"],
        "Collecte, réparation et revente d'objets du quotidien.",
    ),
    (
        "Le Tiers-lieu des Gohelles",
        "association",
        "62587",
        ["numerique", "education-populaire"],
        [],
        ["numerique", "pret-de-locaux"],
        ["benevolat"],
        "Tiers-lieu : fablab, coworking et café associatif.",
    ),
    (
        "Cap Compta Solidaire",
        "scop",
        "62510",
        ["emploi-et-insertion"],
        [],
        ["comptabilite"],
        [],
        "Cabinet comptable coopératif pour les associations.",
    ),
]

# source, target, kind, description
LINKS = [
    ("BookKafé", "Indelab", "collectif", "Le collectif BookKafé"),
    ("BookKafé", "Brunö Atelier graphique", "collectif", "Le collectif BookKafé"),
    ("BookKafé", "Popeline", "collectif", "Le collectif BookKafé"),
    ("BookKafé", "Maison d'édition Vous êtes ici", "collectif", "Le collectif BookKafé"),
    ("BookKafé", "La Note bleue", "collectif", "Le collectif BookKafé"),
    ("Indelab", "Brunö Atelier graphique", "mutualisation", "Un atelier partagé à Bruay-la-Buissière"),
    ("Maison d'édition Vous êtes ici", "Brunö Atelier graphique", "mutualisation", "La machine RISO en commun"),
    ("BookKafé", "Maison de la Poésie", "partenariat", "Soirées de lecture dans le Bassin minier"),
    ("Club des entrepreneurs ESS de l'Artois", "Indelab", "marrainage", "Accompagnement de la création de la SCIC"),
    ("BookKafé", "Ma super asso démo", "marrainage", "Premiers pas d'une association sur Kollektif"),
    ("Chemins vers l'emploi", "Atelier de la Lys", "partenariat", "Chantier d'insertion en menuiserie"),
    ("Droit de Cité", "Office de la Jeunesse", "partenariat", "Projets de jeunes du Bassin minier"),
    ("Franche / Connexion", "Le Coron des arts", "collectif", "Collectif artistique de la Gohelle"),
    ("Le Tiers-lieu des Gohelles", "Franche / Connexion", "mutualisation", "Une salle de répétition partagée"),
    ("Communauté d'agglomération de Béthune-Bruay", "BookKafé", "regroupement", "Projet de territoire culture et ESS"),
    ("Communauté d'agglomération de Béthune-Bruay", "Popeline", "regroupement", "Projet de territoire culture et ESS"),
    (
        "Enercoop Nord-Pas-de-Calais",
        "Toerana Habitat",
        "partenariat",
        "Énergie renouvelable pour l'habitat participatif",
    ),
    ("Cap Compta Solidaire", "Solis", "mutualisation", "Comptabilité partagée"),
    ("Bou'Sol", "Terre d'Opale", "partenariat", "Farines locales"),
    ("La Ressourcerie du Haut-Pays", "ADDSE", "partenariat", "Réemploi dans le Haut-Pays"),
    ("Espace 36", "Arabesque d'Artois", "partenariat", "Résidence danse et arts plastiques"),
]

MEETINGS = [
    {
        "slug": "le-bain-chaud",
        "title": "Le bain chaud",
        "kind": "paroles-de-comptoir",
        "theme": "Se lancer dans l'ESS : premiers pas, premières coopérations",
        "when": (2, 26, 18, 30),
        "place": "Salle des fêtes",
        "commune": "62489",
        "host": "BookKafé",
        "expert": "",
        "participants": ["BookKafé", "Indelab", "Popeline", "Galilée", "Meloko"],
        "summary": (
            "Cinq structures autour de la table à Lapugnoy pour une première Paroles de comptoir de l'année. "
            "Chacun a présenté son activité et ce qu'il cherche en ce moment.\n\n"
            "Meloko cherche à recruter des livreurs à vélo ; Galilée a besoin d'impressions pour ses ateliers ; "
            "Popeline voudrait un local pour ses ateliers de couture du samedi."
        ),
        "leads": "Mettre en relation Galilée et la Maison d'édition Vous êtes ici pour les impressions\n"
        "Visiter un local partagé à Bruay-la-Buissière\nProchaine rencontre dans le Ternois",
        "contacts": "BookKafé — via l'annuaire Kollektif\nIndelab — via l'annuaire Kollektif",
    },
    {
        "slug": "atelier-reponse-appel-a-projets-ess",
        "title": "Répondre ensemble à l'appel à projets ESS",
        "kind": "atelier-de-reponse",
        "theme": "Monter un dossier commun de demande de subvention",
        "when": (4, 9, 14, 0),
        "place": "Tiers-lieu",
        "commune": "62587",
        "host": "Le Tiers-lieu des Gohelles",
        "expert": "Une conseillère du Club des entrepreneurs ESS de l'Artois",
        "participants": ["Le Tiers-lieu des Gohelles", "Franche / Connexion", "Le Coron des arts", "Droit de Cité"],
        "summary": "Quatre acteurs de la Gohelle ont travaillé sur une réponse commune : budget partagé, "
        "calendrier, répartition des rôles.",
        "leads": "Désigner une structure porteuse\nPartager le tableau budgétaire",
        "contacts": "Le Tiers-lieu des Gohelles — via l'annuaire Kollektif",
    },
    {
        "slug": "temps-echange-reemploi",
        "title": "Le réemploi, de la collecte à la revente",
        "kind": "temps-d-echange",
        "theme": "Mutualiser la logistique du réemploi",
        "when": (6, 18, 10, 0),
        "place": "Ressourcerie",
        "commune": "62268",
        "host": "La Ressourcerie du Haut-Pays",
        "expert": "",
        "participants": [
            "La Ressourcerie du Haut-Pays",
            "ADDSE",
            "Atelier de la Lys",
            "Popeline",
            "Chemins vers l'emploi",
        ],
        "summary": "Un temps d'échange sur la logistique du réemploi : collecte, stockage et revente.",
        "leads": "Un camion partagé entre trois structures\nUne journée commune de collecte à l'automne",
        "contacts": "La Ressourcerie du Haut-Pays — via l'annuaire Kollektif",
    },
]


def _point(code: str, index: int) -> tuple[Decimal | None, Decimal | None]:
    centre = CENTRES.get(code)
    if centre is None:
        return None, None
    offset = Decimal(index % 5) / 400
    return Decimal(centre[0]) + offset, Decimal(centre[1]) + offset


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load (or complete) the demo directory."""
    for association in Association.objects.all():
        services.actor_sync_from_association(association)
    sectors = {sector.slug: sector for sector in Sector.objects.all()}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    labels = {label.slug: label for label in Label.objects.all()}
    communes = {commune.code: commune for commune in Commune.objects.filter(code__in=[a[2] for a in ACTORS])}
    for index, (name, kind, code, sector_slugs, label_slugs, helps, wants, description) in enumerate(ACTORS):
        if Actor.objects.filter(name=name).exists():
            continue
        latitude, longitude = _point(code, index)
        services.actor_create(
            name=name,
            kind=kind,
            commune=communes[code],
            description=description,
            latitude=latitude,
            longitude=longitude,
            sectors=[sectors[s] for s in sector_slugs],
            labels=[labels[s] for s in label_slugs],
            can_help=[topics[s] for s in helps],
            looking_for=[topics[s] for s in wants],
        )
    actors = {actor.name: actor for actor in Actor.objects.all()}
    ambassadors = [
        actors[name] for name in ("BookKafé", "Popeline", "La Note bleue", "Le Coron des arts") if name in actors
    ]
    for actor in ambassadors:
        actor.labels.add(labels[AMBASSADOR])
    for source, target, kind, description in LINKS:
        if (
            source in actors
            and target in actors
            and not services.link_exists(source=actors[source], target=actors[target], kind=kind)
        ):
            services.link_create(source=actors[source], target=actors[target], kind=kind, description=description)
    today = timezone.localdate()
    for spec in MEETINGS:
        month, day, hour, minute = spec["when"]
        year = today.year if (month, day) < (today.month, today.day) else today.year - 1  # meetings that took place
        meeting, created = Meeting.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "kind": spec["kind"],
                "theme": spec["theme"],
                "starts_at": datetime(year, month, day, hour, minute, tzinfo=PARIS),
                "place": spec["place"],
                "commune": Commune.objects.get(code=spec["commune"]),
                "host": actors.get(spec["host"]),
                "expert": spec["expert"],
                "summary": spec["summary"],
                "leads": spec["leads"],
                "contacts": spec["contacts"],
            },
        )
        if created:
            meeting.participants.set([actors[name] for name in spec["participants"] if name in actors])
            services.meeting_publish(meeting=meeting)
    upcoming_day = timezone.localdate()
    Meeting.objects.get_or_create(
        slug="paroles-de-comptoir-ternois",
        defaults={
            "title": "Paroles de comptoir dans le Ternois",
            "kind": "paroles-de-comptoir",
            "theme": "Trouver des bénévoles",
            "place": "Médiathèque",
            "commune": Commune.objects.get(code="62767"),
            "starts_at": datetime(upcoming_day.year, upcoming_day.month, upcoming_day.day, 18, 0, tzinfo=PARIS)
            + timedelta(days=14),
            "ends_at": datetime(upcoming_day.year, upcoming_day.month, upcoming_day.day, 21, 0, tzinfo=PARIS)
            + timedelta(days=14),
            "capacity": 25,
            "status": MeetingStatus.ANNOUNCED,
            "host": actors.get("MAHRA Le Toit"),
        },
    )
    return {"actors": Actor.objects.count(), "links": Link.objects.count(), "meetings": Meeting.objects.count()}
