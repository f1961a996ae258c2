"""The backbones a transfer can run on: each one's layers, presets, input preprocessing and weights.

Pure Python: settings, the budget and the CLI's listing read it without loading TensorFlow. A layer name
is Keras' own where Keras gives a stable one (block4_conv2, conv4_block6_out, mixed5, block17_20_ac). The
Inception stems' convolutions have no stable Keras name (Keras numbers them per process), so they are
named here `stem_conv1` to `stem_conv5`: the stem's ReLUs in network order (nst.backbone.model finds them).

Costs for the budget: VGG's table lists every conv, so its FLOPs are counted exactly (nst.backbone.layers). The
others carry, per layer, the forward multiply-adds and the activation floats per input pixel of the
network up to that layer, measured from Keras' model at 299x299 (`nst.backbone.model.measure_costs`; a test
recomputes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nst.backbone.tables import INCEPTION_RESNET_V2, INCEPTION_V3, RESNET50, Layer
from nst.registry import Registry


@dataclass(frozen=True)
class LayerPreset:
    content: tuple[str, ...]
    style: tuple[str, ...]


@dataclass(frozen=True)
class Network:
    name: str  # vgg16, resnet50, ...
    keras_name: str  # its builder in keras.applications: VGG16, ResNet50, ...
    preprocessing: str  # "caffe": BGR, 0-255, minus the ImageNet mean | "inception": RGB scaled to [-1, 1]
    layers: tuple[Layer, ...]  # every layer a content or style term may use, in network order
    presets: Registry[LayerPreset]
    smoothing: str  # what smoothing=auto means for it: none | softmax (docs/backbones.md)
    min_side: int  # px: the shortest image side its deepest layer still has an output for
    imagenet_file: str  # Keras' cached file name for its ImageNet weights without the top
    imagenet_url: str  # where Keras downloads it from
    offline_weights: tuple[str, ...] = ()  # named weights usable without a download: vgg16-hed
    by_name: dict[str, Layer] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {layer.name: layer for layer in self.layers})

    @property
    def plain(self) -> bool:
        """A VGG: a chain of 3x3 convs and 2x2 pools whose every conv is in `layers` (exact FLOPs)."""
        return all(layer.kind in ("conv", "pool") for layer in self.layers)

    @property
    def weight_names(self) -> tuple[str, ...]:
        """The named weights it accepts besides a file path."""
        return ("auto", "imagenet", *self.offline_weights, "random")


NAMED_WEIGHTS = ("auto", "imagenet", "vgg16-hed", "random")  # every name some backbone accepts
SMOOTHINGS = ("none", "softmax")  # activation smoothing of the features (nst.backbone.features.smooth)
KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"
NETWORKS: Registry[Network] = Registry("backbone")


def _vgg(convs: tuple[int, ...]) -> tuple[Layer, ...]:
    """Keras' VGG without its top: five blocks of `convs` 3x3 convs, each block closed by a 2x2 pool."""
    table = []
    for block, count in enumerate(convs, start=1):
        channels, stride = 64 * 2 ** min(block - 1, 3), 2 ** (block - 1)  # 64, 128, 256, 512, 512
        table += [Layer(f"block{block}_conv{i}", block, "conv", channels, stride) for i in range(1, count + 1)]
        table.append(Layer(f"block{block}_pool", block, "pool", channels, 2 * stride))
    return tuple(table)


def _vgg_presets() -> Registry[LayerPreset]:
    presets: Registry[LayerPreset] = Registry("preset")
    presets.add(
        "gatys",
        "Gatys et al. 2015: content block4_conv2, style the first conv of each block, block1_conv1 to block5_conv1",
        LayerPreset(("block4_conv2",), tuple(f"block{b}_conv1" for b in range(1, 6))),
    )
    presets.add(
        "seed",
        "the seed paper's layers: content block3_conv1 (the tutorial's layer id 4), style the first four convs",
        LayerPreset(("block3_conv1",), ("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2")),
    )
    return presets


def _add(network: Network, description: str) -> None:
    NETWORKS.add(network.name, description, network)


for _name, _convs in (("vgg16", (2, 2, 3, 3, 3)), ("vgg19", (2, 2, 4, 4, 4))):
    _layers = _vgg(_convs)
    _add(
        Network(
            _name,
            _name.upper(),
            "caffe",
            _layers,
            _vgg_presets(),
            "none",
            16,
            f"{_name}_weights_tf_dim_ordering_tf_kernels_notop.h5",
            f"{KERAS_WEIGHTS}{_name}/",
            ("vgg16-hed",) if _name == "vgg16" else (),
        ),
        "VGG16, the default: 13 convs in 5 blocks"
        if _name == "vgg16"
        else "VGG19, as Gatys et al. and most peers use it: 16 convs",
    )


def _stage_presets(outputs: tuple[str, ...]) -> Registry[LayerPreset]:
    """`outputs`: each of the five resolution stages' last layer (stride 2 to 32). Style: all five, as Wang
    et al. take ResNet50's stage outputs; content: the stride-8 stage's, the resolution of VGG's
    block4_conv2. `shallow` stops at stride 8: the deep, wide stages are most of the cost."""
    presets: Registry[LayerPreset] = Registry("preset")
    presets.add(
        "gatys",
        f"content {outputs[2]}, style each resolution stage's output: {', '.join(outputs)}",
        LayerPreset((outputs[2],), outputs),
    )
    presets.add(
        "shallow",
        f"content {outputs[2]}, style the first three stages' outputs: cheaper, finer texture",
        LayerPreset((outputs[2],), outputs[:3]),
    )
    return presets


_add(
    Network(
        "resnet50",
        "ResNet50",
        "caffe",
        RESNET50,
        _stage_presets(("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out")),
        "none",
        16,
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        f"{KERAS_WEIGHTS}resnet/",
    ),
    "ResNet50 (He et al. 2016): residual bottleneck blocks, batch norm",
)
_add(
    Network(
        "inception_v3",
        "InceptionV3",
        "inception",
        INCEPTION_V3,
        _stage_presets(("stem_conv3", "stem_conv5", "mixed2", "mixed7", "mixed10")),
        "none",
        75,
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        f"{KERAS_WEIGHTS}inception_v3/",
    ),
    "Inception-v3 (Szegedy et al. 2016): parallel branches concatenated, batch norm",
)
_add(
    Network(
        "inception_resnet_v2",
        "InceptionResNetV2",
        "inception",
        INCEPTION_RESNET_V2,
        _stage_presets(("stem_conv3", "stem_conv5", "block35_10_ac", "block17_20_ac", "conv_7b_ac")),
        "softmax",
        75,
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        f"{KERAS_WEIGHTS}inception_resnet_v2/",
    ),
    "Inception-ResNet-v2 (Szegedy et al. 2017): Inception branches with residual adds (the report's)",
)


def describe_backbones(layers: bool = False) -> list[str]:
    """`nst backbones`: each backbone, its input, weights, smoothing=auto and presets (and layers)."""
    lines = []
    for entry in NETWORKS:
        network = entry.value
        lines += [
            f"{network.name}: {entry.description}",
            f"  input {network.preprocessing}; weights {', '.join(network.weight_names)} or a file; smoothing "
            f"auto = {network.smoothing}; images at least {network.min_side} px on each side",
        ]
        for preset in network.presets:
            lines.append(
                f"  preset {preset.name}: content {', '.join(preset.value.content)}; "
                f"style {', '.join(preset.value.style)}"
            )
        if layers:
            lines.append("  layers: " + ", ".join(layer.name for layer in network.layers))
    return lines
