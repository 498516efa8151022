"""StreamField blocks shared by every page of the platform and of the associations.

Volunteers edit "as simply as a Word document": a short, plain list of blocks, each with a
French label and help text, and every image carries its alternative text (RGAA 1.1).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
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


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(
        label=_("Adresse de la vidéo"),
        help_text=_("Lien YouTube, Vimeo, PeerTube ou Dailymotion."),
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
