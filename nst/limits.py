"""Every limit on user input, in one place, so the CLI, the page and the errors agree."""

from __future__ import annotations

import os

MIN_SIZE = 32  # px, long side of the working image: VGG16 halves it 4 times before block5
MAX_SIZE = 2048  # px: a run in one piece (schedules direct and multiscale), and a tile
# px: a larger output is scored by the yardsticks at this long side, in one pass (within a 1024 px tile's memory)
JUDGE_MAX_SIZE = 1024
MAX_TILED_SIZE = 8192  # px: schedule tiled, its largest stages refined tile by tile (nst.tiled)
MIN_TILE = 64  # px; a tile is also at least twice its overlap (2 x 198 px for block5_conv1: nst.tiles)
MAX_TILE_PASSES = 5
PAGE_MAX_SIZE = (
    4096  # px: the page's largest working size (above PAGE_PREVIEW_SIDE: shown smaller, downloaded full size)
)
PAGE_PREVIEW_SIDE = 1024  # px: the page shows results at most this large; the downloads are full size
MIN_ITERATIONS = 1
MAX_ITERATIONS = 5000
CONVERGENCE_WINDOW = 10  # iterations over which the tolerance setting measures the objective's fall
MAX_TOLERANCE = 0.5
MAX_LOSSES = 10  # losses compared in one run
MAX_STYLES = 3  # style images blended (or given regions) in one run
MAX_BLEND = 100.0  # a style's blend weight on the page (the engine takes any weight to MAX_WEIGHT; normalised)
MAX_SEED = 2**31 - 1  # seeds lie in [0, MAX_SEED]
MAX_WEIGHT = 1e12  # content, style and TV weights lie in [0, MAX_WEIGHT]
MAX_IMAGE_PIXELS = 40_000_000  # pixels of an input image (width x height), checked before decoding
MIN_IMAGE_SIDE = 16  # px, the short side of an input image
MAX_ASPECT_RATIO = 8  # long side / short side of an input image
MAX_FILE_MB = 50  # an input image file
MAX_UPLOAD_MB = 20  # page uploads (also in .streamlit/config.toml, server.maxUploadSize)
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp")  # what the page's uploaders take (the CLI reads more: nst.images)
MIN_WORKING_SIDE = 16  # px, the short side at working size: VGG16 pools it 4 times before block5
# nst video: the frames styled (after --frames and --fps), and the clip they are read from
MAX_VIDEO_FRAMES = 240  # frames styled in one run (each is a full style transfer, per loss)
MAX_VIDEO_SECONDS = 20.0  # s of clip styled
MAX_VIDEO_SIDE = 3840  # px, the long side of a clip's frames (decoded one at a time, then resized)
MAX_VIDEO_MB = 200  # a clip file
MAX_FPS = 60.0  # --fps
VIDEO_TYPES = ("mp4", "m4v", "mov", "webm", "mkv", "gif")
PAGE_VIDEO_SECONDS = 4.0  # s of clip the page styles: its runs wait in one queue with everyone's comparisons
PAGE_VIDEO_FRAMES = 48  # frames the page styles  # what nst video reads (any FFmpeg reads; these are named)


def concurrent_runs() -> int:
    """Runs computing at once in one server process; the rest wait in line. Setting: NST_CONCURRENT_RUNS
    (default: one per two CPUs, at least one)."""
    return int(os.environ.get("NST_CONCURRENT_RUNS") or max(1, (os.cpu_count() or 2) // 2))


def describe() -> list[str]:
    """The limits, one line each, for `nst limits` and the page."""
    return [
        f"working size: {MIN_SIZE} to {MAX_SIZE} px (long side); to {MAX_TILED_SIZE} px with schedule tiled (tiles of "
        f"{MIN_TILE} to {MAX_SIZE} px); the short side at least {MIN_WORKING_SIDE} px; on the page to "
        f"{PAGE_MAX_SIZE} px",
        f"iterations: {MIN_ITERATIONS} to {MAX_ITERATIONS}",
        f"seed: 0 to {MAX_SEED}",
        f"losses per comparison: 1 to {MAX_LOSSES}",
        f"style images per comparison: 1 to {MAX_STYLES} (blended, or a region each)",
        f"content, style and TV weights: 0 to {MAX_WEIGHT:g}",
        f"input images: at most {MAX_IMAGE_PIXELS:,} pixels and {MAX_FILE_MB} MB, each side at least "
        f"{MIN_IMAGE_SIDE} px, long side at most {MAX_ASPECT_RATIO}x the short side",
        f"page uploads: {', '.join(UPLOAD_TYPES)}, at most {MAX_UPLOAD_MB} MB",
        f"video clips: at most {MAX_VIDEO_FRAMES} frames and {MAX_VIDEO_SECONDS:g} s styled (cut with --frames and "
        f"--fps), frames' long side at most {MAX_VIDEO_SIDE} px, files at most {MAX_VIDEO_MB} MB; on the page at most "
        f"{PAGE_VIDEO_SECONDS:g} s and {PAGE_VIDEO_FRAMES} frames, uploads {', '.join(VIDEO_TYPES)}",
        "memory: a run is refused if its estimate exceeds 80% of the memory available",
        f"runs at once on one page server: {concurrent_runs()} (NST_CONCURRENT_RUNS); the others wait in line",
    ]
