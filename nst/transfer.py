"""Gatys style transfer as a stream of progress events.

The objective is  content_weight * C + style_weight * S + tv_weight * TV, where each term is divided
by a reference value so that the weights mean the same thing whatever the loss:
- C = mean over content layers of loss(F(generated), F(content)) / loss(F(style), F(content)):
  1 means "as far from the content as the style image is" (the style image resized to the content's shape);
- S = mean over style layers of d(T(generated), T(style)) / d(T(content), T(style)), T the loss's style
  statistic (Gram matrices unless the loss names another: nst.losses), d its distance:
  1 means "as far from the style as the content image is", so from a content start S begins at 1;
- TV = total variation(generated) / the mean total variation of the content and (resized) style images,
  so a flat content image (all black, say) still has a finite, meaningful reference.
F are the backbone's features (smoothed where settings.smoothing says so); a statistic that matches
against the generated image itself (hist, mrf) makes T(content) the same way, so the rule holds for it too.

The loss is the one thing a Transfer takes beside its settings: a Comparison runs several Transfers of
the same images and settings, which share one `TargetCache` (the loss-independent target features).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nst.backbone import WeightsInfo, load_backbone
from nst.caching import OnceCache, shared
from nst.errors import NSTError
from nst.features import FeatureExtractor, feature_extractor
from nst.images import check_distinct, luminance_image, resize, resize_long_side, with_colors_of
from nst.losses import LOSSES, Loss
from nst.optimizers import OPTIMIZERS
from nst.runtime import tf
from nst.settings import Settings

REFERENCE_FLOOR = 1e-12  # a reference of 0 (identical images) would divide by zero
# stage size (px) -> (content features, content's style-layer features, style's features at the content's
# shape, style's style-layer features): what every loss of one comparison shares. Its owner is the Comparison.
TargetCache = OnceCache


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
    size: int = 0  # px, long side of the stage this step ran at (multiscale: smaller than the final size)


class Transfer:
    """One style transfer. Iterate `events()`; stop whenever; `output_image()` is the best so far.

    With `schedule="multiscale"` it runs coarse to fine (nst.schedule.stage_plan): each stage's targets
    are computed at its own size and it starts from the previous stage's best image, upscaled."""

    def __init__(
        self, content_image: np.ndarray, style_image: np.ndarray, settings: Settings, loss: str = "mse",
        targets: TargetCache | None = None,
    ) -> None:  # fmt: skip
        """`targets`: the target features of these very images and settings, shared with the other
        losses of a comparison; a lone Transfer makes its own."""
        start = time.perf_counter()
        self._loss = LOSSES.get(loss)  # an unknown name fails here, before any work
        check_distinct(content_image, style_image, settings.size)
        self.settings, self.loss = settings, self._loss.name
        self.content_image = resize_long_side(content_image, settings.size)  # (H, W, 3) in [0, 1]
        self.style_image = resize_long_side(style_image, settings.size)
        self._sources = (content_image, style_image)  # as given: each stage resizes from these
        self.stages = settings.stages
        self._shared_targets = targets if targets is not None else TargetCache()
        self.weights: WeightsInfo = load_backbone(
            settings.weights, settings.pooling, settings.network_precision, settings.backbone
        ).info  # fmt: skip
        layers = settings.layers
        self._extractor = feature_extractor(settings.weights, settings.pooling, layers, settings.network_precision,
                                            settings.backbone, settings.feature_smoothing)  # fmt: skip
        self._style_indices = self._loss.style_layers(layers.style)
        self._value_and_grad = _value_and_grad_fn(self._extractor, self.loss, self._style_indices)
        self._refreshes = hasattr(self._loss.statistic, "refresh")  # re-matches to the current image (mrf)
        self._weights = tf.constant([settings.content_weight, settings.style_weight, settings.tv_weight])
        self._prepare(self.stages[0][0], None)
        self.best_image, self.best_total = self._start[0], float("inf")
        self.history: list[Progress] = []
        self.seconds = time.perf_counter() - start  # all of this run's compute time, targets included
        self.step_seconds = 0.0  # the optimizer steps' share of it
        self.error = ""  # why the run stopped early, if it did
        self.complete = False

    def events(self) -> Iterator[Progress]:
        """Yields iteration 0 (the start), then one event per optimizer step; previews included.
        Iterations count on across stages; a later stage's start is not an event of its own."""
        for index, (size, steps) in enumerate(self.stages):
            yield from self._stage_events(index, size, steps)
            if self.error:
                return
        self.complete = True

    def _stage_events(self, index: int, size: int, steps: int) -> Iterator[Progress]:
        resumed = time.perf_counter()
        if index:  # from the previous stage's best image; totals at another size are not comparable
            self._prepare(size, self.best_image)
        iteration = self.history[-1].iteration if self.history else 0
        x = self._start
        f, g = self.evaluate(x, refresh=True)
        if index:
            self.best_image, self.best_total = x[0], f
        optimizer = OPTIMIZERS.get(self.settings.optimizer)(self.settings.learning_rate)
        for step in range(0 if index else -1, steps):  # -1: the first stage's start is iteration 0
            if step >= 0:
                step_start = time.perf_counter()
                if self._refreshes and step > 0:  # re-match at the accepted image; the line search keeps it
                    f, g = self.evaluate(x, refresh=True)
                x, f, g = optimizer.step(x, f, g, self.evaluate)
                self.step_seconds += time.perf_counter() - step_start
                iteration += 1
            if not np.isfinite(f) or not np.all(np.isfinite(g)):
                self.error = f"loss {self.loss} became non-finite at iteration {iteration}"
                return
            if f < self.best_total:
                self.best_image, self.best_total = x[0], f
            self.seconds += time.perf_counter() - resumed
            event = self._event(iteration, f, size)
            self.history.append(event)
            yield event
            resumed = time.perf_counter()

    def output_image(self) -> np.ndarray:
        """The best image so far (H, W, 3) in [0, 1], at the working size (a coarse stage's upscaled),
        in the content's colours if colors == content."""
        image = upscale(self.best_image, self.content_image.shape[:2])
        if self.settings.colors == "content":
            return with_colors_of(image, self.content_image)
        return image

    def _event(self, iteration: int, total: float, size: int) -> Progress:
        c, s, tv = self._last_terms
        last = iteration == self.settings.iterations
        preview = self.output_image() if last or iteration % self.settings.preview_every == 0 else None
        return Progress(self.loss, iteration, self.settings.iterations, self.seconds, c, s, tv, total, preview, size)

    def _prepare(self, size: int, previous: np.ndarray | None) -> None:
        """Targets and the starting image (1, h, w, 3) of the stage at `size` px (long side)."""
        content, style = self._working_images(size)
        features = self._shared_targets.get(size, lambda: _target_features(self._extractor, content, style))
        self._targets = _targets(self._loss, content, style, features, self.settings.seed, self._style_indices)
        if previous is None:
            self._start = self._initial_image(content, style)
        else:
            self._start = upscale(previous, content.shape[:2])[None]

    def evaluate(self, x: np.ndarray, refresh: bool = False) -> tuple[float, np.ndarray]:
        """The objective and its gradient at x (1, h, w, 3), at the current stage's size."""
        refresh = refresh and self._refreshes
        terms, total, grad, style_targets = self._value_and_grad(tf.constant(x), *self._targets, self._weights, refresh)
        if refresh:
            self._targets = (self._targets[0], style_targets, self._targets[2])
        self._last_terms = tuple(float(t) for t in terms.numpy())
        return float(total), grad.numpy()

    def _working_images(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """What the network sees at `size` px: the images, or their luminance alone when keeping the
        content's colours."""
        if size == self.settings.size:
            content, style = self.content_image, self.style_image
        else:
            content, style = (resize_long_side(image, size) for image in self._sources)
        if self.settings.colors == "content":
            return luminance_image(content), luminance_image(style, like=content)
        return content, style

    def _initial_image(self, content: np.ndarray, style: np.ndarray) -> np.ndarray:
        if self.settings.init == "noise":
            rng = np.random.default_rng(self.settings.seed)
            image = rng.uniform(0.0, 1.0, content.shape).astype(np.float32)
        elif self.settings.init == "style":
            image = resize(style, content.shape[:2])
        else:
            image = content
        return image[None].astype(np.float32)  # (1, H, W, 3)


def upscale(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(h, w, 3) -> (shape[0], shape[1], 3) float32 in [0, 1], bicubic, no rounding to 8 bits."""
    if image.shape[:2] == tuple(shape):
        return image
    resized = tf.image.resize(tf.constant(image[None]), shape, method="bicubic")[0]
    return np.clip(resized.numpy(), 0.0, 1.0).astype(np.float32)


def _targets(loss: Loss, content: np.ndarray, style: np.ndarray, features: tuple, seed: int,
             indices: tuple[int, ...]) -> tuple:  # fmt: skip
    """(content features, style statistic targets, references) of one loss, from the shared target features.
    Each style layer's target is seeded apart (seed, layer), so random directions differ between layers."""
    content_features, content_style, style_as_content, style_features = features
    style_targets = [loss.statistic.target(style_features[i], content_style[i], [seed, i]) for i in indices]
    references = [loss.distance(f, t) for f, t in zip(style_as_content, content_features)]
    references += [loss.style(content_style[i], t) for i, t in zip(indices, style_targets)]
    both = tf.constant(np.stack([content, resize(style, content.shape[:2])]))  # (2, H, W, 3)
    references.append(tf.reduce_mean(tf.image.total_variation(both)))
    references = tf.maximum(tf.stack(references), REFERENCE_FLOOR)
    if not np.all(np.isfinite(references.numpy())):
        raise NSTError(f"loss {loss.name} is not finite between the content and style images")
    return content_features, style_targets, references


def _target_features(extractor: FeatureExtractor, content: np.ndarray, style: np.ndarray) -> tuple:
    """Loss-independent: the content's features and style-layer features, the style image's features at
    the content's shape, and its style-layer features: three forward passes, once per comparison and stage."""
    content_features, content_style = extractor(tf.constant(content[None]))
    style_as_content, _ = extractor(tf.constant(resize(style, content.shape[:2])[None]))
    _, style_features = extractor(tf.constant(style[None]))
    return content_features, content_style, style_as_content, style_features


@shared(size=64)
def _value_and_grad_fn(extractor: FeatureExtractor, loss_name: str, indices: tuple[int, ...]):
    """A traced objective per (extractor, loss, style layers used), process-wide, reused by every run of
    the same image shape."""
    loss = LOSSES.get(loss_name)

    @tf.function(reduce_retracing=True)
    def value_and_grad(image, content_targets, style_targets, references, weights, refresh):
        with tf.GradientTape() as tape:
            tape.watch(image)
            content_features, style_features = extractor(image)
            if refresh:  # a Python bool: traced once each way
                style_targets = [loss.statistic.refresh(style_features[i], t) for i, t in zip(indices, style_targets)]
            distances = [loss.distance(f, t) for f, t in zip(content_features, content_targets)]
            distances += [loss.style(style_features[i], t) for i, t in zip(indices, style_targets)]
            distances.append(tf.image.total_variation(image[0]))
            ratios = tf.stack(distances) / references
            n = len(content_targets)
            terms = tf.stack([tf.reduce_mean(ratios[:n]), tf.reduce_mean(ratios[n:-1]), ratios[-1]])
            total = tf.reduce_sum(weights * terms)
        return terms, total, tape.gradient(total, image), style_targets

    return value_and_grad
