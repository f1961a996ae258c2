import pytest

from nst.backbone import precision
from nst.backbone.precision import cpu_has_native_bfloat16, emulation_warning, resolve_precision
from nst.settings import Settings

XEON_AMX = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"
EPYC_AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\nbugs\t\t: sysret_ss_attrs\n"


def test_cpu_flags_decide_native_bfloat16():
    assert cpu_has_native_bfloat16(XEON_AMX)
    assert not cpu_has_native_bfloat16(EPYC_AVX2)
    assert not cpu_has_native_bfloat16("model name\t: avx512_bf16 in a name is not a flag\n")
    assert cpu_has_native_bfloat16("flags\t: avx512f avx512_bf16\n")  # AVX-512 BF16 without AMX


def test_auto_precision_is_bfloat16_exactly_where_the_hardware_has_it(monkeypatch):
    for native, expected in ((True, "bfloat16"), (False, "float32")):
        monkeypatch.setattr(precision, "native_bfloat16", lambda native=native: native)
        assert resolve_precision("auto") == expected
        assert Settings(precision="auto").network_precision == expected
        assert Settings(precision="float32").network_precision == "float32"  # an explicit choice stands
        assert Settings(precision="bfloat16").network_precision == "bfloat16"


@pytest.mark.parametrize("native", [True, False])
def test_an_explicit_bfloat16_is_warned_about_only_where_it_is_emulated(monkeypatch, native):
    monkeypatch.setattr(precision, "native_bfloat16", lambda: native)
    warning = emulation_warning("bfloat16")
    assert bool(warning) is not native
    if warning:
        assert "ten times slower" in warning and "\n" not in warning
    assert emulation_warning("float32") == emulation_warning("auto") == ""
