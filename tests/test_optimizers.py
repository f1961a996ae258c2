import numpy as np
import pytest

from nst.optimizers import OPTIMIZERS

TARGET = np.random.default_rng(3).uniform(0.2, 0.8, (1, 6, 6, 3)).astype(np.float32)
SCALES = np.random.default_rng(4).uniform(0.5, 5.0, TARGET.shape).astype(np.float32)


def quadratic(x):
    """An ill-conditioned bowl with its minimum inside [0, 1]."""
    d = x - TARGET
    return float(np.sum(SCALES * d * d)), (2 * SCALES * d).astype(np.float32)


def minimise(name, steps, start=None):
    optimizer = OPTIMIZERS.get(name)()
    x = np.zeros_like(TARGET) if start is None else start
    f, g = quadratic(x)
    for _ in range(steps):
        x, f, g = optimizer.step(x, f, g, quadratic)
    return x, f


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_every_optimizer_descends_and_stays_in_range(name):
    x, f = minimise(name, 30)
    assert f < quadratic(np.zeros_like(TARGET))[0] * 0.5
    assert x.min() >= 0 and x.max() <= 1


def test_lbfgs_reaches_the_minimum_of_a_quadratic():
    x, f = minimise("lbfgs", 40)
    assert f < 1e-6
    np.testing.assert_allclose(x, TARGET, atol=1e-3)


def test_lbfgs_beats_plain_gradient_descent_for_the_same_budget():
    assert minimise("lbfgs", 15)[1] < minimise("gd", 15)[1]


def test_lbfgs_never_accepts_a_step_that_raises_the_objective():
    optimizer = OPTIMIZERS.get("lbfgs")()
    x = np.full((1, 2, 2, 3), 0.5, np.float32)
    uphill = lambda y: (float(np.sum(y)) + 100.0 * float(np.any(y != x)), np.ones_like(y))  # noqa: E731
    x_new, f_new, _ = optimizer.step(x, float(np.sum(x)), -np.ones_like(x), uphill)  # a lying gradient
    assert np.array_equal(x_new, x) and f_new == float(np.sum(x))


def test_pixels_are_clipped_to_the_valid_range():
    optimizer = OPTIMIZERS.get("gd")(learning_rate=10.0)
    x = np.full((1, 2, 2, 3), 0.5, np.float32)
    x_new, _, _ = optimizer.step(x, 0.0, np.ones_like(x), lambda y: (0.0, np.zeros_like(y)))
    assert np.all(x_new == 0.0)


@pytest.mark.parametrize("scale", [1e-6, 1e12])
def test_lbfgs_reaches_the_minimum_whatever_the_objectives_scale(scale):
    """L-BFGS is invariant to the objective's scale after its first step: the tutorial's raw objective on ImageNet
    VGG16 is about 1e12, where a curvature test against y.y alone kept no pair and the run crept."""

    def scaled(x):
        f, g = quadratic(x)
        return scale * f, (scale * g).astype(np.float32)

    optimizer, x = OPTIMIZERS.get("lbfgs")(), np.zeros_like(TARGET)
    f, g = scaled(x)
    for _ in range(40):
        x, f, g = optimizer.step(x, f, g, scaled)
    np.testing.assert_allclose(x, TARGET, atol=1e-3)
