"""Several styles in one transfer: their blend weights, a region per style (masks), and the palette start.

The style term is the weighted sum of each style's normalised term, the weights being each style's blend
weight times the share of the image its mask covers, normalised to sum 1: from a content start every
style's term is 1, so the whole style term is 1 for every loss, as with one style (nst.transfer). A
style whose weight is 0 (blend 0, or a mask that covers nothing at the working size) is left out.

Masks are greyscale images, one per style, resized to the content's working shape (white: this style,
black: not); `region_mask` draws the named ones (a half, the centre oval). At each style layer a style's
region is the positions whose mask, averaged over the layer's cell, is at least one half; its statistics
are taken over those positions only (nst.transfer gathers them). Parts of the image no mask covers have
no style term: the content term keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from nst import limits
from nst.errors import ImageError, SettingError
from nst.images import load_image, resize
from nst.registry import unknown_name_message
from nst.runtime import tf

REGION_THRESHOLD = 0.5  # a layer position belongs to a style's region when its mask covers half its cell
PALETTE_PASSES = 5  # recolour-and-clip passes of the palette start (fit_palette)
REGIONS = ("everywhere", "left half", "right half", "top half", "bottom half", "centre oval", "around the oval")
OVAL_BOX = (0.1875, 0.15625, 0.8125, 0.90625)  # the centre oval's bounds: left, top, right, bottom, shares of W, H
MASK_SHAPE = (256, 256)  # (H, W) a named region is drawn at unless told: the bundled mask files' (assets/masks)


@dataclass(frozen=True)
class StylePlan:
    """Who paints where, at one working shape."""

    weights: tuple[float, ...]  # per style, normalised to sum 1 over the styles that take part
    blend: tuple[float, ...]  # per style, the blend weights alone, normalised (content and TV references)
    masks: tuple[np.ndarray | None, ...]  # per style (H, W) in [0, 1] at the working shape; None: everywhere

    @property
    def active(self) -> tuple[int, ...]:
        """The styles that take part: weight above 0."""
        return tuple(i for i, weight in enumerate(self.weights) if weight > 0)


def blend_weights(blend: Sequence[float], count: int) -> tuple[float, ...]:
    """The blend weights of `count` styles, normalised to sum 1; () means equal. A count mismatch is a
    SettingError."""
    if count > limits.MAX_STYLES:
        raise SettingError(f"at most {limits.MAX_STYLES} style images per comparison, got {count}")
    if not blend:
        return tuple(1.0 / count for _ in range(count))
    if len(blend) != count:
        raise SettingError(f"--blend has {len(blend)} weight(s) for {count} style image(s): give one per style")
    total = float(sum(blend))
    return tuple(float(b) / total for b in blend)


def check_masks(masks: Sequence[np.ndarray] | None, count: int) -> None:
    """One (H, W) mask per style: else an ImageError. (A mask that covers nothing at the working size
    only leaves its style out; a mask file that is all black is refused when read: `read_mask`.)"""
    if masks is None:
        return
    if len(masks) != count:
        raise ImageError(f"{len(masks)} mask(s) for {count} style image(s): give one mask per style")
    if any(np.ndim(mask) != 2 for mask in masks):
        raise ImageError("a mask must be one greyscale image (H, W)")


def read_mask(source, name: str = "") -> np.ndarray:
    """A mask file (any image: its luminance) -> (H, W) in [0, 1]; an ImageError if it is not an image or
    is all black (it would give its style no region)."""
    image = load_image(source, name)
    mask = image @ np.array([0.299, 0.587, 0.114], np.float32)
    if float(mask.max()) < REGION_THRESHOLD:
        label = name or str(source)
        raise ImageError(f"mask {label} is all black: it gives its style no region (white marks the region)")
    return mask


def region_mask(name: str, shape: tuple[int, int] = MASK_SHAPE) -> np.ndarray:
    """A named region's mask, (H, W) float32, 1 in the region and 0 elsewhere (REGIONS): everywhere, a half of
    the picture, the centre oval (OVAL_BOX, drawn by Pillow) or what is around it. Resized to the content
    by `plan`, like any mask. An unknown name is a SettingError that lists the regions."""
    if name not in REGIONS:
        raise SettingError(unknown_name_message("region", name, list(REGIONS)))
    height, width = shape
    mask = np.zeros(shape, np.float32)
    halves = {
        "everywhere": np.s_[:, :],
        "left half": np.s_[:, : width // 2],
        "right half": np.s_[:, width // 2 :],
        "top half": np.s_[: height // 2, :],
        "bottom half": np.s_[height // 2 :, :],
    }
    if name in halves:
        mask[halves[name]] = 1.0
        return mask
    oval = Image.new("L", (width, height), 0)
    left, top, right, bottom = OVAL_BOX
    ImageDraw.Draw(oval).ellipse((left * width, top * height, right * width, bottom * height), fill=1)
    inside = np.asarray(oval, np.float32)
    return inside if name == "centre oval" else 1.0 - inside


def plan(blend: Sequence[float], masks: Sequence[np.ndarray] | None, shape: tuple[int, int], count: int) -> StylePlan:
    """The plan of `count` styles at working `shape` (H, W)."""
    blended = blend_weights(blend, count)
    if masks is None:
        return StylePlan(blended, blended, (None,) * count)
    resized = tuple(mask_at(mask, shape) for mask in masks)
    areas = [float(np.mean(mask >= REGION_THRESHOLD)) for mask in resized]
    raw = [b * a for b, a in zip(blended, areas)]
    if sum(raw) == 0:
        raise ImageError(f"no mask covers any of the image at {shape[1]}x{shape[0]} px: nothing to paint")
    full = tuple(None if area == 1.0 else mask for mask, area in zip(resized, areas))  # all of it: no mask
    return StylePlan(tuple(r / sum(raw) for r in raw), blended, full)


def mask_at(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(h, w) greyscale in [0, 1] -> (H, W), area-averaged."""
    rgb = np.repeat(mask[..., None].astype(np.float32), 3, axis=-1)
    return resize(rgb, shape)[..., 0]


def region(mask: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """A style's region at a layer of (h, w) positions: True where its mask covers half the cell; None
    where the mask covers everything (or there is none): every position, without gathering."""
    if mask is None:
        return None
    found = mask_at(mask, shape) >= REGION_THRESHOLD
    return None if found.all() else found


def select(features: tf.Tensor, where) -> tf.Tensor:
    """A style's region of a layer's features: (1, h, w, C) -> (1, n, 1, C), the n positions where
    `where` (h, w) is True; every position (the features themselves) where it is None."""
    if where is None:
        return features
    return tf.reshape(tf.boolean_mask(features[0], where), (1, -1, 1, tf.shape(features)[-1]))


def style_size(size: int, scale: float) -> int:
    """The style images' long side at working `size`: larger scale, larger brush strokes."""
    return max(1, round(size * scale))


def palette_start(content: np.ndarray, styles: Sequence[np.ndarray], style_plan: StylePlan) -> np.ndarray:
    """The content recoloured to the styles' colours: each style's mean and covariance transfer, mixed by
    the blend weights (without masks) or each style's mask (where no mask covers, the content's own
    colours stay). (H, W, 3) in [0, 1]."""
    mixed, cover = np.zeros_like(content), np.zeros(content.shape[:2], np.float32)
    for index in style_plan.active:
        mask = style_plan.masks[index]
        share = np.full(content.shape[:2], style_plan.blend[index], np.float32) if mask is None else mask
        mixed += share[..., None] * fit_palette(content, styles[index])
        cover += share
    spill = np.maximum(cover, 1.0)  # overlapping masks: their shares normalised
    return np.clip(mixed / spill[..., None] + np.clip(1.0 - cover, 0.0, 1.0)[..., None] * content, 0.0, 1.0)


def fit_palette(image: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`recolor`, clipped to [0, 1], repeated PALETTE_PASSES times: clipping alone takes back part of the
    spread it matched (Starry Night's blues: a third of a channel's variance); each pass wins most of
    the rest back (on the bundled samples, within 0.005 of the mean and covariance after 5)."""
    for _ in range(PALETTE_PASSES):
        image = np.clip(recolor(image, like), 0.0, 1.0)
    return image


def recolor(image: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`image`'s RGB pixels moved to `like`'s mean and covariance: x -> S^1/2 C^-1/2 (x - mu_c) + mu_s
    (symmetric square roots), the linear map that matches both moments and moves colours least (not
    clipped: the caller clips). (H, W, 3) -> (H, W, 3)."""
    source, target = image.reshape(-1, 3).astype(np.float64), like.reshape(-1, 3).astype(np.float64)
    mean_source, mean_target = source.mean(axis=0), target.mean(axis=0)
    root = _sqrtm(np.cov(target, rowvar=False)) @ _sqrtm(np.cov(source, rowvar=False), inverse=True)
    return ((source - mean_source) @ root.T + mean_target).reshape(image.shape).astype(np.float32)


def _sqrtm(matrix: np.ndarray, inverse: bool = False) -> np.ndarray:
    """The symmetric (inverse) square root of a covariance; a flat channel's variance floored at 1e-6."""
    values, vectors = np.linalg.eigh(matrix)
    values = np.maximum(values, 1e-6)
    return (vectors * (values ** (-0.5 if inverse else 0.5))) @ vectors.T
