"""One way to run a comparison, from the inputs a shell has (a path, an upload's bytes, pixels) to its
progress events, its scores and its artifacts:

    content = InputImage.from_path("cat.png")
    request = Request.of(content, InputImage.from_path("starry.jpg"), Settings(size=128), "mse,mae")
    job = prepare(request)  # every check, once: losses, working sizes, styles and masks, memory
    for event in job.events(): ...  # the progress stream; stopping is not asking for the next one
    result = job.result()  # every run so far, scored, and the feed-forward baseline beside them
    job.write_artifacts("out", result)  # images, sheet, history.csv, metrics.json, config.json

The page, the command line and a sweep's worker go through `prepare` and only present its events and
results; a loss name is parsed once (`Request.of`), the images are checked once (the Comparison), the
estimate is made once and refused here when it cannot fit (nst.budget)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst import limits
from nst.artifacts import Inputs, artifacts, input_record, input_record_bytes, write_artifacts
from nst.baseline import NAME, Baseline, make_baseline
from nst.budget import Estimate, refuse_unfit
from nst.compare import Comparison, ComparisonResult, RunResult, estimate_for, losses_of
from nst.errors import FeedForwardError
from nst.images import read_image
from nst.losses.catalogue import DEFAULT_LOSSES, Loss
from nst.progress import Progress
from nst.settings import Settings
from nst.styles import read_mask


class InputImage(NamedTuple):
    """One input of a comparison: a content or style image, or a mask."""

    name: str  # as given: a path, an upload's or a sample's file name; "" when unnamed
    pixels: np.ndarray  # (H, W, 3) float32 RGB in [0, 1]; a mask: (H, W) in [0, 1]
    sample: bool = False  # one of the bundled samples (assets/)
    record: dict[str, str] | None = None  # what config.json records of it (nst.artifacts); None: nothing
    notices: tuple[str, ...] = ()  # what reading it did that the user should know (nst.images)

    @classmethod
    def from_path(cls, path: str | Path, *, mask: bool = False, sample: bool = False) -> InputImage:
        """A file, recorded by its path as given and the SHA-256 of its bytes."""
        pixels, notices = _decoded(path, str(path), mask)
        return cls(str(path), pixels, sample, input_record(path), notices)

    @classmethod
    def from_bytes(
        cls, data: bytes, name: str | Path, *, mask: bool = False, sample: bool = False, hashed: bool = True
    ) -> InputImage:
        """A file's bytes (an upload, a sweep's worker): recorded by `name` (a path or a file name) and the
        SHA-256 of the bytes, or by name only (`hashed=False`: the page's way). Errors name the file."""
        pixels, notices = _decoded(data, Path(name).name, mask)
        record = input_record_bytes(name, data) if hashed else {"name": str(name)}
        return cls(str(name), pixels, sample, record, notices)

    @classmethod
    def from_pixels(cls, pixels: np.ndarray, name: str = "", *, sample: bool = False) -> InputImage:
        """Pixels at hand, recorded by name only (nothing is read), or not at all when unnamed."""
        return cls(name, pixels, sample, {"name": name} if name else None)


def _decoded(source: str | Path | bytes, label: str, mask: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    if mask:
        return read_mask(source, label), ()
    loaded = read_image(source, label)
    return loaded.pixels, loaded.notices


@dataclass(frozen=True, eq=False)
class Request:
    """What a comparison is asked to do, its losses parsed (`Request.of`)."""

    content: InputImage
    styles: tuple[InputImage, ...]  # one, or several blended by settings.style_blend
    settings: Settings
    losses: tuple[Loss, ...]
    masks: tuple[InputImage, ...] = ()  # none, or one greyscale region per style (nst.styles)

    @classmethod
    def of(
        cls,
        content: InputImage | np.ndarray,
        style: InputImage | np.ndarray | Sequence[InputImage | np.ndarray],
        settings: Settings,
        losses: str | Sequence[str | Loss] = DEFAULT_LOSSES,
        masks: Sequence[InputImage | np.ndarray] | None = None,
    ) -> Request:
        """`losses`: 'mse,mae', names or Loss objects, parsed here, once (nst.compare.losses_of); images
        given as pixels are taken as they are (InputImage.from_pixels)."""
        styles = [style] if isinstance(style, InputImage | np.ndarray) else list(style)
        return cls(
            _input(content),
            tuple(_input(image) for image in styles),
            settings,
            losses_of(losses),
            tuple(_input(mask) for mask in masks or ()),
        )

    def replace(self, **changes) -> Request:
        """A copy with some fields changed (as Settings.replace)."""
        return dataclasses.replace(self, **changes)

    @property
    def votable(self) -> bool:
        """Whether its outputs may join the vote pool (nst.votes.pool): bundled samples only, one style,
        no masks, so that every pair in the pool compares two losses on the same public inputs; no larger than the
        page shows (limits.PAGE_PREVIEW_SIDE: a voter's phone gets no 4096 px print)."""
        small = self.settings.size <= limits.PAGE_PREVIEW_SIDE
        return small and self.content.sample and len(self.styles) == 1 and self.styles[0].sample and not self.masks

    @property
    def notices(self) -> tuple[str, ...]:
        """What reading the images did that the user should know, content first."""
        return tuple(notice for image in (self.content, *self.styles, *self.masks) for notice in image.notices)

    def inputs(self) -> Inputs:
        """The inputs' records for config.json: content, style (or style 1's as "style", then "style 2"...),
        "mask 1"...; an input without a record is left out."""
        roles = [("content", self.content)]
        roles += [("style" if n == 1 else f"style {n}", image) for n, image in enumerate(self.styles, start=1)]
        roles += [(f"mask {n}", mask) for n, mask in enumerate(self.masks, start=1)]
        return {role: image.record for role, image in roles if image.record is not None}


def _input(image: InputImage | np.ndarray) -> InputImage:
    return image if isinstance(image, InputImage) else InputImage.from_pixels(image)


class Job:
    """A checked comparison of a Request: iterate `events()`, then `result()`; its artifacts carry the
    request's input records. `estimate` is its time and memory, for the shells to show. The feed-forward
    baseline (settings.baseline) is made once, by the first `result()` (or given: the page's cached one)."""

    def __init__(self, request: Request, comparison: Comparison, baseline: Baseline | None = None) -> None:
        self.request, self.comparison = request, comparison
        self.estimate: Estimate = comparison.estimate
        self.settings: Settings = request.settings
        self.losses: list[str] = comparison.losses  # canonical names, in the order asked for
        self.total_steps: int = len(self.losses) * comparison.planned_steps  # every loss's, tiles and passes included
        self._baseline = baseline

    def events(self) -> Iterator[Progress]:
        """One event per iteration of each loss, interleaved (nst.compare.Comparison.events)."""
        return self.comparison.events()

    def baseline(self) -> Baseline | None:
        """The feed-forward baseline the settings ask for, made once (None: settings.baseline none)."""
        if self._baseline is None and self.settings.baseline != "none":
            self._baseline = _made(self.request)
        return self._baseline if self.settings.baseline != "none" else None

    def result(self) -> ComparisonResult:
        """Every run so far, finished or not, scored, and the baseline scored by the same judges (or its
        notice); a SettingError before the first event."""
        result = self.comparison.results()
        baseline = self.baseline()
        if baseline is None:
            return result
        if baseline.result is None:
            return dataclasses.replace(
                result, notices=(*result.notices, baseline.notice), baseline_model=baseline.record()
            )
        image = baseline.at(result.content_image.shape)
        metrics, by_style = self.comparison.score(image)
        metrics.update(seconds=baseline.result.seconds, seconds_per_iteration=float("nan"))  # no iterations
        run = RunResult(NAME, image, [], 0, baseline.result.seconds, True, "", metrics, by_style)
        return dataclasses.replace(result, baseline=run, baseline_model=baseline.record())

    def artifacts(self, result: ComparisonResult) -> dict[str, bytes]:
        """File name -> contents (nst.artifacts), with the request's input records."""
        return artifacts(result, self.request.inputs())

    def write_artifacts(self, out_dir: str | Path, result: ComparisonResult) -> list[Path]:
        return write_artifacts(result, out_dir, self.request.inputs())

    @property
    def started(self) -> bool:
        """Whether events() has been asked for the first event (every run's targets are then made)."""
        return bool(self.comparison.transfers)

    def steps_done(self) -> int:
        """Optimizer steps taken so far, all losses together (of total_steps)."""
        return sum(max(0, len(transfer.history) - 1) for transfer in self.comparison.transfers.values())

    def histories(self) -> dict[str, list[Progress]]:
        """Each started loss's events so far."""
        return {loss: transfer.history for loss, transfer in self.comparison.transfers.items()}


def prepare(request: Request, *, check_memory: bool = True, baseline: Baseline | None = None) -> Job:
    """The request checked, once: the working sizes, the styles against the content, blend and masks, the
    losses against the masks (nst.inputs.check_inputs), then its estimate against the memory available
    here (a SettingError naming the largest size that fits; `check_memory=False` only estimates).
    `baseline`: the feed-forward baseline of these very inputs and strength, made already (the page's)."""
    styles = [style.pixels for style in request.styles]
    masks = [mask.pixels for mask in request.masks] or None
    start = None
    if request.settings.init == "feedforward":  # the start, made once, and the baseline too when it is on
        baseline = baseline or _made(request)
        if baseline.result is None:
            raise FeedForwardError(f"init feedforward cannot start: {baseline.notice}")
        start = baseline.result.image
    comparison = Comparison(request.content.pixels, styles, request.settings, request.losses, masks, start)
    if check_memory:
        _fitting(comparison.estimate, request)
    return Job(request, comparison, baseline)


def _made(request: Request) -> Baseline:
    styles = [style.pixels for style in request.styles]
    return make_baseline(request.content.pixels, styles, request.settings, bool(request.masks))


def preview_estimate(request: Request) -> Estimate:
    """Before anything is checked or built (the page, while choosing): the estimate its comparison will
    carry, or the SettingError prepare would raise where it cannot fit."""
    shape = request.content.pixels.shape
    return _fitting(estimate_for(request.settings, shape, request.losses, len(request.styles)), request)


def _fitting(found: Estimate, request: Request) -> Estimate:
    return refuse_unfit(found, request.settings, request.content.pixels.shape, len(request.losses))
