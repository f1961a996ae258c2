"""Memory and time of a run, estimated before it starts, and a refusal when it would not fit.

The engine only estimates (a Comparison carries its `estimate`); refusing is policy, applied once per
comparison by nst.job.prepare (the page, the CLI and the sweep go through it) with `refuse_unfit`.
Time comes from nst.backbone.layers.iteration_flops, the same FLOP count `nst bench` reports, over a
rate measured on this project's machines (FLOPS_PER_SECOND). Memory was calibrated on a 2-core AMD
EPYC with 24 GB (peak resident memory of one process: 0.93 GB at 256 px, 1.27 GB at 512, 2.65 GB at
1024, gatys layers)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from nst import limits
from nst.backbone.layers import activation_floats, iteration_flops
from nst.backbone.precision import native_bfloat16
from nst.errors import SettingError
from nst.images import working_shape
from nst.settings import Settings
from nst.tiles import by_tiles, mosaic_floats, steps_per_pass, tile_counts, tile_shape

BASE_BYTES = 800 * 2**20  # TensorFlow, Keras and the VGG16 weights, before any image
ACTIVATION_FACTOR = 2.0  # forward activations kept for the backward pass, their gradients, temporaries
LBFGS_PAIRS = 10
EVALUATIONS_PER_ITERATION = 1.15  # L-BFGS' line search sometimes evaluates twice
# Rate of nst.backbone.layers.iteration_flops work per second, float32, whole runs (steps, line searches and
# Python included). Recalibrated once when the budget took over the benchmark's exact count: a 2-loss,
# 30-iteration, 256 px float32 comparison on a 2-core AMD EPYC (AVX-512 BF16) took 39.8 s, estimated 40.3 s.
FLOPS_PER_SECOND = 1.0e11
# Peak memory is the same in both precisions (measured, experiments/peak_memory.py, 1024 px, 3 iterations, 2-core
# AMD EPYC with AVX-512 BF16: 3.2 GB bfloat16, 3.1 GB float32 before scoring): the float32 copies around the
# bfloat16 network outweigh its halved activations. Where native, bfloat16 iterations ran 2.2x faster on an AMX
# Xeon and 1.7x on the AVX-512 BF16 EPYC above: 2.0 between them. Where TensorFlow emulates it (an
# AVX2-only EPYC) it ran about ten times slower (5.9 s against 0.58 s per iteration).
ACTIVATION_BYTES = {"float32": 4, "bfloat16": 4}
SPEEDUP = {"float32": 1.0, "bfloat16": 2.0}
EMULATED_BFLOAT16_SPEEDUP = 0.1
# The feed-forward baseline (settings.baseline feedforward, nst.baseline): onnxruntime, both graphs and one
# stylize at 384 px added 81-86 MiB of peak resident memory (docs/feedforward.md); 100 MiB with a margin.
BASELINE_BYTES = 100 * 2**20
JUDGE_BYTES = 400 * 2**20  # the judge's network and the style embedding's model (nst.metrics.Judge)
MEMORY_SHARE = 0.8  # of the memory available now, the most a run may plan to use


@dataclass(frozen=True)
class Estimate:
    memory_bytes: int  # peak resident memory of the process
    seconds: float  # wall time of the whole comparison

    def describe(self) -> str:
        return f"about {self.memory_bytes / 2**30:.1f} GB and {duration(self.seconds)}"


def estimate(
    settings: Settings, content_shape: tuple[int, ...], n_losses: int, cost: float | None = None, n_styles: int = 1
) -> Estimate:
    """For a comparison of `n_losses` losses with these settings on a content image of this shape; `cost`:
    their time in units of one Gram loss's (nst.losses.catalogue.relative_cost), `n_losses` when not given. Several
    styles add their target passes and per-iteration statistics (`n_styles`), a little each."""
    shape = working_shape(content_shape, settings.size)
    precision = settings.network_precision
    counts = tile_counts(settings, content_shape)
    memory = max(
        _pass_memory(settings, _pass_shape(settings, working_shape(content_shape, size), count), n_losses)
        for (size, _), count in zip(settings.stages, counts)
    )
    # A style image larger than the content (style_scale > 1) runs its own forward pass, features only, at each
    # stage: whole on a whole stage (a tiled run's first stage too), by tiles on a tiled one.
    style_shapes = [
        _pass_shape(settings, working_shape(content_shape, max(1, round(size * settings.style_scale))), count)
        for (size, _), count in zip(settings.stages, counts)
    ]
    activations = max(activation_floats(settings.layers, s, settings.network) for s in style_shapes)
    memory = max(memory, BASE_BYTES + activations * ACTIVATION_BYTES[precision])
    # The yardsticks' judge, after the runs and beside them: its own VGG16 and one float32 forward pass at the
    # judge's size (nst.compare.Comparison.judge_size). Measured at 1024 px: 1.18 GB more than the runs' peak.
    judge = working_shape(content_shape, min(settings.size, limits.JUDGE_MAX_SIZE))
    memory += JUDGE_BYTES + activation_floats(settings.layers, judge, settings.network) * 4
    if any(counts):  # tiled: the whole images beside the tile's pass (nst.tiled)
        memory += _tiled_images_bytes(settings, shape, n_losses, n_styles)
    memory += BASELINE_BYTES if settings.baseline == "feedforward" else 0
    work = sum(
        _stage_work(settings, working_shape(content_shape, size), steps, count)
        for (size, steps), count in zip(settings.stages, counts)
    )
    cost = n_losses if cost is None else cost
    seconds = work * EVALUATIONS_PER_ITERATION * cost / (FLOPS_PER_SECOND * speedup(precision, native_bfloat16()))
    return Estimate(int(memory), seconds + 2.0 * n_losses + 1.0 * (n_styles - 1))


def _pass_shape(settings: Settings, shape: tuple[int, int], tiles: int) -> tuple[int, int]:
    """What one network pass of a stage sees: the stage's whole image, or on a tiled stage one tile."""
    return tile_shape(shape, settings.tile) if tiles else shape


def _pass_memory(settings: Settings, shape: tuple[int, int], n_losses: int) -> float:
    """A pass at (h, w) `shape` with its gradient, and every loss's optimizer state at that shape."""
    lbfgs = (2 * LBFGS_PAIRS + 4) * 3 * 8 if settings.optimizer == "lbfgs" else 4 * 3 * 8  # float64 per pixel
    floats = activation_floats(settings.layers, shape, settings.network)
    return (
        BASE_BYTES
        + floats * ACTIVATION_BYTES[settings.network_precision] * ACTIVATION_FACTOR
        + shape[0] * shape[1] * n_losses * lbfgs
    )


def _tiled_images_bytes(settings: Settings, shape: tuple[int, int], n_losses: int, n_styles: int) -> float:
    """float32 RGB images at the full size: per loss its canvas, its pass's start, best image and preview; the
    content and its working copy; per style the painting (at style_scale) and its copy at the content's shape;
    and the painting's mosaic (nst.tiled: at most a tile's style-layer features, float32)."""
    paintings = n_styles * (1 + settings.style_scale**2)  # each at the content's shape and at its own scale
    images = (4 * n_losses + 2 + paintings) * shape[0] * shape[1] * 3 * 4
    painting = working_shape(shape, round(max(shape) * settings.style_scale))  # as the content's, scaled
    layers = [settings.network.by_name[name] for name in settings.layers.style]
    return images + n_styles * mosaic_floats(painting, settings.tile, layers) * 4


def _stage_work(settings: Settings, shape: tuple[int, int], steps: int, tiles: int) -> float:
    """FLOPs of one loss's stage: its steps at its shape; tiled, each tile's steps per pass and its targets'
    two forward passes (one evaluation's worth) per pass, and the painting read once by blocks."""
    if not tiles:
        return steps * iteration_flops(settings.layers, shape, settings.network)
    tile = _pass_shape(settings, shape, tiles)
    per_tile = iteration_flops(settings.layers, tile, settings.network)
    passes = settings.tile_passes
    return tiles * passes * (steps_per_pass(steps, passes) + 1) * per_tile + tiles * per_tile / 2


def speedup(precision: str, native: bool) -> float:
    """The network's speed in `precision` against float32: SPEEDUP where bfloat16 is native, else emulated."""
    return SPEEDUP[precision] if precision == "float32" or native else EMULATED_BFLOAT16_SPEEDUP


def check_fits(
    settings: Settings, content_shape: tuple[int, ...], n_losses: int, cost: float | None = None
) -> Estimate:
    """The estimate, or a SettingError naming it and the largest size that fits this machine now."""
    return refuse_unfit(estimate(settings, content_shape, n_losses, cost), settings, content_shape, n_losses)


def refuse_unfit(found: Estimate, settings: Settings, content_shape: tuple[int, ...], n_losses: int) -> Estimate:
    """`found` (the run's estimate, made once), or check_fits' SettingError where it cannot fit."""
    allowed = MEMORY_SHARE * available_memory()
    if found.memory_bytes <= allowed:
        return found
    hint = None
    if by_tiles(settings, settings.size):  # memory follows the tile: a smaller one
        tiles = range(settings.tile, limits.MIN_TILE - 1, -64)
        if fitting := _fitting(settings, content_shape, n_losses, allowed, "tile", tiles):
            hint = f"the largest tile that fits is {fitting[0]} px"
    if hint is None:  # the whole images beside a tile do not fit either: a smaller size
        sizes = range(settings.size, limits.MIN_SIZE - 1, -16)
        if fitting := _fitting(settings, content_shape, n_losses, allowed, "size", sizes):
            hint = f"the largest size that fits is {fitting[0]} px"
    hint = hint or "no size fits: free some memory"
    raise SettingError(f"this run needs {found.describe()}, but only {allowed / 2**30:.1f} GB may be used here; {hint}")


def _fitting(settings: Settings, content_shape, n_losses: int, allowed: float, name: str, values) -> list[int]:
    """[the first of `values` for setting `name` whose run fits `allowed` bytes], or []; values the settings
    refuse are passed over."""
    for value in values:
        try:
            changed = settings.replace(**{name: value})
        except SettingError:
            continue
        if estimate(changed, content_shape, n_losses).memory_bytes <= allowed:
            return [value]
    return []


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (MemAvailable, else free pages)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def duration(seconds: float) -> str:
    """A time as people say it: "40 s", "12 min"."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def largest_print(content_shape: tuple[int, int] = (3, 4)) -> str:
    """One line for `nst limits` and the page: the largest tiled output (default settings, schedule tiled, one
    loss, a 4:3 photo) that fits the memory available here now, with its estimate."""
    base = Settings(schedule="tiled", baseline="none", precision="float32")  # both precisions' memory; no TF
    allowed = MEMORY_SHARE * available_memory()
    for size in range(limits.MAX_TILED_SIZE, limits.MAX_SIZE - 1, -512):
        found = estimate(base.replace(size=size), (*content_shape, 3), 1)
        if found.memory_bytes <= allowed:
            return (
                f"largest print that fits this machine now: {size} px (schedule tiled, {base.tile} px tiles, one loss, "
                f"{base.iterations} iterations, a 4:3 photo): {found.describe()} in float32"
            )
    return f"no tiled print above {limits.MAX_SIZE} px fits the memory available now"
