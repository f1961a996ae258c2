"""What the style term matches: a statistic of a style layer's features, compared by a distance.

A statistic has two halves. `target(style, like, seed)` runs once per comparison stage, on the style
image's features (1, h_s, w_s, C) and the content's features at the same layer (1, h, w, C) (the
generated image's shape), seeded by [the run's seed, the layer's index]; it returns a tuple of
tensors. `pair(generated, target)` runs every iteration and returns two tensors of one shape, which a
distance (nst.losses.distances) compares. The reference of the normalised style term is the same pair made
from the content's features, so from a content start the term is 1 for every statistic and distance.

A statistic whose target depends on the generated image itself in a discontinuous way (mrf's nearest
patches) also has `refresh(generated, target)`: the transfer calls it once per iteration, at the
accepted image, so that every line search sees one smooth objective.

A new statistic is one decorated class here; nst.losses.catalogue names it and the tests pick it up.
"""

from __future__ import annotations

import math

import numpy as np

from nst.backbone.features import gram
from nst.errors import SettingError
from nst.registry import Registry
from nst.runtime import tf

STATISTICS: Registry = Registry("statistic")
STD_EPSILON = 1e-8  # under the square root of a variance: a dead (all-zero) channel keeps a finite gradient
RFF_FEATURES = 256  # random Fourier features of mmd_rbf: the kernel's accuracy is about 1 / sqrt(256)
MMD_BANDWIDTH_SAMPLES = 512  # style positions the median heuristic looks at
MRF_PATCH = 3  # CNNMRF's patch side, in feature positions
MRF_MACS = 2**32  # most multiply-adds of mrf's matching convolution per layer: bounds its cost


def statistic(name: str, description: str):
    """Registers an instance of the decorated class under `name`."""

    def decorate(cls: type) -> type:
        STATISTICS.add(name, description, cls())
        return cls

    return decorate


def positions(features: tf.Tensor) -> tf.Tensor:
    """(1, h, w, C) -> (h * w, C): every position a sample."""
    return tf.reshape(features, (-1, tf.shape(features)[-1]))


@statistic("gram", "Gram matrix: channel co-activations (Gatys et al. 2016); every loss's default")
class Gram:
    """G = F^T F / (h w), F the (h w, C) features: second moments, no position. Gatys, Ecker and
    Bethge, "Image Style Transfer Using Convolutional Neural Networks", CVPR 2016."""

    family = "Gram matrices"  # what it matches, in two words for a picker
    relative_cost = 1.0  # seconds per iteration over mse's (nst bench --sections losses)
    layers: tuple[str, ...] = ()  # () = every style layer

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        return (gram(style),)

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        return gram(generated), target[0]


@statistic("mean_std", "per-channel mean and standard deviation, what AdaIN aligns (Li et al. 2017)")
class MeanStd:
    """(mu_1..mu_C, sigma_1..sigma_C) over positions, sigma = sqrt(var + 1e-8). Li, Wang, Liu and Hou,
    "Demystifying Neural Style Transfer", IJCAI 2017: matching these (batch-normalisation statistics)
    transfers style comparably to Gram matching, with C instead of C^2 numbers per layer."""

    family = "means and spreads"  # what it matches, in two words for a picker
    relative_cost = 1.0  # seconds per iteration over mse's (nst bench --sections losses)
    layers: tuple[str, ...] = ()

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        return (self._stats(style),)

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        return self._stats(generated), target[0]

    @staticmethod
    def _stats(features: tf.Tensor) -> tf.Tensor:
        mean, variance = tf.nn.moments(positions(features), axes=[0])
        return tf.concat([mean, tf.sqrt(variance + STD_EPSILON)], axis=0)  # (2 C,)


def _quantiles(values: tf.Tensor, count: int) -> tf.Tensor:
    """(m, K) samples -> (count, K): each column's sorted values at `count` evenly spaced ranks, so that
    two images of different shapes compare rank by rank."""
    m = int(values.shape[0])
    ranks = np.clip(np.round((np.arange(count) + 0.5) * m / count - 0.5), 0, m - 1).astype(np.int32)
    return tf.gather(tf.sort(values, axis=0), ranks)


def _positions_of(like: tf.Tensor) -> int:
    return int(np.prod(like.shape[1:3]))


@statistic("swd", "sliced Wasserstein: sorted projections on random directions (Heitz et al. 2021)")
class SlicedWasserstein:
    """mean over directions v of W_2^2 between the projections F v of generated and style features:
    both sorted and compared rank by rank (with `mse`). Heitz, Vanhoey, Chambon and Belcour, "A Sliced
    Wasserstein Loss for Neural Texture Synthesis", CVPR 2021. It sees the whole distribution, where a
    Gram matrix sees second moments only.

    C directions per layer, Gaussian then normalised, fixed per run (seeded by the run's seed and the
    layer): the paper draws fresh ones every iteration, but L-BFGS (the default optimizer) needs one
    objective across its line search and curvature pairs."""

    family = "sliced distributions"  # what it matches, in two words for a picker
    relative_cost = 1.9  # seconds per iteration over mse's (nst bench --sections losses)
    layers: tuple[str, ...] = ()

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        channels = int(style.shape[-1])
        directions = np.random.default_rng(seed).normal(size=(channels, channels))
        directions = tf.constant(directions / np.linalg.norm(directions, axis=0), tf.float32)  # (C, K) unit columns
        return directions, _quantiles(positions(style) @ directions, _positions_of(like))

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        directions, quantiles = target
        return tf.sort(positions(generated) @ directions, axis=0), quantiles  # (N, K) each


@statistic("hist", "histogram matching per channel: each channel against its remapped self (Risser et al. 2017)")
class Histogram:
    """mean over channels of ||F_c - R(F_c)||^2, R(F_c) the channel remapped to the style's histogram
    (value of rank k -> the style's value of rank k), held constant. Risser, Wilmot and Barnes, "Stable
    and Controllable Neural Texture Synthesis and Style Transfer Using Histogram Losses", 2017.

    Every distance here sums over elements, so comparing F_c with R(F_c) equals comparing sort(F_c)
    with the style's sorted values: that is how it is computed, one sort per channel. It is the
    sliced Wasserstein loss with the channel axes as its directions."""

    family = "channel histograms"  # what it matches, in two words for a picker
    relative_cost = 1.7  # seconds per iteration over mse's (nst bench --sections losses)
    layers: tuple[str, ...] = ()

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        return (_quantiles(positions(style), _positions_of(like)),)

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        return tf.sort(positions(generated), axis=0), target[0]


@statistic("mmd_rbf", "maximum mean discrepancy, Gaussian kernel, median bandwidth (Li et al. 2017)")
class GaussianMMD:
    """MMD^2(X, Y) = E k(x, x') + E k(y, y') - 2 E k(x, y), k(x, y) = exp(-|x - y|^2 / (2 s^2)), s the
    median distance between style positions. Li et al. 2017 ("Demystifying") show the Gram loss is this
    MMD with the quadratic kernel k(x, y) = (x . y)^2.

    Computed with 256 random Fourier features (Rahimi and Recht 2007), phi(x) = sqrt(2 / D) cos(x W + b),
    W ~ N(0, 1 / s^2), b ~ U(0, 2 pi): MMD^2 = |mean phi(X) - mean phi(Y)|^2, so the pair is the two
    mean embeddings (D,) and `mse` gives MMD^2 / D. That bounds the cost as position subsampling would
    (linear in positions, not quadratic), yet every position is matched at every iteration."""

    family = "kernel distributions"  # what it matches, in two words for a picker
    relative_cost = 1.1  # seconds per iteration over mse's (nst bench --sections losses)
    layers: tuple[str, ...] = ()

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        samples = positions(style).numpy().astype(np.float64)
        rng = np.random.default_rng(seed)
        picked = samples[rng.choice(len(samples), min(len(samples), MMD_BANDWIDTH_SAMPLES), replace=False)]
        squared = np.sum((picked[:, None] - picked[None]) ** 2, axis=-1)[np.triu_indices(len(picked), 1)]
        bandwidth = math.sqrt(max(float(np.median(squared)) if squared.size else 0.0, 1e-12))  # 1 position: no pairs
        weights = tf.constant(rng.normal(size=(samples.shape[1], RFF_FEATURES)) / bandwidth, tf.float32)
        offsets = tf.constant(rng.uniform(0, 2 * math.pi, RFF_FEATURES), tf.float32)
        return weights, offsets, self._embedding(positions(style), weights, offsets)

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        weights, offsets, embedding = target
        return self._embedding(positions(generated), weights, offsets), embedding

    @staticmethod
    def _embedding(samples: tf.Tensor, weights: tf.Tensor, offsets: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(math.sqrt(2.0 / RFF_FEATURES) * tf.cos(samples @ weights + offsets), axis=0)


@statistic("mrf", "CNNMRF: each 3x3 feature patch against its nearest style patch (Li and Wand 2016)")
class PatchMRF:
    """sum_i |P_i(F) - P_NN(i)(S)|^2 / n, P_i the 3x3 patches of the generated features, NN(i) the
    style patch of highest normalised cross-correlation with P_i (chosen afresh each iteration, held
    constant through its line search and for the gradient: `refresh`). Li and Wand, "Combining Markov
    Random Fields and Convolutional Neural Networks for Image Synthesis", CVPR 2016. At block1_conv1 to
    block4_conv1 when the style layers include them (the gatys preset does), else at every style layer:
    the paper's relu3_1 and relu4_1 (block3_conv1, block4_conv1) plus two shallow layers (`layers`).

    Style patches are taken with stride 1, or a larger stride where the matching convolution would
    exceed 2^32 multiply-adds per layer (256x170 px: strides 16, 6, 2 and 1 at block1_conv1 to block4_conv1)."""

    family = "nearest patches"  # what it matches, in two words for a picker
    relative_cost = 2.3  # seconds per iteration over mse's (nst bench --sections losses)
    # The paper's relu3_1 and relu4_1, and the two shallow layers that carry colour with the offline
    # vgg16-hed weights: with the paper's two alone the painting's texture came through, its palette did
    # not (the cat went brown and violet under Starry Night; docs/performance.md).
    layers: tuple[str, ...] = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")

    def target(self, style: tf.Tensor, like: tf.Tensor, seed: list[int]) -> tuple:
        _, h, w, channels = (int(n) for n in style.shape)
        smallest = min(h, w, *like.shape[1:3])
        if smallest < MRF_PATCH:
            raise SettingError(
                f"mrf needs feature maps of at least {MRF_PATCH}x{MRF_PATCH} positions; a style "
                f"layer has {smallest}: choose a larger size or shallower style layers"
            )
        generated_patches = max(1, (int(like.shape[1]) - 2) * (int(like.shape[2]) - 2))
        pairs = MRF_MACS / (MRF_PATCH * MRF_PATCH * channels)  # (generated, style) patch pairs within budget
        stride = max(1, math.ceil(math.sqrt((h - 2) * (w - 2) * generated_patches / pairs)))
        patches = tf.reshape(self._patches(style, stride), (-1, MRF_PATCH * MRF_PATCH * channels))  # (M, 9 C)
        unit = patches / (tf.norm(patches, axis=1, keepdims=True) + 1e-12)
        filters = tf.transpose(tf.reshape(unit, (-1, MRF_PATCH, MRF_PATCH, channels)), (1, 2, 3, 0))  # (3, 3, C, M)
        return self.refresh(like, (patches, filters, None))

    def refresh(self, generated: tf.Tensor, target: tuple) -> tuple:
        """The target matched anew to `generated`: the transfer calls it once per iteration, at the accepted
        image, so that the objective its line search sees is one smooth function (matches that switched
        inside a line search would make it jump, and L-BFGS stalled on that)."""
        patches, filters, _ = target
        scores = tf.nn.conv2d(tf.stop_gradient(generated), filters, 1, "VALID")  # (1, h-2, w-2, M)
        return patches, filters, tf.reshape(tf.argmax(scores, axis=-1), (-1,))  # dividing by |P_i|: same argmax

    def pair(self, generated: tf.Tensor, target: tuple) -> tuple:
        patches, _, nearest = target
        own = tf.reshape(self._patches(generated, 1), (-1, patches.shape[-1]))
        return own, tf.gather(patches, nearest)

    @staticmethod
    def _patches(features: tf.Tensor, stride: int) -> tf.Tensor:
        size = [1, MRF_PATCH, MRF_PATCH, 1]
        return tf.image.extract_patches(features, size, [1, stride, stride, 1], [1, 1, 1, 1], "VALID")
