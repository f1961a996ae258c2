"""Gatys style transfer as a stream of progress events.

The objective is  content_weight * C + style_weight * S + tv_weight * TV, where each term is divided
by a reference value so that the weights mean the same thing whatever the loss:
- C = mean over content layers of loss(F(generated), F(content)) / loss(F(style), F(content)):
  1 means "as far from the content as the style image is" (the style image resized to the content's shape);
- S = mean over style layers of loss(G(generated), G(style)) / loss(G(content), G(style)):
  1 means "as far from the style as the content image is", so from a content start S begins at 1;
- TV = total variation(generated) / the mean total variation of the content and (resized) style images,
  so a flat content image (all black, say) still has a finite, meaningful reference.
F are VGG16 features, G their Gram matrices (nst.features.gram).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from nst.backbone import WeightsInfo, load_backbone
from nst.errors import NSTError
from nst.features import FeatureExtractor, feature_extractor, gram, resolve_layers
from nst.images import check_distinct, luminance_image, resize, resize_long_side, with_colors_of
from nst.losses import LOSSES
from nst.optimizers import OPTIMIZERS
from nst.settings import Settings

REFERENCE_FLOOR = 1e-12  # a reference of 0 (identical images) would divide by zero


@dataclass(frozen=True)
class Progress:
    loss: str  # the loss of the run this event belongs to
    iteration: int  # 0 is the starting image, before any step
    iterations: int  # the run's budget
    seconds: float  # this run's own compute time so far (targets included)
    content: float  # normalised content term, unweighted
    style: float  # normalised style term, unweighted
    tv: float  # normalised total variation, unweighted
    total: float  # the weighted sum the optimizer minimises
    preview: np.ndarray | None = None  # (H, W, 3) float in [0, 1], every preview_every iterations and at the end


class Transfer:
    """One style transfer. Iterate `events()`; stop whenever; `output_image()` is the best so far."""

    def __init__(self, content_image: np.ndarray, style_image: np.ndarray, settings: Settings) -> None:
        start = time.perf_counter()
        check_distinct(content_image, style_image, settings.size)
        self.settings = settings
        self.content_image = resize_long_side(content_image, settings.size)  # (H, W, 3) in [0, 1]
        self.style_image = resize_long_side(style_image, settings.size)
        self.weights: WeightsInfo = load_backbone(settings.weights, settings.pooling, settings.precision).info
        layers = resolve_layers(settings.preset, settings.content_layers, settings.style_layers)
        extractor = feature_extractor(settings.weights, settings.pooling, layers, settings.precision)
        content, style = self._working_images()
        self._targets = _targets(extractor, settings.loss, content, style)
        self._value_and_grad = _value_and_grad_fn(extractor, settings.loss)
        self._weights = tf.constant([settings.content_weight, settings.style_weight, settings.tv_weight])
        self._start = self._initial_image(content, style)
        self.best_image, self.best_total = self._start[0], float("inf")
        self.history: list[Progress] = []
        self.seconds = time.perf_counter() - start  # all of this run's compute time, targets included
        self.step_seconds = 0.0  # the optimizer steps' share of it
        self.error = ""  # why the run stopped early, if it did
        self.complete = False

    def events(self) -> Iterator[Progress]:
        """Yields iteration 0 (the start), then one event per optimizer step; previews included."""
        resumed = time.perf_counter()
        x = self._start
        f, g = self._evaluate(x)
        optimizer = OPTIMIZERS.get(self.settings.optimizer)(self.settings.learning_rate)
        for iteration in range(self.settings.iterations + 1):
            if iteration:
                step_start = time.perf_counter()
                x, f, g = optimizer.step(x, f, g, self._evaluate)
                self.step_seconds += time.perf_counter() - step_start
            if not np.isfinite(f) or not np.all(np.isfinite(g)):
                self.error = f"loss {self.settings.loss} became non-finite at iteration {iteration}"
                return
            if f < self.best_total:
                self.best_image, self.best_total = x[0], f
            self.seconds += time.perf_counter() - resumed
            event = self._event(iteration, f)
            self.history.append(event)
            yield event
            resumed = time.perf_counter()
        self.complete = True

    def output_image(self) -> np.ndarray:
        """The best image so far (H, W, 3) in [0, 1], in the content's colours if colors == content."""
        if self.settings.colors == "content":
            return with_colors_of(self.best_image, self.content_image)
        return self.best_image

    def _event(self, iteration: int, total: float) -> Progress:
        c, s, tv = self._last_terms
        last = iteration == self.settings.iterations
        preview = self.output_image() if last or iteration % self.settings.preview_every == 0 else None
        return Progress(self.settings.loss, iteration, self.settings.iterations, self.seconds, c, s, tv, total, preview)

    def _evaluate(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        terms, total, grad = self._value_and_grad(tf.constant(x), *self._targets, self._weights)
        self._last_terms = tuple(float(t) for t in terms.numpy())
        return float(total), grad.numpy()

    def _working_images(self) -> tuple[np.ndarray, np.ndarray]:
        """What the network sees: the images, or their luminance alone when keeping the content's colours."""
        if self.settings.colors == "content":
            return luminance_image(self.content_image), luminance_image(self.style_image, like=self.content_image)
        return self.content_image, self.style_image

    def _initial_image(self, content: np.ndarray, style: np.ndarray) -> np.ndarray:
        if self.settings.init == "noise":
            rng = np.random.default_rng(self.settings.seed)
            image = rng.uniform(0.0, 1.0, content.shape).astype(np.float32)
        elif self.settings.init == "style":
            image = resize(style, content.shape[:2])
        else:
            image = content
        return image[None].astype(np.float32)  # (1, H, W, 3)


def _targets(extractor: FeatureExtractor, loss_name: str, content: np.ndarray, style: np.ndarray) -> tuple:
    """(content features, style Grams, references): computed once per run."""
    loss = LOSSES.get(loss_name)
    content_features, content_style = extractor(tf.constant(content[None]))
    style_as_content_image = resize(style, content.shape[:2])
    style_as_content, _ = extractor(tf.constant(style_as_content_image[None]))
    _, style_features = extractor(tf.constant(style[None]))
    style_grams = [gram(f) for f in style_features]
    references = [loss(f, t) for f, t in zip(style_as_content, content_features)]
    references += [loss(gram(f), t) for f, t in zip(content_style, style_grams)]
    both = tf.constant(np.stack([content, style_as_content_image]))  # (2, H, W, 3)
    references.append(tf.reduce_mean(tf.image.total_variation(both)))
    references = tf.maximum(tf.stack(references), REFERENCE_FLOOR)
    if not np.all(np.isfinite(references.numpy())):
        raise NSTError(f"loss {loss_name} is not finite between the content and style images")
    return content_features, style_grams, references


@functools.lru_cache(maxsize=64)
def _value_and_grad_fn(extractor: FeatureExtractor, loss_name: str):
    """A traced objective per (extractor, loss), reused by every run of the same image shape."""
    loss = LOSSES.get(loss_name)

    @tf.function(reduce_retracing=True)
    def value_and_grad(image, content_targets, style_targets, references, weights):
        with tf.GradientTape() as tape:
            tape.watch(image)
            content_features, style_features = extractor(image)
            distances = [loss(f, t) for f, t in zip(content_features, content_targets)]
            distances += [loss(gram(f), t) for f, t in zip(style_features, style_targets)]
            distances.append(tf.image.total_variation(image[0]))
            ratios = tf.stack(distances) / references
            n = len(content_targets)
            terms = tf.stack([tf.reduce_mean(ratios[:n]), tf.reduce_mean(ratios[n:-1]), ratios[-1]])
            total = tf.reduce_sum(weights * terms)
        return terms, total, tape.gradient(total, image)

    return value_and_grad
