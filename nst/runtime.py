"""Process set-up: TensorFlow imported on first use, quietly.

Engine modules say `from nst.runtime import tf` instead of `import tensorflow as tf`, so importing them
costs nothing until a tensor is made: `nst --help`, settings, grid checks and the page's first paint
stay fast, and TensorFlow's start-up chatter never reaches a user."""

from __future__ import annotations

import os
import threading
from typing import Any

_IMPORT_LOCK = threading.Lock()  # fd 2 is process-wide: one redirection at a time


def import_tensorflow_quietly() -> Any:
    """Import TensorFlow and probe its devices with file descriptor 2 sent to /dev/null; return it.

    TensorFlow's C++ start-up notices (oneDNN, CUDA stubs, cuInit) are written before its logging
    is initialised, so TF_CPP_MIN_LOG_LEVEL does not reach them; users would read them as errors.
    A failing import still raises, with its message, once stderr is back."""
    with _IMPORT_LOCK:
        import sys

        if "tensorflow" in sys.modules:
            return sys.modules["tensorflow"]
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            import tensorflow

            tensorflow.config.list_physical_devices()  # the device probe prints too
            tensorflow.constant(0.0) + 1.0  # and so does the first op
            # Each loss has its own traced objective; TF warns when several trace, which is by design here.
            tensorflow.get_logger().setLevel("ERROR")
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        return tensorflow


class _Lazy:
    """Stands for a module that needs TensorFlow; the first attribute read imports TensorFlow quietly,
    then the module, and each attribute read is kept, so later reads cost what a module attribute costs."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        import importlib

        import_tensorflow_quietly()
        value = getattr(importlib.import_module(self._module), name)
        setattr(self, name, value)
        return value


tf: Any = _Lazy("tensorflow")
keras: Any = _Lazy("keras")
