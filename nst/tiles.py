"""Tiles of a large image: where they lie, how they are blended, and how many steps a tiled run takes.

A tiled stage (settings.schedule tiled, nst.tiled) refines an image larger than one network pass may take
by square tiles of settings.tile px that overlap by `overlap` px. The overlap is chosen from the receptive
field of the deepest layer the run uses (block5_conv1: 132 px, from VGG's 3x3 convs and 2x2 pools): a
feature position sees the tile's zero padding when it lies within half the receptive field of the tile's
border, and a pixel's gradient gathers from positions up to half a field away, so it is exact from one
whole field (132 px) inwards. Each tile's blend weight is 0 within `margin` = half the field of an inner
border, rises smoothly (sin^2) over the next `ramp` = half the field, and is 1 from a whole field on:
only the ramp, where the neighbour's weight covers the rest, takes gradients touched by the padding.
Neighbours overlap by margin + ramp + margin, so where one tile's weight is falling the other's is rising
and every pixel is covered. The weights, normalised, sum to one at every pixel: a constant image tiled and
blended is unchanged (the tests check both). Pure NumPy: the budget and the CLI read it without TensorFlow.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from nst import limits
from nst.backbone.networks import LayerPreset, Network
from nst.errors import SettingError
from nst.images import working_shape


class Tile(NamedTuple):
    """One tile of an image: its rows top:top+height and columns left:left+width."""

    top: int
    left: int
    height: int
    width: int

    @property
    def window(self) -> tuple[slice, slice]:
        return slice(self.top, self.top + self.height), slice(self.left, self.left + self.width)


class Overlap(NamedTuple):
    """How far apart tiles blend (px): 0 weight within `margin` of an inner border, a sin^2 rise over `ramp`."""

    margin: int
    ramp: int

    @property
    def width(self) -> int:
        """The overlap of two neighbours: one's margin and ramp, then the other's margin."""
        return 2 * self.margin + self.ramp


def receptive_field(layer_name: str, network: Network) -> int:
    """Side (px) of the input window a VGG layer's output position sees: +2 jumps per 3x3 conv, +1 per pool."""
    if not network.plain:
        raise SettingError(f"the tiled schedule needs a VGG backbone (3x3 convs and 2x2 pools); {network.name} is not")
    field, jump = 1, 1
    for layer in network.layers:
        field, jump = (field + 2 * jump, jump) if layer.kind == "conv" else (field + jump, 2 * jump)
        if layer.name == layer_name:
            return field
    raise SettingError(f"{network.name} has no layer {layer_name}")


def overlap_for(layers: LayerPreset, network: Network) -> Overlap:
    """The overlap the run's deepest layer asks for: margin and ramp half its receptive field each."""
    half = math.ceil(max(receptive_field(name, network) for name in layers.content + layers.style) / 2)
    return Overlap(half, half)


def starts(length: int, tile: int, overlap: int) -> list[int]:
    """Where tiles of `tile` px start along an axis of `length` px, evenly spaced, the first at 0 and the
    last ending at `length`, overlapping by at least `overlap` px; one tile where it fits."""
    if length <= tile:
        return [0]
    count = 1 + math.ceil((length - tile) / (tile - overlap))
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def by_tiles(settings, size: int) -> bool:
    """Whether a stage of `size` px runs tile by tile: schedule tiled, and larger than the tile."""
    return settings.schedule == "tiled" and size > settings.tile


def check_size(settings) -> None:
    """A size (and a painting at style_scale times it) above limits.MAX_SIZE only with the tiled schedule, to
    limits.MAX_TILED_SIZE; a tiled run's settings checked by check_tiled."""
    largest = limits.MAX_TILED_SIZE if settings.schedule == "tiled" else limits.MAX_SIZE
    if settings.size > largest:
        raise SettingError(
            f"size {settings.size} px is above {limits.MAX_SIZE} px: use schedule tiled (to {limits.MAX_TILED_SIZE} px)"
        )
    if settings.size * settings.style_scale > largest:
        pixels = settings.size * settings.style_scale
        raise SettingError(
            f"style_scale {settings.style_scale:g} at size {settings.size} makes a {pixels:.0f} px style image; "
            f"at most {largest} px"
        )
    if settings.schedule == "tiled":
        check_tiled(settings)


def check_tiled(settings) -> None:
    """A tiled run's settings (nst.settings.Settings) against what tiles need: a VGG backbone, a tile at least
    twice its overlap; above the tile, every step taken (no tolerance) and a whole stage first (2 iterations)."""
    width = overlap_for(settings.layers, settings.network).width
    if settings.tile < 2 * width:
        raise SettingError(
            f"a tile must be at least twice its overlap: {2 * width} px for these layers, got {settings.tile}"
        )
    if by_tiles(settings, settings.size) and settings.tolerance > 0:
        raise SettingError("tolerance stops a run in one piece; a tiled run's tiles take every step: tolerance 0")
    if by_tiles(settings, settings.size) and settings.iterations < 2:
        raise SettingError("schedule tiled above the tile needs at least 2 iterations: a whole stage, then tiles")


def tile_shape(shape: tuple[int, int], tile: int) -> tuple[int, int]:
    """(h, w) of the tiles of an (H, W) image: squares, an axis shorter than the tile giving its length."""
    return min(tile, shape[0]), min(tile, shape[1])


def layout(shape: tuple[int, int], tile: int, overlap: Overlap) -> list[Tile]:
    """The tiles covering an (H, W) image, row by row: squares of `tile` px (an axis shorter than the tile
    gives the tile its length), so every tile has one shape and the traced objective is reused."""
    if tile <= overlap.width:
        raise SettingError(f"a tile must be larger than its overlap of {overlap.width} px; got {tile} px")
    height, width = shape
    side_h, side_w = tile_shape(shape, tile)
    return [
        Tile(top, left, side_h, side_w)
        for top in starts(height, side_h, overlap.width)
        for left in starts(width, side_w, overlap.width)
    ]


def _rise(distance: np.ndarray, overlap: Overlap) -> np.ndarray:
    """0 within the margin, sin^2 up to 1 across the ramp, 1 beyond."""
    t = np.clip((distance - overlap.margin + 0.5) / overlap.ramp, 0.0, 1.0)
    return np.sin(0.5 * np.pi * t) ** 2


def _axis_weights(length: int, spans: list[tuple[int, int]], overlap: Overlap) -> np.ndarray:
    """(n, length): each span's weight along the axis (0 outside it), normalised to sum 1 everywhere."""
    x = np.arange(length, dtype=np.float64)
    raw = []
    for start, stop in sorted(set(spans)):
        to_start = x - start if start > 0 else np.inf  # the image's own border is no seam
        to_stop = stop - 1 - x if stop < length else np.inf
        inside = (x >= start) & (x < stop)
        raw.append(np.where(inside, _rise(np.minimum(to_start, to_stop), overlap), 0.0))
    raw = np.array(raw)
    return raw / raw.sum(axis=0, keepdims=True)


def blend_weights(shape: tuple[int, int], tiles: list[Tile], overlap: Overlap) -> list[np.ndarray]:
    """Each tile's (height, width) weight: the product of its row and column weights, so that the weights
    of all tiles sum to one at every pixel of the (H, W) image."""
    rows = sorted({(t.top, t.top + t.height) for t in tiles})
    cols = sorted({(t.left, t.left + t.width) for t in tiles})
    by_row = dict(zip(rows, _axis_weights(shape[0], rows, overlap)))
    by_col = dict(zip(cols, _axis_weights(shape[1], cols, overlap)))
    return [
        np.outer(by_row[(t.top, t.top + t.height)][t.window[0]], by_col[(t.left, t.left + t.width)][t.window[1]])
        for t in tiles
    ]


def blend(image: np.ndarray, tiles: list[Tile], weights: list[np.ndarray], outputs: list[np.ndarray]) -> np.ndarray:
    """`image` with each tile's output blended in by its weight (in turn, as a tiled pass does)."""
    blended = image.copy()
    for tile, weight, output in zip(tiles, weights, outputs):
        window = blended[tile.window]
        window += weight[..., None].astype(blended.dtype) * (output - window)
    return blended


# Floats per tile pixel a style layer's mosaic may hold: block1_conv1's 64 channels, so that no layer's mosaic
# is larger than that layer's features of one tile. At 4096 px with 1024 px tiles: one position in 16 at
# block1_conv1, 9 at block2, 4 at block3 and block4, all at block5 (a painting Gram's error grows as the
# positions kept shrink: 14% at block5_conv1 keeping one in four, 1% at block1_conv1).
MOSAIC_FLOATS = 64


def mosaic_every(ratio: float, channels: int, stride: int) -> int:
    """k: a style layer's mosaic keeps one position in k^2 of a painting with `ratio` times a tile's pixels."""
    return max(1, math.ceil(math.sqrt(ratio * channels / (MOSAIC_FLOATS * stride**2))))


def mosaic_floats(painting: tuple[int, int], tile: int, layers) -> float:
    """Floats of a painting's mosaic (nst.tiled.painting_mosaic) over these (nst.backbone.tables.Layer) layers."""
    pixels = painting[0] * painting[1]
    ratio = pixels / math.prod(tile_shape(painting, tile))
    return sum(
        pixels / layer.stride**2 / mosaic_every(ratio, layer.channels, layer.stride) ** 2 * layer.channels
        for layer in layers
    )


def steps_per_pass(steps: int, passes: int) -> int:
    """A tiled stage's optimizer steps per tile per pass: its share of the iterations spread over the passes."""
    return max(1, round(steps / passes))


def tile_counts(settings, content_shape: tuple[int, ...]) -> list[int]:
    """Per stage of the settings (nst.settings.Settings), its tiles: 0 for a stage that runs whole."""
    if settings.schedule != "tiled":
        return [0] * len(settings.stages)
    overlap = overlap_for(settings.layers, settings.network)
    return [
        len(layout(working_shape(content_shape, size), settings.tile, overlap)) if by_tiles(settings, size) else 0
        for size, _ in settings.stages
    ]


def planned_steps(settings, content_shape: tuple[int, ...]) -> int:
    """Optimizer steps of one loss over every stage: a whole stage's iterations, and per tiled stage (larger
    than the tile) its tiles times the passes times the steps per pass; settings.iterations untiled."""
    passes = settings.tile_passes
    return sum(
        count * passes * steps_per_pass(steps, passes) if count else steps
        for (_, steps), count in zip(settings.stages, tile_counts(settings, content_shape))
    )


def seams(tiles: list[Tile]) -> tuple[list[int], list[int]]:
    """(rows, columns) where neighbouring tiles hand over: the middle of each overlap, where the weights cross."""
    found = []
    for spans in ({(t.top, t.top + t.height) for t in tiles}, {(t.left, t.left + t.width) for t in tiles}):
        ordered = sorted(spans)
        found.append([(after[0] + before[1]) // 2 for before, after in zip(ordered, ordered[1:])])
    return found[0], found[1]


def seam_ratio(image: np.ndarray, tiles: list[Tile], band: int = 2) -> float:
    """Seams as a number: the mean gradient energy (squared differences of neighbouring pixels, across the
    seam's direction) within `band` px of where tiles hand over (`seams`), over the mean elsewhere. About 1:
    the hand-overs look like the rest; well above 1: an edge along them. An untiled image scored with the
    same tiles gives the baseline. 1.0 where there is one tile (no seam)."""
    gray = image.mean(axis=-1) if image.ndim == 3 else image
    rows, cols = seams(tiles)
    if not rows and not cols:
        return 1.0
    dy, dx = (gray[1:] - gray[:-1]) ** 2, (gray[:, 1:] - gray[:, :-1]) ** 2  # dy[i]: between rows i and i+1
    near_rows, near_cols = np.zeros(dy.shape[0], bool), np.zeros(dx.shape[1], bool)
    for at in rows:
        near_rows[max(0, at - band) : at + band] = True
    for at in cols:
        near_cols[max(0, at - band) : at + band] = True
    across = np.concatenate([dy[near_rows].ravel(), dx[:, near_cols].ravel()])
    elsewhere = np.concatenate([dy[~near_rows].ravel(), dx[:, ~near_cols].ravel()])
    return float(across.mean() / max(elsewhere.mean(), 1e-12))
