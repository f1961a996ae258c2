"""VGG16 features: layer presets, caffe preprocessing, Gram matrices, and a cached feature extractor."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import tensorflow as tf

from nst.backbone import CONV_LAYERS, load_backbone
from nst.errors import UnknownNameError
from nst.registry import Registry, unknown_name_message

POOL_LAYERS = tuple(f"block{b}_pool" for b in range(1, 6))
LAYERS = CONV_LAYERS + POOL_LAYERS  # every layer a content or style term may use, in network order
# Caffe's ImageNet mean, BGR: the VGG16 weights (ImageNet and HED alike) expect BGR minus this, 0-255.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


@dataclass(frozen=True)
class LayerPreset:
    content: tuple[str, ...]
    style: tuple[str, ...]


PRESETS: Registry[LayerPreset] = Registry("preset")
PRESETS.add(
    "seed",
    "the seed paper's layers: content block3_conv1 (the tutorial's layer id 4), style the first four convs",
    LayerPreset(("block3_conv1",), ("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2")),
)
PRESETS.add(
    "gatys",
    "Gatys et al. 2015: content block4_conv2, style the first conv of each block, block1_conv1 to block5_conv1",
    LayerPreset(("block4_conv2",), tuple(f"block{b}_conv1" for b in range(1, 6))),
)


def resolve_layers(
    preset: str, content_layers: tuple[str, ...] = (), style_layers: tuple[str, ...] = ()
) -> LayerPreset:
    """The preset's layers, each list replaced where given; every name checked against VGG16's."""
    base = PRESETS.get(preset)
    layers = LayerPreset(tuple(content_layers) or base.content, tuple(style_layers) or base.style)
    for name in layers.content + layers.style:
        if name not in LAYERS:
            raise UnknownNameError(unknown_name_message("VGG16 layer", name, list(LAYERS)))
    return layers


def preprocess(image: tf.Tensor) -> tf.Tensor:
    """(1, H, W, 3) RGB in [0, 1] -> caffe input: BGR, 0-255, minus the ImageNet mean."""
    return image[..., ::-1] * 255.0 - tf.constant(CAFFE_MEAN_BGR, dtype=image.dtype)


def gram(features: tf.Tensor) -> tf.Tensor:
    """(1, H, W, C) -> (C, C): channel co-activations summed over positions, divided by H*W."""
    channels = tf.shape(features)[-1]
    flat = tf.reshape(features, (-1, channels))  # (H*W, C)
    positions = tf.cast(tf.shape(flat)[0], features.dtype)
    return tf.matmul(flat, flat, transpose_a=True) / positions


class FeatureExtractor:
    """Runs VGG16 only up to the deepest requested layer; returns (content features, style features)."""

    def __init__(self, model, layers: LayerPreset) -> None:
        import keras

        self.layers = layers
        names = list(dict.fromkeys(layers.content + layers.style))  # unique, order kept
        self._index = {name: i for i, name in enumerate(names)}
        outputs = [model.get_layer(name).output for name in names]
        self.model = keras.Model(model.input, outputs)  # a Functional graph: later layers are not run

    def __call__(self, image: tf.Tensor) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
        outputs = self.model(preprocess(image), training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        outputs = [tf.cast(output, tf.float32) for output in outputs]  # bfloat16 features: Grams in float32
        pick = lambda names: [outputs[self._index[name]] for name in names]  # noqa: E731
        return pick(self.layers.content), pick(self.layers.style)


@functools.lru_cache(maxsize=16)
def feature_extractor(weights: str, pooling: str, layers: LayerPreset, precision: str = "float32") -> FeatureExtractor:
    """One extractor per (weights, pooling, layers, precision) per process, shared read-only."""
    return FeatureExtractor(load_backbone(weights, pooling, precision).model, layers)
