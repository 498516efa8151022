"""The colour themes an association can choose for its site.

Each theme pairs a background with the text drawn on it; only pairs whose contrast ratio is
at least 4.5:1 (WCAG 2.1 AA, RGAA criterion 3.2) are offered, so a volunteer cannot pick an
unreadable combination. ``contrast_ratio`` is the WCAG formula, checked by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

MIN_CONTRAST = 4.5


@dataclass(frozen=True)
class Theme:
    key: str
    label: StrOrPromise  # translated when shown
    primary: str  # background of the header, buttons
    on_primary: str  # text on that background
    accent: str  # links on white

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.primary, self.on_primary)


THEMES: dict[str, Theme] = {
    theme.key: theme
    for theme in (
        Theme("bleu-nuit", _("Bleu nuit"), "#1d3557", "#ffffff", "#1d3557"),
        Theme("vert-foret", _("Vert forêt"), "#1b5e20", "#ffffff", "#1b5e20"),
        Theme("bordeaux", _("Bordeaux"), "#7b1e3a", "#ffffff", "#7b1e3a"),
        Theme("violet", _("Violet"), "#4a148c", "#ffffff", "#4a148c"),
        Theme("ardoise", _("Ardoise"), "#37474f", "#ffffff", "#37474f"),
        Theme("terre-cuite", _("Terre cuite"), "#a0401c", "#ffffff", "#a0401c"),
        Theme("canard", _("Bleu canard"), "#00606b", "#ffffff", "#00606b"),
        Theme("soleil", _("Soleil"), "#f5c518", "#1a1a1a", "#7a5c00"),
    )
}
DEFAULT_THEME = "bleu-nuit"
THEME_CHOICES = [(theme.key, theme.label) for theme in THEMES.values()]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def get_theme(key: str | None) -> Theme:
    return THEMES.get(key or DEFAULT_THEME, THEMES[DEFAULT_THEME])
