"""What `nst bench` measures: the full benchmark by default; tests shrink it."""

from __future__ import annotations

from dataclasses import dataclass

from nst.losses import FEATURED

SECTIONS = ("speed", "race", "precision", "multiscale", "compare", "losses")  # nst.speed.bench runs them in this order
TUTORIAL_STEPS = 1000  # the TensorFlow tutorial's Adam steps


@dataclass(frozen=True)
class Plan:
    weights: str = "auto"
    sizes: tuple[int, ...] = (128, 256, 512)  # speed: working sizes
    race_size: int = 256
    tutorial_steps: int = TUTORIAL_STEPS
    race_iterations: int = 300  # nst's cap in the race
    coarse_iterations: int = 50  # the race's coarse stage, when it has one
    precision_size: int = 256
    precision_iterations: int = 100
    multiscale_size: int = 1024
    multiscale_iterations: int = 100
    compare_losses: tuple[str, ...] = ("mse", "mae", "huber")
    compare_size: int = 256
    compare_iterations: int = 20
    loss_size: int = 256  # losses: every featured loss's cost per iteration against mse's
    loss_iterations: int = 10
    losses: tuple[str, ...] = FEATURED
