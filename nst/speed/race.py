"""The race of `nst bench`: the TensorFlow tutorial's recipe against nst's ways to the same objective."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nst.images import resize_long_side
from nst.optimizers import LBFGS
from nst.speed.plan import Plan
from nst.speed.progress import SILENT, Meter
from nst.speed.tutorial import objective, run_tutorial
from nst.transfer import upscale


def race(
    images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT
) -> tuple[list[dict], list[str], dict[str, np.ndarray]]:
    """The tutorial's 1000 Adam steps, then nst's ways to the tutorial's final objective value:
    (rows, notes, images) of the bench's race section. The contenders compute in plan.precisions (those
    native here); the coarse start uses the fastest of them."""
    images = tuple(resize_long_side(image, plan.race_size) for image in images)
    seconds, target, tutorial_image = race_tutorial(images, plan, meter)
    steps = plan.tutorial_steps
    rows = [_row(f"tutorial: Adam, {steps} steps, float32", seconds, steps, steps, target, seconds)]
    contenders = {f"nst: L-BFGS, {precision}": (precision, 0) for precision in plan.precisions}
    contenders[f"nst: L-BFGS, {plan.fastest_precision}, from {plan.race_size // 2} px"] = (
        plan.fastest_precision,
        plan.race_size // 2,
    )
    results = {}
    for name, how in contenders.items():
        meter.start(name)
        results[name] = race_nst(images, plan, target, *how, meter=meter)
    for name, r in results.items():
        recipe = name + ("" if r.reached else " (did not reach)")
        rows.append(_row(recipe, r.seconds, r.iterations, r.evaluations, r.value, seconds))
    reached = {name: r for name, r in results.items() if r.reached} or results
    fastest = min(reached, key=lambda name: reached[name].seconds)
    notes = [
        f"{images[0].shape[1]}x{images[0].shape[0]} px; objective W_c 1e4, W_s 1e2, W_tv 2.5 "
        "(nst.speed.tutorial); nst stops at the first iterate whose float32 objective is at most the "
        "tutorial's final one",
        f"race-nst.png: {fastest}",
    ]
    return rows, notes, {"tutorial": tutorial_image, "nst": reached[fastest].image}


def _row(recipe: str, seconds: float, iterations: int, evaluations: int, value: float, tutorial: float) -> dict:
    """One contender's row of the race table; `tutorial`: the tutorial's seconds."""
    return {
        "recipe": recipe,
        "seconds": seconds,
        "iterations": iterations,
        "evaluations": evaluations,
        "objective": value,
        "of tutorial's time": seconds / tutorial,
    }


@dataclass
class RaceResult:
    seconds: float  # wall time to the first iterate at or below the target (checks excluded)
    iterations: int
    evaluations: int  # objective-and-gradient evaluations, line searches included
    value: float  # float32 objective of that iterate
    image: np.ndarray  # (H, W, 3)
    reached: bool  # False: the cap came first; seconds and value are then the cap's


def race_tutorial(
    images: tuple[np.ndarray, np.ndarray], plan: Plan, meter: Meter = SILENT
) -> tuple[float, float, np.ndarray]:
    """(seconds, float32 objective of the final image, final image) of the tutorial's 1000 Adam steps."""
    meter.start(f"tutorial: Adam, {plan.tutorial_steps} steps")
    start = time.perf_counter()
    image = images[0]
    for _, image in run_tutorial(*images, plan.weights, plan.tutorial_steps):  # noqa: B007 (the last one)
        meter.advance()
    seconds = time.perf_counter() - start
    return seconds, objective(*images, plan.weights)(image[None])[0], image


def race_nst(
    images: tuple[np.ndarray, np.ndarray],
    plan: Plan,
    target: float,
    precision: str,
    coarse: int = 0,
    meter: Meter = SILENT,
    start_image: np.ndarray | None = None,
) -> RaceResult:
    """nst's L-BFGS on the tutorial's objective, the network in `precision`, until the float32 objective
    is at most `target`. With `coarse` (px), it first runs plan.coarse_iterations at that size and
    starts from the result, upscaled. `start_image`: where to start instead of the content image (the
    content's shape; what made it is timed by the caller)."""
    check = objective(*images, plan.weights, "float32")  # the referee: built before the clock starts
    elapsed, start, evaluations = 0.0, time.perf_counter(), [0]
    x = (images[0] if start_image is None else start_image)[None]
    if coarse:
        small = tuple(resize_long_side(image, coarse) for image in images)
        small_objective = _counting(objective(*small, plan.weights, precision), evaluations, meter)
        x = _lbfgs(small_objective, small[0][None], plan.coarse_iterations)
        x = upscale(x[0], images[0].shape[:2])[None]
    evaluate = _counting(objective(*images, plan.weights, precision), evaluations, meter)
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


def _counting(evaluate: Callable, counter: list[int], meter: Meter) -> Callable:
    def counted(x: np.ndarray) -> tuple[float, np.ndarray]:
        counter[0] += 1
        meter.advance()
        return evaluate(x)

    return counted
