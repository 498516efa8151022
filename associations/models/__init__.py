from .association import Association, AssociationStatus, Invitation, LegalForm, TaxBasis, TaxOtherType, TaxStatus
from .pages import (
    AssociationHomePage,
    NewsIndexPage,
    NewsPostPage,
    NewsPostTag,
    ProjectsPage,
    SupportPage,
)
from .taxonomy import Sector
from .territory import Commune, Epci

__all__ = [
    "Association",
    "TaxBasis",
    "TaxOtherType",
    "TaxStatus",
    "AssociationHomePage",
    "AssociationStatus",
    "Commune",
    "Epci",
    "Invitation",
    "LegalForm",
    "NewsIndexPage",
    "NewsPostPage",
    "NewsPostTag",
    "ProjectsPage",
    "Sector",
    "SupportPage",
]
