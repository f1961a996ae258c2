"""Optimizers over the generated image's pixels, in [0, 1] and kept there by clipping.

Each is a class made from the learning rate (0: its own default) whose `step` takes the image, its
objective value and gradient and a function evaluating both at another image, and returns the next
(image, value, gradient). One step is one iteration of the transfer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

from nst.registry import Registry

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray]]
OPTIMIZERS: Registry[type] = Registry("optimizer")


@OPTIMIZERS.register("lbfgs", "L-BFGS (10 pairs), backtracking line search: the fewest iterations to a good image")
class LBFGS:
    """Limited-memory BFGS: two-loop recursion over the last 10 (step, gradient change) pairs, scaled
    by the latest curvature; steps backtracked by halves until the Armijo condition holds."""

    def __init__(self, learning_rate: float = 0.0, memory: int = 10) -> None:
        self.learning_rate = learning_rate or 1.0
        self.pairs: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=memory)

    def step(self, x: np.ndarray, f: float, g: np.ndarray, evaluate: Evaluate) -> tuple[np.ndarray, float, np.ndarray]:
        direction = -self._inverse_hessian_times(g)
        slope = float(np.vdot(g, direction))
        if not slope < 0:  # not a descent direction: forget the curvature, go downhill
            self.pairs.clear()
            direction, slope = -g, -float(np.vdot(g, g))
        # With no curvature yet the gradient's scale is arbitrary: move at most 1 / sum|g| (as PyTorch).
        t = self.learning_rate if self.pairs else self.learning_rate * min(1.0, 1.0 / float(np.abs(g).sum() + 1e-30))
        for _ in range(12):
            x_new = np.clip(x + t * direction, 0.0, 1.0)
            f_new, g_new = evaluate(x_new)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * float(np.vdot(g, x_new - x)):
                break
            t *= 0.5
        else:  # no step lowered the objective: forget the curvature
            self.pairs.clear()
            # Stay where we are, unless every try was non-finite: that fault is the caller's to report.
            return (x, f, g) if np.isfinite(f_new) else (x_new, f_new, g_new)
        s, y = (x_new - x).astype(np.float64), (g_new - g).astype(np.float64)
        sy = float(np.vdot(s, y))
        # Keep the pair where the curvature is positive, relative to the step's and the gradient change's sizes
        # (a cosine): a test against y.y alone rejects every pair of an objective of large scale (the
        # tutorial's raw one on ImageNet VGG16, about 1e12), which then creeps on at the first step's size.
        if np.isfinite(sy) and sy > 1e-10 * float(np.sqrt(np.vdot(s, s) * np.vdot(y, y))):
            self.pairs.append((s, y, 1.0 / sy))
        return x_new, f_new, g_new

    def _inverse_hessian_times(self, g: np.ndarray) -> np.ndarray:
        q = g.astype(np.float64)
        alphas = []
        for s, y, rho in reversed(self.pairs):
            alpha = rho * float(np.vdot(s, q))
            q -= alpha * y
            alphas.append(alpha)
        if self.pairs:
            s, y, _ = self.pairs[-1]
            q *= float(np.vdot(s, y)) / float(np.vdot(y, y))
        for (s, y, rho), alpha in zip(self.pairs, reversed(alphas)):
            q += (alpha - rho * float(np.vdot(y, q))) * s
        return q.astype(np.float32)


@OPTIMIZERS.register("adam", "Adam (learning rate 0.02, beta1 0.9, beta2 0.999): steady, needs more iterations")
class Adam:
    def __init__(self, learning_rate: float = 0.0, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.learning_rate = learning_rate or 0.02
        self.beta1, self.beta2, self.t = beta1, beta2, 0
        self.m: np.ndarray | float = 0.0
        self.v: np.ndarray | float = 0.0

    def step(self, x: np.ndarray, f: float, g: np.ndarray, evaluate: Evaluate) -> tuple[np.ndarray, float, np.ndarray]:
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        m_hat = self.m / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        x_new = np.clip(x - self.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8), 0.0, 1.0).astype(np.float32)
        return (x_new, *evaluate(x_new))


@OPTIMIZERS.register("gd", "the tutorial's gradient descent: step = learning rate x gradient / its standard deviation")
class GradientDescent:
    """Hvass-Labs tutorial 15: x -= lr * g / (std(g) + 1e-8), lr 10/255 (its step size 10 on 0-255)."""

    def __init__(self, learning_rate: float = 0.0) -> None:
        self.learning_rate = learning_rate or 10.0 / 255.0

    def step(self, x: np.ndarray, f: float, g: np.ndarray, evaluate: Evaluate) -> tuple[np.ndarray, float, np.ndarray]:
        x_new = np.clip(x - self.learning_rate * g / (float(np.std(g)) + 1e-8), 0.0, 1.0).astype(np.float32)
        return (x_new, *evaluate(x_new))
