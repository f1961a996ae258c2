"""Gatys style transfer as a stream of progress events.

The objective is  content_weight * C + style_weight * S + tv_weight * TV, where each term is divided
by a reference value so that the weights mean the same thing whatever the loss:
- C = mean over content layers of loss(F(generated), F(content)) / loss(F(style), F(content)):
  1 means "as far from the content as the style image is" (the style image resized to the content's shape);
- S = mean over style layers of d(T(generated), T(style)) / d(T(content), T(style)), T the loss's style
  statistic (Gram matrices unless the loss names another: nst.losses.catalogue), d its distance:
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from nst.backbone.features import FeatureExtractor, feature_extractor
from nst.backbone.model import WeightsInfo, load_backbone
from nst.caching import OnceCache, shared
from nst.errors import NSTError, SettingError
from nst.images import check_distinct, luminance_image, resize, resize_long_side, with_colors_of
from nst.losses.catalogue import LOSSES, Loss
from nst.optimizers import OPTIMIZERS
from nst.runtime import tf
from nst.settings import Settings
from nst.styles import StylePlan, blend_weights, check_masks, palette_start, plan, region, select, style_size

REFERENCE_FLOOR = 1e-12  # a reference of 0 (identical images) would divide by zero
# stage size (px) -> (content features, content's style-layer features, per style its features at the
# content's shape and its style-layer features), and ("palette", size) -> the palette start: what every loss
# of one comparison shares. Its owner is the Comparison.
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
        self,
        content_image: np.ndarray,
        style_image: np.ndarray | Sequence[np.ndarray],
        settings: Settings,
        loss: str = "mse",
        targets: TargetCache | None = None,
        masks: Sequence[np.ndarray] | None = None,
    ) -> None:
        """`style_image`: one, or several blended (settings.style_blend); `masks`: one (H, W) greyscale
        region per style (nst.styles). `targets`: the target features of these very images and settings,
        shared with the other losses of a comparison; a lone Transfer makes its own."""
        start = time.perf_counter()
        self._loss = LOSSES.get(loss)  # an unknown name fails here, before any work
        styles = check_styles(content_image, style_image, settings, [self._loss.name], masks)
        self.settings, self.loss = settings, self._loss.name
        self.content_image = resize_long_side(content_image, settings.size)  # (H, W, 3) in [0, 1]
        self.style_images = [resize_long_side(s, style_size(settings.size, settings.style_scale)) for s in styles]
        self.style_image = self.style_images[0]
        self._sources = (content_image, styles)  # as given: each stage resizes from these
        self._masks = masks
        self.stages = settings.stages
        self._shared_targets = targets if targets is not None else TargetCache()
        self.weights: WeightsInfo = load_backbone(
            settings.weights, settings.pooling, settings.network_precision, settings.backbone
        ).info
        layers = settings.layers
        self._extractor = feature_extractor(
            settings.weights,
            settings.pooling,
            layers,
            settings.network_precision,
            settings.backbone,
            settings.feature_smoothing,
        )
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
        content, styles, style_plan = self._working_images(size)
        features = self._shared_targets.get(
            size, lambda: _target_features(self._extractor, content, styles, style_plan.active)
        )
        self._targets = _targets(
            self._loss, content, styles, features, self.settings.seed, self._style_indices, style_plan
        )
        if previous is None:
            self._start = self._initial_image(content, styles[style_plan.active[0]])
        else:
            self._start = upscale(previous, content.shape[:2])[None]

    def evaluate(self, x: np.ndarray, refresh: bool = False) -> tuple[float, np.ndarray]:
        """The objective and its gradient at x (1, h, w, 3), at the current stage's size."""
        refresh = refresh and self._refreshes
        terms, total, grad, style_targets = self._value_and_grad(tf.constant(x), *self._targets, self._weights, refresh)
        if refresh:
            styles = tuple(entry[:2] + (found,) + entry[3:] for entry, found in zip(self._targets[1], style_targets))
            self._targets = (self._targets[0], styles, *self._targets[2:])
        self._last_terms = tuple(float(t) for t in terms.numpy())
        return float(total), grad.numpy()

    def _working_images(self, size: int) -> tuple[np.ndarray, list[np.ndarray], StylePlan]:
        """What the network sees at `size` px: the content and the styles (at style_scale times the size),
        or their luminance alone when keeping the content's colours, or the content recoloured to the
        styles' palette; and who paints where at this shape."""
        if size == self.settings.size:
            content, styles = self.content_image, self.style_images
        else:
            content = resize_long_side(self._sources[0], size)
            styles = [resize_long_side(s, style_size(size, self.settings.style_scale)) for s in self._sources[1]]
        style_plan = plan(self.settings.style_blend, self._masks, content.shape[:2], len(styles))
        if self.settings.colors == "content":
            return luminance_image(content), [luminance_image(s, like=content) for s in styles], style_plan
        if self.settings.colors == "palette":
            recoloured = self._shared_targets.get(("palette", size), lambda: palette_start(content, styles, style_plan))
            return recoloured, styles, style_plan
        return content, styles, style_plan

    def _initial_image(self, content: np.ndarray, style: np.ndarray) -> np.ndarray:
        if self.settings.init == "noise":
            rng = np.random.default_rng(self.settings.seed)
            image = rng.uniform(0.0, 1.0, content.shape).astype(np.float32)
        elif self.settings.init == "style":
            image = resize(style, content.shape[:2])
        else:
            image = content
        return image[None].astype(np.float32)  # (1, H, W, 3)


def check_styles(
    content_image: np.ndarray,
    style_image: np.ndarray | Sequence[np.ndarray],
    settings: Settings,
    losses: Sequence[str],
    masks: Sequence[np.ndarray] | None,
) -> list[np.ndarray]:
    """The style images as a list, once every one is checked against the content, the blend weights and
    the masks, and the losses against the masks: a SettingError or ImageError before any work."""
    styles = [style_image] if isinstance(style_image, np.ndarray) else list(style_image)
    blend_weights(settings.style_blend, len(styles))  # a count mismatch fails here
    check_masks(masks, len(styles))
    patchy = [loss for loss in losses if hasattr(LOSSES.get(loss).statistic, "refresh")]
    if masks is not None and patchy:
        raise SettingError(
            f"{', '.join(patchy)} match(es) patches in place: cannot be limited to mask regions; "
            "compare them without masks"
        )
    for style in styles:
        check_distinct(content_image, style, settings.size)
    return styles


def upscale(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(h, w, 3) -> (shape[0], shape[1], 3) float32 in [0, 1], bicubic, no rounding to 8 bits."""
    if image.shape[:2] == tuple(shape):
        return image
    resized = tf.image.resize(tf.constant(image[None]), shape, method="bicubic")[0]
    return np.clip(resized.numpy(), 0.0, 1.0).astype(np.float32)


def _targets(
    loss: Loss,
    content: np.ndarray,
    styles: list[np.ndarray],
    features: tuple,
    seed: int,
    indices: tuple[int, ...],
    style_plan: StylePlan,
) -> tuple:
    """(content features, per style (weight, its layers, targets, references, regions), content references,
    TV reference) of one loss, from the shared target features. Each style layer's target is seeded
    apart (seed, layer[, style]), so random directions differ between layers and styles. With one style
    taking part, every number is computed as with a single style image."""
    content_features, content_style, per_style = features
    entries, content_refs, tv_refs = [], [], []
    for number, s in enumerate(style_plan.active):  # `number`, not `s`, seeds: blend (0, 1) is style 2 alone
        style_as_content, style_features = per_style[s]
        places = [(i, region(style_plan.masks[s], tuple(content_style[i].shape[1:3]))) for i in indices]
        places = [(i, r) for i, r in places if r is None or r.any()]  # a layer the region misses: left out
        like = [select(content_style[i], r) for i, r in places]
        targets = [
            loss.statistic.target(style_features[i], f, [seed, i] + ([number] if number else []))
            for (i, _), f in zip(places, like)
        ]
        references = _floored(loss, [loss.style(f, t) for f, t in zip(like, targets)])
        regions = tuple(None if r is None else tf.constant(r) for _, r in places)
        entries.append((style_plan.weights[s], tuple(i for i, _ in places), targets, references, regions))
        content_refs.append(tf.stack([loss.distance(f, t) for f, t in zip(style_as_content, content_features)]))
        both = tf.constant(np.stack([content, resize(styles[s], content.shape[:2])]))  # (2, H, W, 3)
        tv_refs.append(tf.reduce_mean(tf.image.total_variation(both)))
    blend = [style_plan.blend[s] for s in style_plan.active]
    content_reference = _floored(loss, tf.unstack(_blended(content_refs, blend)))
    return content_features, tuple(entries), content_reference, tf.maximum(_blended(tv_refs, blend), REFERENCE_FLOOR)


def _blended(values: list[tf.Tensor], blend: list[float]) -> tf.Tensor:
    """The blend-weighted mean of each style's reference; one style's as it is (the single-style numbers)."""
    if len(values) == 1:
        return values[0]
    return tf.add_n([weight * value for weight, value in zip(blend, values)]) / sum(blend)


def _floored(loss: Loss, references: list) -> tf.Tensor:
    found = tf.maximum(tf.stack(references), REFERENCE_FLOOR)
    if not np.all(np.isfinite(found.numpy())):
        raise NSTError(f"loss {loss.name} is not finite between the content and style images")
    return found


def _target_features(
    extractor: FeatureExtractor, content: np.ndarray, styles: list[np.ndarray], active: tuple[int, ...]
) -> tuple:
    """Loss-independent: the content's features and style-layer features, and per style taking part its
    features at the content's shape and its style-layer features: 1 + 2 per style forward passes, once
    per comparison and stage."""
    content_features, content_style = extractor(tf.constant(content[None]))
    per_style = {}
    for s in active:
        style_as_content, _ = extractor(tf.constant(resize(styles[s], content.shape[:2])[None]))
        per_style[s] = (style_as_content, extractor(tf.constant(styles[s][None]))[1])
    return content_features, content_style, per_style


@shared(size=64)
def _value_and_grad_fn(extractor: FeatureExtractor, loss_name: str, indices: tuple[int, ...]):
    """A traced objective per (extractor, loss, style layers used), process-wide, reused by every run of
    the same image shape."""
    loss = LOSSES.get(loss_name)

    @tf.function(reduce_retracing=True)
    def value_and_grad(image, content_targets, styles, content_references, tv_reference, weights, refresh):
        """`styles`: per style taking part (weight, its layers, targets, references, regions)."""
        with tf.GradientTape() as tape:
            tape.watch(image)
            content_features, style_features = extractor(image)
            content = tf.stack([loss.distance(f, t) for f, t in zip(content_features, content_targets)])
            style, found = 0.0, []
            for weight, layers, targets, references, regions in styles:
                features = [select(style_features[i], r) for i, r in zip(layers, regions)]
                if refresh:  # a Python bool: traced once each way
                    targets = [loss.statistic.refresh(f, t) for f, t in zip(features, targets)]
                found.append(targets)
                ratios = tf.stack([loss.style(f, t) for f, t in zip(features, targets)]) / references
                style = style + (tf.reduce_mean(ratios) if weight == 1.0 else weight * tf.reduce_mean(ratios))
            tv = tf.image.total_variation(image[0]) / tv_reference
            terms = tf.stack([tf.reduce_mean(content / content_references), style, tv])
            total = tf.reduce_sum(weights * terms)
        return terms, total, tape.gradient(total, image), found

    return value_and_grad
