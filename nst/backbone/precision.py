"""The network's arithmetic: float32, or bfloat16 where the hardware computes it natively."""

from __future__ import annotations

import functools
from pathlib import Path

# precision -> Keras dtype policy: bfloat16 computes the convolutions in bfloat16 (weights stay float32);
# features are cast back to float32 before Gram matrices and losses (nst.backbone.features).
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}
# Settings may also say "auto": bfloat16 where the hardware computes it natively, else float32.
PRECISION_CHOICES = ("auto", *PRECISIONS)
NATIVE_BFLOAT16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})  # Linux /proc/cpuinfo flags


def resolve_precision(precision: str) -> str:
    """`auto` -> bfloat16 where it pays and keeps quality (docs/performance.md: 2.1-2.4x per iteration
    on an AVX-512 BF16/AMX CPU, the same objective within 1%), else float32; others are returned as given.
    Without native bfloat16 (AVX-512 BF16, AMX or a GPU) TensorFlow emulates it, slower than float32."""
    if precision != "auto":
        return precision
    return "bfloat16" if native_bfloat16() else "float32"


def emulation_warning(precision: str) -> str:
    """One line for an explicit bfloat16 on hardware that only emulates it; "" otherwise."""
    if precision != "bfloat16" or native_bfloat16():
        return ""
    return (
        "this CPU has no native bfloat16 (no AVX-512 BF16 or AMX): TensorFlow emulates it, about ten "
        "times slower than float32 here; precision auto picks float32 on this machine"
    )


@functools.cache
def native_bfloat16() -> bool:
    """True on a GPU, or on a CPU whose flags include avx512_bf16 or amx_bf16 (Linux /proc/cpuinfo)."""
    from nst.runtime import tf

    if tf.config.list_physical_devices("GPU"):
        return True
    try:
        return cpu_has_native_bfloat16(Path("/proc/cpuinfo").read_text())
    except OSError:
        return False


def cpu_has_native_bfloat16(cpuinfo: str) -> bool:
    """Whether /proc/cpuinfo's text lists a CPU flag for native bfloat16 arithmetic."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and NATIVE_BFLOAT16_FLAGS & set(value.split()):
            return True
    return False
