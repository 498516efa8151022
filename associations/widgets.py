"""wagtailgeowidget's Leaflet field, with Leaflet served from our own static files.

wagtailgeowidget 9.1 loads Leaflet from unpkg.com; the admin must work offline and under a
Content-Security-Policy that allows no third-party script, so the media are replaced.
"""

from django import forms
from django.utils.functional import cached_property
from wagtailgeowidget.widgets import LeafletField

LEAFLET_CSS = "site_kollektif/vendor/leaflet/leaflet.css"
LEAFLET_JS = "site_kollektif/vendor/leaflet/leaflet.js"


class LocalLeafletField(LeafletField):
    @cached_property
    def media(self):
        return forms.Media(
            css={"all": ("wagtailgeowidget/css/leaflet-field.css", LEAFLET_CSS)},
            js=(
                LEAFLET_JS,
                "wagtailgeowidget/js/leaflet-field.js",
                "wagtailgeowidget/js/leaflet-field-controller.js",
            ),
        )
