import numpy as np
import pytest

from nst import budget
from nst.errors import SettingError
from nst.settings import Settings

SHAPE = (300, 451, 3)


def test_time_is_the_benchmarks_flop_count_over_the_calibrated_rate():
    """One FLOP count (nst.backbone.layers.iteration_flops) serves the estimate and `nst bench`."""
    from nst.backbone.layers import PRESETS, iteration_flops
    from nst.images import working_shape

    settings = Settings(size=256, iterations=50, precision="float32")
    flops = iteration_flops(PRESETS.get("gatys"), working_shape(SHAPE, 256))
    expected = 3 * 50 * flops * budget.EVALUATIONS_PER_ITERATION / budget.FLOPS_PER_SECOND + 2.0 * 3
    assert budget.estimate(settings, SHAPE, 3).seconds == pytest.approx(expected)


def test_emulated_bfloat16_is_estimated_slower_than_float32(monkeypatch):
    monkeypatch.setattr(budget, "native_bfloat16", lambda: False)
    full = budget.estimate(Settings(size=512, precision="float32"), SHAPE, 1)
    emulated = budget.estimate(Settings(size=512, precision="bfloat16"), SHAPE, 1)
    assert emulated.seconds > 5 * full.seconds


def test_estimates_grow_with_size_iterations_and_losses():
    small = budget.estimate(Settings(size=256), SHAPE, 1)
    assert budget.estimate(Settings(size=512), SHAPE, 1).memory_bytes > small.memory_bytes
    assert budget.estimate(Settings(size=512), SHAPE, 1).seconds == pytest.approx(
        4 * (small.seconds - 2) + 2, rel=0.05
    )  # four times the pixels, four times the work
    assert budget.estimate(Settings(size=256, iterations=200), SHAPE, 1).seconds > small.seconds
    assert budget.estimate(Settings(size=256), SHAPE, 3).memory_bytes > small.memory_bytes


def test_a_run_too_big_for_the_machine_is_refused_with_the_largest_size_that_fits(monkeypatch):
    settings = Settings(size=2048)
    need = budget.estimate(settings, SHAPE, 2).memory_bytes
    monkeypatch.setattr(budget, "available_memory", lambda: int(need / 2 / budget.MEMORY_SHARE))
    with pytest.raises(SettingError) as error:
        budget.check_fits(settings, SHAPE, 2)
    message = str(error.value)
    assert "GB" in message and "the largest size that fits is" in message
    size = int(message.split("the largest size that fits is ")[1].split()[0])
    assert budget.check_fits(settings.replace(size=size), SHAPE, 2)
    with pytest.raises(SettingError):
        budget.check_fits(settings.replace(size=size + 16), SHAPE, 2)


def test_a_run_that_fits_gets_its_estimate(monkeypatch):
    monkeypatch.setattr(budget, "available_memory", lambda: 64 * 2**30)
    found = budget.check_fits(Settings(), SHAPE, 2)
    assert found.memory_bytes > budget.BASE_BYTES and "GB" in found.describe()


def test_native_bfloat16_is_estimated_faster_in_the_same_memory(monkeypatch):
    """Measured: the same peak memory in both precisions (nst.budget.ACTIVATION_BYTES)."""
    monkeypatch.setattr(budget, "native_bfloat16", lambda: True)
    full = budget.estimate(Settings(size=512, precision="float32"), SHAPE, 1)
    half = budget.estimate(Settings(size=512, precision="bfloat16"), SHAPE, 1)
    assert half.seconds < full.seconds and half.memory_bytes == full.memory_bytes


def test_multiscale_is_estimated_at_its_stages_cost():
    """Each stage costs its iterations times its pixels: 1024 px as 256/512/1024 x 33/33/34 iterations
    does 33/16 + 33/4 + 34 = 44 full-size iterations' work, against 100 for a direct run."""
    direct = budget.estimate(Settings(size=1024, iterations=100), SHAPE, 1)
    multiscale = budget.estimate(Settings(size=1024, iterations=100, schedule="multiscale"), SHAPE, 1)
    overhead = 2.0  # the fixed seconds per loss
    ratio = (multiscale.seconds - overhead) / (direct.seconds - overhead)
    assert ratio == pytest.approx((33 / 16 + 33 / 4 + 34) / 100, rel=0.02)
    assert multiscale.memory_bytes == direct.memory_bytes  # the finest stage is the largest


def test_a_costlier_statistic_is_estimated_longer_by_its_measured_ratio():
    from nst.compare import Comparison
    from nst.losses.style_statistics import STATISTICS

    content, style = np.zeros((48, 64, 3), np.float32), np.ones((48, 64, 3), np.float32)
    settings = Settings(size=64, iterations=10, weights="random")
    plain = Comparison(content, style, settings, ["mse"]).estimate.seconds - 2.0  # 2 s: each loss's fixed start
    swd = Comparison(content, style, settings, ["swd"]).estimate.seconds - 2.0
    assert swd == pytest.approx(plain * STATISTICS.get("swd").relative_cost) and swd > plain


def test_a_tiled_estimate_is_the_tiles_pass_plus_the_whole_images_by_plain_arithmetic():
    """4096x3072 px, 1024 px tiles: the largest pass is one 1024x1024 tile (the 1024 px whole stage is 1024x768);
    beside it float32 RGB images at full size (4 per loss, 2 of the content, 2 per style), the painting's mosaic and the
    judge at 1024 px. Time: each stage's tiles x passes x (steps per pass + one evaluation for the tile's
    targets) plus the painting read once by blocks, at a tile's FLOPs."""
    from nst.backbone.layers import activation_floats, iteration_flops
    from nst.tiles import layout, overlap_for, steps_per_pass

    shape = (3072, 4096, 3)
    settings = Settings(size=4096, schedule="tiled", tile=1024, tile_passes=2, iterations=100, precision="float32")
    layers = settings.layers
    found = budget.estimate(settings, shape, 1)
    tile_pass = budget.BASE_BYTES + activation_floats(layers, (1024, 1024)) * 4 * budget.ACTIVATION_FACTOR
    tile_pass += 1024 * 1024 * (2 * budget.LBFGS_PAIRS + 4) * 3 * 8
    images = (4 + 2 + 2) * 4096 * 3072 * 3 * 4
    # the painting's mosaic, 12 tiles' pixels: one position in 16, 9, 4, 4 and 1 at block1..block5_conv1
    pixels = 4096 * 3072
    kept = [(1, 64, 16), (4, 128, 9), (16, 256, 4), (64, 512, 4), (256, 512, 1)]  # (stride^2, channels, k^2)
    mosaic = sum(pixels / area / every * channels for area, channels, every in kept) * 4
    judge = budget.JUDGE_BYTES + activation_floats(layers, (768, 1024)) * 4
    extra = budget.BASELINE_BYTES  # the feed-forward baseline, on by default
    assert found.memory_bytes == pytest.approx(tile_pass + images + mosaic + judge + extra, rel=1e-6)
    overlap = overlap_for(layers, settings.network)
    per_tile = iteration_flops(layers, (1024, 1024))
    work = 33 * iteration_flops(layers, (768, 1024))
    for size, steps in ((2048, 33), (4096, 34)):
        tiles = len(layout((size * 3 // 4, size), 1024, overlap))
        work += tiles * 2 * (steps_per_pass(steps, 2) + 1) * per_tile + tiles * per_tile / 2
    seconds = work * budget.EVALUATIONS_PER_ITERATION / budget.FLOPS_PER_SECOND + 2.0
    assert found.seconds == pytest.approx(seconds, rel=1e-6)
    assert found.memory_bytes < budget.estimate(settings.replace(schedule="direct", size=2048), shape, 1).memory_bytes


def test_a_tiled_run_too_big_is_refused_with_the_largest_tile_that_fits(monkeypatch):
    settings = Settings(size=4096, schedule="tiled", tile=2048)
    need = budget.estimate(settings, SHAPE, 1).memory_bytes
    smaller = budget.estimate(settings.replace(tile=1024), SHAPE, 1).memory_bytes
    monkeypatch.setattr(budget, "available_memory", lambda: int((need + smaller) / 2 / budget.MEMORY_SHARE))
    with pytest.raises(SettingError, match="the largest tile that fits is"):
        budget.check_fits(settings, SHAPE, 1)


def test_a_tiled_runs_whole_first_stage_counts_its_larger_style_pass():
    """style_scale 2 with 1024 px tiles at 2048 px: the 1024 px first stage runs whole, its painting at 2048 px
    in one forward pass (features only), larger than any tile's pass: the estimate is that pass, the judge at
    1024 px and the whole images beside the tiles (no baseline)."""
    from nst.backbone.layers import activation_floats

    settings = Settings(size=2048, schedule="tiled", tile=1024, style_scale=2.0, precision="float32", baseline="none")
    shape = (1536, 2048, 3)
    style_pass = budget.BASE_BYTES + activation_floats(settings.layers, shape[:2]) * 4
    judge = budget.JUDGE_BYTES + activation_floats(settings.layers, (768, 1024)) * 4
    images = budget._tiled_images_bytes(settings, shape[:2], 1, 1)
    assert budget.estimate(settings, shape, 1).memory_bytes == pytest.approx(style_pass + judge + images, rel=1e-6)
