import keras
import numpy as np
import pytest
import tensorflow as tf

from nst.backbone.features import CAFFE_MEAN_BGR, FeatureExtractor, gram, preprocess
from nst.backbone.layers import resolve_layers
from nst.backbone.model import load_backbone


def test_gram_matches_numpy():
    features = np.random.default_rng(0).normal(size=(1, 5, 7, 4)).astype(np.float32)
    flat = features.reshape(35, 4).astype(np.float64)
    expected = flat.T @ flat / 35
    np.testing.assert_allclose(gram(tf.constant(features)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_preprocess_is_caffe_bgr_minus_mean():
    image = np.random.default_rng(1).random((1, 3, 4, 3)).astype(np.float32)
    out = preprocess(tf.constant(image)).numpy()
    for bgr_channel, rgb_channel in ((0, 2), (1, 1), (2, 0)):
        expected = image[..., rgb_channel] * 255 - CAFFE_MEAN_BGR[bgr_channel]
        np.testing.assert_allclose(out[..., bgr_channel], expected, rtol=1e-5, atol=1e-3)


def test_extractor_runs_only_up_to_the_deepest_layer_and_matches_the_full_network():
    model = load_backbone("random").model
    extractor = FeatureExtractor(model, resolve_layers("seed"))
    names = {layer.name for layer in extractor.model.layers}
    assert "block3_conv1" in names and "block3_conv2" not in names and "block5_conv1" not in names
    image = tf.constant(np.random.default_rng(2).random((1, 32, 40, 3)).astype(np.float32))
    content, style = extractor(image)
    full = keras.Model(model.input, [model.get_layer(n).output for n in ("block3_conv1", "block2_conv2")])
    expected_content, expected_style = full(preprocess(image))
    np.testing.assert_allclose(content[0].numpy(), expected_content.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(style[3].numpy(), expected_style.numpy(), rtol=1e-4, atol=1e-3)
    assert content[0].shape == (1, 8, 10, 256)  # two poolings before block3


def test_bfloat16_features_are_float32_and_close_to_float32_ones():
    from nst.backbone.features import feature_extractor

    layers = resolve_layers("gatys")
    image = tf.constant(np.random.default_rng(3).random((1, 48, 64, 3)).astype(np.float32))
    (full,), full_style = feature_extractor("vgg16-hed", "max", layers)(image)
    (half,), half_style = feature_extractor("vgg16-hed", "max", layers, "bfloat16")(image)
    assert half.dtype == tf.float32
    relative = float(tf.norm(half - full) / tf.norm(full))
    assert relative < 0.05  # bfloat16 keeps 8 bits of mantissa: a few per cent through 10 layers
    gram_error = float(tf.norm(gram(half_style[-1]) - gram(full_style[-1])) / tf.norm(gram(full_style[-1])))
    assert gram_error < 0.05


def test_softmax_smoothing_is_a_softmax_over_the_whole_layer_times_its_size():
    from nst.backbone.features import smooth

    features = np.random.default_rng(5).normal(size=(1, 3, 4, 5)).astype(np.float32)
    flat = features.ravel().astype(np.float64)
    expected = np.exp(flat - flat.max()) / np.exp(flat - flat.max()).sum() * flat.size
    got = smooth(tf.constant(features)).numpy()
    np.testing.assert_allclose(got.ravel(), expected, rtol=1e-5)
    assert got.shape == features.shape and got.mean() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(smooth(tf.constant(features + 3.0)).numpy(), got, rtol=1e-4)  # shift-invariant


def test_the_extractor_smooths_every_feature_when_asked():
    from nst.backbone.features import smooth

    model = load_backbone("random").model
    layers = resolve_layers("seed")
    image = tf.constant(np.random.default_rng(6).random((1, 32, 32, 3)).astype(np.float32))
    (plain,), _ = FeatureExtractor(model, layers)(image)
    (smoothed,), style = FeatureExtractor(model, layers, smoothing="softmax")(image)
    np.testing.assert_allclose(smoothed.numpy(), smooth(plain).numpy(), rtol=1e-4, atol=1e-6)
    assert all(s.numpy().min() >= 0 and s.numpy().mean() == pytest.approx(1.0, rel=1e-3) for s in style)
