"""nst: Gatys neural style transfer on VGG16 with interchangeable losses, compared side by side.

    from nst import Comparison, Settings, load_image
    comparison = Comparison(load_image("cat.png"), load_image("starry.jpg"), Settings(size=128), ["mse", "mae"])
    for event in comparison.events(): ...

The names below are imported on first use (PEP 562), so `import nst.settings` or `nst --help` loads
no TensorFlow."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Settings": "nst.settings",
    "Transfer": "nst.transfer",
    "Progress": "nst.progress",
    "Comparison": "nst.compare",
    "ComparisonResult": "nst.compare",
    "RunResult": "nst.compare",
    "InputImage": "nst.job",
    "Request": "nst.job",
    "prepare": "nst.job",
    "LOSSES": "nst.losses.catalogue",
    "PRESETS": "nst.backbone.layers",
    "OPTIMIZERS": "nst.optimizers",
    "YARDSTICKS": "nst.metrics",
    "Yardstick": "nst.metrics",
    "score": "nst.metrics",
    "load_image": "nst.images",
    "read_image": "nst.images",
    "save_png": "nst.images",
    "load_backbone": "nst.backbone.model",
    "estimate": "nst.budget",
    "check_fits": "nst.budget",
    "write_artifacts": "nst.artifacts",
    "NSTError": "nst.errors",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nst' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
