"""VGG16 features: caffe preprocessing, Gram matrices, and a shared feature extractor (layers: nst.layers)."""

from __future__ import annotations

from nst.backbone import load_backbone
from nst.caching import shared
from nst.layers import LayerPreset
from nst.runtime import keras, tf

# Caffe's ImageNet mean, BGR: the VGG16 weights (ImageNet and HED alike) expect BGR minus this, 0-255.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


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
        self.layers = layers
        names = list(dict.fromkeys(layers.content + layers.style))  # unique, order kept
        self._index = {name: i for i, name in enumerate(names)}
        outputs = [model.get_layer(name).output for name in names]
        self.model = keras.Model(model.input, outputs)  # a Functional graph: later layers are not run

    def __call__(self, image: tf.Tensor) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
        """(1, H, W, 3) RGB in [0, 1] -> ([content layers' (1, h, w, c)], [style layers' (1, h, w, c)])."""
        outputs = self.model(preprocess(image), training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        outputs = [tf.cast(output, tf.float32) for output in outputs]  # bfloat16 features: Grams in float32
        pick = lambda names: [outputs[self._index[name]] for name in names]  # noqa: E731
        return pick(self.layers.content), pick(self.layers.style)


@shared(size=16)
def feature_extractor(weights: str, pooling: str, layers: LayerPreset, precision: str = "float32") -> FeatureExtractor:
    """One extractor per (weights, pooling, layers, precision) per process, shared read-only."""
    return FeatureExtractor(load_backbone(weights, pooling, precision).model, layers)
