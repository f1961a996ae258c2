"""Memory and time of a run, estimated before it starts, and a refusal when it would not fit.

Calibrated on a 2-core AMD EPYC with 24 GB (peak resident memory of one process: 0.93 GB at 256 px,
1.27 GB at 512, 2.65 GB at 1024, gatys layers; about 150 GFLOP/s of useful float32 work)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from nst import limits
from nst.backbone import CONV_LAYERS, conv_channels
from nst.errors import SettingError
from nst.features import resolve_layers
from nst.images import working_shape
from nst.settings import Settings
from nst.transfer import stage_plan

BASE_BYTES = 800 * 2**20  # TensorFlow, Keras and the VGG16 weights, before any image
ACTIVATION_FACTOR = 2.0  # forward activations kept for the backward pass, their gradients, temporaries
LBFGS_PAIRS = 10
EVALUATIONS_PER_ITERATION = 1.15  # L-BFGS' line search sometimes evaluates twice
FLOPS_PER_SECOND = 1.5e11  # useful float32 convolution work per second on the reference machine
# bfloat16 activations take half the bytes; its convolutions ran 2.3x faster per iteration there
ACTIVATION_BYTES = {"float32": 4, "bfloat16": 2}
SPEEDUP = {"float32": 1.0, "bfloat16": 2.3}
MEMORY_SHARE = 0.8  # of the memory available now, the most a run may plan to use


@dataclass(frozen=True)
class Estimate:
    memory_bytes: int  # peak resident memory of the process
    seconds: float  # wall time of the whole comparison

    def describe(self) -> str:
        return f"about {self.memory_bytes / 2**30:.1f} GB and {_duration(self.seconds)}"


def estimate(settings: Settings, content_shape: tuple[int, ...], n_losses: int) -> Estimate:
    """For a comparison of `n_losses` losses with these settings on a content image of this shape."""
    height, width = working_shape(content_shape, settings.size)
    pixels = height * width
    floats, flops = _per_pixel(settings)
    lbfgs = (2 * LBFGS_PAIRS + 4) * 3 * 8 if settings.optimizer == "lbfgs" else 4 * 3 * 8  # float64 arrays
    activation_bytes = floats * ACTIVATION_BYTES[settings.network_precision] * ACTIVATION_FACTOR
    memory = BASE_BYTES + pixels * (activation_bytes + n_losses * lbfgs)
    stages = stage_plan(settings.size, settings.iterations, settings.schedule)
    stage_work = sum(steps * (size / settings.size) ** 2 for size, steps in stages)  # full-size iterations
    work = 3 * flops * pixels * EVALUATIONS_PER_ITERATION * stage_work * n_losses  # forward + backward
    return Estimate(int(memory), work / (FLOPS_PER_SECOND * SPEEDUP[settings.network_precision]) + 2.0 * n_losses)


def check_fits(settings: Settings, content_shape: tuple[int, ...], n_losses: int) -> Estimate:
    """The estimate, or a SettingError naming it and the largest size that fits this machine now."""
    found = estimate(settings, content_shape, n_losses)
    allowed = MEMORY_SHARE * available_memory()
    if found.memory_bytes <= allowed:
        return found
    sizes = range(settings.size, limits.MIN_SIZE - 1, -16)
    fitting = [s for s in sizes if estimate(settings.replace(size=s), content_shape, n_losses).memory_bytes <= allowed]
    hint = f"the largest size that fits is {fitting[0]} px" if fitting else "no size fits: free some memory"
    raise SettingError(f"this run needs {found.describe()}, but only {allowed / 2**30:.1f} GB may be used here; {hint}")


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (MemAvailable, else free pages)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _per_pixel(settings: Settings) -> tuple[float, float]:
    """(activation floats, forward FLOPs) per pixel of the working image, up to the deepest layer used."""
    layers = resolve_layers(settings.preset, settings.content_layers, settings.style_layers)
    deepest = max(conv_depth(name) for name in layers.content + layers.style)
    floats = flops = 0.0
    channels_in = 3
    for index, name in enumerate(CONV_LAYERS[: deepest + 1]):
        block = int(name[5])
        channels, area = conv_channels(name), 4.0 ** -(block - 1)  # area: share of the input's pixels
        flops += 2 * 9 * channels_in * channels * area
        floats += channels * area
        if index + 1 < len(CONV_LAYERS) and CONV_LAYERS[index + 1][5] != name[5]:
            floats += channels * area / 4  # the pool after the block
        channels_in = channels
    return floats, flops


def conv_depth(layer: str) -> int:
    """Index of the last conv layer a layer needs: block3_pool needs block3_conv3."""
    if layer.endswith("_pool"):
        return max(i for i, name in enumerate(CONV_LAYERS) if name.startswith(layer[:6]))
    return CONV_LAYERS.index(layer)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
