import pytest

from kernel.palette import MIN_CONTRAST, THEMES, contrast_ratio


@pytest.mark.parametrize("key", sorted(THEMES))
def test_every_theme_is_readable(key):
    theme = THEMES[key]
    assert theme.contrast >= MIN_CONTRAST
    assert contrast_ratio(theme.accent, "#ffffff") >= MIN_CONTRAST  # links on white


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
