"""Gatys style transfer as a stream of progress events: the optimizer steps on the objective of
nst.objective, stage by stage, keeping the best image.

The loss is the one thing a Transfer takes beside its settings: a Comparison runs several Transfers of
the same images and settings, which share one `TargetCache` (the loss-independent target features).
A Transfer takes a parsed Loss and style images already checked (`check_inputs`, once per comparison);
`Transfer.alone` checks them for a run of its own. A video frame's Transfer (nst.video) also takes its
`Temporal` link to the previous frame: the temporal term of nst.objective and the warm start.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence

import numpy as np

from nst import limits
from nst.backbone.features import FeatureExtractor, feature_extractor
from nst.backbone.model import load_backbone
from nst.backbone.weights import WeightsInfo
from nst.caching import OnceCache
from nst.errors import SettingError
from nst.images import luminance_image, resize, resize_long_side, with_colors_of
from nst.inputs import check_inputs
from nst.losses.catalogue import LOSSES, Loss
from nst.objective import Temporal, loss_targets, target_features, temporal_target, value_and_grad_fn
from nst.optimizers import OPTIMIZERS
from nst.progress import Progress, without_preview
from nst.runtime import tf
from nst.settings import Settings
from nst.styles import StylePlan, palette_start, plan, style_size
from nst.tiled import tiled_stage
from nst.tiles import by_tiles, planned_steps

# stage size (px) -> its SharedFeatures, ("palette", size) -> the palette start, and a tiled stage's
# ("as content", size) and ("painting", size, spatial) (nst.tiled): what every loss of one comparison shares.
# Its owner is the Comparison.
TargetCache = OnceCache


class Transfer:
    """One style transfer. Iterate `events()`; stop whenever; `output_image()` is the best so far.

    With `schedule="multiscale"` it runs coarse to fine (nst.schedule.stage_plan): each stage's targets
    are computed at its own size and it starts from the previous stage's best image, upscaled."""

    def __init__(
        self,
        content_image: np.ndarray,
        styles: Sequence[np.ndarray],
        settings: Settings,
        loss: Loss,
        targets: TargetCache | None = None,
        masks: Sequence[np.ndarray] | None = None,
        start_image: np.ndarray | None = None,
        temporal: Temporal | None = None,
    ) -> None:
        """`styles`: one or several (blended by settings.style_blend), already checked against the content,
        settings, loss and `masks` (check_inputs); `masks`: one (H, W) greyscale region per style
        (nst.styles). `targets`: the target features of these very images and settings, shared with the
        other losses of a comparison; a lone Transfer makes its own. `start_image`: what init feedforward
        starts from (the feed-forward output, made once by nst.job.prepare), resized to the first stage.
        `temporal`: a video frame's temporal term and warm start (each stage gets them at its own size)."""
        if settings.init == "feedforward" and start_image is None:
            raise SettingError("init feedforward starts from the feed-forward output: run it through nst.job.prepare")
        self._start_image, self._temporal = start_image, temporal
        start = time.perf_counter()
        self._loss = loss
        self.settings, self.loss = settings, loss.name
        self.content_image = resize_long_side(content_image, settings.size)  # (H, W, 3) in [0, 1]
        self.style_images = [resize_long_side(s, style_size(settings.size, settings.style_scale)) for s in styles]
        self.style_image = self.style_images[0]
        self._sources = (content_image, styles)  # as given: each stage resizes from these
        self._masks = masks
        self.stages = settings.stages
        self.planned_steps = planned_steps(settings, content_image.shape)  # every stage's, tiles and passes included
        self._shared_targets = targets if targets is not None else TargetCache()
        self._build_objective(settings, loss)
        self._prepare(self.stages[0][0], None)  # stage_plan keeps a whole first stage (tiled: within a tile)
        self.best_image, self.best_total = self._start[0], float("inf")
        self.history: list[Progress] = []
        self.seconds = time.perf_counter() - start  # all of this run's compute time, targets included
        self.step_seconds = 0.0  # the optimizer steps' share of it
        self.error = ""  # why the run stopped early, if it did
        self.complete = False
        self.converged = False  # stopped by settings.tolerance before its last iteration

    def _build_objective(self, settings: Settings, loss: Loss) -> None:
        """The network (loaded once per process), its feature extractor and the traced objective."""
        self.weights: WeightsInfo = load_backbone(
            settings.weights, settings.pooling, settings.network_precision, settings.backbone
        ).info
        self._extractor = _extractor(settings)
        self._style_indices = loss.style_layers(settings.layers.style)
        self._value_and_grad = value_and_grad_fn(self._extractor, loss, self._style_indices)
        self._refreshes = hasattr(loss.statistic, "refresh")  # re-matches to the current image (mrf)
        temporal = self._temporal.weight if self._temporal is not None else 0.0
        self._weights = tf.constant([settings.content_weight, settings.style_weight, settings.tv_weight, temporal])

    @classmethod
    def alone(
        cls,
        content_image: np.ndarray,
        style_image: np.ndarray | Sequence[np.ndarray],
        settings: Settings,
        loss: str | Loss = "mse",
        masks: Sequence[np.ndarray] | None = None,
    ) -> Transfer:
        """A run of its own: the loss parsed and the images checked as a comparison's are, before any work."""
        loss = LOSSES.get(loss) if isinstance(loss, str) else loss
        styles = check_inputs(content_image, style_image, settings, [loss], masks)
        return cls(content_image, styles, settings, loss, masks=masks)

    def events(self) -> Iterator[Progress]:
        """Yields iteration 0 (the start), then one event per optimizer step; previews included.
        Iterations count on across stages; a later stage's start is not an event of its own."""
        for index, (size, steps) in enumerate(self.stages):
            yield from self._stage_events(index, size, steps)
            if self.error:
                return
        self.complete = True

    def _stage_events(self, index: int, size: int, steps: int) -> Iterator[Progress]:
        if by_tiles(self.settings, size):  # tile by tile (nst.tiled)
            yield from tiled_stage(self, index, size, steps)
            return
        resumed = time.perf_counter()
        if index:  # from the previous stage's best image; totals at another size are not comparable
            self._prepare(size, self.best_image)
        iteration = self.history[-1].iteration if self.history else 0
        x = self._start
        f, g = self.evaluate(x, refresh=True)
        first = [] if index else [(x, f)]  # the first stage's start is iteration 0
        if index:
            self.best_image, self.best_total = x[0], f
        elif not self._finite(f, g, 0):
            return
        end = iteration + steps  # this stage's last iteration
        states = itertools.chain(first, self.descend(x, f, g, steps, self.evaluate, iteration))
        for number, (x, f) in enumerate(states, start=iteration if first else iteration + 1):
            if f < self.best_total:
                self.best_image, self.best_total = x[0], f
            self.seconds += time.perf_counter() - resumed
            self.converged = index == len(self.stages) - 1 and number < end and self._has_converged(f, size)
            event = self._event(number, f, size)
            self.history.append(without_preview(event))  # a preview is the stream's, not kept: 151 MB at 4096 px
            yield event
            if self.converged:
                return
            resumed = time.perf_counter()

    def descend(
        self, x: np.ndarray, f: float, g: np.ndarray, steps: int, evaluate, iteration: int
    ) -> Iterator[tuple[np.ndarray, float]]:
        """`steps` steps of a fresh settings.optimizer from x (1, h, w, 3), its objective f and gradient g, by
        `evaluate` (a whole stage's, or nst.tiled's for one tile): after each the image and its objective, the
        step's time in step_seconds. A statistic that re-matches (mrf) re-matches at each accepted image (the
        line search keeps it). A non-finite objective or gradient ends it, self.error naming the iteration
        (`iteration` is the one before the first step)."""
        optimizer = OPTIMIZERS.get(self.settings.optimizer)(self.settings.learning_rate)
        for step in range(1, steps + 1):
            step_start = time.perf_counter()
            if self._refreshes and step > 1:
                f, g = evaluate(x, refresh=True)
            x, f, g = optimizer.step(x, f, g, evaluate)
            self.step_seconds += time.perf_counter() - step_start
            if not self._finite(f, g, iteration + step):
                return
            yield x, f

    def _finite(self, f: float, g: np.ndarray, iteration: int) -> bool:
        """False, with self.error saying so, where the objective or its gradient is not finite."""
        if np.isfinite(f) and np.all(np.isfinite(g)):
            return True
        self.error = f"loss {self.loss} became non-finite at iteration {iteration}"
        return False

    def _has_converged(self, total: float, size: int) -> bool:
        """True when the objective fell by less than settings.tolerance (a fraction) over the last
        CONVERGENCE_WINDOW iterations of this stage (a later stage's totals are at another size)."""
        window = limits.CONVERGENCE_WINDOW
        stage = [event for event in self.history if event.size == size]
        if self.settings.tolerance <= 0 or len(stage) < window:
            return False
        before = stage[-window].total  # `window` iterations before this one
        return before - total < self.settings.tolerance * abs(before)

    def upscaled_best(self, shape: tuple[int, int]) -> np.ndarray:
        """The best image so far at (h, w) `shape`: a later stage's start."""
        return upscale(self.best_image, shape)

    def output_image(self) -> np.ndarray:
        """The best image so far (H, W, 3) in [0, 1], at the working size (a coarse stage's upscaled),
        in the content's colours if colors == content."""
        image = upscale(self.best_image, self.content_image.shape[:2])
        if self.settings.colors == "content":
            return with_colors_of(image, self.content_image)
        return image

    def _event(self, iteration: int, total: float, size: int) -> Progress:
        c, s, tv, temporal = self._last_terms
        last = iteration == self.planned_steps or self.converged
        preview = self.output_image() if last or iteration % self.settings.preview_every == 0 else None
        its = self.planned_steps
        return Progress(self.loss, iteration, its, self.seconds, c, s, tv, total, preview, size, temporal)

    def _prepare(self, size: int, previous: np.ndarray | None) -> None:
        """Targets and the starting image (1, h, w, 3) of the stage at `size` px (long side)."""
        content, styles, style_plan = self._working_images(size)
        features = self._shared_targets.get(
            size, lambda: target_features(self._extractor, content, styles, style_plan.active)
        )
        self._targets = loss_targets(
            self._loss, content, styles, features, self.settings.seed, self._style_indices, style_plan
        )
        if self._temporal is not None:
            linked = temporal_target(self._temporal, content.shape[:2], self.settings.colors == "content")
            self._targets = self._targets._replace(temporal=linked)
        if previous is not None:
            self._start = self.upscaled_best(content.shape[:2])[None]
        elif self._temporal is not None and self._temporal.warm_start:
            self._start = self._targets.temporal.previous.numpy()
        else:
            self._start = self._initial_image(content, styles[style_plan.active[0]])

    def evaluate(self, x: np.ndarray, refresh: bool = False) -> tuple[float, np.ndarray]:
        """The objective and its gradient at x (1, h, w, 3), at the current stage's size."""
        refresh = refresh and self._refreshes
        terms, total, grad, matched = self._value_and_grad(tf.constant(x), self._targets, self._weights, refresh)
        if refresh:
            styles = tuple(entry._replace(targets=found) for entry, found in zip(self._targets.styles, matched))
            self._targets = self._targets._replace(styles=styles)
        self._last_terms = tuple(float(t) for t in terms.numpy())
        return float(total), grad.numpy()

    def _working_images(self, size: int) -> tuple[np.ndarray, list[np.ndarray], StylePlan]:
        """What the network sees at `size` px: the content and the styles (at style_scale times the size),
        or their luminance alone when keeping the content's colours, or the content recoloured to the
        styles' palette; and who paints where at this shape."""
        if size == self.settings.size:
            content, styles = self.content_image, self.style_images
        else:
            content = resize_long_side(self._sources[0], size)
            styles = [resize_long_side(s, style_size(size, self.settings.style_scale)) for s in self._sources[1]]
        style_plan = plan(self.settings.style_blend, self._masks, content.shape[:2], len(styles))
        if self.settings.colors == "content":
            return luminance_image(content), [luminance_image(s, like=content) for s in styles], style_plan
        if self.settings.colors == "palette":
            recoloured = self._shared_targets.get(("palette", size), lambda: palette_start(content, styles, style_plan))
            return recoloured, styles, style_plan
        return content, styles, style_plan

    def _initial_image(self, content: np.ndarray, style: np.ndarray) -> np.ndarray:
        if self.settings.init == "noise":
            rng = np.random.default_rng(self.settings.seed)
            image = rng.uniform(0.0, 1.0, content.shape).astype(np.float32)
        elif self.settings.init == "style":
            image = resize(style, content.shape[:2])
        elif self.settings.init == "feedforward":
            image = resize(self._start_image, content.shape[:2])
        else:
            image = content
        return image[None].astype(np.float32)  # (1, H, W, 3)


def _extractor(settings: Settings) -> FeatureExtractor:
    s = settings
    return feature_extractor(s.weights, s.pooling, s.layers, s.network_precision, s.backbone, s.feature_smoothing)


def upscale(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(h, w, 3) -> (shape[0], shape[1], 3) float32 in [0, 1], bicubic, no rounding to 8 bits."""
    if image.shape[:2] == tuple(shape):
        return image
    resized = tf.image.resize(tf.constant(image[None]), shape, method="bicubic")[0]
    return np.clip(resized.numpy(), 0.0, 1.0).astype(np.float32)
