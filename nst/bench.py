"""The speed benchmark behind `nst bench`: each section measures on the machine at hand and returns rows.

Sections (nst.bench.SECTIONS): speed (seconds and GFLOP/s per iteration against the machine's own
convolution rate), race (the TensorFlow tutorial's recipe against nst on one objective), precision
(bfloat16 against float32), multiscale (1024 px coarse to fine against direct) and compare (K losses
against one). Nothing here prints: nst.cli formats the rows.
"""

from __future__ import annotations

import functools
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from nst.backbone import CONV_LAYERS, conv_channels
from nst.compare import Comparison
from nst.features import PRESETS, LayerPreset
from nst.images import resize_long_side
from nst.metrics import score, ssim
from nst.optimizers import LBFGS
from nst.settings import Settings
from nst.transfer import Transfer, upscale
from nst.tutorial import TUTORIAL_STEPS, objective, run_tutorial

SECTIONS = ("speed", "race", "precision", "multiscale", "compare")


@dataclass
class Section:
    name: str
    rows: list[dict[str, object]]  # one table: the same keys in every row
    notes: list[str] = field(default_factory=list)  # one line each: what the rows mean, what was run
    images: dict[str, np.ndarray] = field(default_factory=dict)  # file stem -> (H, W, 3) in [0, 1]


@dataclass(frozen=True)
class Plan:
    """What to measure: the full benchmark by default; tests shrink it."""

    weights: str = "auto"
    sizes: tuple[int, ...] = (128, 256, 512)  # speed: working sizes
    race_size: int = 256
    tutorial_steps: int = TUTORIAL_STEPS
    race_iterations: int = 300  # nst's cap in the race
    coarse_iterations: int = 50  # the race's coarse stage, when it has one
    precision_size: int = 256
    precision_iterations: int = 100
    multiscale_size: int = 1024
    multiscale_iterations: int = 60
    compare_losses: tuple[str, ...] = ("mse", "mae", "huber")
    compare_size: int = 256
    compare_iterations: int = 20


def conv_rate(precision: str, repeats: int = 10) -> float:
    """GFLOP/s of one large 3x3 convolution (VGG16's block3_conv2 at 512 px: 128x128, 256 -> 256 channels)."""
    dtype = tf.bfloat16 if precision == "bfloat16" else tf.float32
    x = tf.random.uniform((1, 128, 128, 256), dtype=tf.float32)
    kernel = tf.random.uniform((3, 3, 256, 256), dtype=tf.float32)
    x, kernel = tf.cast(x, dtype), tf.cast(kernel, dtype)
    conv = tf.function(lambda a, k: tf.reduce_sum(tf.cast(tf.nn.conv2d(a, k, 1, "SAME")[0, 0, 0, :1], tf.float32)))
    seconds = _median_seconds(lambda: float(conv(x, kernel)), repeats)
    return 2 * 9 * 256 * 256 * 128 * 128 / seconds / 1e9


def iteration_flops(layers: LayerPreset, shape: tuple[int, int]) -> float:
    """FLOPs of one objective-and-gradient evaluation of an (H, W) image, from VGG16's layer shapes:
    every conv up to the deepest layer used, forward and backward to its input (twice the forward; no
    weight gradients), and each style layer's Gram matrix (2 h w C^2) and its gradient (as much again)."""
    names = layers.content + layers.style
    deepest = max(CONV_LAYERS.index(n) if n in CONV_LAYERS else _pool_depth(n) for n in names)
    flops, channels_in = 0.0, 3
    for name in CONV_LAYERS[: deepest + 1]:
        height, width = _block_shape(shape, int(name[5]))
        channels = conv_channels(name)
        flops += 2 * (2 * 9 * channels_in * channels * height * width)
        if name in layers.style:
            flops += 2 * (2 * height * width * channels**2)
        channels_in = channels
    return flops


def speed(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> Section:
    rates = {p: conv_rate(p) for p in ("float32", "bfloat16")}
    rows = []
    for preset in ("seed", "gatys"):
        for size in plan.sizes:
            for precision in ("float32", "bfloat16"):
                settings = Settings(weights=plan.weights, preset=preset, size=size, precision=precision)
                transfer = Transfer(*images, settings)
                call = functools.partial(transfer.evaluate, transfer.content_image[None])
                seconds = _median_seconds(call, 5 if size < 512 else 3)
                flops = iteration_flops(PRESETS.get(preset), transfer.content_image.shape[:2])
                achieved = flops / seconds / 1e9
                rows.append({
                    "preset": preset, "size": f"{transfer.content_image.shape[1]}x{transfer.content_image.shape[0]}",
                    "precision": precision, "s/it": seconds, "GFLOP/it": flops / 1e9, "GFLOP/s": achieved,
                    "of conv rate": achieved / rates[precision],
                })  # fmt: skip
    notes = [
        f"machine convolution rate (3x3, 128x128x256 -> 256): {rates['float32']:.0f} GFLOP/s float32, "
        f"{rates['bfloat16']:.0f} bfloat16",
        "s/it: median seconds of one objective-and-gradient evaluation (one Adam step; "
        "L-BFGS averages slightly more than one per iteration, see the race)",
    ]
    return Section("speed", rows, notes)


@dataclass
class RaceResult:
    seconds: float  # wall time to the first iterate at or below the target (checks excluded)
    iterations: int
    evaluations: int  # objective-and-gradient evaluations, line searches included
    value: float  # float32 objective of that iterate
    image: np.ndarray  # (H, W, 3)
    reached: bool  # False: the cap came first; seconds and value are then the cap's


def race_tutorial(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> tuple[float, float, np.ndarray]:
    """(seconds, float32 objective of the final image, final image) of the tutorial's 1000 Adam steps."""
    start = time.perf_counter()
    image = images[0]
    for _, image in run_tutorial(*images, plan.weights, plan.tutorial_steps):  # noqa: B007 (the last one)
        pass
    seconds = time.perf_counter() - start
    return seconds, objective(*images, plan.weights)(image[None])[0], image


def race_nst(
    images: tuple[np.ndarray, np.ndarray], plan: Plan, target: float, precision: str, coarse: int = 0
) -> RaceResult:
    """nst's L-BFGS on the tutorial's objective, the network in `precision`, until the float32 objective
    is at most `target`. With `coarse` (px), it first runs plan.coarse_iterations at that size and
    starts from the result, upscaled."""
    check = objective(*images, plan.weights, "float32")  # the referee: built before the clock starts
    elapsed, start, evaluations = 0.0, time.perf_counter(), [0]
    x = images[0][None]
    if coarse:
        small = tuple(resize_long_side(image, coarse) for image in images)
        small_objective = _counting(objective(*small, plan.weights, precision), evaluations)
        x = _lbfgs(small_objective, small[0][None], plan.coarse_iterations)
        x = upscale(x[0], images[0].shape[:2])[None]
    evaluate = _counting(objective(*images, plan.weights, precision), evaluations)
    optimizer, (f, g) = LBFGS(), evaluate(x)
    for iteration in range(1, plan.race_iterations + 1):
        x, f, g = optimizer.step(x, f, g, evaluate)
        if f <= target * 1.02:  # close in its own precision: let the referee look (not timed)
            elapsed += time.perf_counter() - start
            value = check(x)[0]
            if value <= target:
                return RaceResult(elapsed, iteration, evaluations[0], value, x[0], True)
            start = time.perf_counter()
    elapsed += time.perf_counter() - start
    return RaceResult(elapsed, plan.race_iterations, evaluations[0], check(x)[0], x[0], False)


def _lbfgs(evaluate: Callable, x: np.ndarray, iterations: int) -> np.ndarray:
    optimizer, (f, g) = LBFGS(), evaluate(x)
    for _ in range(iterations):
        x, f, g = optimizer.step(x, f, g, evaluate)
    return x


def _counting(evaluate: Callable, counter: list[int]) -> Callable:
    def counted(x: np.ndarray) -> tuple[float, np.ndarray]:
        counter[0] += 1
        return evaluate(x)

    return counted


def precision(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> Section:
    """nst's defaults in float32 and in bfloat16, scored by the float32 objective; and, to show how far
    two float32 runs drift apart anyway, float32 again from a content image nudged by at most 0.5/255."""
    settings = Settings(weights=plan.weights, size=plan.precision_size, iterations=plan.precision_iterations)
    runs = {p: _finished(images, settings.replace(precision=p)) for p in ("float32", "bfloat16")}
    content = resize_long_side(images[0], settings.size)  # nudged at working size: no resize rounds it away
    nudge = np.random.default_rng(0).uniform(-1 / 255, 1 / 255, content.shape)
    nudged = (np.clip(content + nudge, 0.0, 1.0).astype(np.float32), images[1])
    runs["float32, content nudged"] = _finished(nudged, settings.replace(precision="float32"))
    referee = runs["float32"]
    reference_image, reference_rate = referee.output_image(), _rate(referee)
    reference_value = referee.evaluate(reference_image[None])[0]
    rows = []
    for name, run in runs.items():
        value = referee.evaluate(run.output_image()[None])[0]
        rows.append({
            "run": name, "s/it": _rate(run), "speed-up": reference_rate / _rate(run),
            "objective (float32)": value, "vs float32": f"{100 * (value / reference_value - 1):+.2f}%",
            "SSIM to float32": ssim(run.output_image(), reference_image),
            "style dist.": _yardstick(run, "style_distance"), "content dist.": _yardstick(run, "content_distance"),
        })  # fmt: skip
    notes = [f"{settings.size} px, {settings.iterations} L-BFGS iterations, preset {settings.preset}, loss mse; "
             "nudged: each pixel of the content moved by at most 1/255"]  # fmt: skip
    images_out = {name.split(",")[0].replace(" ", "-"): run.output_image() for name, run in list(runs.items())[:2]}
    return Section("precision", rows, notes, images_out)


def multiscale(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> Section:
    """A direct run against a multiscale one at plan.multiscale_size: time for each to reach the worse of
    their two best objectives (the final stage's objective is the direct run's, same size, same references)."""
    settings = Settings(weights=plan.weights, size=plan.multiscale_size, iterations=plan.multiscale_iterations)
    runs = {name: _finished(images, settings.replace(schedule=name)) for name in ("direct", "multiscale")}
    fine = {name: [e for e in run.history if e.size == settings.size] for name, run in runs.items()}
    target = max(min(e.total for e in events) for events in fine.values())
    reach = {name: next(e.seconds for e in events if e.total <= target) for name, events in fine.items()}
    rows = [
        {
            "schedule": name, "stages": " > ".join(f"{s}px x{n}" for s, n in run.stages),
            "seconds": run.seconds, "best objective": min(e.total for e in fine[name]),
            "s to target": reach[name], "speed-up": reach["direct"] / reach[name],
        }
        for name, run in runs.items()
    ]  # fmt: skip
    notes = [f"target: objective {target:.4g} (the worse of the two bests); peak memory of the process "
             f"so far {peak_memory_gb():.2f} GB"]  # fmt: skip
    return Section("multiscale", rows, notes, {name: run.output_image() for name, run in runs.items()})


def compare(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> Section:
    """`compare` with K losses against one loss alone, and the time to its first preview."""
    settings = Settings(weights=plan.weights, size=plan.compare_size, iterations=plan.compare_iterations)
    rows = []
    for losses in (plan.compare_losses[:1], plan.compare_losses):
        start, first_preview = time.perf_counter(), None
        for event in Comparison(*images, settings, losses).events():
            if first_preview is None and event.preview is not None:
                first_preview = time.perf_counter() - start
        rows.append({"losses": ",".join(losses), "K": len(losses), "seconds": time.perf_counter() - start,
                     "first preview s": first_preview})  # fmt: skip
    for row in rows:
        row["/ (K x one)"] = row["seconds"] / (row["K"] * rows[0]["seconds"])
    notes = [f"{settings.size} px, {settings.iterations} iterations per loss, model already loaded"]
    return Section("compare", rows, notes)


def race(images: tuple[np.ndarray, np.ndarray], plan: Plan) -> Section:
    """The tutorial's 1000 Adam steps, then nst's ways to the tutorial's final objective value."""
    images = tuple(resize_long_side(image, plan.race_size) for image in images)
    seconds, target, tutorial_image = race_tutorial(images, plan)
    steps = plan.tutorial_steps
    rows = [{"recipe": f"tutorial: Adam, {steps} steps, float32", "seconds": seconds, "iterations": steps,
             "evaluations": steps, "objective": target, "of tutorial's time": 1.0}]  # fmt: skip
    contenders = {
        "nst: L-BFGS, float32": ("float32", 0),
        "nst: L-BFGS, bfloat16": ("bfloat16", 0),
        f"nst: L-BFGS, bfloat16, from {plan.race_size // 2} px": ("bfloat16", plan.race_size // 2),
    }
    results = {name: race_nst(images, plan, target, *how) for name, how in contenders.items()}
    for name, result in results.items():
        rows.append({"recipe": name + ("" if result.reached else " (did not reach)"), "seconds": result.seconds,
                     "iterations": result.iterations, "evaluations": result.evaluations, "objective": result.value,
                     "of tutorial's time": result.seconds / seconds})  # fmt: skip
    reached = {name: r for name, r in results.items() if r.reached} or results
    fastest = min(reached, key=lambda name: reached[name].seconds)
    notes = [f"{images[0].shape[1]}x{images[0].shape[0]} px; objective W_c 1e4, W_s 1e2, W_tv 2.5 (nst.tutorial); "
             f"nst stops at the first iterate whose float32 objective is at most the tutorial's final one",
             f"race-nst.png: {fastest}"]  # fmt: skip
    return Section("race", rows, notes, {"tutorial": tutorial_image, "nst": reached[fastest].image})


RUNNERS = {"speed": speed, "race": race, "precision": precision, "multiscale": multiscale, "compare": compare}


def run(images: tuple[np.ndarray, np.ndarray], plan: Plan, sections: tuple[str, ...] = SECTIONS) -> Iterator[Section]:
    """Yields each section's result as it completes (the CLI prints as it goes)."""
    for name in sections:
        yield RUNNERS[name](images, plan)


def markdown(section: Section) -> str:
    """The section as a Markdown table, its notes below: numbers to 3-4 significant digits."""
    keys = list(section.rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in section.rows:
        lines.append("| " + " | ".join(_cell(row[key]) for key in keys) + " |")
    return "\n".join([f"### {section.name}", "", *lines, "", *(f"- {note}" for note in section.notes)])


def machine() -> str:
    """One line: CPU model, cores this process may use, and TensorFlow's version."""
    import os

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} cores, TensorFlow {tf.__version__}"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.4g}"
    return "-" if value is None else str(value)


def _finished(images: tuple[np.ndarray, np.ndarray], settings: Settings) -> Transfer:
    transfer = Transfer(*images, settings)
    for _ in transfer.events():
        pass
    return transfer


def _yardstick(transfer: Transfer, name: str) -> float:
    s = transfer.settings
    return score(transfer.output_image(), transfer.content_image, transfer.style_image, s.weights, s.pooling)[name]


def _rate(transfer: Transfer) -> float:
    return transfer.step_seconds / max(1, len(transfer.history) - 1)


def peak_memory_gb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up: tracing, memory
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _block_shape(shape: tuple[int, int], block: int) -> tuple[int, int]:
    height, width = shape
    for _ in range(block - 1):  # 2x2 max pool, stride 2, 'valid': floor
        height, width = height // 2, width // 2
    return height, width


def _pool_depth(layer: str) -> int:
    return max(i for i, name in enumerate(CONV_LAYERS) if name.startswith(layer[:6]))
