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

from nst.registry import Registry


@dataclass(frozen=True)
class Layer:
    name: str  # Keras layer name (or a stem alias): block4_conv2, conv4_block6_out, stem_conv1
    block: int  # the resolution stage it belongs to: 1 at stride 1 or 2, then one more per halving
    kind: str  # "conv" (VGG: 3x3, stride 1, ReLU) | "pool" (VGG: 2x2, stride 2) | "block" (anything else)
    channels: int  # output channels
    stride: int  # of its output relative to the input image: 1, 2, 4, ... 32
    macs: float = 0.0  # forward multiply-adds per input pixel up to and including it (0: VGG, counted)
    floats: float = 0.0  # activation floats per input pixel kept up to it for the backward pass (0: VGG)


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


def _table(rows: str) -> tuple[Layer, ...]:
    """Rows 'name block channels stride macs floats', one per line: the measured tables below."""
    table = []
    for row in rows.strip().splitlines():
        name, block, channels, stride, macs, floats = row.split()
        table.append(Layer(name, int(block), "block", int(channels), int(stride), float(macs), float(floats)))
    return tuple(table)


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

# ResNet50: the stem (conv1, stride 2; pool1, stride 4), then stages conv2..conv5 of 3, 4, 6, 3 bottleneck
# blocks; a block's output is `convN_blockK_out` (after the residual add and its ReLU).
RESNET50 = _table("""
conv1_relu 1 64 2 2368 48
pool1_pool 2 64 4 2368 52
conv2_block1_out 2 256 4 7007 173
conv2_block2_out 2 256 4 11388 262
conv2_block3_out 2 256 4 15769 350
conv3_block1_out 3 512 8 21856 412
conv3_block2_out 3 512 8 26354 458
conv3_block3_out 3 512 8 30853 503
conv3_block4_out 3 512 8 35352 549
conv4_block1_out 4 1024 16 41438 580
conv4_block2_out 4 1024 16 45937 603
conv4_block3_out 4 1024 16 50436 625
conv4_block4_out 4 1024 16 54935 648
conv4_block5_out 4 1024 16 59433 671
conv4_block6_out 4 1024 16 63932 694
conv5_block1_out 5 2048 32 70676 711
conv5_block2_out 5 2048 32 75661 723
conv5_block3_out 5 2048 32 80646 736
""")
# InceptionV3: a stem of five convs (stride 2, then 4 after a pool), then mixed0-2 (stride 8), mixed3-7
# (stride 16), mixed8-10 (stride 32). Its 'valid' convs and pools need 75 px to reach mixed10.
INCEPTION_V3 = _table("""
stem_conv1 1 32 2 215 24
stem_conv2 1 32 2 2442 47
stem_conv3 1 64 2 6897 93
stem_conv4 2 80 4 7203 112
stem_conv5 2 192 4 14997 144
mixed0 3 256 8 18491 172
mixed1 3 288 8 22280 200
mixed2 3 288 8 26173 228
mixed3 4 768 16 30669 243
mixed4 4 768 16 34853 263
mixed5 4 768 16 40308 284
mixed6 4 768 16 45764 306
mixed7 4 768 16 52675 330
mixed8 5 1280 32 55930 340
mixed9 5 2048 32 59537 350
mixed10 5 2048 32 63883 361
""")
# InceptionResNetV2: the same stem, mixed_5b and ten block35 (stride 8), mixed_6a and twenty block17
# (stride 16), mixed_7a and nine block8 (stride 32), and conv_7b. `_ac` is a block's output after its ReLU.
INCEPTION_RESNET_V2 = _table("""
stem_conv1 1 32 2 215 24
stem_conv2 1 32 2 2442 47
stem_conv3 1 64 2 6897 93
stem_conv4 2 80 4 7203 112
stem_conv5 2 192 4 14997 144
mixed_5b 3 320 8 18660 175
block35_1_ac 3 320 8 20336 200
block35_2_ac 3 320 8 22013 225
block35_3_ac 3 320 8 23690 250
block35_4_ac 3 320 8 25366 274
block35_5_ac 3 320 8 27043 299
block35_6_ac 3 320 8 28720 324
block35_7_ac 3 320 8 30397 349
block35_8_ac 3 320 8 32073 374
block35_9_ac 3 320 8 33750 398
block35_10_ac 3 320 8 35427 423
mixed_6a 4 1088 16 51066 456
block17_1_ac 4 1088 16 54701 474
block17_2_ac 4 1088 16 58335 493
block17_3_ac 4 1088 16 61970 511
block17_4_ac 4 1088 16 65605 529
block17_5_ac 4 1088 16 69239 548
block17_6_ac 4 1088 16 72874 566
block17_7_ac 4 1088 16 76508 584
block17_8_ac 4 1088 16 80143 603
block17_9_ac 4 1088 16 83778 621
block17_10_ac 4 1088 16 87412 639
block17_11_ac 4 1088 16 91047 658
block17_12_ac 4 1088 16 94682 676
block17_13_ac 4 1088 16 98316 694
block17_14_ac 4 1088 16 101951 713
block17_15_ac 4 1088 16 105585 731
block17_16_ac 4 1088 16 109220 749
block17_17_ac 4 1088 16 112855 767
block17_18_ac 4 1088 16 116489 786
block17_19_ac 4 1088 16 120124 804
block17_20_ac 4 1088 16 123758 822
mixed_7a 5 2080 32 130307 837
block8_1_ac 5 2080 32 131761 844
block8_2_ac 5 2080 32 133215 850
block8_3_ac 5 2080 32 134670 857
block8_4_ac 5 2080 32 136124 864
block8_5_ac 5 2080 32 137579 870
block8_6_ac 5 2080 32 139033 877
block8_7_ac 5 2080 32 140487 884
block8_8_ac 5 2080 32 141942 890
block8_9_ac 5 2080 32 143396 897
conv_7b_ac 5 1536 32 147138 905
""")


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
