"""Process set-up for the command line and the page: TensorFlow imported without its start-up noise."""

from __future__ import annotations

import os


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and probe its devices with file descriptor 2 sent to /dev/null.

    TensorFlow's C++ start-up notices (oneDNN, CUDA stubs, cuInit) are written before its logging
    is initialised, so TF_CPP_MIN_LOG_LEVEL does not reach them; users would read them as errors.
    A failing import still raises, with its message, once stderr is back."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()  # the device probe prints too
        tf.constant(0.0) + 1.0  # and so does the first op
        # Each loss has its own traced objective; TF warns when several trace, which is by design here.
        tf.get_logger().setLevel("ERROR")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
