"""Yardsticks: every output is scored the same way, whatever loss made it, from one table.

Feature distances are computed by one judge, VGG16 with ImageNet weights (JUDGE_WEIGHTS: VGG16's `auto`,
from the Keras cache, Keras' download or the packaged copy; only where none of these exists, vgg16-hed,
with a notice in the judge's record, `Judge.weights`), always with the `gatys` layers and no smoothing,
whatever backbone and weights made the image: outputs of different backbones and weights are scored
alike. They are not neutral: the style and content distances are the `mse` loss's own measures with the
`gatys` preset (MSE of Gram matrices, MSE of block4_conv2 features), so each Yardstick names the losses
that optimise it (`optimised_by`). The style distance averages the layers' raw values, where the loss
divides each by a reference, so the layers with the largest Grams carry most of it (`Judge.layer_shares`,
docs/judges.md). SSIM, the colour distance and the colour SWD are optimised by no loss. The two sliced
Wasserstein distances compare whole distributions (Heitz et al., "A Sliced Wasserstein Loss for Neural
Texture Synthesis", CVPR 2021), where a Gram matrix sees only second moments. The style SWD is normalised
as the losses' style term is (nst.objective): at each style layer the output's distance to the style
divided by the content image's, then the mean over layers, so 1 means "as far from the style as the
photo is" and every layer counts alike; it is close to the `swd` loss's own objective (its directions
differ, and it takes W1 where the loss takes W2 squared), so it names `swd` as optimising it. The style
embedding is judged by another network: the Euclidean distance between the style vectors of Magenta's
style predictor (nst.feedforward.style_distance, docs/style-embedding.md), optimised by no loss; where
that model cannot load it is NaN, with the judge's one-line `notice`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nst import feedforward
from nst.backbone.features import feature_extractor, gram
from nst.backbone.layers import PRESETS
from nst.backbone.model import load_backbone
from nst.backbone.weights import WeightsInfo
from nst.errors import FeedForwardError
from nst.objective import REFERENCE_FLOOR
from nst.runtime import tf
from nst.sliced_wasserstein import samples, sorted_projections, unit_directions, w1


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
    paired: str = "ratio"  # how two losses' values are compared: "ratio" (positive, scale-dependent) | "difference"

    def show(self, value: float) -> str:
        return format(value, self.format)


def _table(*yardsticks: Yardstick) -> dict[str, Yardstick]:
    return {y.name: y for y in yardsticks}


YARDSTICKS = _table(
    Yardstick(
        "style_distance",
        "style distance",
        "style",
        "Gatys style distance: MSE of Gram matrices to the style image's, raw mean over block1_conv1..block5_conv1, "
        "so the layers with the largest Grams (block3_conv1 and block4_conv1, on ImageNet weights) carry most of it",
        "lower",
        ".4g",
        ("mse",),
        log_scale=True,
    ),
    Yardstick(
        "content_distance",
        "content distance",
        "content",
        "MSE of block4_conv2 features to the content image's",
        "lower",
        ".4g",
        ("mse",),
    ),
    Yardstick(
        "ssim",
        "SSIM to content",
        "SSIM",
        "structural similarity to the content image (1 = identical)",
        "higher",
        ".3f",
        paired="difference",
    ),
    Yardstick(
        "color_distance",
        "colour distance",
        "colour",
        "Hellinger distance of 8x8x8-bin RGB histograms to the style image's, in [0, 1]",
        "lower",
        ".3f",
        paired="difference",
    ),
    Yardstick(
        "style_swd",
        "style SWD",
        "styleSWD",
        "sliced 1-Wasserstein distance between the output's and the style image's feature distributions "
        "(positions as samples, 64 fixed random directions) at each style layer, divided by the content image's "
        "distance there, mean over block1_conv1..block5_conv1 (1 = as far from the style as the photo)",
        "lower",
        ".4g",
        ("swd",),
    ),
    Yardstick(
        "color_swd",
        "colour SWD",
        "colSWD",
        "sliced 1-Wasserstein distance between the style image's and the output's pixel colours in CIELAB "
        "(D65), 64 fixed random directions",
        "lower",
        ".3g",
    ),
    Yardstick(
        "style_embedding",
        "style embedding",
        "embed",
        "Euclidean distance between the 100-number style vectors of the output and the style image from Magenta's "
        "style predictor (a MobileNetV2 trained to describe paintings, not VGG16; the output's nearest painting is "
        "its own for 90.5% of the bundled ImageNet study's outputs, docs/style-embedding.md)",
        "lower",
        ".3f",
    ),
    Yardstick(
        "seconds", "seconds", "seconds", "wall time of the run, targets included", "lower", ".1f", of_image=False
    ),
    Yardstick(
        "seconds_per_iteration",
        "s / iteration",
        "s/iter",
        "seconds per optimizer iteration",
        "lower",
        ".3f",
        of_image=False,
    ),
)
IMAGE_YARDSTICKS = tuple(name for name, y in YARDSTICKS.items() if y.of_image)
# Measured against the style image: with several styles, against each (over the whole output, masks or
# not), and their mean weighted by each style's share of the style term (blend weight x mask area).
STYLE_YARDSTICKS = ("style_distance", "color_distance", "style_swd", "color_swd", "style_embedding")
LAYERED_YARDSTICKS = ("style_distance", "style_swd")  # a mean over the style layers: Judge.layer_terms, layer_shares
JUDGE_WEIGHTS = "auto"  # VGG16's auto: ImageNet from any source (nst.backbone.weights), else vgg16-hed with a notice
JUDGE_NOTE = (
    "The feature yardsticks are computed by one judge, VGG16 with ImageNet weights and the gatys layers, "
    "whatever backbone and weights made the image, so every output is scored alike."
)
HISTOGRAM_BINS = 8


def score(output: np.ndarray, content_image: np.ndarray, style_image: np.ndarray, pooling: str) -> dict[str, float]:
    """The image yardsticks (IMAGE_YARDSTICKS) of `output` (H, W, 3) against its content (same shape)
    and style images. To score several outputs of one comparison, make one Judge."""
    return Judge(content_image, style_image, pooling).score(output)


class Judge:
    """Scores outputs against one content and one style image, on the judge's VGG16 (JUDGE_WEIGHTS, float32,
    whatever the run's network; `weights` records which weights judged). What depends only on those two
    images (their features, the style's Grams and sorted projections, its colours, the content's SWD to the
    style at each layer) is computed once, here, so each output costs one forward pass and its own sorts."""

    def __init__(self, content_image: np.ndarray, style_image: np.ndarray, pooling: str) -> None:
        self.content_image, self.style_image = content_image, style_image
        self.weights: WeightsInfo = load_backbone(JUDGE_WEIGHTS, pooling).info
        self._extractor = feature_extractor(JUDGE_WEIGHTS, pooling, PRESETS.get("gatys"))
        self._content_features, content_style = self._extractor(tf.constant(content_image[None], tf.float32))
        _, style_features = self._extractor(tf.constant(style_image[None], tf.float32))
        self._style_grams = [gram(f) for f in style_features]
        self._style_projections = [sorted_projections(samples(f), unit_directions(f.shape[-1])) for f in style_features]
        # per style layer, the content image's SWD to the style: the style SWD's references, floored as the losses'
        references = [_swd(f, p) for f, p in zip(content_style, self._style_projections)]
        self._swd_references = np.maximum(references, REFERENCE_FLOOR)
        self._style_colors = sorted_projections(rgb_to_lab(style_image).reshape(-1, 3), unit_directions(3))
        self._style_histogram = color_histogram(style_image)
        self.notice = ""  # why the style embedding is NaN, when it is
        self._embedding_model, self._style_vector = None, None
        try:
            self._embedding_model = feedforward.load_model()
            self._style_vector = feedforward.style_vector(style_image, self._embedding_model)
        except FeedForwardError as error:
            self.notice = f"the style embedding yardstick is not computed: {error}"

    def score(self, output: np.ndarray) -> dict[str, float]:
        """Every image yardstick of `output` (H, W, 3), the content image's shape."""
        output_content, output_style = self._extractor(tf.constant(output[None], tf.float32))
        layered = self._layer_terms(output_style)
        colors = sorted_projections(rgb_to_lab(output).reshape(-1, 3), unit_directions(3))
        return {
            "style_distance": float(np.mean(layered["style_distance"])),
            "content_distance": float(np.mean([_mse(a, b) for a, b in zip(output_content, self._content_features)])),
            "ssim": ssim(output, self.content_image),
            "color_distance": _hellinger(color_histogram(output), self._style_histogram),
            "style_swd": float(np.mean(layered["style_swd"])),
            "color_swd": w1(colors, self._style_colors),
            "style_embedding": self._embedding(output),
        }

    def layer_terms(self, output: np.ndarray) -> dict[str, dict[str, float]]:
        """Per LAYERED_YARDSTICKS name, per style layer, the term whose mean over the layers `score` gives:
        the Gram MSE (style_distance), the SWD over the content image's (style_swd)."""
        _, output_style = self._extractor(tf.constant(output[None], tf.float32))
        layers = self._extractor.layers.style
        return {name: dict(zip(layers, map(float, terms))) for name, terms in self._layer_terms(output_style).items()}

    def layer_shares(self, output: np.ndarray) -> dict[str, dict[str, float]]:
        """Per LAYERED_YARDSTICKS name, each style layer's share of its mean (its term over the terms' sum:
        the shares sum to 1); NaN where every term is 0."""
        shares = {}
        for name, terms in self.layer_terms(output).items():
            total = sum(terms.values())
            shares[name] = {layer: term / total if total > 0 else float("nan") for layer, term in terms.items()}
        return shares

    def _layer_terms(self, output_style: list) -> dict[str, np.ndarray]:
        grams = [_mse(gram(a), b) for a, b in zip(output_style, self._style_grams)]
        swds = [_swd(a, p) for a, p in zip(output_style, self._style_projections)]
        return {"style_distance": np.array(grams), "style_swd": np.array(swds) / self._swd_references}

    def _embedding(self, output: np.ndarray) -> float:
        """feedforward.style_distance to the style image, its vector taken once; NaN without the model."""
        if self._style_vector is None:
            return float("nan")
        vector = feedforward.style_vector(output, self._embedding_model)
        return float(np.linalg.norm(vector - self._style_vector))


def rgb_to_lab(image: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB in [0, 1] -> CIELAB (D65 white): L in [0, 100], a and b about [-128, 127]."""
    rgb = np.asarray(image, np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65_WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two (H, W, 3) images in [0, 1] (Gaussian window 11, as Wang et al. 2004), channel mean."""
    return float(tf.image.ssim(tf.constant(a, tf.float32), tf.constant(b, tf.float32), max_val=1.0))


def color_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance sqrt(1 - sum sqrt(p q)) between the joint RGB histograms of two images."""
    return _hellinger(color_histogram(a), color_histogram(b))


def _hellinger(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q)))))


def color_histogram(image: np.ndarray) -> np.ndarray:
    """(HISTOGRAM_BINS**3,) joint RGB histogram of an (H, W, 3) image in [0, 1], summing to 1."""
    bins = np.clip((image.reshape(-1, 3) * HISTOGRAM_BINS).astype(int), 0, HISTOGRAM_BINS - 1)
    index = (bins[:, 0] * HISTOGRAM_BINS + bins[:, 1]) * HISTOGRAM_BINS + bins[:, 2]
    counts = np.bincount(index, minlength=HISTOGRAM_BINS**3).astype(np.float64)
    return counts / counts.sum()


def _swd(features: tf.Tensor, style_projections: np.ndarray) -> float:
    """Sliced 1-Wasserstein distance of (1, h, w, C) features to the style's sorted projections at that layer."""
    return w1(sorted_projections(samples(features), unit_directions(features.shape[-1])), style_projections)


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
