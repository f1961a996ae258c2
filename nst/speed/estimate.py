"""How long each section of `nst bench` will take on this machine, said before it starts.

Each section is a list of Work: the objective-and-gradient evaluations each contender will make, at its
size, layers and precision. Their FLOPs (nst.backbone.layers.iteration_flops, the budget's count) over this
machine's float32 convolution rate, measured in a second (nst.speed.bench.conv_rate), give the seconds;
bfloat16 is faster by the budget's speed-up where native and slower where emulated. Each objective
traced and each model built adds a fixed set-up time. The same Work gives each section's progress total.
"""

from __future__ import annotations

from dataclasses import dataclass

from nst.backbone.layers import PRESETS, iteration_flops
from nst.budget import EVALUATIONS_PER_ITERATION, speedup
from nst.images import working_shape
from nst.losses.catalogue import relative_cost
from nst.settings import Settings
from nst.speed.plan import Plan

# Calibrated on a 2-core AMD EPYC (AVX-512 BF16): whole evaluations (Python, the optimizer and Grams
# included) reached 0.68-0.88 of the float32 convolution rate there (docs/performance.md, speed); the
# whole bench took 0.86 of its estimate with 0.7 and setups of 1.2 s, 0.8 s after that run.
RATE_SHARE = 0.7
SETUP_SECONDS = 0.8  # one traced objective: targets, tracing, the first call
# The race's contenders stop when they reach the tutorial's objective: on the project's machines after
# 0.4-0.7 of the 300-iteration cap (docs/performance.md), counted as half.
RACE_SHARE = 0.5


@dataclass(frozen=True)
class Work:
    contender: str  # what runs, as the progress bar names it
    size: int  # long side, px
    evaluations: float  # objective-and-gradient evaluations
    precision: str = "float32"
    preset: str = "gatys"
    cost: float = 1.0  # the loss's time per evaluation in units of a Gram loss's (nst.losses.catalogue.relative_cost)
    setups: int = 1  # objectives traced


def seconds(items: list[Work], content_shape: tuple[int, ...], float32_rate: float, native_bfloat16: bool) -> float:
    """The estimated wall time of `items` on a machine with this float32 convolution rate (FLOP/s)."""
    total = 0.0
    for item in items:
        flops = iteration_flops(PRESETS.get(item.preset), working_shape(content_shape, item.size))
        rate = float32_rate * RATE_SHARE * speedup(item.precision, native_bfloat16)
        total += item.evaluations * item.cost * flops / rate + item.setups * SETUP_SECONDS
    return total


def work(section: str, plan: Plan) -> list[Work]:
    return WORK[section](plan)


def _speed(plan: Plan) -> list[Work]:
    return [
        Work(f"{preset} {size} px {precision}", size, 2 + (5 if size < 512 else 3), precision, preset)
        for preset in ("seed", "gatys")
        for size in plan.sizes
        for precision in plan.precisions
    ]


def _race(plan: Plan) -> list[Work]:
    size, cap = plan.race_size, plan.race_iterations * EVALUATIONS_PER_ITERATION
    items = [Work(f"tutorial: Adam, {plan.tutorial_steps} steps", size, plan.tutorial_steps, setups=2)]
    items += [Work(f"nst: L-BFGS, {p}", size, cap * RACE_SHARE, p, setups=2) for p in plan.precisions]
    best = plan.fastest_precision
    items.append(
        Work(
            f"nst: L-BFGS, {best}, coarse",
            size // 2,
            plan.coarse_iterations * EVALUATIONS_PER_ITERATION,
            best,
            setups=1,
        )
    )
    items.append(Work(f"nst: L-BFGS, {best}, from {size // 2} px", size, cap * RACE_SHARE * 0.8, best, setups=2))
    return items


def _precision(plan: Plan) -> list[Work]:
    runs = ("float32", "bfloat16", "float32") if plan.native_bfloat16 else ("float32", "bfloat16")
    steps = plan.precision_iterations if len(runs) == 3 else plan.emulated_iterations
    return [Work(f"{p} x {steps}", plan.precision_size, steps * EVALUATIONS_PER_ITERATION + 2, p) for p in runs]


def _multiscale(plan: Plan) -> list[Work]:
    base = Settings(size=plan.multiscale_size, iterations=plan.multiscale_iterations)
    return [
        Work(f"{schedule} {size} px", size, steps * EVALUATIONS_PER_ITERATION + 1, base.network_precision)
        for schedule in ("direct", "multiscale")
        for size, steps in base.replace(schedule=schedule).stages
    ]


def _compare(plan: Plan) -> list[Work]:
    precision, losses = Settings().network_precision, plan.compare_losses
    steps = plan.compare_iterations * EVALUATIONS_PER_ITERATION + 1
    traced = EVALUATIONS_PER_ITERATION + 1  # a one-iteration run per loss
    items = [Work(f"trace {loss}", plan.compare_size, traced, precision, cost=_cost(loss)) for loss in losses]
    items += [Work(loss, plan.compare_size, steps, precision, cost=_cost(loss)) for loss in losses]
    together = f"{','.join(losses)} together"  # each loss's evaluations, at their mean cost
    items.append(
        Work(together, plan.compare_size, steps * len(losses), precision, cost=_cost(*losses) / len(losses), setups=0)
    )
    return items


def _losses(plan: Plan) -> list[Work]:
    steps = 7 + plan.loss_iterations * EVALUATIONS_PER_ITERATION + 2  # median of 5 and its warm-up, the run
    return [
        Work(loss, plan.loss_size, steps, cost=_cost(loss), setups=3) for loss in dict.fromkeys(("mse", *plan.losses))
    ]


def _cost(*losses: str) -> float:
    return relative_cost(list(losses))


WORK = {
    "speed": _speed,
    "race": _race,
    "precision": _precision,
    "multiscale": _multiscale,
    "compare": _compare,
    "losses": _losses,
}
