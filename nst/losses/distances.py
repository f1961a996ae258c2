"""Distances between a generated tensor and its target: the content term compares features with one,
the style term compares a style statistic (nst.losses.style_statistics: Gram matrices by default) with the same one.

Every loss is `loss(generated, target) -> scalar`: zero when the two are equal, never negative, and
finite in value and gradient for inputs with exact zeros (ReLU features have many) and with very large
values. Losses with a scale (huber, exponential, log_cosh) take it from the target's root mean square,
so they behave alike on every layer, whose magnitudes differ by orders. How terms are weighted against
each other, fairly across losses, is in nst.transfer (each term divided by a reference value).

A new distance is one decorated function here; the registry and the tests pick it up. A distance with
parameters (`robust:alpha=0.5`) registers a factory: `robust(alpha=0.5)` returns the distance.
How distances and statistics combine into the names users choose is nst.losses.catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from nst.registry import Param, Registry
from nst.runtime import tf  # loaded on first use: the names are known without TensorFlow

Distance = Callable[[Any, Any], Any]  # (generated, target) tf.Tensors of one shape -> scalar tf.Tensor
DISTANCES: Registry = Registry("distance")
TINY = 1e-30  # keeps scales and probabilities above zero without changing any realistic value


@DISTANCES.register("mse", "mean squared error, the paper's first distance")
def mse(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean((x - y)^2)"""
    return tf.reduce_mean(tf.square(generated - target))


@DISTANCES.register("mae", "mean absolute error: the paper's 'mean error' (a signed mean is no distance)")
def mae(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(|x - y|). The paper calls it mean error; the signed mean(x - y) can be zero for very
    different inputs and goes negative, so it cannot be minimised as a distance."""
    return tf.reduce_mean(tf.abs(generated - target))


@DISTANCES.register("huber", "Huber: squared for small differences, absolute for large (delta = 0.1 x target RMS)")
def huber(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(h(x - y)), h(d) = d^2 / 2 if |d| <= delta else delta (|d| - delta / 2), delta = 0.1 rms(y)."""
    delta = 0.1 * rms(target)
    d = tf.abs(generated - target)
    return tf.reduce_mean(tf.where(d <= delta, 0.5 * tf.square(d), delta * (d - 0.5 * delta)))


@DISTANCES.register("log_cosh", "log-cosh: squared for small differences, absolute for large, scale 0.1 x target RMS")
def log_cosh(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(s log cosh((x - y) / s)), s = 0.1 rms(y); computed as |r| + softplus(-2|r|) - log 2."""
    s = 0.1 * rms(target)
    r = tf.abs(generated - target) / s
    return tf.reduce_mean(s * (r + tf.nn.softplus(-2.0 * r) - tf.math.log(2.0)))


@DISTANCES.register("exponential", "exponential squared loss 1 - exp(-r^2/2), r = difference / target RMS; bounded")
def exponential(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(1 - exp(-r^2 / 2)), r = (x - y) / rms(y), r clipped to [-10, 10].

    Bounded, so it cannot overflow; the clip (where exp(-50) is already 2e-22) keeps the gradient
    finite even when rms(y) is tiny and the difference huge."""
    r = tf.clip_by_value((generated - target) / rms(target), -10.0, 10.0)
    return tf.reduce_mean(1.0 - tf.exp(-0.5 * tf.square(r)))


ROBUST_PARAMS = (
    Param(
        "alpha",
        "shape: 2 squared error, 1 Charbonnier (smooth absolute), 0 Cauchy, -2 Geman-McClure, -inf Welsch",
        allow=lambda a: a <= 2,
        allowed="a number up to 2, or -inf",
        examples=(2, 1, 0.5, 0, -2, -math.inf),
    ),
    Param(
        "scale",
        "c, as a multiple of the target's RMS: differences well below c count quadratically",
        default=0.1,
        allow=lambda c: 0 < c < math.inf,
        allowed="a positive number",
    ),
)
ROBUST_LIMIT = 1e15  # |r| beyond this counts as this: keeps r^2 and the power finite in float32


@DISTANCES.register(
    "robust",
    "Barron's general robust loss: alpha dials from squared error (2) to absolute (1) and beyond",
    ROBUST_PARAMS,
)
def robust(alpha: float, scale: float = 0.1) -> Distance:
    """mean(rho(x - y)), Barron, "A General and Adaptive Robust Loss Function", CVPR 2019, eq. 1:

        rho(d) = |a - 2| / a * (((d / c)^2 / |a - 2| + 1)^(a / 2) - 1),   c = scale * rms(y),

    with its limits: a = 2 gives (d / c)^2 / 2 (mse times a constant, which the normalised terms cancel),
    a = 0 gives log((d / c)^2 / 2 + 1), a = -inf gives 1 - exp(-(d / c)^2 / 2) (= `exponential` when
    scale = 1). Computed as |a - 2| / a * expm1(a / 2 * log1p(r^2 / |a - 2|)), exact near a = 0."""
    if alpha == 2:
        shape = lambda r2: 0.5 * r2  # noqa: E731
    elif alpha == 0:
        shape = lambda r2: tf.math.log1p(0.5 * r2)  # noqa: E731
    elif alpha == -math.inf:
        shape = lambda r2: -tf.math.expm1(-0.5 * r2)  # noqa: E731
    else:
        b = abs(alpha - 2.0)
        shape = lambda r2: b / alpha * tf.math.expm1(0.5 * alpha * tf.math.log1p(r2 / b))  # noqa: E731

    def distance(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        r = tf.clip_by_value((generated - target) / (scale * rms(target)), -ROBUST_LIMIT, ROBUST_LIMIT)
        return tf.reduce_mean(shape(tf.square(r)))

    return distance


@DISTANCES.register("hellinger", "squared Hellinger distance of the inputs made distributions (see distribution)")
def hellinger(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """H^2(p, q) = 1/2 sum (sqrt p - sqrt q)^2 in [0, 1], p = distribution(y, y), q = distribution(x, y)."""
    p, q = distribution(target, target), distribution(generated, target)
    return 0.5 * tf.reduce_sum(tf.square(tf.sqrt(p) - tf.sqrt(q)))


@DISTANCES.register(
    "cross_entropy", "cross-entropy of the inputs made distributions, minus the target's entropy (= KL)"
)
def cross_entropy(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """CE(p, q) - H(p) = sum p (log p - log q) = KL(p || q), p = distribution(y, y), q = distribution(x, y).

    Subtracting the target's entropy, a constant, leaves the gradient that of the cross-entropy
    -sum p log q and makes identical inputs score zero."""
    p, q = distribution(target, target), distribution(generated, target)
    return tf.maximum(tf.reduce_sum(p * (tf.math.log(p) - tf.math.log(q))), 0.0)


@DISTANCES.register("cosine", "cosine distance 1 - cos(x, y) of the flattened inputs: direction only, scale-free")
def cosine(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """1 - <x', y'> / (|x'| |y'|), x' = (x / m, 1e-6), y' = (y / m, 1e-6), m = max(|x|, |y|).

    Dividing by m keeps the dot products from overflowing; the constant extra component makes two
    all-zero inputs identical (distance 0) and keeps every norm, and so the gradient, finite."""
    scale = tf.stop_gradient(tf.maximum(tf.reduce_max(tf.abs(target)), tf.reduce_max(tf.abs(generated)))) + TINY
    x, y = tf.reshape(generated, [-1]) / scale, tf.reshape(target, [-1]) / scale
    c2 = 1e-12
    dot = tf.reduce_sum(x * y) + c2
    norms = tf.sqrt((tf.reduce_sum(x * x) + c2) * (tf.reduce_sum(y * y) + c2))
    return tf.maximum(1.0 - dot / norms, 0.0)


def distribution(x: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """(N + 1,) probabilities from x: the N values |x|, plus one bin holding the target's total
    mass sum|y|, normalised to sum 1.

    For the target itself that bin holds exactly 1/2; a tensor with less total activation than the
    target puts more in it, one with more puts less. So the distance sees how much activation there
    is as well as where it lies: without the bin, any multiple of the target would score zero, and
    the style's contrast and colour strength would be lost. Every element also gets 1e-6 of the
    target's mean |y|, so no probability is zero (finite logs and square roots)."""
    a, mass = tf.abs(tf.reshape(x, [-1])), tf.reduce_sum(tf.abs(target)) + TINY
    a = tf.concat([a + 1e-6 * mass / tf.cast(tf.size(a), a.dtype) + TINY, [mass]], axis=0)
    return a / tf.reduce_sum(a)


def rms(x: tf.Tensor) -> tf.Tensor:
    """Root mean square, computed on x / max|x| so it cannot overflow; never zero."""
    peak = tf.reduce_max(tf.abs(x)) + TINY
    return peak * tf.sqrt(tf.reduce_mean(tf.square(x / peak))) + TINY
