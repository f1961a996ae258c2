import keras
import pytest
import tensorflow as tf

from nst.backbone.features import preprocess
from nst.backbone.layers import (
    BY_NAME,
    CONV_LAYERS,
    LAYERS,
    PRESETS,
    VGG16,
    activation_floats,
    conv_depth,
    iteration_flops,
    output_shape,
    resolve_layers,
)
from nst.backbone.model import load_backbone
from nst.errors import UnknownNameError


@pytest.fixture(scope="module")
def keras_outputs():
    """Second route: every layer's real output shape, from Keras' VGG16 run on a 37x53 image."""
    model = load_backbone("random").model
    outputs = keras.Model(model.input, [model.get_layer(n).output for n in LAYERS])(tf.zeros((1, 37, 53, 3)))
    return {name: tuple(output.shape[1:]) for name, output in zip(LAYERS, outputs)}


def test_the_table_is_kerass_vgg16(keras_outputs):
    model = load_backbone("random").model
    assert [layer.name for layer in VGG16] == [layer.name for layer in model.layers[1:]]
    for layer in VGG16:
        height, width = output_shape((37, 53), layer)
        assert keras_outputs[layer.name] == (height, width, layer.channels), layer.name
        assert layer.name.startswith(f"block{layer.block}_{layer.kind}")
    assert len(CONV_LAYERS) == 13 and BY_NAME["block5_conv3"].stride == 16 and BY_NAME["block5_pool"].stride == 32


def test_a_layer_needs_the_convs_up_to_it():
    assert conv_depth("block1_conv1") == 0 and conv_depth("block3_conv1") == 4
    assert conv_depth("block3_pool") == conv_depth("block3_conv3") == 6
    assert conv_depth("block5_pool") == 12


def test_presets_use_real_layers():
    assert PRESETS.get("seed").content == ("block3_conv1",)
    assert PRESETS.get("seed").style == ("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2")
    assert PRESETS.get("gatys").content == ("block4_conv2",)
    assert PRESETS.get("gatys").style[-1] == "block5_conv1"


def test_layer_lists_override_the_preset():
    layers = resolve_layers("gatys", style_layers=("block3_conv3",))
    assert layers.content == ("block4_conv2",) and layers.style == ("block3_conv3",)


def test_unknown_layer_lists_the_valid_ones():
    with pytest.raises(UnknownNameError) as error:
        resolve_layers("gatys", content_layers=("block4_conv9",))
    assert "block4_conv9" in str(error.value) and "block4_conv2" in str(error.value)
    assert all(name in str(error.value) for name in LAYERS)


def test_unknown_preset():
    with pytest.raises(UnknownNameError, match="did you mean 'gatys'"):
        resolve_layers("gatis")


def test_flops_of_the_seed_layers_by_hand():
    """block1: 3->64, 64->64 at 32x32; block2: 64->128, 128->128 at 16x16; block3_conv1: 128->256 at 8x8;
    forward and backward (x2), and a Gram (2 h w C^2, x2 with its gradient) per style layer."""
    convs = 2 * 2 * 9 * (3 * 64 * 1024 + 64 * 64 * 1024 + (64 * 128 + 128 * 128) * 256 + 128 * 256 * 64)
    grams = 2 * 2 * (2 * 1024 * 64**2 + 2 * 256 * 128**2)
    assert iteration_flops(PRESETS.get("seed"), (32, 32)) == pytest.approx(convs + grams)


@pytest.mark.parametrize("preset", ["seed", "gatys"])
@pytest.mark.parametrize("shape", [(48, 64), (37, 53)])
def test_iteration_flops_match_the_shapes_keras_computes(preset, shape):
    """Second route: the conv layers' real output shapes and kernels, from running the model."""
    model = load_backbone("random").model
    layers = PRESETS.get(preset)
    deepest = max(CONV_LAYERS.index(n) for n in layers.content + layers.style)
    convs = [model.get_layer(name) for name in CONV_LAYERS[: deepest + 1]]
    outputs = keras.Model(model.input, [c.output for c in convs])(preprocess(tf.zeros((1, *shape, 3))))
    expected = 0.0
    for conv, output in zip(convs, outputs):
        _, h, w, c_out = output.shape
        kh, kw, c_in, _ = conv.kernel.shape
        expected += 2 * 2 * kh * kw * c_in * c_out * h * w  # forward + backward to the input
        if conv.name in layers.style:
            expected += 2 * 2 * h * w * c_out**2  # Gram and its gradient
    assert iteration_flops(layers, shape) == pytest.approx(expected)


def test_activation_floats_count_the_outputs_keras_computes(keras_outputs):
    layers = PRESETS.get("seed")  # up to block3_conv1: the pools of blocks 1 and 2
    kept = [
        "block1_conv1",
        "block1_conv2",
        "block1_pool",
        "block2_conv1",
        "block2_conv2",
        "block2_pool",
        "block3_conv1",
    ]
    expected = sum(h * w * c for h, w, c in (keras_outputs[name] for name in kept))
    assert activation_floats(layers, (37, 53)) == expected
