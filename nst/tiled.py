"""A stage larger than one tile (settings.schedule tiled), refined tile by tile against the whole painting.

The stage starts from the previous stage's best image, upscaled: the canvas. Each pass visits every tile
of nst.tiles.layout in turn; a tile starts from the canvas as the last pass left it (the pass's start),
takes nst.tiles.steps_per_pass optimizer steps on the usual objective (nst.objective) of its own window,
moving only the pixels its blend weight (nst.tiles.blend_weights) reaches (within the margin of an inner
border the pixels are the neighbours' context), and adds its weight's share of its change to the canvas.
The weights sum to one, so after a pass every pixel is the weighted mean of its tiles' results: none of the
pass's start is left (blending each tile into the canvas as it stood kept the product of (1 - w) of the
start where tiles overlap, a quarter where two cross, and washed the strokes out there: at 1024 px the
whole image's style term came out 2.5 times an untiled run's). The canvas is always a whole image: stopping
mid-pass keeps it (the Transfer's best image), and memory follows the tile, not the output.

What a tile optimises: the content term against the content's features in its window; the TV term on its
window; the style term against **the whole painting's statistics**, made once per stage and shared by every
tile. The painting, at the stage's style size (as an untiled run of that size would see it), is read by
blocks laid out as the tiles are; each block contributes the features of its core (the part of it no
nearer any other block's centre, at least half a receptive field from its inner borders) to one mosaic per
style layer, of at most a tile's worth of positions (`painting_mosaic`). Per statistic
(nst.losses.style_statistics), the mosaic is what `target` sees:
- gram, mean_std: the painting's second moments, means and spreads over every core's positions, one in k^2
  of them on a regular grid where the painting has more positions than a tile (1024 px tiles: k = 2 at 2048 px,
  4 at 4096 px);
- swd, hist: the sorted projections (or channels) of those positions, at the tile's count of ranks;
- mmd_rbf: the mean random-feature embedding of those positions, its bandwidth from them;
- mrf: 3x3 patches need neighbours, so each core is cropped about its centre to one shape and the crops are
  laid side by side (a patch across the join of two crops is one of few); matched afresh in each tile.
A statistic's reference (the content's distance to it, nst.objective) is the tile's own content's, so the
style term means the same in every tile: 1 at the content.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator, Sequence

import numpy as np

from nst.backbone.features import FeatureExtractor
from nst.images import resize
from nst.objective import SharedFeatures, StyleFeatures, Targets, loss_targets
from nst.progress import Progress, without_preview
from nst.runtime import tf
from nst.styles import plan
from nst.tiles import Overlap, Tile, blend_weights, layout, mosaic_every, overlap_for, seams, steps_per_pass


def cores(shape: tuple[int, int], blocks: list[Tile]) -> list[Tile]:
    """Each block's core, in image coordinates: between the hand-overs to its neighbours (nst.tiles.seams)."""
    rows, cols = seams(blocks)
    row_edges = dict(zip(sorted({b.top for b in blocks}), zip([0, *rows], [*rows, shape[0]])))
    col_edges = dict(zip(sorted({b.left for b in blocks}), zip([0, *cols], [*cols, shape[1]])))
    found = []
    for block in blocks:
        (top, bottom), (left, right) = row_edges[block.top], col_edges[block.left]
        found.append(Tile(top, left, bottom - top, right - left))
    return found


def painting_mosaic(
    extractor: FeatureExtractor,
    painting: np.ndarray,
    tile: int,
    overlap: Overlap,
    strides: Sequence[int],
    spatial: bool = False,
) -> list[tf.Tensor]:
    """Per style layer, the painting's features read by blocks of `tile` px: every block's core, taken every
    k-th position in each direction, as (1, 1, M, C), k the smallest that keeps a layer within MOSAIC_FLOATS
    per tile pixel (deep layers, few positions: all of them); `spatial` (patch statistics): each core cropped
    about its centre to one shape, side by side, (1, h, w, C), a tile's positions in all. One block: its
    features as they are (an untiled run's)."""
    blocks = layout(painting.shape[:2], tile, overlap)
    if len(blocks) == 1:
        return list(extractor(tf.constant(painting[None]))[1])
    owned = cores(painting.shape[:2], blocks)
    ratio = sum(core.height * core.width for core in owned) / (blocks[0].height * blocks[0].width)
    shrink = min(1.0, 1 / math.sqrt(ratio))
    crop = (int(min(c.height for c in owned) * shrink), int(min(c.width for c in owned) * shrink))
    pieces: list[list[tf.Tensor]] = [[] for _ in strides]
    for block, core in zip(blocks, owned):
        features = extractor(tf.constant(painting[block.window][None]))[1]
        for layer, (found, stride) in enumerate(zip(features, strides)):
            if spatial:
                h, w = max(1, crop[0] // stride), max(1, crop[1] // stride)
                top = (core.top - block.top + (core.height - crop[0]) // 2) // stride
                left = (core.left - block.left + (core.width - crop[1]) // 2) // stride
            else:
                h, w = max(1, core.height // stride), max(1, core.width // stride)
                top, left = (core.top - block.top) // stride, (core.left - block.left) // stride
            piece = found[:, top : top + h, left : left + w]
            if not spatial:  # one position in every**2
                every = mosaic_every(ratio, piece.shape[-1], stride)
                piece = tf.reshape(piece[:, ::every, ::every], (1, 1, -1, piece.shape[-1]))
            pieces[layer].append(piece)
    return [tf.concat(layer, axis=2) for layer in pieces]


def tiled_stage(transfer, index: int, size: int, steps: int) -> Iterator[Progress]:
    """A Transfer's stage at `size` px by tiles (called by nst.transfer.Transfer, whose best image it keeps
    whole after every tile): events as a whole stage's, with the tile and pass they belong to. Never the first
    stage (nst.schedule.stage_plan keeps a whole one first)."""
    assert index > 0, "a tiled stage starts from a whole stage's image"
    settings, resumed = transfer.settings, time.perf_counter()
    # what the smaller stages shared is done with: their target features and mosaics, ~1 GB at 1024 px
    transfer._shared_targets.drop(lambda key: _stage_of(key) >= size)
    content, styles, style_plan = transfer._working_images(size)
    overlap = overlap_for(settings.layers, settings.network)
    tiles = layout(content.shape[:2], settings.tile, overlap)
    weights = blend_weights(content.shape[:2], tiles, overlap)
    canvas = transfer.upscaled_best(content.shape[:2]).copy()
    as_content = transfer._shared_targets.get(
        ("as content", size), lambda: [resize(styles[s], content.shape[:2]) for s in range(len(styles))]
    )
    mosaics = _mosaics(transfer, styles, style_plan.active, size, overlap)
    transfer.seconds += time.perf_counter() - resumed
    shared: list | None = None  # the statistic's targets, made at the first tile, shared by every tile
    per_pass = steps_per_pass(steps, settings.tile_passes)
    iteration = transfer.history[-1].iteration
    for sweep in range(1, settings.tile_passes + 1):
        start = canvas.copy()  # every tile of a pass starts from the image as the last pass left it
        for number, (tile, weight) in enumerate(zip(tiles, weights), start=1):
            resumed = time.perf_counter()
            window, style_windows = content[tile.window], [a[tile.window] for a in as_content]
            features = _tile_features(transfer._extractor, window, style_windows, mosaics)
            transfer._targets = _tile_targets(transfer, window, style_windows, features, shared)
            shared = shared or [list(entry.targets) for entry in transfer._targets.styles]
            transfer.seconds += time.perf_counter() - resumed

            def blend_in(best: np.ndarray, tile=tile, weight=weight, start=start) -> None:  # its weight's share
                canvas[tile.window] += weight[..., None].astype(np.float32) * (best - start[tile.window])
                transfer.best_image = canvas.copy()

            place = dict(tile=number, tiles=len(tiles), tile_pass=sweep, passes=settings.tile_passes)
            moves = (weight > 0)[None, ..., None].astype(np.float32)  # where its weight is 0: the neighbours' context
            yield from _refine(transfer, start[tile.window][None], per_pass, iteration, size, place, blend_in, moves)
            if transfer.error:
                return
            iteration += per_pass


def _stage_of(key) -> int:
    """The stage size (px) a TargetCache key belongs to: a bare size, or a tuple (kind, size, ...)."""
    return key if isinstance(key, int) else key[1]


def _mosaics(transfer, styles: list[np.ndarray], active: tuple[int, ...], size: int, overlap: Overlap) -> dict:
    """Style number -> its painting's mosaic (painting_mosaic) at this stage, made once per comparison: patch
    statistics (mrf) see spatial crops, the others sampled positions."""
    settings, spatial = transfer.settings, transfer._refreshes
    strides = [settings.network.by_name[name].stride for name in settings.layers.style]
    return transfer._shared_targets.get(
        ("painting", size, spatial),
        lambda: {
            s: painting_mosaic(transfer._extractor, styles[s], settings.tile, overlap, strides, spatial) for s in active
        },
    )


def _tile_features(
    extractor: FeatureExtractor, window: np.ndarray, style_windows: list[np.ndarray], mosaics: dict
) -> SharedFeatures:
    content_features, content_style = extractor(tf.constant(window[None]))
    per_style = {
        s: StyleFeatures(extractor(tf.constant(style_windows[s][None]))[0], mosaic) for s, mosaic in mosaics.items()
    }
    return SharedFeatures(content_features, content_style, per_style)


def _tile_targets(transfer, window: np.ndarray, styles: list[np.ndarray], features, shared) -> Targets:
    tile_plan = plan(transfer.settings.style_blend, None, window.shape[:2], len(styles))
    indices = transfer._style_indices
    return loss_targets(transfer._loss, window, styles, features, transfer.settings.seed, indices, tile_plan, shared)


def _refine(transfer, x: np.ndarray, steps: int, iteration: int, size: int, place: dict, blend_in, moves):
    """`steps` optimizer steps on one tile from x (1, h, w, 3), an event per step, only the pixels where `moves`
    is 1 changing (the gradient masked: the rest is fixed context); its best state is blended into the whole
    image (`blend_in`) before the last step's event, so that its preview has it."""

    def evaluate(x: np.ndarray, refresh: bool = False) -> tuple[float, np.ndarray]:
        f, g = transfer.evaluate(x, refresh)
        return f, g * moves

    resumed = time.perf_counter()
    f, g = evaluate(x, refresh=True)
    best, best_total = x[0], f
    for step, (state, total) in enumerate(transfer.descend(x, f, g, steps, evaluate, iteration), start=1):
        if total < best_total:
            best, best_total = state[0], total
        if step == steps:
            blend_in(best)
        transfer.seconds += time.perf_counter() - resumed
        event = dataclasses.replace(transfer._event(iteration + step, total, size), **place)
        transfer.history.append(without_preview(event))
        yield event
        resumed = time.perf_counter()
