"""The speed benchmark behind `nst bench`: each section measures on the machine at hand and returns rows.

Sections (nst.speed.bench.SECTIONS): speed (seconds and GFLOP/s per iteration against the machine's own
convolution rate), race (the TensorFlow tutorial's recipe against nst on one objective), precision
(bfloat16 against float32), multiscale (1024 px coarse to fine against direct), compare (K losses
against one) and losses (every featured loss's cost against mse's). Nothing here prints: nst.cli formats the rows.
"""

from __future__ import annotations

import functools
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from nst.backbone.layers import PRESETS, iteration_flops
from nst.backbone.precision import native_bfloat16
from nst.budget import EVALUATIONS_PER_ITERATION
from nst.compare import Comparison
from nst.images import resize_long_side
from nst.losses.catalogue import LOSSES
from nst.metrics import score, ssim
from nst.runtime import tf
from nst.settings import Settings
from nst.speed import estimate
from nst.speed.plan import SECTIONS, Plan
from nst.speed.progress import SILENT, Meter, Tick
from nst.speed.race import race as run_race
from nst.transfer import Transfer


@dataclass
class Section:
    name: str
    rows: list[dict[str, object]]  # one table: the same keys in every row
    notes: list[str] = field(default_factory=list)  # one line each: what the rows mean, what was run
    images: dict[str, np.ndarray] = field(default_factory=dict)  # file stem -> (H, W, 3) in [0, 1]
    seconds: float = 0.0  # its wall time, set by run()


def conv_rate(precision: str, repeats: int = 10) -> float:
    """GFLOP/s of one large 3x3 convolution (VGG16's block3_conv2 at 512 px: 128x128, 256 -> 256 channels)."""
    dtype = tf.bfloat16 if precision == "bfloat16" else tf.float32
    x = tf.random.uniform((1, 128, 128, 256), dtype=tf.float32)
    kernel = tf.random.uniform((3, 3, 256, 256), dtype=tf.float32)
    x, kernel = tf.cast(x, dtype), tf.cast(kernel, dtype)
    conv = tf.function(lambda a, k: tf.reduce_sum(tf.cast(tf.nn.conv2d(a, k, 1, "SAME")[0, 0, 0, :1], tf.float32)))
    seconds = _median_seconds(lambda: float(conv(x, kernel)), repeats)
    return 2 * 9 * 256 * 256 * 128 * 128 / seconds / 1e9


def speed(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    rates = {p: conv_rate(p) for p in plan.precisions}
    rows = []
    for preset in ("seed", "gatys"):
        for size in plan.sizes:
            for precision in plan.precisions:
                meter.start(f"{preset} {size} px {precision}")
                settings = Settings(weights=plan.weights, preset=preset, size=size, precision=precision)
                transfer = Transfer.alone(*images, settings)
                call = functools.partial(transfer.evaluate, transfer.content_image[None])
                seconds = _median_seconds(call, 5 if size < 512 else 3, meter)
                flops = iteration_flops(PRESETS.get(preset), transfer.content_image.shape[:2])
                achieved = flops / seconds / 1e9
                rows.append(
                    {
                        "preset": preset,
                        "size": f"{transfer.content_image.shape[1]}x{transfer.content_image.shape[0]}",
                        "precision": precision,
                        "s/it": seconds,
                        "GFLOP/it": flops / 1e9,
                        "GFLOP/s": achieved,
                        "of conv rate": achieved / rates[precision],
                    }
                )
    notes = [
        "machine convolution rate (3x3, 128x128x256 -> 256): "
        + ", ".join(f"{rate:.0f} GFLOP/s {name}" for name, rate in rates.items())
        + ("" if plan.native_bfloat16 else f"; {EMULATED_NOTE}"),
        "s/it: median seconds of one objective-and-gradient evaluation (one Adam step; "
        "L-BFGS averages slightly more than one per iteration, see the race)",
    ]
    return Section("speed", rows, notes)


def precision(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    """nst's defaults in float32 and in bfloat16, scored by the float32 objective; and, to show how far
    two float32 runs drift apart anyway, float32 again from a content image nudged by at most 0.5/255.
    Where bfloat16 is emulated, both run plan.emulated_iterations only: enough for the speed ratio."""
    native = plan.native_bfloat16
    iterations = plan.precision_iterations if native else plan.emulated_iterations
    settings = Settings(weights=plan.weights, size=plan.precision_size, iterations=iterations)
    runs = {p: _finished(images, settings.replace(precision=p), meter=meter) for p in ("float32", "bfloat16")}
    if native:
        content = resize_long_side(images[0], settings.size)  # nudged at working size: no resize rounds it away
        nudge = np.random.default_rng(0).uniform(-1 / 255, 1 / 255, content.shape)
        nudged = (np.clip(content + nudge, 0.0, 1.0).astype(np.float32), images[1])
        runs["float32, content nudged"] = _finished(nudged, settings.replace(precision="float32"), meter=meter)
    referee = runs["float32"]
    reference_image, reference_rate = referee.output_image(), _rate(referee)
    reference_value = referee.evaluate(reference_image[None])[0]
    rows = []
    for name, run in runs.items():
        value = referee.evaluate(run.output_image()[None])[0]
        yardsticks = _yardsticks(run)
        rows.append(
            {
                "run": name,
                "s/it": _rate(run),
                "speed-up": reference_rate / _rate(run),
                "objective (float32)": value,
                "vs float32": f"{100 * (value / reference_value - 1):+.2f}%",
                "SSIM to float32": ssim(run.output_image(), reference_image),
                "style dist.": yardsticks["style_distance"],
                "content dist.": yardsticks["content_distance"],
            }
        )
    notes = [
        f"{settings.size} px, {settings.iterations} L-BFGS iterations, preset {settings.preset}, loss mse; "
        "nudged: each pixel of the content moved by at most 1/255",
        _convergence(runs["bfloat16"]) if native else EMULATED_NOTE,
    ]
    images_out = {name.split(",")[0].replace(" ", "-"): run.output_image() for name, run in list(runs.items())[:2]}
    return Section("precision", rows, notes, images_out)


def multiscale(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    """A direct run against a multiscale one at plan.multiscale_size: time for each to reach the worse of
    their two best objectives (the final stage's objective is the direct run's, same size, same references)."""
    settings = Settings(weights=plan.weights, size=plan.multiscale_size, iterations=plan.multiscale_iterations)
    runs = {name: _finished(images, settings.replace(schedule=name), meter=meter) for name in ("direct", "multiscale")}
    fine = {name: [e for e in run.history if e.size == settings.size] for name, run in runs.items()}
    target = max(min(e.total for e in events) for events in fine.values())
    reach = {name: next(e.seconds for e in events if e.total <= target) for name, events in fine.items()}
    rows = [
        {
            "schedule": name,
            "stages": " > ".join(f"{s}px x{n}" for s, n in run.stages),
            "seconds": run.seconds,
            "best objective": min(e.total for e in fine[name]),
            "s to target": reach[name],
            "speed-up": reach["direct"] / reach[name],
        }
        for name, run in runs.items()
    ]
    notes = [
        f"target: objective {target:.4g} (the worse of the two bests); peak memory of the process "
        f"so far {peak_memory_gb():.2f} GB"
    ]
    return Section("multiscale", rows, notes, {name: run.output_image() for name, run in runs.items()})


def compare(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    """`compare` with K losses against each loss alone, and the time to the first preview. Each loss's
    objective is traced once beforehand (a one-iteration run), so no row pays for tracing."""
    settings = Settings(weights=plan.weights, size=plan.compare_size, iterations=plan.compare_iterations)
    _timed_comparison(images, settings.replace(iterations=1), plan.compare_losses, meter)
    rows = [_timed_comparison(images, settings, (loss,), meter) for loss in plan.compare_losses]
    rows.append(_timed_comparison(images, settings, plan.compare_losses, meter))
    singles = sum(row["seconds"] for row in rows[:-1])
    for row in rows:
        row["/ sum alone"] = row["seconds"] / singles if row["K"] > 1 else 1.0
    notes = [
        f"{settings.size} px, {settings.iterations} iterations per loss, model already loaded; "
        "/ sum alone: the comparison's time over the sum of its losses' times alone"
    ]
    return Section("compare", rows, notes)


def losses(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    """Every loss's seconds per evaluation (objective and gradient) and per L-BFGS iteration (line search and,
    for mrf, its re-matching included), float32, gatys layers, in one run, each against mse's."""
    settings = Settings(weights=plan.weights, preset="gatys", size=plan.loss_size, precision="float32")
    rows = []
    for loss in dict.fromkeys(("mse", *plan.losses)):
        meter.start(loss)
        _finished(images, settings.replace(iterations=1), loss, meter)  # traces the objective: no row pays for it
        transfer = Transfer.alone(*images, settings, loss)
        evaluation = _median_seconds(functools.partial(transfer.evaluate, transfer.content_image[None]), 5, meter)
        run = _finished(images, settings.replace(iterations=plan.loss_iterations), loss, meter)
        rows.append(
            {
                "loss": loss,
                "statistic": LOSSES.get(loss).statistic_name,
                "s/evaluation": evaluation,
                "s/it": run.step_seconds / plan.loss_iterations,
            }
        )
    for row in rows:
        row["/ mse"] = row["s/it"] / rows[0]["s/it"]
    size = "x".join(map(str, transfer.content_image.shape[1::-1]))
    notes = [
        f"{size} px, gatys layers, float32; s/evaluation: median of 5 after a warm-up; s/it: mean over "
        f"{plan.loss_iterations} L-BFGS iterations from the content image; / mse: of s/it"
    ]
    return Section("losses", rows, notes)


def _timed_comparison(
    images: tuple[np.ndarray, np.ndarray], settings: Settings, losses: tuple[str, ...], meter: Meter
) -> dict:
    meter.start(",".join(losses) + (" (tracing)" if settings.iterations == 1 else ""))
    start, first_preview = time.perf_counter(), None
    for event in Comparison(*images, settings, losses).events():
        meter.advance(EVALUATIONS_PER_ITERATION if event.iteration else 1.0)  # iteration 0: the start's evaluation
        if first_preview is None and event.preview is not None:
            first_preview = time.perf_counter() - start
    seconds = time.perf_counter() - start
    return {"losses": ",".join(losses), "K": len(losses), "seconds": seconds, "first preview s": first_preview}


def race(images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT) -> Section:
    """The TensorFlow tutorial's recipe against nst on one objective (nst.speed.race)."""
    return Section("race", *run_race(images, plan, meter))


EMULATED_NOTE = "bfloat16 is emulated here (no AVX-512 BF16, AMX or GPU): not used by default, and not a contender"
RUNNERS = {
    "speed": speed,
    "race": race,
    "precision": precision,
    "multiscale": multiscale,
    "compare": compare,
    "losses": losses,
}


def run(
    images: tuple[np.ndarray, np.ndarray],
    plan: Plan,
    sections: tuple[str, ...] = SECTIONS,
    report: Callable[[Tick], None] | None = None,
) -> Iterator[Section]:
    """Yields each section's result as it completes (the CLI prints as it goes); `report` receives
    every section's progress on the way."""
    for name in sections:
        meter = Meter(name, sum(w.evaluations for w in estimate.work(name, plan)), report)
        start = time.perf_counter()
        section = RUNNERS[name](images, plan, meter)
        section.seconds = time.perf_counter() - start
        yield section


def estimates(plan: Plan, content_shape: tuple[int, ...], sections: tuple[str, ...] = SECTIONS) -> dict[str, float]:
    """Each section's estimated seconds on this machine, from a convolution rate measured now (a second)."""
    rate = conv_rate("float32", repeats=5) * 1e9
    return {
        name: estimate.seconds(estimate.work(name, plan), content_shape, rate, native_bfloat16()) for name in sections
    }


def _finished(
    images: tuple[np.ndarray, np.ndarray], settings: Settings, loss: str = "mse", meter: Meter = SILENT
) -> Transfer:
    transfer = Transfer.alone(*images, settings, loss)
    if settings.iterations > 1:  # a one-iteration run only traces: it keeps the contender's name
        meter.start(f"{loss}, {settings.precision}, {settings.schedule} {settings.size} px x {settings.iterations}")
    for event in transfer.events():
        meter.advance(EVALUATIONS_PER_ITERATION if event.iteration else 1.0)  # iteration 0: the start's evaluation
    return transfer


def _convergence(transfer: Transfer) -> str:
    """How many iterations the run needed to come within 10%, 5% and 1% of its final objective's drop."""
    totals = [e.total for e in transfer.history]
    drop = totals[0] - totals[-1]
    first = lambda share: next(i for i, t in enumerate(totals) if t - totals[-1] <= share * drop)  # noqa: E731
    reached = {share: first(share) for share in (0.1, 0.05, 0.01)}
    shown = ", ".join(f"{100 - 100 * share:g}% after {i}" for share, i in reached.items())
    return f"convergence (bfloat16 run): share of the {len(totals) - 1} iterations' objective drop reached: {shown}"


def _yardsticks(transfer: Transfer) -> dict[str, float]:
    s = transfer.settings
    return score(transfer.output_image(), transfer.content_image, transfer.style_image, s.pooling)


def _rate(transfer: Transfer) -> float:
    return transfer.step_seconds / max(1, len(transfer.history) - 1)


def peak_memory_gb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _median_seconds(call: Callable[[], object], repeats: int, meter: Meter = SILENT) -> float:
    call()  # warm-up: tracing, memory
    meter.advance()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        meter.advance()
    return float(np.median(times))
