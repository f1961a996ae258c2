"""Features: each backbone's input preprocessing, activation smoothing, Gram matrices, and a shared
feature extractor (layers: nst.backbone.networks)."""

from __future__ import annotations

from nst.backbone.model import keras_layer, load_backbone
from nst.backbone.networks import NETWORKS, LayerPreset, Network
from nst.caching import shared
from nst.runtime import keras, tf

# Caffe's ImageNet mean, BGR: VGG and ResNet50 weights (ImageNet and HED alike) expect BGR minus this, 0-255.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess(image: tf.Tensor, preprocessing: str = "caffe") -> tf.Tensor:
    """(1, H, W, 3) RGB in [0, 1] -> the network's input. caffe (VGG, ResNet50): BGR, 0-255, minus the
    ImageNet mean; inception (Inception-v3, Inception-ResNet-v2): RGB scaled to [-1, 1]."""
    if preprocessing == "inception":
        return image * 2.0 - 1.0
    return image[..., ::-1] * 255.0 - tf.constant(CAFFE_MEAN_BGR, dtype=image.dtype)


def smooth(features: tf.Tensor) -> tf.Tensor:
    """Wang, Li and Vasconcelos' activation smoothing (SWAG, CVPR 2021): a softmax of the layer's
    activations. (1, H, W, C) -> (1, H, W, C), positive, mean 1.

    Axis: all H*W*C activations of the layer together, one distribution per layer. The paper smooths
    the layer's activation distribution whose low entropy (peaky residual features) it blames, which is
    the whole feature map's (its code's `softmax3d`); a softmax over channels per position, or over
    positions per channel, would instead erase each position's or channel's overall strength, which the
    Gram matrix compares. Times the number of activations, so a style image of another shape than the
    content's is compared at the same scale; for one shape that is the paper's softmax times a constant,
    which the normalised terms (nst.transfer) cancel."""
    flat = tf.reshape(features, (1, -1))
    count = tf.cast(tf.shape(flat)[1], features.dtype)
    return tf.reshape(tf.nn.softmax(flat, axis=-1) * count, tf.shape(features))


def gram(features: tf.Tensor) -> tf.Tensor:
    """(1, H, W, C) -> (C, C): channel co-activations summed over positions, divided by H*W."""
    channels = tf.shape(features)[-1]
    flat = tf.reshape(features, (-1, channels))  # (H*W, C)
    positions = tf.cast(tf.shape(flat)[0], features.dtype)
    return tf.matmul(flat, flat, transpose_a=True) / positions


class FeatureExtractor:
    """Runs the network only up to the deepest requested layer; returns (content features, style features),
    smoothed (SWAG) when `smoothing` is softmax."""

    def __init__(self, model, layers: LayerPreset, network: Network | None = None, smoothing: str = "none") -> None:
        self.layers, self.network = layers, network or NETWORKS.get("vgg16")
        self.smoothing = smoothing
        names = list(dict.fromkeys(layers.content + layers.style))  # unique, order kept
        self._index = {name: i for i, name in enumerate(names)}
        outputs = [keras_layer(model, name).output for name in names]
        self.model = keras.Model(model.input, outputs)  # a Functional graph: later layers are not run

    def __call__(self, image: tf.Tensor) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
        """(1, H, W, 3) RGB in [0, 1] -> ([content layers' (1, h, w, c)], [style layers' (1, h, w, c)])."""
        outputs = self.model(preprocess(image, self.network.preprocessing), training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        outputs = [tf.cast(output, tf.float32) for output in outputs]  # bfloat16 features: Grams in float32
        if self.smoothing == "softmax":
            outputs = [smooth(output) for output in outputs]
        pick = lambda names: [outputs[self._index[name]] for name in names]  # noqa: E731
        return pick(self.layers.content), pick(self.layers.style)


@shared(size=16)
def feature_extractor(
    weights: str,
    pooling: str,
    layers: LayerPreset,
    precision: str = "float32",
    backbone: str = "vgg16",
    smoothing: str = "none",
) -> FeatureExtractor:
    """One extractor per (weights, pooling, layers, precision, backbone, smoothing) per process, shared
    read-only."""
    loaded = load_backbone(weights, pooling, precision, backbone)
    return FeatureExtractor(loaded.model, layers, loaded.network, smoothing)
