"""Backbone networks (nst.backbone.networks) built from keras.applications with their weights set
(where the weights come from: nst.backbone.weights), cached once per process."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from nst.backbone.networks import NETWORKS, Network
from nst.backbone.precision import PRECISIONS
from nst.backbone.weights import WeightsInfo, resolve_weights_name, weights_for
from nst.caching import shared
from nst.runtime import keras

STEM_ALIAS = "stem_conv"  # stem_conv3: the third ReLU of an Inception stem (nst.backbone.networks)


@dataclass(frozen=True)
class Backbone:
    model: object  # keras.Model without its top, input (1, H, W, 3) preprocessed (nst.backbone.features)
    info: WeightsInfo
    network: Network


@shared(size=8)
def load_backbone(
    weights: str = "auto", pooling: str = "max", precision: str = "float32", backbone: str = "vgg16"
) -> Backbone:
    """The `backbone` network for `weights` (nst.backbone.weights), `pooling` ("max" | "avg") and
    `precision` ("float32" | "bfloat16"), built once per process and shared read-only. This is the only
    model cache: the page and the sweep's workers call it too (`load_backbone.cache.misses` counts the
    models built)."""
    network = NETWORKS.get(backbone)
    name, notice = resolve_weights_name(weights, backbone)
    model = build(network, pooling, precision)
    loaded = weights_for(name, network, model)
    model.set_weights(loaded.arrays)
    return Backbone(model, dataclasses.replace(loaded.info, notice=notice or loaded.info.notice), network)


def build(network: Network, pooling: str = "max", precision: str = "float32"):
    """Keras' `network` without its top (any input size), weights unset; `avg` swaps its max pools,
    `bfloat16` computes in bfloat16 (a Keras mixed-precision policy)."""
    builder = getattr(keras.applications, network.keras_name)
    model = builder(include_top=False, weights=None, input_shape=(None, None, 3))
    if pooling == "max" and precision == "float32":
        return model

    def rebuild(layer):
        config = {**layer.get_config(), "dtype": PRECISIONS[precision]}
        swap = pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D)
        return (keras.layers.AveragePooling2D if swap else layer.__class__).from_config(config)

    return keras.models.clone_model(model, clone_function=rebuild)


def vgg16(pooling: str = "max", precision: str = "float32"):
    """Keras' VGG16 conv part, weights unset (see `build`)."""
    return build(NETWORKS.get("vgg16"), pooling, precision)


def keras_layer(model, name: str):
    """The model's layer for a name of nst.backbone.networks: Keras' own, or `stem_convK`, the stem's K-th ReLU."""
    if name.startswith(STEM_ALIAS):
        activations = [layer for layer in model.layers if isinstance(layer, keras.layers.Activation)]
        return activations[int(name[len(STEM_ALIAS) :]) - 1]
    return model.get_layer(name)


def measure_costs(model, network: Network, size: int = 299) -> dict[str, tuple[int, float, float, float]]:
    """Second route to nst.backbone.networks' table, from Keras' model on a (size, size) image: per layer
    (channels, output side, forward multiply-adds per input pixel up to it, activation floats per input
    pixel up to it; every layer's output counted but padding's)."""
    probe = keras.Model(model.input, [layer.output for layer in model.layers[1:]])
    outputs = probe(np.zeros((1, size, size, 3), np.float32))
    wanted = {keras_layer(model, layer.name).name: layer.name for layer in network.layers}
    macs = floats = 0.0
    found = {}
    for layer, output in zip(model.layers[1:], outputs):
        shape = tuple(output.shape)
        if isinstance(layer, keras.layers.Conv2D):
            macs += float(np.prod(layer.kernel.shape)) * shape[1] * shape[2]
        if not isinstance(layer, keras.layers.ZeroPadding2D):
            floats += float(np.prod(shape[1:]))
        if layer.name in wanted:
            found[wanted[layer.name]] = (shape[-1], shape[1], macs / size**2, floats / size**2)
    return found
