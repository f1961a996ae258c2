"""Distances between a generated tensor and its target, used for both the content term (features)
and the style term (Gram matrices).

Every loss is `loss(generated, target) -> scalar`: zero when the two are equal, never negative, and
finite in value and gradient for inputs with exact zeros (ReLU features have many) and with very large
values. Losses with a scale (huber, exponential, log_cosh) take it from the target's root mean square,
so they behave alike on every layer, whose magnitudes differ by orders. How terms are weighted against
each other, fairly across losses, is in nst.transfer (each term divided by a reference value).

A new loss is one decorated function here; the registry and the tests pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nst.registry import Registry
from nst.runtime import tf  # loaded on first use: the names are known without TensorFlow

Loss = Callable[[Any, Any], Any]  # (generated, target) tf.Tensors of one shape -> scalar tf.Tensor
LOSSES: Registry[Loss] = Registry("loss")
TINY = 1e-30  # keeps scales and probabilities above zero without changing any realistic value


@LOSSES.register("mse", "mean squared error, the paper's first distance")
def mse(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean((x - y)^2)"""
    return tf.reduce_mean(tf.square(generated - target))


@LOSSES.register("mae", "mean absolute error: the paper's 'mean error' (a signed mean is no distance)")
def mae(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(|x - y|). The paper calls it mean error; the signed mean(x - y) can be zero for very
    different inputs and goes negative, so it cannot be minimised as a distance."""
    return tf.reduce_mean(tf.abs(generated - target))


@LOSSES.register("huber", "Huber: squared for small differences, absolute for large (delta = 0.1 x target RMS)")
def huber(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(h(x - y)), h(d) = d^2 / 2 if |d| <= delta else delta (|d| - delta / 2), delta = 0.1 rms(y)."""
    delta = 0.1 * rms(target)
    d = tf.abs(generated - target)
    return tf.reduce_mean(tf.where(d <= delta, 0.5 * tf.square(d), delta * (d - 0.5 * delta)))


@LOSSES.register("log_cosh", "log-cosh: squared for small differences, absolute for large, scale 0.1 x target RMS")
def log_cosh(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(s log cosh((x - y) / s)), s = 0.1 rms(y); computed as |r| + softplus(-2|r|) - log 2."""
    s = 0.1 * rms(target)
    r = tf.abs(generated - target) / s
    return tf.reduce_mean(s * (r + tf.nn.softplus(-2.0 * r) - tf.math.log(2.0)))


@LOSSES.register("exponential", "exponential squared loss 1 - exp(-r^2/2), r = difference / target RMS; bounded")
def exponential(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """mean(1 - exp(-r^2 / 2)), r = (x - y) / rms(y), r clipped to [-10, 10].

    Bounded, so it cannot overflow; the clip (where exp(-50) is already 2e-22) keeps the gradient
    finite even when rms(y) is tiny and the difference huge."""
    r = tf.clip_by_value((generated - target) / rms(target), -10.0, 10.0)
    return tf.reduce_mean(1.0 - tf.exp(-0.5 * tf.square(r)))


@LOSSES.register("hellinger", "squared Hellinger distance of the inputs made distributions (see distribution)")
def hellinger(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """H^2(p, q) = 1/2 sum (sqrt p - sqrt q)^2 in [0, 1], p = distribution(y, y), q = distribution(x, y)."""
    p, q = distribution(target, target), distribution(generated, target)
    return 0.5 * tf.reduce_sum(tf.square(tf.sqrt(p) - tf.sqrt(q)))


@LOSSES.register("cross_entropy", "cross-entropy of the inputs made distributions, minus the target's entropy (= KL)")
def cross_entropy(generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """CE(p, q) - H(p) = sum p (log p - log q) = KL(p || q), p = distribution(y, y), q = distribution(x, y).

    Subtracting the target's entropy, a constant, leaves the gradient that of the cross-entropy
    -sum p log q and makes identical inputs score zero."""
    p, q = distribution(target, target), distribution(generated, target)
    return tf.maximum(tf.reduce_sum(p * (tf.math.log(p) - tf.math.log(q))), 0.0)


@LOSSES.register("cosine", "cosine distance 1 - cos(x, y) of the flattened inputs: direction only, scale-free")
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
