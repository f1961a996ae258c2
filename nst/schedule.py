"""Which sizes a run works at, and for how many iterations each: direct, coarse to fine, or coarse to fine
with the stages larger than a tile refined tile by tile (nst.tiled)."""

from __future__ import annotations

SCHEDULES = ("direct", "multiscale", "tiled")
# Measured at 1024 px (docs/performance.md): 256-512-1024 reached a direct run's objective 1.7x sooner,
# 128-256-512-1024 only 1.56x: a stage far coarser than the output adds little the finest stage keeps.
MAX_STAGES = 3
SMALLEST_STAGE = 128  # px: multiscale's coarsest stage; at the aspect limit (8:1) its short side is still 16 px


def stage_plan(size: int, iterations: int, schedule: str, tile: int = 0) -> list[tuple[int, int]]:
    """[(long side px, iterations)] per stage. direct: one stage. multiscale: up to MAX_STAGES sizes,
    halving down to SMALLEST_STAGE (1024 px: 256, 512, 1024), each with an equal share of the
    iterations (the finest the remainder), so two thirds of the steps cost a fraction of a full one.
    tiled: multiscale's stages, halving further until the coarsest fits one `tile` (4096 px with 1024 px
    tiles: 1024, 2048, 4096); a stage larger than the tile runs tile by tile, its share the steps of each
    tile over all passes (nst.tiles.steps_per_pass)."""
    sizes = [size]
    while schedule != "direct" and sizes[0] // 2 >= SMALLEST_STAGE and len(sizes) < MAX_STAGES:
        sizes.insert(0, sizes[0] // 2)
    while schedule == "tiled" and sizes[0] > tile:
        sizes.insert(0, sizes[0] // 2)
    if schedule == "tiled" and len(sizes) > iterations > 0:  # the coarsest (whole) stage stays: it starts the run
        sizes = sizes[:1] + sizes[1:][len(sizes) - iterations :]
    sizes = sizes[-iterations:] if iterations else sizes[-1:]  # no stage without a step
    share = iterations // len(sizes)
    return [(s, share) for s in sizes[:-1]] + [(sizes[-1], iterations - share * (len(sizes) - 1))]
