"""The TensorFlow tutorial's recipe (tensorflow.org/tutorials/generative/style_transfer), on nst's VGG16.

Its objective, on an image x (1, H, W, 3) in [0, 1]:
    W_c * mean((F4_2(x) - F4_2(content))^2)                      content: block4_conv2
  + W_s * mean over style layers of mean((G(x) - G(style))^2)     G: nst.backbone.features.gram (sum / positions)
  + W_tv * tf.image.total_variation(x)
The tutorial's weights (1e4, 1e-2, 30) leave the style faint with the vgg16-hed weights; RACE_WEIGHTS
give a full stylisation. Its optimizer is Adam(0.02, beta_1 0.99, epsilon 0.1) from the content
image, clipping to [0, 1] after each step, for 1000 steps. The benchmark (nst.speed.bench) races it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from nst.backbone.features import feature_extractor, gram
from nst.backbone.layers import PRESETS
from nst.caching import shared
from nst.runtime import keras, tf
from nst.speed.plan import TUTORIAL_STEPS

RACE_WEIGHTS = (1e4, 1e2, 2.5)  # W_c, W_s, W_tv
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]  # x (1, H, W, 3) -> (value, gradient)


@dataclass(frozen=True)
class Step:
    step: int  # 1 is the first step
    seconds: float  # wall time since the loop started (targets excluded)
    value: float  # the objective the step computed, before its update


def objective(
    content_image: np.ndarray, style_image: np.ndarray, weights: str, precision: str = "float32"
) -> Objective:
    """The tutorial's objective for these images (each (H, W, 3) in [0, 1]); network in `precision`."""
    value_and_grad = _value_and_grad_fn(weights, precision)
    content_targets, style_targets, loss_weights = _targets(content_image, style_image, weights, precision)

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = value_and_grad(tf.constant(x, tf.float32), content_targets, style_targets, loss_weights)
        return float(value), grad.numpy()

    return evaluate


def _extractor(weights: str, precision: str):
    return feature_extractor(weights, "max", PRESETS.get("gatys"), precision)


def _targets(content_image: np.ndarray, style_image: np.ndarray, weights: str, precision: str) -> tuple:
    """(content features, style Grams, the three weights): computed once per run."""
    extractor = _extractor(weights, precision)
    content_targets, _ = extractor(tf.constant(content_image[None]))
    _, style_features = extractor(tf.constant(style_image[None]))
    return content_targets, [gram(f) for f in style_features], tf.constant(RACE_WEIGHTS, tf.float32)


@shared(size=8)
def _value_and_grad_fn(weights: str, precision: str):
    extractor = _extractor(weights, precision)

    @tf.function(reduce_retracing=True)
    def value_and_grad(image, content_targets, style_targets, loss_weights):
        with tf.GradientTape() as tape:
            tape.watch(image)
            value = _value(extractor, image, content_targets, style_targets, loss_weights)
        return value, tape.gradient(value, image)

    return value_and_grad


def _value(extractor, image, content_targets, style_targets, loss_weights) -> tf.Tensor:
    content_features, style_features = extractor(image)
    content = tf.add_n([tf.reduce_mean((f - t) ** 2) for f, t in zip(content_features, content_targets)])
    style = tf.add_n([tf.reduce_mean((gram(f) - t) ** 2) for f, t in zip(style_features, style_targets)])
    tv = tf.reduce_sum(tf.image.total_variation(image))
    terms = tf.stack([content / len(content_targets), style / len(style_targets), tv])
    return tf.reduce_sum(loss_weights * terms)


def run_tutorial(
    content_image: np.ndarray, style_image: np.ndarray, weights: str, steps: int = TUTORIAL_STEPS
) -> Iterator[tuple[Step, np.ndarray]]:
    """The tutorial's own loop: a tf.Variable, Keras Adam, a traced train step, clip after each step.
    Yields (step, image (H, W, 3)) after every step; the value is the one before that step's update."""
    extractor = _extractor(weights, "float32")
    content_targets, style_targets, loss_weights = _targets(content_image, style_image, weights, "float32")
    image = tf.Variable(content_image[None].astype(np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            value = _value(extractor, image, content_targets, style_targets, loss_weights)
        optimizer.apply_gradients([(tape.gradient(value, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return value

    start = time.perf_counter()
    for step in range(1, steps + 1):
        value = float(train_step())
        yield Step(step, time.perf_counter() - start, value), image.numpy()[0]
