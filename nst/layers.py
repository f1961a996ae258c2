"""VGG16's layers as one table, the layer presets, and the arithmetic on them (shapes, FLOPs, memory).

Pure Python: settings, the budget and the benchmark read it without loading TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass

from nst.errors import UnknownNameError
from nst.registry import Registry, unknown_name_message


@dataclass(frozen=True)
class Layer:
    name: str  # Keras layer name: block4_conv2, block3_pool
    block: int  # 1..5
    kind: str  # "conv" (3x3, stride 1, same padding, ReLU) | "pool" (2x2, stride 2)
    channels: int  # output channels
    stride: int  # of the layer's output relative to the input image: 1, 2, 4, ... 32


def _vgg16() -> tuple[Layer, ...]:
    """Keras' VGG16 without its top: five blocks of 2, 2, 3, 3, 3 convs, each block closed by a pool."""
    table = []
    for block, convs in enumerate((2, 2, 3, 3, 3), start=1):
        channels, stride = 64 * 2 ** min(block - 1, 3), 2 ** (block - 1)  # 64, 128, 256, 512, 512
        table += [Layer(f"block{block}_conv{i}", block, "conv", channels, stride) for i in range(1, convs + 1)]
        table.append(Layer(f"block{block}_pool", block, "pool", channels, 2 * stride))
    return tuple(table)


VGG16 = _vgg16()  # in network order
BY_NAME = {layer.name: layer for layer in VGG16}
CONV_LAYERS = tuple(layer.name for layer in VGG16 if layer.kind == "conv")  # block1_conv1 ... block5_conv3
POOL_LAYERS = tuple(layer.name for layer in VGG16 if layer.kind == "pool")
LAYERS = CONV_LAYERS + POOL_LAYERS  # every layer a content or style term may use


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
        if name not in BY_NAME:
            raise UnknownNameError(unknown_name_message("VGG16 layer", name, list(LAYERS)))
    return layers


def conv_depth(layer: str) -> int:
    """Index in CONV_LAYERS of the last conv a layer needs: block3_pool needs block3_conv3."""
    found = BY_NAME[layer]
    if found.kind == "conv":
        return CONV_LAYERS.index(layer)
    return max(i for i, name in enumerate(CONV_LAYERS) if BY_NAME[name].block == found.block)


def needed_convs(layers: LayerPreset) -> tuple[Layer, ...]:
    """The conv layers the network runs for these layers: up to the deepest one needed."""
    deepest = max(conv_depth(name) for name in layers.content + layers.style)
    return tuple(BY_NAME[name] for name in CONV_LAYERS[: deepest + 1])


def output_shape(shape: tuple[int, int], layer: Layer) -> tuple[int, int]:
    """(H, W) of a layer's output for an (H, W) input: each pool before it halves, rounding down."""
    height, width = shape
    for _ in range(layer.stride.bit_length() - 1):  # 2x2 max pool, stride 2, 'valid': floor
        height, width = height // 2, width // 2
    return height, width


def iteration_flops(layers: LayerPreset, shape: tuple[int, int]) -> float:
    """FLOPs of one objective-and-gradient evaluation of an (H, W) image: every conv up to the deepest
    layer used, forward and backward to its input (twice the forward; no weight gradients), and each
    style layer's Gram matrix (2 h w C^2) and its gradient (as much again)."""
    flops, channels_in = 0.0, 3
    for layer in needed_convs(layers):
        height, width = output_shape(shape, layer)
        flops += 2 * (2 * 9 * channels_in * layer.channels * height * width)
        if layer.name in layers.style:
            flops += 2 * (2 * height * width * layer.channels**2)
        channels_in = layer.channels
    return flops


def activation_floats(layers: LayerPreset, shape: tuple[int, int]) -> float:
    """Floats the forward pass keeps for the backward pass: every conv output up to the deepest layer
    used, the pool closing each block before it, and any pool layer asked for."""
    convs = needed_convs(layers)
    floats = 0.0
    for layer in convs:
        height, width = output_shape(shape, layer)
        floats += layer.channels * height * width
    for layer in VGG16:
        if layer.kind == "pool" and (layer.block < convs[-1].block or layer.name in layers.content + layers.style):
            height, width = output_shape(shape, layer)
            floats += layer.channels * height * width
    return floats
