"""Synthetic frames for the video tests: a textured square moving over a textured, static background."""

from __future__ import annotations

import numpy as np
from PIL import Image


def texture(height: int, width: int, seed: int, low: float, high: float) -> np.ndarray:
    """Smooth random RGB texture in [low, high]: noise on a grid of 4 px, upsampled bicubically."""
    coarse = np.random.default_rng(seed).uniform(low, high, (height // 4 + 1, width // 4 + 1, 3))
    pixels = Image.fromarray((coarse * 255).astype(np.uint8)).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(pixels, np.float32) / 255.0


def square_frame(x: int, size: int = 64, side: int = 24, top: int = 20) -> np.ndarray:
    """The background (dark texture) with the square (bright texture) at column `x`, rows top to top + side."""
    frame = texture(size, size, 1, 0.0, 0.5)
    frame[top : top + side, x : x + side] = texture(side, side, 2, 0.5, 1.0)
    return frame
