"""Every registered statistic, alone and with other distances, is checked here automatically; each also
against its paper's formula computed another way (numpy, brute force)."""

import numpy as np
import pytest
import tensorflow as tf

from nst.losses.catalogue import examples, parse
from nst.losses.style_statistics import RFF_FEATURES, STATISTICS

STYLE_LOSSES = examples(STATISTICS) + ["mean_std+mae", "swd+robust:alpha=0", "hist+cosine", "mrf+huber"]
SEED = [0, 3]
rng = np.random.default_rng(11)


def features(shape=(1, 8, 8, 16), zeros=0.5, scale=1.0):
    """ReLU-like (1, h, w, C) features: non-negative with a share of exact zeros."""
    x = np.abs(rng.normal(size=shape)) * scale
    x[rng.random(shape) < zeros] = 0.0
    return x.astype(np.float32)


def value_and_grad(name, generated, style):
    loss = parse(name)
    target = loss.statistic.target(tf.constant(style), tf.constant(generated), SEED)
    x = tf.Variable(generated)
    with tf.GradientTape() as tape:
        value = loss.style(x, target)
    return float(value), tape.gradient(value, x).numpy()


@pytest.mark.parametrize("name", STYLE_LOSSES)
def test_zero_for_the_style_itself(name):
    f = features(scale=30.0)
    value, grad = value_and_grad(name, f, f)
    assert abs(value) <= 1e-6 and np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", STYLE_LOSSES)
def test_positive_for_other_features(name):
    for _ in range(3):
        assert value_and_grad(name, features(), features(scale=2.0))[0] > 0


@pytest.mark.parametrize("name", STYLE_LOSSES)
@pytest.mark.parametrize(
    "generated, style",
    [
        (np.zeros((1, 6, 6, 8), np.float32), features((1, 6, 6, 8))),
        (features((1, 6, 6, 8)), np.zeros((1, 6, 6, 8), np.float32)),
        (np.zeros((1, 6, 6, 8), np.float32), np.zeros((1, 6, 6, 8), np.float32)),
        (features((1, 6, 6, 8), zeros=0.95), features((1, 6, 6, 8), zeros=0.95)),
        (features((1, 6, 6, 8), scale=1e6), features((1, 6, 6, 8), scale=1e6)),  # VGG features reach ~1e4
        (features((1, 6, 6, 8), scale=1e-3), features((1, 7, 5, 8), scale=1e6)),  # tiny against huge, other shape
    ],
    ids=["gen-zero", "style-zero", "both-zero", "sparse", "huge", "tiny-vs-huge"],
)
def test_finite_value_and_gradient(name, generated, style):
    value, grad = value_and_grad(name, generated, style)
    assert np.isfinite(value) and value >= 0
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", STYLE_LOSSES)
def test_gradient_points_downhill(name):
    generated, style = features(), features(scale=2.0)
    value, grad = value_and_grad(name, generated, style)
    step = 1e-2 * grad / (np.abs(grad).max() + 1e-30)
    assert value_and_grad(name, generated - step, style)[0] < value


@pytest.mark.parametrize("name", STATISTICS.names())
def test_every_statistic_has_a_description_a_source_and_a_family(name):
    entry = STATISTICS.entry(name)
    assert entry.description and "\n" not in entry.description and entry.value.family
    assert "20" in entry.value.__doc__  # a year: the paper it follows is named


def _value(name, generated, style):
    return value_and_grad(name, generated, style)[0]


def test_mean_std_compares_channel_means_and_standard_deviations():
    g, s = features(), features(scale=2.0)
    stats = lambda x: np.concatenate([x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))])  # noqa: E731
    assert _value("mean_std", g, s) == pytest.approx(np.mean((stats(g) - stats(s)) ** 2), rel=1e-4)


def test_hist_is_each_channel_against_its_histogram_matched_self():
    """Risser et al.'s remap R: the value of rank k becomes the style's value of rank k."""
    g, s = features(zeros=0.0), features(zeros=0.0, scale=2.0)
    flat_g, flat_s = g.reshape(-1, 16), s.reshape(-1, 16)
    remapped = np.empty_like(flat_g)
    for c in range(16):
        remapped[np.argsort(flat_g[:, c]), c] = np.sort(flat_s[:, c])
    assert _value("hist", g, s) == pytest.approx(np.mean((flat_g - remapped) ** 2), rel=1e-4)


def test_swd_is_the_sliced_wasserstein_distance_on_its_directions():
    g, s = features(), features(scale=2.0)
    loss = parse("swd")
    directions = loss.statistic.target(tf.constant(s), tf.constant(g), SEED)[0].numpy()
    assert directions.shape == (16, 16) and np.allclose(np.linalg.norm(directions, axis=0), 1.0)
    projected = [np.sort(x.reshape(-1, 16) @ directions, axis=0) for x in (g, s)]
    assert _value("swd", g, s) == pytest.approx(np.mean((projected[0] - projected[1]) ** 2), rel=1e-4)


def test_swd_directions_are_fixed_by_the_seed_and_differ_between_layers():
    s = tf.constant(features())
    target = parse("swd").statistic.target
    assert np.array_equal(target(s, s, [0, 1])[0], target(s, s, [0, 1])[0])
    assert not np.allclose(target(s, s, [0, 1])[0], target(s, s, [0, 2])[0])


def test_mmd_rbf_approximates_the_exact_gaussian_mmd():
    """D * mse of the random-Fourier mean embeddings against the exact (biased) MMD^2 in numpy, with the
    same median bandwidth: the approximation error is about 1 / sqrt(D)."""
    g, s = features(zeros=0.2), features(zeros=0.2, scale=1.6)
    x, y = g.reshape(-1, 16).astype(np.float64), s.reshape(-1, 16).astype(np.float64)
    squared = lambda a, b: np.sum((a[:, None] - b[None]) ** 2, axis=-1)  # noqa: E731
    within = squared(y, y)
    bandwidth2 = np.median(within[np.triu_indices(len(y), 1)])
    kernel = lambda a, b: np.exp(-squared(a, b) / (2 * bandwidth2))  # noqa: E731
    exact = kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean()
    approximate = RFF_FEATURES * _value("mmd_rbf", g, s)
    assert exact > 0.05
    assert approximate == pytest.approx(exact, rel=0.25)


def test_mrf_matches_each_patch_to_its_most_correlated_style_patch():
    g, s = features((1, 6, 7, 4), zeros=0.2), features((1, 5, 6, 4), zeros=0.2)

    def patches(x):
        _, h, w, _ = x.shape
        return np.array([x[0, i : i + 3, j : j + 3].ravel() for i in range(h - 2) for j in range(w - 2)])

    own, style = patches(g), patches(s)
    nearest = np.argmax(own @ (style / np.linalg.norm(style, axis=1, keepdims=True)).T, axis=1)
    assert _value("mrf", g, s) == pytest.approx(np.mean((own - style[nearest]) ** 2), rel=1e-4)


def test_mrf_uses_its_own_layers_when_the_style_layers_have_them():
    layers = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
    assert parse("mrf").style_layers(layers) == (0, 1, 2, 3)
    assert parse("mrf").style_layers(("block3_conv1", "block5_conv1")) == (0,)
    assert parse("mrf").style_layers(("block1_conv1", "block2_conv1")) == (0, 1)
    assert parse("swd").style_layers(layers) == (0, 1, 2, 3, 4)


def test_mrf_refuses_feature_maps_smaller_than_a_patch():
    from nst.errors import SettingError

    f = tf.constant(features((1, 2, 5, 4)))
    with pytest.raises(SettingError, match="at least 3x3"):
        parse("mrf").statistic.target(f, f, SEED)


def test_mrf_keeps_its_matches_until_refreshed():
    """Between refreshes the objective is one smooth function (the matches are part of the target);
    a refresh at another image matches that image's patches anew."""
    style = features((1, 6, 6, 4), zeros=0.2)
    start, moved = features((1, 6, 6, 4), zeros=0.2), features((1, 6, 6, 4), zeros=0.2, scale=3.0)
    statistic = parse("mrf").statistic
    target = statistic.target(tf.constant(style), tf.constant(start), SEED)
    kept = statistic.pair(tf.constant(moved), target)[1]
    refreshed = statistic.refresh(tf.constant(moved), target)
    assert np.array_equal(kept, statistic.pair(tf.constant(start), target)[1])
    assert np.array_equal(refreshed[2], statistic.target(tf.constant(style), tf.constant(moved), SEED)[2])
    assert not np.array_equal(refreshed[2], target[2])
