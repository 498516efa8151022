from .association import Association, AssociationStatus, Invitation, LegalForm
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
