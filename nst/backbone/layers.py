"""The arithmetic on a backbone's layers (nst.backbone.networks): which layers a run uses, their output shapes,
its FLOPs and the activation memory it keeps. Pure Python: settings, the budget and the benchmark read
it without loading TensorFlow."""

from __future__ import annotations

from nst.backbone.networks import NETWORKS, LayerPreset, Network
from nst.backbone.tables import Layer
from nst.errors import UnknownNameError
from nst.registry import unknown_name_message

VGG16_NETWORK = NETWORKS.get("vgg16")
VGG16 = VGG16_NETWORK.layers  # in network order
BY_NAME = VGG16_NETWORK.by_name
CONV_LAYERS = tuple(layer.name for layer in VGG16 if layer.kind == "conv")  # block1_conv1 ... block5_conv3
PRESETS = VGG16_NETWORK.presets  # VGG16's: gatys, seed


def resolve_layers(
    preset: str, content_layers: tuple[str, ...] = (), style_layers: tuple[str, ...] = (), backbone: str = "vgg16"
) -> LayerPreset:
    """The backbone's preset's layers, each list replaced where given; every name checked against the
    backbone's layers (an unknown one lists them all)."""
    network = NETWORKS.get(backbone)
    base = network.presets.get(preset)
    layers = LayerPreset(tuple(content_layers) or base.content, tuple(style_layers) or base.style)
    for name in layers.content + layers.style:
        if name not in network.by_name:
            raise UnknownNameError(unknown_name_message(f"{network.name} layer", name, layer_names(network)))
    return layers


def layer_names(network: Network) -> list[str]:
    """The layers a term may use, VGG's convs before its pools (the order people pick them in)."""
    return [layer.name for layer in network.layers if layer.kind != "pool"] + [
        layer.name for layer in network.layers if layer.kind == "pool"
    ]


LAYERS = tuple(layer_names(VGG16_NETWORK))  # every VGG16 layer a content or style term may use


def conv_depth(layer: str, network: Network = VGG16_NETWORK) -> int:
    """Index among a VGG's convs of the last conv a layer needs: block3_pool needs block3_conv3."""
    convs = [name for name, found in network.by_name.items() if found.kind == "conv"]
    found = network.by_name[layer]
    if found.kind == "conv":
        return convs.index(layer)
    return max(i for i, name in enumerate(convs) if network.by_name[name].block == found.block)


def deepest(layers: LayerPreset, network: Network = VGG16_NETWORK) -> Layer:
    """The deepest layer the run needs: the network is cut there."""
    order = {layer.name: i for i, layer in enumerate(network.layers)}
    return network.layers[max(order[name] for name in layers.content + layers.style)]


def needed_convs(layers: LayerPreset, network: Network = VGG16_NETWORK) -> tuple[Layer, ...]:
    """A VGG's conv layers the network runs for these layers: up to the deepest one needed."""
    convs = [layer for layer in network.layers if layer.kind == "conv"]
    return tuple(convs[: max(conv_depth(name, network) for name in layers.content + layers.style) + 1])


def output_shape(shape: tuple[int, int], layer: Layer) -> tuple[int, int]:
    """(H, W) of a layer's output for an (H, W) input: each halving before it rounds down (exact for
    VGG's 2x2 pools; within a pixel or two for the Inceptions' 'valid' 3x3 reductions)."""
    height, width = shape
    for _ in range(layer.stride.bit_length() - 1):
        height, width = height // 2, width // 2
    return height, width


def iteration_flops(layers: LayerPreset, shape: tuple[int, int], network: Network = VGG16_NETWORK) -> float:
    """FLOPs of one objective-and-gradient evaluation of an (H, W) image: the network up to the deepest
    layer used, forward and backward to its input (twice the forward; no weight gradients), and each
    style layer's Gram matrix (2 h w C^2) and its gradient (as much again). A VGG's convs are counted one
    by one; other networks' from their measured multiply-adds per pixel."""
    grams = sum(
        2 * (2 * _pixels(shape, network.by_name[name]) * network.by_name[name].channels ** 2) for name in layers.style
    )
    if not network.plain:
        return 2 * (2 * deepest(layers, network).macs * shape[0] * shape[1]) + grams
    flops, channels_in = 0.0, 3
    for layer in needed_convs(layers, network):
        flops += 2 * (2 * 9 * channels_in * layer.channels * _pixels(shape, layer))
        channels_in = layer.channels
    return flops + grams


def activation_floats(layers: LayerPreset, shape: tuple[int, int], network: Network = VGG16_NETWORK) -> float:
    """Floats the forward pass keeps for the backward pass. A VGG: every conv output up to the deepest
    layer used, the pool closing each block before it, and any pool layer asked for; other networks:
    their measured floats per pixel up to the deepest layer."""
    if not network.plain:
        return deepest(layers, network).floats * shape[0] * shape[1]
    convs = needed_convs(layers, network)
    floats = sum(layer.channels * _pixels(shape, layer) for layer in convs)
    for layer in network.layers:
        if layer.kind == "pool" and (layer.block < convs[-1].block or layer.name in layers.content + layers.style):
            floats += layer.channels * _pixels(shape, layer)
    return floats


def _pixels(shape: tuple[int, int], layer: Layer) -> int:
    height, width = output_shape(shape, layer)
    return height * width
