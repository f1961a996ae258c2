"""A video run's time and memory, estimated from the probe before any frame is decoded, and its refusal when
the cut is over the limits (nst.limits) or cannot fit in memory here (nst.budget's way).

Time: every frame of every track costs what nst.budget estimates for one image with the same settings,
plus the feed-forward baseline's pass where it is on: an upper bound, since a warm-started frame with a
--tolerance stops early. Memory: one frame's run at a time (the tracks take turns), plus what is kept at the
working size: the content frames, their motions and every track's finished frames."""

from __future__ import annotations

from collections.abc import Sequence

from nst import limits
from nst.budget import Estimate, estimate, refuse_unfit
from nst.errors import VideoError
from nst.images import working_shape
from nst.losses.catalogue import Loss, relative_cost
from nst.settings import Settings
from nst.video.clip import ClipInfo, Cut, selected
from nst.video.settings import VideoSettings

BASELINE_SECONDS = 0.3  # a feed-forward pass of one frame (docs/feedforward.md: about 0.2 s at 384 px)
FLOATS_PER_PIXEL = 3 + 3  # kept per frame: its content (RGB) and its motion (backward flow and mask)
FLOATS_PER_OUTPUT_PIXEL = 3  # and per frame of each track: its output (RGB)


def estimate_video(
    settings: Settings, frame_shape: tuple[int, ...], frames: int, losses: Sequence[Loss], video: VideoSettings
) -> Estimate:
    """For `frames` frames of this shape (the clip's, any size), each styled with every loss at every
    temporal weight."""
    runs = len(video.temporal_weights)
    per_frame = estimate(settings, frame_shape, len(losses), relative_cost(losses))
    one_run = estimate(settings, frame_shape, 1, relative_cost(losses[:1]))
    baseline = settings.baseline == "feedforward"
    height, width = working_shape(frame_shape, settings.size)
    floats = FLOATS_PER_PIXEL + FLOATS_PER_OUTPUT_PIXEL * (len(losses) * runs + baseline)
    held = frames * height * width * floats * 4
    seconds = frames * (per_frame.seconds * runs + BASELINE_SECONDS * baseline)
    return Estimate(one_run.memory_bytes + held, seconds)


def check_cut(
    info: ClipInfo,
    cut: Cut,
    settings: Settings,
    losses: Sequence[Loss],
    video: VideoSettings,
    max_seconds: float = limits.MAX_VIDEO_SECONDS,
) -> Estimate:
    """The cut's estimate, or a VideoError (one line, with the estimate) when it is over the limits (`max_seconds`:
    the page's are shorter), and nst.budget's SettingError when it cannot fit in memory here."""
    if cut.fps is not None and not 0 < cut.fps <= min(info.fps, limits.MAX_FPS):
        raise VideoError(f"--fps must be above 0 and at most the clip's {info.fps:g} fps; got {cut.fps:g}")
    ticks = selected(info, cut)
    rate = cut.fps or info.fps
    found = estimate_video(settings, (info.height, info.width), len(ticks), losses, video)
    seconds = len(ticks) / rate
    if len(ticks) > limits.MAX_VIDEO_FRAMES or seconds > max_seconds:
        raise VideoError(
            f"{info.name}: the cut has {len(ticks)} frames ({seconds:.1f} s at {rate:g} fps); at most "
            f"{limits.MAX_VIDEO_FRAMES} frames and {max_seconds:g} s: cut it with --frames A:B or "
            f"--fps (as it is it would take {found.describe()})"
        )
    if not ticks:
        raise VideoError(f"{info.name}: no frames in {cut.frames} (it has {info.frames} at {info.fps:g} fps)")
    return refuse_unfit(found, settings, (info.height, info.width), 1)
