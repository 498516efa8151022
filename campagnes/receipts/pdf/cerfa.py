"""The fixed wording of the two Cerfa tax receipts: form numbers, titles, boxes, legal sentences.

Why a module of its own: these strings are the law's, not ours. The tax administration
publishes the models and a receipt made by software must carry every mention of the model
word for word (BOI-IR-RICI-250-40 § 20 for individuals; CGI art. 238 bis 5 bis and the
rescrit of 21 June 2023 for companies), even when its layout differs:

* individuals: form 2041-RD, Cerfa n° 11580*05, "Reçu des dons et versements effectués par les
  particuliers au titre des articles 200 et 978 du code général des impôts" (impots.gouv.fr,
  edition of 2023, https://www.impots.gouv.fr/formulaire/2041-rd/recu-des-dons-et-versements-effectues-par-les-particuliers);
  article 238 bis is no longer on it: companies have their own model since 1 January 2022;
* companies: form 2041-MEC-SD, Cerfa n° 16216*03 (the edition in force in 2026; *01 was
  the 2022 one), "Reçu des dons et versements effectués par les entreprises au titre de
  l'article 238 bis du code général des impôts".

The 75 % rate of CGI art. 200-1 ter was extended by the loi de finances pour 2025 (loi
n° 2025-127 du 14 février 2025, for gifts made from 15 February 2025) to organisations that
help victims of domestic violence; its box reproduces the words of the law. Kept together, a
new edition of a form is one diff in one file. Not translated: a French tax document stays
French whatever the request's language.
"""

from __future__ import annotations

# --- individuals: 2041-RD ---------------------------------------------------------------
FORM_INDIVIDUAL = "2041-RD"
CERFA_INDIVIDUAL = "11580*05"
TITLE_INDIVIDUAL = (
    "Reçu des dons et versements effectués par les particuliers au titre des articles 200 et 978 "
    "du code général des impôts"
)
# The articles an individual's gift can fall under: income tax (200) and IFI (978), nothing else.
ARTICLES = ("200", "978")
FORMS = ("Acte authentique", "Acte sous seing privé", "Déclaration de don manuel")
NATURE_CASH = "Numéraire"
NATURE_SHARES = "Titres de sociétés cotés"
NATURE_INCOME = "Abandon exprès de revenus ou de produits"
NATURE_VOLUNTEER = "Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement"
NATURES = (NATURE_CASH, NATURE_SHARES, NATURE_INCOME, NATURE_VOLUNTEER)
METHOD_HEADING_INDIVIDUAL = "En cas de don en numéraire, mode de versement du don"
# The form groups the payment methods in three boxes (a fourth, "Autre", on the company model).
METHOD_BOXES = (
    ("Remise d'espèces", frozenset({"especes"})),
    ("Chèque", frozenset({"cheque"})),
    ("Virement, prélèvement, carte bancaire", frozenset({"virement", "prelevement", "carte"})),
)
RECEIVED_INDIVIDUAL = (
    "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à réduction d'impôt, "
    "la somme de :"
)
CERTIFY = (
    "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à "
    "la réduction d'impôt prévue à l'article"
)

# --- the beneficiary's boxes ---------------------------------------------------------------
GENERAL_INTEREST_INDIVIDUAL = (
    "Œuvre ou organisme d'intérêt général ayant un caractère philanthropique, éducatif, scientifique, "
    "social, humanitaire, sportif, familial, culturel ou concourant à la mise en valeur du patrimoine "
    "artistique, à la défense de l'environnement naturel ou à la diffusion de la culture, de la langue et "
    "des connaissances scientifiques françaises"
)
GENERAL_INTEREST_COMPANY = (
    "Œuvre ou organisme d'intérêt général ayant un caractère philanthropique, éducatif, scientifique, "
    "social, humanitaire, sportif, familial, culturel ou concourant à l'égalité entre les femmes et les "
    "hommes, à la mise en valeur du patrimoine artistique, à la défense de l'environnement naturel ou à la "
    "diffusion de la culture, de la langue et des connaissances scientifiques françaises"
)
# Sub-boxes of the general interest box, by the key stored on the snapshot (document.BENEFICIARY_TYPES).
GENERAL_INTEREST_BOXES_INDIVIDUAL = (
    ("interet-general", "Association loi 1901"),
    (
        "rup",
        "Association ou fondation reconnue d'utilité publique par décret en date du {decree} publié au "
        "Journal officiel du {journal}",
    ),
    (
        "aide-personnes",
        "Organisme sans but lucratif fournissant gratuitement une aide alimentaire ou des soins médicaux à "
        "des personnes en difficulté ou favorisant leur logement",
    ),
    (
        "violences-domestiques",
        "Organisme sans but lucratif qui exerce des actions concrètes en faveur des victimes de violence "
        "domestique, qui leur propose un accompagnement ou qui contribue à favoriser leur relogement",
    ),
)
GENERAL_INTEREST_BOXES_COMPANY = (
    ("interet-general", "Association loi 1901"),
    GENERAL_INTEREST_BOXES_INDIVIDUAL[1],
    (
        "aide-personnes",
        "Organismes sans but lucratif fournissant gratuitement une aide alimentaire, des soins médicaux ou "
        "des produits de première nécessité à des personnes en difficulté ou favorisant leur logement",
    ),
)
OTHER_BOXES = (
    (
        "festival",
        "Organisme public ou privé dont la gestion est désintéressée et qui a pour activité principale la "
        "présentation au public d'œuvres dramatiques, lyriques, musicales, chorégraphiques, "
        "cinématographiques, audiovisuelles et de cirque ou l'organisation d'expositions d'art contemporain",
    ),
    (
        "insertion",
        "Ateliers et chantiers d'insertion (article L. 5132-15 du code du travail), entreprise d'insertion "
        "ou association intermédiaire (articles L. 5132-5 et L. 5132-7 du code du travail)",
    ),
    (
        "enseignement",
        "Établissement d'enseignement supérieur ou d'enseignement artistique public ou privé, d'intérêt "
        "général, à but non lucratif",
    ),
    ("recherche", "Établissement de recherche public ou privé, d'intérêt général, à but non lucratif"),
    ("culte", "Association cultuelle ou établissement public des cultes reconnus d'Alsace-Moselle"),
)
OTHER_TYPE = "Autres (précisez) :"

# --- companies: 2041-MEC-SD --------------------------------------------------------------
FORM_COMPANY = "2041-MEC-SD"
CERFA_COMPANY = "16216*03"
TITLE_COMPANY = (
    "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis du code général des impôts"
)
RECEIVED_IN_KIND = (
    "L'organisme bénéficiaire reconnaît avoir reçu, au titre de la réduction d'impôt prévue à l'article 238 bis "
    "du code général des impôts, des dons en nature pour une valeur en euros égale à :"
)
IN_KIND_WORDS = "Valeur totale des dons en nature en toutes lettres"
IN_KIND_DESCRIPTION = (
    "Description exhaustive des biens et prestations reçus et acceptés (nature et quantité) "
    "et détail des salariés mis à disposition"
)
RECEIVED_PAYMENTS = (
    "L'organisme bénéficiaire reconnaît avoir reçu, au titre de la réduction d'impôt prévue à l'article 238 bis "
    "du code général des impôts, des versements pour une valeur totale égale à :"
)
PAYMENTS_WORDS = "Total des versements en toutes lettres"
METHOD_HEADING_COMPANY = "Forme des versements"
METHOD_BOXES_COMPANY = (
    ("Remise d'espèces", frozenset({"especes"})),
    ("Chèque", frozenset({"cheque"})),
    ("Virement, prélèvement ou carte bancaire", frozenset({"virement", "prelevement", "carte"})),
    ("Autre", frozenset({"autre"})),
)
TOTAL_COMPANY = "Montant total des dons et versements reçus par l'organisme :"
TOTAL_WORDS = "Montant total des dons et versements en toutes lettres"
PERIOD_COMPANY = "Date ou période au cours de laquelle les dons et versements ont été effectués"

NUMBER_LABEL = "Numéro d'ordre du reçu"
VALUATION_LABEL = "Méthode de valorisation retenue par l'entreprise"
