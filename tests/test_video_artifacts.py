import numpy as np
from PIL import ImageFont

from nst.video.artifacts import LABEL_HEIGHT, _labelled


def _ink_columns(strip: np.ndarray) -> np.ndarray:
    """Columns of a label strip where any pixel differs from the strip's background (its top-left pixel)."""
    return np.flatnonzero(np.any(np.abs(strip.astype(int) - strip[0, 0].astype(int)).sum(-1) > 60, axis=0))


def test_a_label_wider_than_its_panel_is_shortened_to_fit_and_a_short_one_is_kept():
    font = ImageFont.load_default(size=12)
    narrow = _labelled(np.zeros((8, 64, 3), np.float32), "feedforward", font)[:LABEL_HEIGHT]
    wide = _labelled(np.zeros((8, 256, 3), np.float32), "feedforward", font)[:LABEL_HEIGHT]
    assert _ink_columns(narrow).max() < 62  # the text stops before the panel's edge
    assert _ink_columns(wide).max() > _ink_columns(narrow).max()  # the whole word where it fits
