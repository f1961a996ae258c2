"""Loss-independent yardsticks: every output is scored the same way, whatever loss made it.

Distances use the same backbone weights as the runs, always with the `gatys` layers, so that a loss
is never judged by its own measure.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from nst.features import PRESETS, feature_extractor, gram

# name -> (what it measures, "lower" or "higher" is better)
YARDSTICKS: dict[str, tuple[str, str]] = {
    "style_distance": ("Gatys style distance: MSE of normalised Grams, mean over block1_conv1..block5_conv1", "lower"),
    "content_distance": ("content distance: MSE of block4_conv2 features against the content image", "lower"),
    "ssim": ("structural similarity to the content image (1 = identical)", "higher"),
    "color_distance": ("Hellinger distance of 8x8x8-bin RGB histograms to the style image, in [0, 1]", "lower"),
    "seconds": ("wall time of the run, targets included", "lower"),
    "seconds_per_iteration": ("seconds per optimizer iteration", "lower"),
}
HISTOGRAM_BINS = 8


def score(
    output: np.ndarray, content_image: np.ndarray, style_image: np.ndarray, weights: str, pooling: str
) -> dict[str, float]:
    """The image yardsticks of `output` (H, W, 3) against its content (same shape) and style images."""
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
    for name, (_, better) in YARDSTICKS.items():
        scored = {loss: m[name] for loss, m in metrics_by_loss.items() if name in m and np.isfinite(m[name])}
        if scored:
            pick = min if better == "lower" else max
            best[name] = pick(scored, key=scored.get)
    return best
