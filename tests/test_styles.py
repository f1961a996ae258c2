"""Several styles (nst.styles and the transfer's use of it): blends, regions, stroke size, the palette start.
Each check runs the real transfer at 64 px and compares with a single-style run or plain numpy."""

import numpy as np
import pytest

from nst.compare import Comparison
from nst.errors import ImageError, SettingError
from nst.settings import Settings
from nst.styles import OVAL_BOX, blend_weights, palette_start, plan, read_mask, recolor, region, region_mask
from nst.transfer import Transfer

from .conftest import ASSETS

SETTINGS = Settings(weights="random", size=64, iterations=3, precision="float32")


@pytest.fixture(scope="module")
def scream():
    from nst.images import load_image, resize_long_side

    return resize_long_side(load_image(ASSETS / "style" / "the_scream.jpg"), 64)


def run(content, styles, settings=SETTINGS, loss="mse", masks=None):
    transfer = Transfer.alone(content, styles, settings, loss, masks=masks)
    events = list(transfer.events())
    return transfer.output_image(), [e.total for e in events], [e.style for e in events]


@pytest.mark.parametrize("loss", ["mse", pytest.param("swd", marks=pytest.mark.slow)])
def test_blend_weights_of_one_and_zero_reproduce_the_single_style_run_exactly(content_image, style_image, scream, loss):
    alone = run(content_image, style_image, loss=loss)
    first = run(content_image, [style_image, scream], SETTINGS.replace(style_blend=(1.0, 0.0)), loss)
    second = run(content_image, [scream, style_image], SETTINGS.replace(style_blend=(0.0, 1.0)), loss)
    for blended in (first, second):
        np.testing.assert_array_equal(blended[0], alone[0])
        assert blended[1] == alone[1]


def test_a_full_mask_equals_no_mask_and_an_empty_one_drops_its_style(content_image, style_image, scream):
    alone = run(content_image, style_image)
    full = np.ones(content_image.shape[:2], np.float32)
    np.testing.assert_array_equal(run(content_image, style_image, masks=[full])[0], alone[0])
    dropped = run(content_image, [style_image, scream], masks=[full, np.zeros_like(full)])
    np.testing.assert_array_equal(dropped[0], alone[0])


def test_two_regions_start_at_one_and_each_style_paints_its_half(content_image, style_image, scream):
    left = np.zeros(content_image.shape[:2], np.float32)
    left[:, : left.shape[1] // 2] = 1.0
    image, totals, styles = run(
        content_image, [style_image, scream], SETTINGS.replace(iterations=8), masks=[left, 1 - left]
    )
    assert styles[0] == pytest.approx(1.0) and styles[-1] < 0.8  # the fair-weight rule holds for the sum
    half = left.shape[1] // 2
    changed = np.abs(image - content_image).mean(axis=(0, 2))
    assert changed[:half].mean() > 0.01 and changed[half:].mean() > 0.01  # both halves were painted


def test_uncovered_parts_keep_the_content(content_image, style_image):
    left = np.zeros(content_image.shape[:2], np.float32)
    left[:, : left.shape[1] // 2] = 1.0
    image = run(content_image, style_image, SETTINGS.replace(iterations=8), masks=[left])[0]
    changed = np.abs(image - content_image).mean(axis=(0, 2))
    half = left.shape[1] // 2
    assert changed[: half - 8].mean() > 2 * changed[half + 8 :].mean()  # the masked side moved most


def test_style_scale_one_is_todays_run_and_two_doubles_the_style_image(content_image, style_image):
    from nst.images import resize_long_side

    source = resize_long_side(style_image, 150)  # a larger style file, resized to the working size as ever
    at_one = Transfer.alone(content_image, source, SETTINGS.replace(style_scale=1.0))
    np.testing.assert_array_equal(at_one.style_image, resize_long_side(source, 64))
    at_two = Transfer.alone(content_image, source, SETTINGS.replace(style_scale=2.0))
    np.testing.assert_array_equal(at_two.style_image, resize_long_side(source, 128))
    assert max(at_two.content_image.shape[:2]) == 64
    one, two = run(content_image, source), run(content_image, source, SETTINGS.replace(style_scale=2.0))
    assert not np.array_equal(one[0], two[0])  # the network saw other strokes


def test_the_palette_start_has_the_styles_colour_mean_and_covariance(content_image, style_image):
    recoloured = recolor(content_image, style_image).reshape(-1, 3)
    target = style_image.reshape(-1, 3)
    np.testing.assert_allclose(recoloured.mean(0), target.mean(0), atol=1e-4)
    np.testing.assert_allclose(np.cov(recoloured, rowvar=False), np.cov(target, rowvar=False), atol=1e-4)
    start = palette_start(content_image, [style_image], plan((), None, content_image.shape[:2], 1))
    clipped = start.reshape(-1, 3)  # in [0, 1]: clipped, then fitted again (fit_palette)
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    np.testing.assert_allclose(clipped.mean(0), target.mean(0), atol=0.005)
    np.testing.assert_allclose(np.cov(clipped, rowvar=False), np.cov(target, rowvar=False), atol=0.005)
    transfer = Transfer.alone(content_image, style_image, SETTINGS.replace(colors="palette"))
    np.testing.assert_allclose(transfer._start[0], start, atol=1e-6)  # the run starts from it


def test_a_comparison_scores_each_style_and_their_weighted_mean(content_image, style_image, scream):
    comparison = Comparison(content_image, [style_image, scream], SETTINGS.replace(style_blend=(3, 1)), ["mse"])
    list(comparison.events())
    result = comparison.results()
    assert result.style_weights == pytest.approx((0.75, 0.25))
    run_result = result.runs["mse"]
    each = [scores["style_distance"] for scores in run_result.metrics_by_style]
    assert run_result.metrics["style_distance"] == pytest.approx(0.75 * each[0] + 0.25 * each[1])
    assert run_result.metrics["ssim"] == run_result.metrics_by_style[0]["ssim"]  # content-only: not averaged


def test_blend_weights_are_normalised_and_regions_follow_the_layer_grid():
    assert blend_weights((7, 3), 2) == pytest.approx((0.7, 0.3)) and blend_weights((), 3) == pytest.approx((1 / 3,) * 3)
    mask = np.zeros((64, 64), np.float32)
    mask[:, :32] = 1.0
    found = region(mask, (8, 8))
    assert found[:, :4].all() and not found[:, 4:].any()
    assert region(np.ones((64, 64), np.float32), (8, 8)) is None  # everywhere: no gathering


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda c, s: Comparison(c, [s, s[::-1]], SETTINGS.replace(style_blend=(1.0,)), ["mse"]),
            SettingError,
            "1 weight(s) for 2 style image(s)",
        ),
        (
            lambda c, s: Comparison(c, s, SETTINGS, ["mse"], masks=[np.ones((4, 4)), np.ones((4, 4))]),
            ImageError,
            "2 mask(s) for 1 style image(s)",
        ),
        (
            lambda c, s: Comparison(c, s, SETTINGS, ["mrf"], masks=[np.ones((4, 4))]),
            SettingError,
            "cannot be limited to mask regions",
        ),
        (lambda c, s: Comparison(c, [s] * 4, SETTINGS, ["mse"]), SettingError, "at most 3 style images"),
        (lambda c, s: SETTINGS.replace(style_scale=8.0), SettingError, "style_scale must be a number from 0.25"),
        (lambda c, s: SETTINGS.replace(style_blend=(0.0, 0.0)), SettingError, "must not all be 0"),
        (lambda c, s: SETTINGS.replace(colors="palette", init="noise"), SettingError, "use init content"),
    ],
)
def test_bad_style_inputs_say_what_is_wrong(content_image, style_image, call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(content_image, style_image)


def test_a_mask_file_must_be_an_image_that_covers_something(tmp_path):
    from PIL import Image

    black = tmp_path / "black.png"
    Image.new("L", (20, 20), 0).save(black)
    with pytest.raises(ImageError, match="all black"):
        read_mask(black)
    with pytest.raises(ImageError, match="not an image"):
        read_mask(__file__)
    white = tmp_path / "white.png"
    Image.new("L", (20, 20), 255).save(white)
    assert read_mask(white).shape == (20, 20) and read_mask(white).min() == pytest.approx(1.0)


@pytest.mark.parametrize("shape", [(256, 256), (192, 256), (61, 97)])
def test_the_halves_split_the_picture_in_two_mirrored_halves(shape):
    left, right, top, bottom = (
        region_mask(name, shape) for name in ("left half", "right half", "top half", "bottom half")
    )
    assert np.array_equal(left + right, np.ones(shape)) and np.array_equal(top + bottom, np.ones(shape))
    assert left[:, : shape[1] // 2].all() and not left[:, shape[1] // 2 :].any()
    assert top[: shape[0] // 2].all() and not top[shape[0] // 2 :].any()
    if shape[1] % 2 == 0:
        assert np.array_equal(left[:, ::-1], right) and left.mean() == 0.5
    assert np.array_equal(region_mask("everywhere", shape), np.ones(shape))


@pytest.mark.parametrize("shape", [(256, 256), (192, 256), (400, 300)])
def test_the_oval_has_an_ellipses_area_and_symmetry(shape):
    height, width = shape
    oval = region_mask("centre oval", shape)
    left, top, right, bottom = OVAL_BOX
    expected = np.pi / 4 * (right - left) * width * (bottom - top) * height  # pi a b
    assert oval.sum() == pytest.approx(expected, rel=0.02)
    columns = np.flatnonzero(oval.any(axis=0))
    inside = oval[:, columns[0] : columns[-1] + 1]
    assert np.array_equal(inside, inside[:, ::-1])  # mirrored left to right about its centre
    assert oval[round((top + bottom) / 2 * height), round((left + right) / 2 * width)] == 1.0
    assert oval[0, 0] == oval[-1, -1] == oval[0, -1] == oval[-1, 0] == 0.0  # the corners are outside
    assert np.array_equal(region_mask("around the oval", shape), 1.0 - oval)


def test_the_named_regions_are_the_bundled_mask_files():
    """A second route: the files in assets/masks were drawn on their own (and the CLI's --mask reads them)."""
    for name, file in [
        ("centre oval", "centre-oval"),
        ("around the oval", "around-oval"),
        ("left half", "left-half"),
        ("right half", "right-half"),
    ]:
        assert np.array_equal(region_mask(name), read_mask(ASSETS / "masks" / f"{file}.png").round()), name
    with pytest.raises(SettingError, match="unknown region 'left'"):
        region_mask("left")
