"""What `nst bench` measures: the full benchmark by default, `QUICK` for a smoke check; tests shrink it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nst.losses.catalogue import FEATURED

SECTIONS = ("speed", "race", "precision", "multiscale", "compare", "losses")  # nst.speed.bench runs them in this order
TUTORIAL_STEPS = 1000  # the TensorFlow tutorial's Adam steps


@dataclass(frozen=True)
class Plan:
    weights: str = "auto"
    precisions: tuple[str, ...] = ("float32", "bfloat16")  # the contenders' network precisions (for_machine)
    sizes: tuple[int, ...] = (128, 256, 512)  # speed: working sizes
    race_size: int = 256
    tutorial_steps: int = TUTORIAL_STEPS
    race_iterations: int = 300  # nst's cap in the race
    coarse_iterations: int = 50  # the race's coarse stage, when it has one
    precision_size: int = 256
    precision_iterations: int = 100
    emulated_iterations: int = 5  # precision: bfloat16 where it is emulated, enough for the speed ratio
    multiscale_size: int = 1024
    multiscale_iterations: int = 100
    compare_losses: tuple[str, ...] = ("mse", "mae", "huber")
    compare_size: int = 256
    compare_iterations: int = 20
    loss_size: int = 256  # losses: every featured loss's cost per iteration against mse's
    loss_iterations: int = 10
    losses: tuple[str, ...] = FEATURED

    def replace(self, **changes: object) -> Plan:
        return dataclasses.replace(self, **changes)

    @property
    def native_bfloat16(self) -> bool:
        """Whether bfloat16 is a contender: for_machine keeps it only where it is native."""
        return "bfloat16" in self.precisions

    @property
    def fastest_precision(self) -> str:
        """The race's coarse start computes in it: bfloat16 where it is a contender, else float32."""
        return self.precisions[-1]

    def for_machine(self, native_bfloat16: bool) -> Plan:
        """The same plan with contenders this machine computes natively: bfloat16 only where it is native
        (elsewhere TensorFlow emulates it, about ten times slower than float32)."""
        return self.replace(precisions=("float32", "bfloat16") if native_bfloat16 else ("float32",))


# `nst bench --quick`: every section at small sizes and few steps, under a minute on 2 cores (AVX-512 BF16).
QUICK = Plan(
    sizes=(64,),
    race_size=96,
    tutorial_steps=100,
    race_iterations=60,
    coarse_iterations=10,
    precision_size=96,
    precision_iterations=10,
    emulated_iterations=3,
    multiscale_size=256,
    multiscale_iterations=12,
    compare_size=96,
    compare_iterations=5,
    loss_size=96,
    loss_iterations=3,
)
