"""StreamField blocks shared by every page of the platform and of the associations.

Volunteers edit "as simply as a Word document": a short, plain list of blocks, each with a
French label and help text, and every image carries its alternative text (RGAA 1.1).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock, EmbedValue
from wagtail.embeds.oembed_providers import all_providers
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/captioned_image_block.html"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de la galerie"), required=False, max_length=120)
    images = blocks.ListBlock(CaptionedImageBlock(), label=_("Images"), min_num=1)

    class Meta:
        icon = "image"
        label = _("Galerie")
        template = "blocks/gallery_block.html"


# Names shown on a video's link card when the player cannot be embedded (host -> provider).
KNOWN_VIDEO_HOSTS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo",
    "dailymotion.com": "Dailymotion",
    "dai.ly": "Dailymotion",
    "peertube.fr": "PeerTube",
    "framatube.org": "PeerTube",
}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def video_provider_name(url: str) -> str:
    """ "YouTube" for a YouTube link, else the site's host name ("tube.exemple.org")."""
    host = _host(url)
    for known, name in KNOWN_VIDEO_HOSTS.items():
        if host == known or host.endswith("." + known):
            return name
    return host


def is_known_video_provider(url: str) -> bool:
    """Whether an oEmbed provider Wagtail knows (YouTube, Vimeo, Dailymotion…) serves this URL."""
    if any(host == _host(url) for host in KNOWN_VIDEO_HOSTS):
        return True
    return any(re.match(pattern, url) for provider in all_providers for pattern in provider["urls"])


class VideoValue(EmbedValue):
    """A video URL that renders as the provider's player when it can be fetched, and as a link
    card (title, provider, link) when it cannot: provider unknown, offline, or down."""

    @cached_property
    def provider_name(self) -> str:
        return video_provider_name(self.url)

    @cached_property
    def is_known_provider(self) -> bool:
        return is_known_video_provider(self.url)


class VideoLinkBlock(EmbedBlock):
    """An ``EmbedBlock`` that never refuses a well-formed URL.

    Wagtail's ``EmbedBlock.clean`` fetches the oEmbed data while the page is saved, so an
    offline machine or an oEmbed outage refused *every* save of a page holding a video, on a
    block the editor never touched ("Impossible de trouver une intégration pour cette URL").
    Here saving only checks the URL; the player is looked up when the page is rendered
    (``EmbedValue.html``, which yields "" on failure) and the template falls back to a link
    card. The editor is warned after saving (``kernel.wagtail_hooks``), never blocked.
    """

    def _value(self, url: str) -> VideoValue:
        return VideoValue(url, getattr(self.meta, "max_width", None), getattr(self.meta, "max_height", None))

    def get_default(self) -> VideoValue | None:
        default = super().get_default()
        return self._value(default.url) if default else None

    def to_python(self, value: Any) -> VideoValue | None:
        return self._value(value) if value else None

    def value_from_form(self, value: Any) -> VideoValue | None:
        return self._value(value) if value else None

    def normalize(self, value: Any) -> VideoValue | None:
        if isinstance(value, EmbedValue):
            return self._value(value.url) if value.url else None
        return self._value(value) if value else None

    def clean(self, value: Any) -> Any:
        return blocks.URLBlock.clean(self, value)


class VideoBlock(blocks.StructBlock):
    video = VideoLinkBlock(
        label=_("Adresse de la vidéo"),
        help_text=_(
            "Lien YouTube, Vimeo, PeerTube ou Dailymotion. Si la vidéo ne peut pas être intégrée, "
            "la page affiche un lien vers elle."
        ),
    )
    title = blocks.CharBlock(label=_("Titre de la vidéo"), max_length=200)
    caption = blocks.CharBlock(label=_("Description"), required=False, max_length=300)

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "blocks/video_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citation"))
    attribution = blocks.CharBlock(label=_("Auteur ou autrice"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "blocks/quote_block.html"


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Texte du bouton"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page du site"), required=False)
    url = blocks.URLBlock(label=_("ou adresse externe"), required=False)

    class Meta:
        icon = "link"
        label = _("Bouton d'action")
        template = "blocks/call_to_action_block.html"

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:

        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choisissez une page ou indiquez une adresse."))}
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Fichier"))
    label = blocks.CharBlock(label=_("Intitulé du lien"), required=False, max_length=150)

    class Meta:
        icon = "doc-full"
        label = _("Fichier à télécharger")
        template = "blocks/document_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Texte"), features=RICH_TEXT_FEATURES, template="blocks/paragraph_block.html"
    )
    image = CaptionedImageBlock()
    gallery = GalleryBlock()
    video = VideoBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentBlock()


class ProjectBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Nom du projet"), max_length=150)
    status = blocks.ChoiceBlock(
        label=_("Avancement"),
        choices=[("idee", _("En réflexion")), ("en-cours", _("En cours")), ("termine", _("Terminé"))],
        default="en-cours",
    )
    image = ImageBlock(label=_("Image"), required=False)
    description = blocks.RichTextBlock(label=_("Description"), features=RICH_TEXT_FEATURES)
    link = blocks.URLBlock(label=_("Pour en savoir plus"), required=False)

    class Meta:
        icon = "pick"
        label = _("Projet")
        template = "blocks/project_block.html"


class ProjectsStreamBlock(BaseStreamBlock):
    project = ProjectBlock()
