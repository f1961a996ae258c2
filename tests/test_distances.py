"""Every registered distance (a parametrised one at each of its examples) is checked here automatically;
known ones also against numpy formulas."""

import numpy as np
import pytest
import tensorflow as tf

from nst.losses.catalogue import examples, parse
from nst.losses.distances import DISTANCES

ALL = examples(DISTANCES)  # robust at alpha 2, 1, 0.5, 0, -2, -inf
rng = np.random.default_rng(7)


def relu_like(shape, zeros=0.5, scale=1.0):
    """Non-negative values with a share of exact zeros, like ReLU features."""
    x = np.abs(rng.normal(size=shape)) * scale
    x[rng.random(shape) < zeros] = 0.0
    return x.astype(np.float32)


def value_and_grad(name, generated, target):
    x = tf.Variable(generated)
    with tf.GradientTape() as tape:
        value = parse(name).distance(x, tf.constant(target))
    return float(value), tape.gradient(value, x).numpy()


@pytest.mark.parametrize("name", ALL)
def test_zero_for_identical_inputs(name):
    y = relu_like((8, 8, 16), scale=50.0)
    value, grad = value_and_grad(name, y, y)
    assert abs(value) <= 1e-6
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", ALL)
def test_positive_for_different_inputs_and_never_negative(name):
    for _ in range(5):
        value, _ = value_and_grad(name, relu_like((6, 6, 8)), relu_like((6, 6, 8)))
        assert value > 0


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "generated, target",
    [
        (np.zeros((4, 4, 8), np.float32), relu_like((4, 4, 8))),  # generated all zeros
        (relu_like((4, 4, 8)), np.zeros((4, 4, 8), np.float32)),  # target all zeros
        (np.zeros((4, 4, 8), np.float32), np.zeros((4, 4, 8), np.float32)),  # both
        (relu_like((4, 4, 8), zeros=0.9), relu_like((4, 4, 8), zeros=0.9)),  # mostly zeros
        (relu_like((4, 4, 8), scale=1e15), relu_like((4, 4, 8), scale=1e15)),  # huge
        (relu_like((4, 4, 8), scale=1e15), relu_like((4, 4, 8), scale=1e-3)),  # huge against tiny
        (relu_like((4, 4, 8), scale=1e-3), relu_like((4, 4, 8), scale=1e15)),  # tiny against huge
    ],
    ids=["gen-zero", "target-zero", "both-zero", "sparse", "huge", "huge-vs-tiny", "tiny-vs-huge"],
)
def test_finite_value_and_gradient(name, generated, target):
    value, grad = value_and_grad(name, generated, target)
    assert np.isfinite(value) and value >= 0
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", ALL)
def test_gradient_points_downhill(name):
    """A small step against the gradient lowers the loss: the gradient is the loss's own."""
    target, generated = relu_like((6, 6, 8)), relu_like((6, 6, 8))
    value, grad = value_and_grad(name, generated, target)
    step = 1e-2 * grad / (np.abs(grad).max() + 1e-30)
    assert value_and_grad(name, generated - step, target)[0] < value


@pytest.mark.parametrize("name", DISTANCES.names())
def test_every_distance_has_a_description_and_a_formula(name):
    entry = DISTANCES.entry(name)
    assert entry.description and "\n" not in entry.description
    assert entry.value.__doc__ and entry.value.__doc__.strip()


def _distribution(a, target):
    mass = np.abs(target).sum()
    a = np.append(np.abs(a.ravel()) + 1e-6 * mass / a.size, mass)
    return a / a.sum()


def _rms(a):
    return np.sqrt(np.mean(np.square(a.astype(np.float64))))


def _huber(x, y):
    delta, d = 0.1 * _rms(y), np.abs(x - y)
    return np.mean(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)))


NUMPY = {
    "mse": lambda x, y: np.mean((x - y) ** 2),
    "mae": lambda x, y: np.mean(np.abs(x - y)),
    "huber": _huber,
    "log_cosh": lambda x, y: np.mean(0.1 * _rms(y) * np.log(np.cosh((x - y) / (0.1 * _rms(y))))),
    "exponential": lambda x, y: np.mean(1 - np.exp(-0.5 * ((x - y) / _rms(y)) ** 2)),
    "hellinger": lambda x, y: 0.5 * np.sum((np.sqrt(_distribution(x, y)) - np.sqrt(_distribution(y, y))) ** 2),
    "cross_entropy": lambda x, y: np.sum(_distribution(y, y) * np.log(_distribution(y, y) / _distribution(x, y))),
    "cosine": lambda x, y: 1 - np.dot(x.ravel(), y.ravel()) / np.linalg.norm(x) / np.linalg.norm(y),
}


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_matches_its_formula_in_numpy(name):
    x, y = relu_like((5, 5, 6), scale=3.0), relu_like((5, 5, 6), scale=3.0)
    expected = NUMPY[name](x.astype(np.float64), y.astype(np.float64))
    assert float(DISTANCES.get(name)(tf.constant(x), tf.constant(y))) == pytest.approx(expected, rel=1e-4)


def test_mae_and_mse_differ_by_scale_which_is_why_terms_are_normalised():
    x, y = relu_like((5, 5, 6), scale=100.0), relu_like((5, 5, 6), scale=100.0)
    ratio = float(DISTANCES.get("mse")(x, y)) / float(DISTANCES.get("mae")(x, y))
    assert ratio > 10


@pytest.mark.parametrize("name", ["hellinger", "cross_entropy"])
def test_distribution_losses_see_the_total_magnitude(name):
    """A multiple of the target is a different tensor: it must not score zero."""
    y = relu_like((5, 5, 6))
    assert value_and_grad(name, 2.0 * y, y)[0] > 1e-3
    assert value_and_grad(name, 0.5 * y, y)[0] > 1e-3


def _barron(x, y, alpha, scale=0.1):
    """Barron's rho (CVPR 2019, eq. 1 and its limits), straight from the paper, in float64."""
    z2 = ((x - y) / (scale * _rms(y))) ** 2
    if alpha == 2:
        return np.mean(0.5 * z2)
    if alpha == 0:
        return np.mean(np.log(0.5 * z2 + 1))
    if alpha == -np.inf:
        return np.mean(1 - np.exp(-0.5 * z2))
    b = abs(alpha - 2)
    return np.mean(b / alpha * ((z2 / b + 1) ** (alpha / 2) - 1))


@pytest.mark.parametrize("alpha", [2, 1.5, 1, 0.5, 1e-3, 0, -1e-3, -2, -8, -np.inf])
def test_robust_matches_barrons_formula(alpha):
    x, y = relu_like((5, 5, 6), scale=3.0), relu_like((5, 5, 6), scale=3.0)
    expected = _barron(x.astype(np.float64), y.astype(np.float64), alpha)
    value = parse(f"robust:alpha={alpha}").distance(tf.constant(x), tf.constant(y))
    assert float(value) == pytest.approx(expected, rel=1e-4)


def test_robust_is_mse_at_alpha_2_and_exponential_at_minus_infinity():
    """The dial's two ends are the existing losses: alpha = 2 gives mse's normalised ratios (the constant
    c^2 cancels), alpha = -inf with scale 1 is `exponential` itself."""
    y, a, b = (relu_like((5, 5, 6), scale=3.0) for _ in range(3))
    mse, robust = DISTANCES.get("mse"), parse("robust:alpha=2").distance
    assert float(robust(a, y) / robust(b, y)) == pytest.approx(float(mse(a, y) / mse(b, y)), rel=1e-5)
    welsch = parse("robust:alpha=-inf:scale=1").distance
    assert float(welsch(a, y)) == pytest.approx(float(DISTANCES.get("exponential")(a, y)), rel=1e-6)


def test_robust_at_alpha_1_grows_like_the_absolute_error_for_large_differences():
    y = relu_like((5, 5, 6), scale=3.0)
    charbonnier, mae = parse("robust:alpha=1").distance, DISTANCES.get("mae")
    ratios = [float(charbonnier(y + k, y) / mae(y + k, y)) for k in (100.0, 1000.0)]
    assert ratios[1] == pytest.approx(ratios[0], rel=1e-2)
