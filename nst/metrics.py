"""Yardsticks: every output is scored the same way, whatever loss made it, from one table.

Feature distances use the same backbone weights as the runs, always with the `gatys` layers. They are
not neutral: the style and content distances are the `mse` loss's own measures with the `gatys` preset
(MSE of Gram matrices, MSE of block4_conv2 features; the loss divides each layer by a reference, the
yardstick averages raw values), so each Yardstick names the losses that optimise it (`optimised_by`).
SSIM and the colour distance are optimised by no loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nst.features import feature_extractor, gram
from nst.layers import PRESETS
from nst.runtime import tf


@dataclass(frozen=True)
class Yardstick:
    name: str  # key in metrics dicts, csv columns and json
    label: str  # table column on the page: "style distance"
    short_label: str  # narrow column (terminal, sheet): "style"
    meaning: str  # one sentence: what it measures
    better: str  # "lower" | "higher"
    format: str  # format spec of its values: ".4g"
    optimised_by: tuple[str, ...] = ()  # registered losses whose own objective this is (with the gatys preset)
    of_image: bool = True  # False: a cost of the run (time), not a property of its image
    log_scale: bool = False  # spans decades across images and losses: plotted on a log axis

    def show(self, value: float) -> str:
        return format(value, self.format)


def _table(*yardsticks: Yardstick) -> dict[str, Yardstick]:
    return {y.name: y for y in yardsticks}


YARDSTICKS = _table(
    Yardstick("style_distance", "style distance", "style",
              "Gatys style distance: MSE of Gram matrices to the style image's, mean over block1_conv1..block5_conv1",
              "lower", ".4g", ("mse",), log_scale=True),
    Yardstick("content_distance", "content distance", "content",
              "MSE of block4_conv2 features to the content image's", "lower", ".4g", ("mse",)),
    Yardstick("ssim", "SSIM to content", "SSIM", "structural similarity to the content image (1 = identical)",
              "higher", ".3f"),
    Yardstick("color_distance", "colour distance", "colour",
              "Hellinger distance of 8x8x8-bin RGB histograms to the style image's, in [0, 1]", "lower", ".3f"),
    Yardstick("seconds", "seconds", "seconds", "wall time of the run, targets included", "lower", ".1f",
              of_image=False),
    Yardstick("seconds_per_iteration", "s / iteration", "s/iter", "seconds per optimizer iteration", "lower",
              ".3f", of_image=False),
)  # fmt: skip
IMAGE_YARDSTICKS = tuple(name for name, y in YARDSTICKS.items() if y.of_image)
HISTOGRAM_BINS = 8


def score(
    output: np.ndarray, content_image: np.ndarray, style_image: np.ndarray, weights: str, pooling: str
) -> dict[str, float]:
    """The image yardsticks (IMAGE_YARDSTICKS) of `output` (H, W, 3) against its content (same shape)
    and style images."""
    extractor = feature_extractor(weights, pooling, PRESETS.get("gatys"))
    output_content, output_style = extractor(tf.constant(output[None], tf.float32))
    content_features, _ = extractor(tf.constant(content_image[None], tf.float32))
    _, style_features = extractor(tf.constant(style_image[None], tf.float32))
    style_distance = np.mean([_mse(gram(a), gram(b)) for a, b in zip(output_style, style_features)])
    return {
        "style_distance": float(style_distance),
        "content_distance": float(np.mean([_mse(a, b) for a, b in zip(output_content, content_features)])),
        "ssim": ssim(output, content_image),
        "color_distance": color_distance(output, style_image),
    }


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two (H, W, 3) images in [0, 1] (Gaussian window 11, as Wang et al. 2004), channel mean."""
    return float(tf.image.ssim(tf.constant(a, tf.float32), tf.constant(b, tf.float32), max_val=1.0))


def color_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance sqrt(1 - sum sqrt(p q)) between the joint RGB histograms of two images."""
    p, q = color_histogram(a), color_histogram(b)
    return float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q)))))


def color_histogram(image: np.ndarray) -> np.ndarray:
    """(HISTOGRAM_BINS**3,) joint RGB histogram of an (H, W, 3) image in [0, 1], summing to 1."""
    bins = np.clip((image.reshape(-1, 3) * HISTOGRAM_BINS).astype(int), 0, HISTOGRAM_BINS - 1)
    index = (bins[:, 0] * HISTOGRAM_BINS + bins[:, 1]) * HISTOGRAM_BINS + bins[:, 2]
    counts = np.bincount(index, minlength=HISTOGRAM_BINS**3).astype(np.float64)
    return counts / counts.sum()


def _mse(a: tf.Tensor, b: tf.Tensor) -> float:
    return float(tf.reduce_mean(tf.square(tf.cast(a, tf.float32) - tf.cast(b, tf.float32))))


def best_losses(metrics_by_loss: dict[str, dict[str, float]]) -> dict[str, str]:
    """Yardstick -> the loss that did best on it (ties: the first); yardsticks no run has are left out."""
    best = {}
    for name, yardstick in YARDSTICKS.items():
        scored = {loss: m[name] for loss, m in metrics_by_loss.items() if name in m and np.isfinite(m[name])}
        if scored:
            pick = min if yardstick.better == "lower" else max
            best[name] = pick(scored, key=scored.get)
    return best
