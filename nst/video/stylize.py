"""A clip styled frame by frame (Ruder et al., "Artistic style transfer for videos", GCPR 2016), as a stream
of events; stopping is not asking for the next one, and every frame finished is on disk (nst.video.store).

Frame 0 is an ordinary style transfer. Each later frame t starts from the output of frame t-1 warped to it by
the content's optical flow (nst.video.flow; `later_start` init: from settings.init instead) and adds the
temporal term of nst.objective: its weight times the mean of mask * (x - warped previous output)^2. A track is
one loss at one temporal weight (nst.video.settings); with settings.baseline feedforward the feed-forward
network styles every frame alone, as a track of its own. The tracks take turns frame by frame, so a stopped
run leaves every track with (almost) the same frames. Each finished frame is scored by the yardsticks'
judge against its content frame; the steadiness of a track is nst.video.steadiness's warping error."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst import limits
from nst.backbone.model import load_backbone
from nst.backbone.weights import WeightsInfo
from nst.baseline import NAME as BASELINE
from nst.baseline import Baseline, make_baseline
from nst.budget import Estimate
from nst.errors import FeedForwardError, SettingError
from nst.images import resize_long_side, to_uint8
from nst.inputs import check_inputs
from nst.losses.catalogue import Loss, file_stem
from nst.metrics import JUDGE_WEIGHTS, Judge
from nst.objective import Temporal
from nst.progress import Progress
from nst.settings import Settings
from nst.transfer import TargetCache, Transfer
from nst.video.budget import check_cut
from nst.video.clip import Clip, Cut, probe, read_clip
from nst.video.flow import Motion, motion, warp
from nst.video.settings import VideoSettings
from nst.video.store import FrameRecord, FrameStore

UNRECORDED = ("preview_every", "baseline", "tile", "tile_passes")  # settings that change no loss track's frames (a
# video is never tiled)


class Track(NamedTuple):
    """One styled version of the clip."""

    name: str  # its label: the loss, with its temporal weight when several are compared; or "feedforward"
    stem: str  # its folder's and files' name
    loss: Loss | None  # None: the feed-forward baseline
    temporal_weight: float


def tracks_of(losses: Sequence[Loss], video: VideoSettings, baseline: bool) -> tuple[Track, ...]:
    """The baseline first (where on), then each loss at each temporal weight, in the order given."""
    several = len(video.temporal_weights) > 1
    tracks = [Track(BASELINE, BASELINE, None, 0.0)] if baseline else []
    for loss in losses:
        for weight in video.temporal_weights:
            name = f"{loss.name}, temporal {weight:g}" if several else loss.name
            tracks.append(Track(name, f"{file_stem(loss.name)}-t{weight:g}", loss, weight))
    return tuple(tracks)


@dataclass(frozen=True)
class FrameEvent:
    track: str  # the track's name
    frame: int  # 0-based, of `frames`
    frames: int  # frames in the cut
    step: Progress | None  # an optimizer step of this frame; None: the frame is finished (and on disk)
    resumed: bool = False  # finished by an earlier run: read from disk, not made again


@dataclass
class VideoResult:
    """Every track's finished frames so far, and what made them."""

    settings: Settings
    video: VideoSettings
    clip: Clip
    tracks: dict[str, Track]
    done: dict[str, list[FrameRecord]]  # per track, its finished frames, in order
    motions: list[Motion]  # motions[t - 1]: the content's frame t-1 -> t, for every pair finished
    weights: WeightsInfo
    judge: WeightsInfo
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(len(frames) == len(self.clip.frames) for frames in self.done.values())


def prepare_video(
    source: str | Path | bytes,
    name: str,
    style: np.ndarray,
    settings: Settings,
    video: VideoSettings,
    losses: Sequence[Loss],
    cut: Cut,
    out: str | Path | None,
    max_seconds: float = limits.MAX_VIDEO_SECONDS,
) -> tuple[VideoJob, Estimate]:
    """The one way from a clip (a path or an upload's bytes) to its job and estimate: probed, the cut refused
    over the limits before any frame is decoded (nst.video.budget), then read at the working size."""
    if settings.schedule == "tiled":
        raise SettingError("schedule tiled makes large still images; a video runs direct or multiscale")
    info = probe(source, name)
    estimate = check_cut(info, cut, settings, losses, video, max_seconds)
    clip = read_clip(source, cut, settings.size, info)
    return VideoJob(clip, style, settings, video, losses, out), estimate


class VideoJob:
    """Iterate `events()`; stop whenever; `result()` has every frame finished, this run's or an earlier one's."""

    def __init__(
        self, clip: Clip, style: np.ndarray, settings: Settings, video: VideoSettings, losses: Sequence[Loss], out
    ) -> None:
        """`clip`: its frames at the working size; `out`: the folder whose frames/ holds each track's frames (None:
        the frames are kept in memory only)."""
        self.clip, self.settings, self.video = clip, settings, video
        self.style = check_inputs(clip.frames[0], style, settings, losses, None)[0]
        self._judge_style = resize_long_side(self.style, settings.size)  # as a comparison's judge sees it
        self.tracks = list(tracks_of(losses, video, settings.baseline == "feedforward"))
        folder = None if out is None else Path(out) / "frames"
        self.stores = {t.name: FrameStore(folder and folder / t.stem, self._record(t)) for t in self.tracks}
        self.done: dict[str, list[FrameRecord]] = {t.name: [] for t in self.tracks}
        self.notices: list[str] = []
        self._motions: list[Motion] = []
        self._frame_cache: tuple[int, TargetCache, dict] = (-1, TargetCache(), {})  # frame t's targets, judge, baseline
        self.weights: WeightsInfo | None = None
        if settings.init == "feedforward" and self._baseline(0).result is None:
            raise FeedForwardError(f"init feedforward cannot start: {self._baseline(0).notice}")

    @property
    def frames(self) -> int:
        return len(self.clip.frames)

    def on_disk(self) -> int:
        """Frames an earlier run finished, all tracks together, that `events()` will read rather than make."""
        return sum(self._finished_prefix(self.stores[track.name]) for track in self.tracks)

    def _finished_prefix(self, store: FrameStore) -> int:
        return next((t for t in range(self.frames) if not store.has(t)), self.frames)

    def events(self) -> Iterator[FrameEvent]:
        """Frame by frame, each track in turn: its optimizer steps, then its finished event; a frame an earlier
        run finished is one event, `resumed`."""
        for t in range(self.frames):
            for track in list(self.tracks):
                if len(self.done[track.name]) > t:
                    continue
                found = self.stores[track.name].find(t)
                if found is None:
                    yield from self._make(track, t)
                else:
                    self.done[track.name].append(found)
                    yield FrameEvent(track.name, t, self.frames, None, resumed=True)

    def _make(self, track: Track, t: int) -> Iterator[FrameEvent]:
        if track.loss is None:
            made = self._baseline(t)
            if made.result is None:  # the baseline is left out, with its notice; the losses go on
                self.tracks.remove(track)
                self.notices.append(made.notice)
                return
            image, iterations, seconds, converged = made.at(self.clip.frames[t].shape), 0, made.result.seconds, True
        else:
            transfer = self._transfer(track, t)
            for step in transfer.events():
                yield FrameEvent(track.name, t, self.frames, step)
            if transfer.error:
                self.notices.append(f"{track.name}, frame {t}: {transfer.error}; kept its best image")
            image, seconds, converged = transfer.output_image(), transfer.seconds, transfer.converged
            iterations = max(0, len(transfer.history) - 1)
        image = to_uint8(image).astype(np.float32) / 255.0  # as its PNG holds it: a resumed run warms up alike
        record = FrameRecord(image, iterations, seconds, converged, self._judge(t).score(image))
        self.stores[track.name].save(t, record)
        self.done[track.name].append(record)
        yield FrameEvent(track.name, t, self.frames, None)

    def _transfer(self, track: Track, t: int) -> Transfer:
        """Frame t's run: from the previous output warped by the flow, with the temporal term (t > 0)."""
        temporal = None
        if t > 0:
            moved = self.motion(t)
            previous = warp(self.done[track.name][t - 1].image, moved.backward)
            temporal = Temporal(previous, moved.mask, track.temporal_weight, self.video.later_start == "warped")
        start = self._baseline(t).result.image if self.settings.init == "feedforward" else None
        transfer = Transfer(
            self.clip.frames[t], [self.style], self.settings, track.loss, self._cached(t)[0], None, start, temporal
        )
        self.weights = transfer.weights
        return transfer

    def motion(self, t: int) -> Motion:
        """The content's motion from frame t-1 to frame t (t >= 1), computed once."""
        while len(self._motions) < t:
            k = len(self._motions) + 1
            self._motions.append(motion(self.clip.frames[k - 1], self.clip.frames[k]))
        return self._motions[t - 1]

    def _cached(self, t: int) -> tuple[TargetCache, dict]:
        """Frame t's target features (shared by its tracks) and its judge and baseline, made once each."""
        if self._frame_cache[0] != t:
            self._frame_cache = (t, TargetCache(), {})
        return self._frame_cache[1:]

    def _judge(self, t: int) -> Judge:
        made = self._cached(t)[1]
        if "judge" not in made:
            made["judge"] = Judge(self.clip.frames[t], self._judge_style, self.settings.pooling)
        return made["judge"]

    def _baseline(self, t: int) -> Baseline:
        made = self._cached(t)[1]
        if "baseline" not in made:
            made["baseline"] = make_baseline(self.clip.frames[t], [self.style], self.settings)
        return made["baseline"]

    def result(self) -> VideoResult:
        """Every track's frames finished so far (this run's and earlier runs'), with the motions they need."""
        finished = max((len(frames) for frames in self.done.values()), default=0)
        motions = [self.motion(t) for t in range(1, finished)]
        s = self.settings
        weights = self.weights or load_backbone(s.weights, s.pooling, s.network_precision, s.backbone).info
        judge = load_backbone(JUDGE_WEIGHTS, s.pooling).info
        tracks = {track.name: track for track in self.tracks}
        done = {name: frames for name, frames in self.done.items() if name in tracks}
        return VideoResult(s, self.video, self.clip, tracks, done, motions, weights, judge, tuple(self.notices))

    def _record(self, track: Track) -> dict[str, object]:
        """What decides this track's frames (nst.video.store): a folder that recorded otherwise is refused."""
        clip = self.clip
        style = hashlib.sha256(np.ascontiguousarray(self.style).tobytes()).hexdigest()
        base = {"clip_sha256": clip.info.sha256, "first_frame": clip.cut.frames.start, "fps": clip.fps, "style": style}
        base["working_shape"] = list(clip.frames[0].shape[:2])
        if track.loss is None:
            return {**base, "track": BASELINE, "strength": self.settings.baseline_strength}
        settings = {k: v for k, v in self.settings.as_dict().items() if k not in UNRECORDED}
        if self.settings.init != "feedforward":
            settings.pop("baseline_strength")
        video = {"temporal_weight": track.temporal_weight, "later_start": self.video.later_start}
        return {**base, "loss": track.loss.name, **video, "settings": settings}
