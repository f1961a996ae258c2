"""Several losses under identical conditions, interleaved step by step, then scored alike."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from nst import limits
from nst.backbone.weights import WeightsInfo
from nst.budget import Estimate, estimate
from nst.errors import SettingError
from nst.images import resize_long_side, working_shape
from nst.inputs import check_inputs
from nst.losses.catalogue import DEFAULT_LOSSES, LOSSES, Loss, relative_cost
from nst.metrics import STYLE_YARDSTICKS, Judge
from nst.progress import Progress
from nst.settings import Settings
from nst.styles import plan
from nst.tiles import planned_steps
from nst.transfer import TargetCache, Transfer


@dataclass
class RunResult:
    loss: str
    image: np.ndarray  # (H, W, 3) in [0, 1]: the best image the run reached
    history: list[Progress]  # one event per iteration, previews dropped
    iterations: int  # steps taken
    seconds: float  # the run's own compute time, targets included
    complete: bool  # False if stopped early (by the caller or a numerical fault)
    error: str = ""  # the numerical fault that stopped it, if any
    metrics: dict[str, float] = field(default_factory=dict)  # with several styles: blend-weighted means
    metrics_by_style: list[dict[str, float]] = field(default_factory=list)  # several styles: each one's
    converged: bool = False  # stopped by settings.tolerance before the iterations' cap


@dataclass
class ComparisonResult:
    settings: Settings  # shared by every run
    losses: list[str]  # in the order asked for
    content_image: np.ndarray  # (H, W, 3) working size
    style_image: np.ndarray  # (h, w, 3) working size (as the judge sees it, whatever style_scale): the first
    weights: WeightsInfo
    runs: dict[str, RunResult]
    style_images: list[np.ndarray] = field(default_factory=list)  # every style, working size
    style_weights: tuple[float, ...] = ()  # each style's share of the style term (blend x mask area)
    judge: WeightsInfo | None = None  # the weights of the VGG16 that scored every run (nst.metrics.Judge)
    notices: tuple[str, ...] = ()  # one line each: what the user should know (a yardstick or the baseline missing)
    baseline: RunResult | None = None  # the feed-forward output, scored alike (nst.job, settings.baseline)
    baseline_model: dict[str, str] | None = None  # its model's name, version and files' SHA-256s

    @property
    def complete(self) -> bool:
        return all(run.complete for run in self.runs.values()) and len(self.runs) == len(self.losses)


def losses_of(losses: str | Sequence[str | Loss]) -> tuple[Loss, ...]:
    """'mse,mae', ['mse', 'mae'] or Loss objects -> the losses, each once (by canonical name), in order: at
    least one, at most MAX_LOSSES. A name is parsed here; a Loss passes through as it is."""
    items = losses.split(",") if isinstance(losses, str) else list(losses)
    items = [item if isinstance(item, Loss) else item.strip() for item in items]
    items = [item for item in items if item]
    if not items:
        raise SettingError(f"choose at least one loss from: {', '.join(LOSSES.names())}")
    if len(items) > limits.MAX_LOSSES:
        raise SettingError(f"at most {limits.MAX_LOSSES} losses per comparison, got {len(items)}")
    unique: dict[str, Loss] = {}
    for loss in (item if isinstance(item, Loss) else LOSSES.get(item) for item in items):
        unique.setdefault(loss.name, loss)
    return tuple(unique.values())


def parse_losses(losses: str | Sequence[str]) -> list[str]:
    """'mse,mae' or ['mse', 'mae'] -> checked, canonical, de-duplicated names (losses_of's)."""
    return [loss.name for loss in losses_of(losses)]


def estimate_for(
    settings: Settings, content_shape: tuple[int, ...], losses: Sequence[Loss], n_styles: int = 1
) -> Estimate:
    """A comparison's time and memory (nst.budget.estimate), each loss costed by its statistic."""
    return estimate(settings, content_shape, len(losses), relative_cost(losses), n_styles)


class Comparison:
    """Runs every loss with the same settings, seed, start and budget, one iteration of each in turn,
    so that stopping at any moment leaves every loss with (almost) the same number of steps.

    It checks its inputs once (check_inputs) and hands its runs parsed losses and checked images. It
    owns the target features its runs share (three forward passes per stage for all losses). It only
    estimates its cost (`estimate`): whether to refuse a run is policy, nst.job.prepare's, through which
    the page, the CLI and a sweep's worker run every comparison."""

    def __init__(
        self,
        content_image: np.ndarray,
        style_image: np.ndarray | Sequence[np.ndarray],
        settings: Settings,
        losses: str | Sequence[str | Loss] = DEFAULT_LOSSES,
        masks: Sequence[np.ndarray] | None = None,
        start_image: np.ndarray | None = None,
    ) -> None:
        """`style_image`: one, or several blended by settings.style_blend; `masks`: one greyscale region
        per style (nst.styles); `losses`: names or parsed Loss objects (losses_of); `start_image`: every
        run's start with init feedforward (nst.transfer.Transfer)."""
        self.settings = settings
        self._losses = losses_of(losses)
        self.losses = [loss.name for loss in self._losses]
        styles = check_inputs(content_image, style_image, settings, self._losses, masks)
        self.estimate: Estimate = estimate_for(settings, content_image.shape, self._losses, len(styles))
        self._images = (content_image, styles)
        self._masks = masks
        if settings.init == "feedforward" and start_image is None:
            raise SettingError("init feedforward starts from the feed-forward output: run it through nst.job.prepare")
        self._start_image = start_image
        self._targets = TargetCache()  # stage size -> target features, for these images and settings only
        self.transfers: dict[str, Transfer] = {}
        self._judges: list[Judge] = []  # made once, by the first results()
        self.planned_steps: int = planned_steps(settings, content_image.shape)  # per loss, tiles and passes included

    def events(self) -> Iterator[Progress]:
        streams = []
        for loss in self._losses:  # targets of every loss first: the first previews come together
            self.transfers[loss.name] = Transfer(
                *self._images, self.settings, loss, self._targets, self._masks, self._start_image
            )
            streams.append(self.transfers[loss.name].events())
        while streams:
            for stream in list(streams):
                event = next(stream, None)
                if event is None:
                    streams.remove(stream)
                else:
                    yield event

    def results(self) -> ComparisonResult:
        """Every run so far, finished or not, scored by the yardsticks of nst.metrics."""
        first = next(iter(self.transfers.values()), None)
        if first is None:
            raise SettingError("the comparison has not started: iterate events() first")
        s = self.settings
        # The judge sees each style at the working size whatever style_scale fed the network, so the
        # yardsticks of different stroke sizes compare.
        styles = [resize_long_side(style, s.size) for style in self._images[1]]
        if not self._judges:  # from the images as given: a print's style is not resized to 4096 px and back
            judged = resize_long_side(first.content_image, self.judge_size)
            given = [resize_long_side(style, self.judge_size) for style in self._images[1]]
            self._judges = [Judge(judged, style, s.pooling) for style in given]
        runs = {loss: self._result(transfer) for loss, transfer in self.transfers.items()}
        notices = tuple(dict.fromkeys(judge.notice for judge in self._judges if judge.notice))
        if self.judge_size < s.size:
            notices += (f"the yardsticks scored the outputs at {self.judge_size} px (long side), in one pass",)
        return ComparisonResult(
            s,
            self.losses,
            first.content_image,
            styles[0],
            first.weights,
            runs,
            styles,
            self.shares,
            self._judges[0].weights,
            notices,
        )

    @property
    def judge_size(self) -> int:
        """The long side (px) the yardsticks score at: the working size, at most limits.JUDGE_MAX_SIZE."""
        return min(self.settings.size, limits.JUDGE_MAX_SIZE)

    @property
    def shares(self) -> tuple[float, ...]:
        """Each style's share of the style term (blend weight x mask area)."""
        shape = working_shape(self._images[0].shape, self.settings.size)
        return plan(self.settings.style_blend, self._masks, shape, len(self._images[1])).weights

    def score(self, image: np.ndarray) -> tuple[dict[str, float], list[dict[str, float]]]:
        """The image yardsticks of `image` (the working size) by the judges of results() (call it first), and
        with several styles each style's own: each style-dependent yardstick is then the share-weighted mean
        of each style's (STYLE_YARDSTICKS)."""
        image = resize_long_side(image, self.judge_size)
        by_style = [judge.score(image) for judge in self._judges]
        metrics = dict(by_style[0])
        if len(self._judges) > 1:
            for name in STYLE_YARDSTICKS:
                metrics[name] = float(sum(share * scores[name] for share, scores in zip(self.shares, by_style)))
        return metrics, by_style if len(self._judges) > 1 else []

    def _result(self, transfer: Transfer) -> RunResult:
        image = transfer.output_image()
        steps = max(0, len(transfer.history) - 1)
        metrics, by_style = self.score(image)
        metrics["seconds"] = transfer.seconds
        metrics["seconds_per_iteration"] = transfer.step_seconds / max(steps, 1)
        history = list(transfer.history)
        return RunResult(
            transfer.loss,
            image,
            history,
            steps,
            transfer.seconds,
            transfer.complete,
            transfer.error,
            metrics,
            by_style,
            transfer.converged,
        )
