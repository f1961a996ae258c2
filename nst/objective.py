"""The objective a style transfer minimises, its targets, and its traced value and gradient.

The objective is  content_weight * C + style_weight * S + tv_weight * TV [+ temporal_weight * T], where
C, S and TV are each divided by a reference value so that the weights mean the same thing whatever the loss:
- C = mean over content layers of loss(F(generated), F(content)) / loss(F(style), F(content)):
  1 means "as far from the content as the style image is" (the style image resized to the content's shape);
- S = mean over style layers of d(T(generated), T(style)) / d(T(content), T(style)), T the loss's style
  statistic (Gram matrices unless the loss names another: nst.losses.catalogue), d its distance:
  1 means "as far from the style as the content image is", so from a content start S begins at 1;
- TV = total variation(generated) / the mean total variation of the content and (resized) style images,
  so a flat content image (all black, say) still has a finite, meaningful reference.
F are the backbone's features (smoothed where settings.smoothing says so); a statistic that matches
against the generated image itself (hist, mrf) makes T(content) the same way, so the rule holds for it too.
- T, a video frame's temporal term (Ruder et al., "Artistic style transfer for videos", GCPR 2016; nst.video),
  = mean over pixels and channels of mask * (generated - warped previous output)^2: the previous frame's
  output warped to this frame by the optical flow, where the flow is reliable (mask 1; 0 at disocclusions and
  motion boundaries). Pixel values are in [0, 1]; T is not normalised (it is 0 where the frame agrees with
  the warped previous output, whatever the loss). A still image has no temporal term (T = 0).

Every loss of one comparison shares the loss-independent `SharedFeatures` of a stage (`target_features`);
`loss_targets` makes one loss's `Targets` from them; `objective` reads like the formula above.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from nst.backbone.features import FeatureExtractor
from nst.caching import shared
from nst.errors import NSTError
from nst.images import luminance_image, resize
from nst.losses.catalogue import Loss
from nst.runtime import tf
from nst.styles import StylePlan, region, select

REFERENCE_FLOOR = 1e-12  # a reference of 0 (identical images) would divide by zero


class StyleFeatures(NamedTuple):
    """One style image's loss-independent features."""

    as_content: list  # per content layer, its features resized to the content's shape: the content reference
    style: list  # per style layer, its own features (at its style_scale size)


class SharedFeatures(NamedTuple):
    """What every loss of one comparison and stage shares: 1 + 2 per style forward passes."""

    content: list  # per content layer, the content's features: the content term's targets
    content_style: list  # per style layer, the content's features: where each statistic is matched
    styles: dict[int, StyleFeatures]  # style number -> its features, for the styles taking part


class StyleTargets(NamedTuple):
    """One style's part of a loss's style term."""

    weight: float  # its share of the style term (blend x region area)
    layers: tuple[int, ...]  # the style layers it is matched at (a region that misses a layer leaves it out)
    targets: list  # per layer, the statistic's target (refreshed in place by statistics that re-match)
    references: Any  # tf.Tensor: per layer, the content's distance to the target, floored
    regions: tuple  # per layer, the positions its region covers (tf.Tensor), or None: everywhere


class Temporal(NamedTuple):
    """A video frame's link to the previous frame (Ruder et al. 2016; nst.video), at the working size."""

    previous: np.ndarray  # (H, W, 3) in [0, 1]: the previous frame's output warped to this frame by the flow
    mask: np.ndarray  # (H, W) in [0, 1]: 1 where the flow is reliable (nst.video.flow), 0 where it is not
    weight: float  # the temporal term's weight; 0: none
    warm_start: bool = True  # start from `previous` rather than from settings.init


class TemporalTarget(NamedTuple):
    """What a video frame's temporal term compares against, at the stage's shape."""

    previous: Any  # tf.Tensor (1, h, w, 3) in [0, 1]: the previous frame's output warped to this frame
    mask: Any  # tf.Tensor (1, h, w, 1) in [0, 1]: 1 where the optical flow is reliable, 0 where it is not


class Targets(NamedTuple):
    """Everything one loss's objective compares against at one stage."""

    content: list  # per content layer, the content's features
    styles: tuple[StyleTargets, ...]  # per style taking part
    content_references: Any  # tf.Tensor: per content layer, the styles' blended distance to the content
    tv_reference: Any  # tf.Tensor: the content's and styles' mean total variation
    temporal: TemporalTarget | None = None  # a video frame's: what its temporal term compares against


def loss_targets(
    loss: Loss,
    content: np.ndarray,
    styles: list[np.ndarray],
    features: SharedFeatures,
    seed: int,
    indices: tuple[int, ...],
    style_plan: StylePlan,
    given: Sequence[list] | None = None,
) -> Targets:
    """One loss's targets from the shared target features. Each style layer's target is seeded apart
    (seed, layer[, style]), so random directions differ between layers and styles. With one style taking
    part, every number is computed as with a single style image. `given`: per style taking part, its
    statistic's targets made already (a tiled stage's, shared by every tile: nst.tiled); only the
    references are then made from `features`."""
    entries, content_refs, tv_refs = [], [], []
    for number, s in enumerate(style_plan.active):  # `number`, not `s`, seeds: blend (0, 1) is style 2 alone
        made = given[number] if given is not None else None
        entries.append(_style_targets(loss, features, s, (seed, number), indices, style_plan, made))
        content_refs.append(
            tf.stack([loss.distance(f, t) for f, t in zip(features.styles[s].as_content, features.content)])
        )
        both = tf.constant(np.stack([content, resize(styles[s], content.shape[:2])]))  # (2, H, W, 3)
        tv_refs.append(tf.reduce_mean(tf.image.total_variation(both)))
    blend = [style_plan.blend[s] for s in style_plan.active]
    content_reference = _floored(loss, tf.unstack(_blended(content_refs, blend)))
    tv_reference = tf.maximum(_blended(tv_refs, blend), REFERENCE_FLOOR)
    return Targets(features.content, tuple(entries), content_reference, tv_reference)


def _style_targets(
    loss: Loss,
    features: SharedFeatures,
    s: int,
    seed: tuple[int, int],
    indices: tuple[int, ...],
    style_plan: StylePlan,
    made: list | None = None,
) -> StyleTargets:
    """Style `s`'s targets at the style layers its region reaches, and the content's distance to each.
    `seed`: (the run's seed, the style's number among those taking part)."""
    places = [(i, region(style_plan.masks[s], tuple(features.content_style[i].shape[1:3]))) for i in indices]
    places = [(i, r) for i, r in places if r is None or r.any()]  # a layer the region misses: left out
    like = [select(features.content_style[i], r) for i, r in places]
    own = features.styles[s].style
    run_seed, number = seed
    seeds = [[run_seed, i] + ([number] if number else []) for i, _ in places]
    if made is None:
        made = [loss.statistic.target(own[i], f, layer_seed) for (i, _), f, layer_seed in zip(places, like, seeds)]
    elif hasattr(loss.statistic, "refresh"):  # made for another tile: matched to this one's content
        made = [loss.statistic.refresh(f, t) for f, t in zip(like, made)]
    targets = list(made)
    references = _floored(loss, [loss.style(f, t) for f, t in zip(like, targets)])
    regions = tuple(None if r is None else tf.constant(r) for _, r in places)
    return StyleTargets(style_plan.weights[s], tuple(i for i, _ in places), targets, references, regions)


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


def temporal_target(temporal: Temporal, shape: tuple[int, int], luminance: bool) -> TemporalTarget:
    """A video frame's temporal target at a stage's (h, w) `shape`: the warped previous output resized (bicubic),
    as the optimisation sees it (its luminance when keeping the content's colours), and its mask (bilinear)."""
    previous = tf.image.resize(tf.constant(temporal.previous[None], tf.float32), shape, method="bicubic")
    previous = np.clip(previous.numpy()[0], 0.0, 1.0)
    if luminance:
        previous = luminance_image(previous)
    mask = tf.image.resize(tf.constant(temporal.mask[None, ..., None], tf.float32), shape)
    return TemporalTarget(tf.constant(previous[None], tf.float32), tf.clip_by_value(mask, 0.0, 1.0))


def target_features(
    extractor: FeatureExtractor, content: np.ndarray, styles: list[np.ndarray], active: tuple[int, ...]
) -> SharedFeatures:
    """Loss-independent: the content's features and style-layer features, and per style taking part its
    features at the content's shape and its style-layer features: 1 + 2 per style forward passes, once
    per comparison and stage."""
    content_features, content_style = extractor(tf.constant(content[None]))
    per_style = {}
    for s in active:
        as_content, _ = extractor(tf.constant(resize(styles[s], content.shape[:2])[None]))
        per_style[s] = StyleFeatures(as_content, extractor(tf.constant(styles[s][None]))[1])
    return SharedFeatures(content_features, content_style, per_style)


def objective(loss: Loss, extractor: FeatureExtractor, image, targets: Targets, refresh: bool) -> tuple:
    """(the terms [content, style, tv, temporal], each style's targets as matched) at `image` (1, h, w, 3).
    `refresh`: a Python bool (traced once each way): statistics that re-match (mrf) match at this image."""
    content_features, style_features = extractor(image)
    content = tf.stack([loss.distance(f, t) for f, t in zip(content_features, targets.content)])
    style, matched = 0.0, []
    for entry in targets.styles:
        features = [select(style_features[i], r) for i, r in zip(entry.layers, entry.regions)]
        found = [loss.statistic.refresh(f, t) for f, t in zip(features, entry.targets)] if refresh else entry.targets
        matched.append(found)
        ratios = tf.stack([loss.style(f, t) for f, t in zip(features, found)]) / entry.references
        style = style + (tf.reduce_mean(ratios) if entry.weight == 1.0 else entry.weight * tf.reduce_mean(ratios))
    tv = tf.image.total_variation(image[0]) / targets.tv_reference
    temporal = _temporal(image, targets.temporal)
    return tf.stack([tf.reduce_mean(content / targets.content_references), style, tv, temporal]), matched


def _temporal(image, target: TemporalTarget | None):
    """Ruder et al.'s short-term temporal loss: the mean over pixels and channels of mask * (x - previous)^2."""
    if target is None:
        return tf.constant(0.0)
    return tf.reduce_mean(target.mask * tf.square(image - target.previous))


@shared(size=64)
def value_and_grad_fn(extractor: FeatureExtractor, loss: Loss, indices: tuple[int, ...]):
    """A traced objective per (extractor, loss, style layers used), process-wide, reused by every run of
    the same image shape."""

    @tf.function(reduce_retracing=True)
    def value_and_grad(image, targets: Targets, weights, refresh):
        with tf.GradientTape() as tape:
            tape.watch(image)
            terms, matched = objective(loss, extractor, image, targets, refresh)
            total = tf.reduce_sum(weights * terms)
        return terms, total, tape.gradient(total, image), matched

    return value_and_grad
