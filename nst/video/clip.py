"""Video clips in and out, with PyAV (FFmpeg's libraries, shipped in its wheels): probe a clip without
decoding it, read the frames a cut selects at the working size, write frames as an MP4 (H.264).

A cut (`Cut`) says which frames are styled: at the clip's own frame rate every decoded frame in turn, or
with `fps` the frame showing at each tick of the new rate (0, 1/fps, 2/fps, ... s); `frames` A:B then keeps
ticks A to B-1 (0-based, as a Python slice: "12:48", ":36", "100:"). The frames are resized to the working
size as they are decoded, so a long clip of which a few seconds are cut costs the memory of those only."""

from __future__ import annotations

import contextlib
import fractions
import hashlib
import io
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst import limits
from nst.errors import SettingError, VideoError
from nst.images import resize_long_side, to_uint8

ENCODER = "libx264"  # H.264 in an MP4: what browsers and players show
QUALITY = "20"  # x264's constant rate factor: 0 lossless, 23 its default; lower is better and larger


class FrameRange(NamedTuple):
    """Ticks A to B-1 of a cut (0-based); `stop` None: to the end."""

    start: int = 0
    stop: int | None = None

    def __str__(self) -> str:
        return f"{self.start}:{'' if self.stop is None else self.stop}"


def frame_range(text: str) -> FrameRange:
    """'12:48', ':36', '100:' -> FrameRange; anything else a SettingError saying what is allowed."""
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        start, stop = int(parts[0] or 0), (int(parts[1]) if parts[1] else None)
    except ValueError:
        raise SettingError(f"--frames takes A:B, frames A to B-1 from 0 (e.g. 0:36 or 12:), got {text!r}") from None
    if start < 0 or (stop is not None and stop <= start):
        raise SettingError(f"--frames A:B needs 0 <= A < B, got {text!r}")
    return FrameRange(start, stop)


class Cut(NamedTuple):
    """Which frames of a clip are styled."""

    frames: FrameRange = FrameRange()
    fps: float | None = None  # frames per second to take; None: every frame, at the clip's own rate


class ClipInfo(NamedTuple):
    """What a clip's container says, before any frame is decoded."""

    name: str  # as given: a path or an upload's name
    sha256: str  # of the file's bytes
    fps: float  # its frame rate (the average, for a variable rate)
    frames: int  # its frame count (counted by the container, else its duration x fps)
    width: int
    height: int

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    def record(self) -> dict[str, object]:
        """What config.json records of it."""
        return {"name": self.name, "sha256": self.sha256, "fps": self.fps, "frames": self.frames,
                "size": [self.width, self.height]}  # fmt: skip


class Clip(NamedTuple):
    """The frames a cut selected, at the working size."""

    info: ClipInfo
    cut: Cut
    fps: float  # of `frames`: the cut's, else the clip's
    frames: list[np.ndarray]  # (H, W, 3) float32 RGB in [0, 1]


def selected(info: ClipInfo, cut: Cut) -> range:
    """The ticks a cut keeps of this clip (as the container counts its frames)."""
    rate = cut.fps or info.fps
    ticks = info.frames if cut.fps is None else math.floor(info.seconds * rate + 1e-6)
    stop = ticks if cut.frames.stop is None else min(cut.frames.stop, ticks)
    return range(cut.frames.start, max(stop, cut.frames.start))


def probe(source: str | Path | bytes, name: str = "") -> ClipInfo:
    """The clip's frame rate, frame count and size; a VideoError, one line, if it is missing, too big, not a
    video or has no video stream."""
    data, label = _read_bytes(source, name)
    with _opened(data, label) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or stream.guessed_rate or 0)
        if fps <= 0:
            raise VideoError(f"{label}: its frame rate is unknown")
        seconds = float(stream.duration * stream.time_base) if stream.duration else (container.duration or 0) / 1e6
        frames = stream.frames or round(seconds * fps)
        width, height = stream.codec_context.width, stream.codec_context.height
    if max(width, height) > limits.MAX_VIDEO_SIDE:
        raise VideoError(f"{label}: its frames are {width}x{height} px; at most {limits.MAX_VIDEO_SIDE} px a side")
    return ClipInfo(label, hashlib.sha256(data).hexdigest(), fps, frames, width, height)


def read_clip(source: str | Path | bytes, cut: Cut, size: int, info: ClipInfo | None = None) -> Clip:
    """The frames `cut` selects, resized to a long side of `size` px; a VideoError if there are none."""
    data, label = _read_bytes(source, info.name if info else "")
    info = info or probe(data, label)
    wanted = selected(info, cut)
    frames = [resize_long_side(frame, size) for frame in _ticks(data, label, cut, info.fps, wanted.stop)]
    frames = frames[cut.frames.start :]
    if not frames:
        raise VideoError(f"{label}: no frames in {cut.frames} (it has {info.frames} at {info.fps:g} fps)")
    return Clip(info, cut, cut.fps or info.fps, frames)


def _ticks(data: bytes, label: str, cut: Cut, fps: float, stop: int) -> Iterator[np.ndarray]:
    """The first `stop` ticks' frames (H, W, 3) float32: every decoded frame, or with cut.fps the frame
    showing at each tick k / cut.fps s (the last frame with a time at or before it)."""
    with _opened(data, label) as container:
        decoded = (_timed(frame, number, fps) for number, frame in enumerate(container.decode(video=0)))
        chosen = (pixels for _, pixels in decoded) if cut.fps is None else _resampled(decoded, cut.fps, 1 / fps)
        for count, pixels in enumerate(chosen):
            if count >= stop:
                return
            yield pixels


def _timed(frame, number: int, fps: float) -> tuple[float, np.ndarray]:
    time = frame.time if frame.time is not None else number / fps
    return time, frame.to_ndarray(format="rgb24").astype(np.float32) / 255.0


def _resampled(decoded: Iterable[tuple[float, np.ndarray]], rate: float, last_lasts: float) -> Iterator[np.ndarray]:
    """The frame showing at each tick k / rate of `decoded` (time, pixels); the last one shows for `last_lasts` s."""
    tick, showing = 0, None
    for time, pixels in decoded:
        while showing is not None and tick / rate < time:
            yield showing[1]
            tick += 1
        showing = (time, pixels)
    while showing is not None and tick / rate < showing[0] + last_lasts:
        yield showing[1]
        tick += 1


def write_video(frames: Iterable[np.ndarray], fps: float, path: str | Path, quality: str = QUALITY) -> Path:
    """`frames` (H, W, 3) in [0, 1] (float) or uint8, all one shape, as an H.264 MP4 at `fps` (`quality`: x264's
    constant rate factor); an odd side is padded by one px (its edge repeated): 4:2:0 colour needs even sides."""
    import av

    path = Path(path)
    with av.open(str(path), "w") as container:
        stream = None
        for frame in frames:
            pixels = _even(frame if frame.dtype == np.uint8 else to_uint8(frame))
            if stream is None:
                stream = container.add_stream(ENCODER, rate=fractions.Fraction(fps).limit_denominator(1001))
                stream.height, stream.width = pixels.shape[:2]
                stream.pix_fmt, stream.options = "yuv420p", {"crf": quality}
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        if stream is not None:
            container.mux(stream.encode())
    return path


def _even(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    return np.pad(pixels, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")


def _read_bytes(source: str | Path | bytes, name: str) -> tuple[bytes, str]:
    """(the clip's bytes, its label for errors); a file's existence and size are checked before it is read."""
    label = name or ("the clip" if isinstance(source, bytes) else str(source))
    if isinstance(source, bytes):
        size = len(source)
    elif not Path(source).is_file():
        raise VideoError(f"{label}: no such file")
    else:
        size = Path(source).stat().st_size
    if size > limits.MAX_VIDEO_MB * 2**20:
        raise VideoError(f"{label}: {size / 2**20:.0f} MB; clips may be at most {limits.MAX_VIDEO_MB} MB")
    return (source if isinstance(source, bytes) else Path(source).read_bytes()), label


@contextlib.contextmanager
def _opened(data: bytes, label: str):
    """The clip's container (av.open); FFmpeg's failures, opening or decoding, as one-line VideoErrors."""
    import av

    try:
        container = av.open(io.BytesIO(data))
    except (av.FFmpegError, ValueError, OSError):
        raise VideoError(f"{label}: not a video FFmpeg can read (e.g. {', '.join(limits.VIDEO_TYPES)})") from None
    try:
        if not container.streams.video:
            raise VideoError(f"{label}: has no video stream")
        yield container
    except av.FFmpegError as error:
        raise VideoError(f"{label}: cannot be decoded: {error}") from None
    finally:
        container.close()
