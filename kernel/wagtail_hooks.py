"""Purging the public page cache when content changes (see kernel/page_cache.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from kernel.page_cache import purge_page_after_commit

if TYPE_CHECKING:
    from kernel.blocks import VideoValue


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
def purge_after_page_change(request: HttpRequest, page: Page) -> None:
    """The pages of the association the page belongs to (or the platform's) become stale."""
    purge_page_after_commit(page)


def _video_values(page: Page) -> Iterator[VideoValue]:
    """The videos of a page's StreamFields, however deep (sections, columns…)."""
    from wagtail.fields import StreamField

    from kernel.blocks import VideoValue

    def walk(value: Any) -> Iterator[VideoValue]:
        if isinstance(value, VideoValue):
            yield value
        elif isinstance(value, dict) or hasattr(value, "items"):
            for child in value.values():
                yield from walk(child)
        elif isinstance(value, (list, tuple)) or hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
            for child in value:
                yield from walk(getattr(child, "value", child))

    for field in page.specific._meta.get_fields():
        if isinstance(field, StreamField):
            yield from walk(getattr(page.specific, field.name))


# Before any hook that answers with a redirect (Wagtail stops at the first response).
@hooks.register("after_create_page", order=-10)
@hooks.register("after_edit_page", order=-10)
def warn_about_videos_shown_as_links(request: HttpRequest, page: Page) -> None:
    """A video that cannot be embedded is saved all the same (kernel.blocks.VideoLinkBlock):
    tell the editor how the page will show it, in a message, without blocking anything."""
    from django.utils.translation import gettext as _
    from wagtail.admin import messages

    for video in _video_values(page):
        if not video.is_known_provider:
            messages.warning(
                request,
                _(
                    "La vidéo %(url)s vient d'un site que Kollektif ne sait pas intégrer : la page affiche "
                    "un lien vers elle (%(provider)s)."
                )
                % {"url": video.url, "provider": video.provider_name},
            )
        elif not video.html:
            messages.warning(
                request,
                _(
                    "La vidéo %(url)s n'a pas pu être chargée depuis %(provider)s pour l'instant : la page est "
                    "enregistrée et affiche un lien vers la vidéo, le lecteur apparaîtra dès que %(provider)s "
                    "répondra."
                )
                % {"url": video.url, "provider": video.provider_name},
            )
