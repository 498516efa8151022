"""The fixed wording of the two Cerfa tax receipts: form numbers, articles, box labels, legal sentences.

Why a module of its own: these strings are the law's, not ours. The tax administration
publishes the forms (Cerfa n° 11580*05 for individuals, n° 16216*01 for companies,
https://www.service-public.fr/associations/vosdroits/R17454 and /R51389) and a receipt
must carry their mentions word for word (article 200, 238 bis and 978 of the code général
des impôts). Kept together, a new edition of a form is one diff in one file. They are not
translated: a French tax document stays French whatever the request's language.

The labels of the organism types live in ``campagnes.receipts.document.BENEFICIARY_TYPES``
because the stored snapshots and the admin forms use them too.
"""

from __future__ import annotations

CERFA_INDIVIDUAL = "11580*05"
CERFA_COMPANY = "16216*01"

# The articles of the code général des impôts a gift can fall under (boxes of Cerfa 11580*05).
ARTICLES = ("200", "238 bis", "978")
# "Forme du don" and "Nature du don" boxes; anything else is ticked as "Autres : …".
FORMS = ("Acte authentique", "Acte sous seing privé", "Déclaration de don manuel")
NATURES = ("Numéraire", "Titres de sociétés cotés")
# The Cerfa groups the payment methods in three boxes.
METHOD_BOXES = (
    ("Remise d'espèces", frozenset({"especes"})),
    ("Chèque", frozenset({"cheque"})),
    ("Virement, prélèvement, carte bancaire", frozenset({"virement", "prelevement", "carte"})),
)

TITLE_INDIVIDUAL = "Reçu au titre des dons à certains organismes d'intérêt général"
SUBTITLE_INDIVIDUAL = "Articles 200, 238 bis et 978 du code général des impôts"
TITLE_COMPANY = (
    "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis du code général des impôts"
)
NUMBER_LABEL = "N° d'ordre du reçu :"

RECEIVED = (
    "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à "
    "réduction d'impôt, la somme de : "
)
CERTIFY = (
    "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à "
    "la réduction d'impôt prévue à l'article"
)
CERTIFY_COMPANY = f"{CERTIFY} 238 bis du code général des impôts."
