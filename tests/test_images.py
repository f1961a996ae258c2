import io

import numpy as np
import pytest
from PIL import Image

from nst.errors import ImageError
from nst.images import (
    load_image,
    luminance_image,
    png_bytes,
    resize_long_side,
    rgb_to_yiq,
    with_colors_of,
    yiq_to_rgb,
)


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def test_png_round_trip_is_exact():
    array = np.random.default_rng(0).integers(0, 256, (9, 13, 3), dtype=np.uint8)
    loaded = load_image(encode(Image.fromarray(array), "PNG"))
    assert loaded.shape == (9, 13, 3) and loaded.dtype == np.float32
    np.testing.assert_array_equal((loaded * 255).round().astype(np.uint8), array)


def test_rgba_is_composited_on_white():
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    np.testing.assert_allclose(load_image(encode(rgba, "PNG")), 1.0)


def test_16_bit_greyscale_is_scaled_not_clipped():
    array = np.array([[0, 32768, 65535]], dtype=np.uint16)
    loaded = load_image(encode(Image.fromarray(array), "PNG"))
    np.testing.assert_allclose(loaded[0, :, 0], [0.0, 0.5, 1.0], atol=1e-4)


def test_jpeg_loads_close_to_its_source(content_image):
    array = (content_image * 255).astype(np.uint8)
    loaded = load_image(encode(Image.fromarray(array), "JPEG"))
    assert loaded.shape == content_image.shape and np.abs(loaded - content_image).mean() < 0.05


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"<html>not an image</html>", "not an image in an allowed format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "cannot be decoded|not an image"),
    ],
)
def test_bad_bytes_are_specific_errors(data, message):
    with pytest.raises(ImageError, match=message):
        load_image(data, name="upload.png")


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.png")


def test_resize_long_side_keeps_aspect():
    image = np.zeros((300, 451, 3), np.float32)
    assert resize_long_side(image, 64).shape == (43, 64, 3)


def test_yiq_round_trip_and_colour_transfer():
    rng = np.random.default_rng(5)
    a, b = rng.random((6, 6, 3)).astype(np.float32), rng.random((6, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(yiq_to_rgb(rgb_to_yiq(a)), a, atol=1e-5)
    mixed = with_colors_of(a, b)
    inside = np.all((mixed > 0.01) & (mixed < 0.99), axis=-1)  # where no channel was clipped
    assert inside.sum() > 5
    np.testing.assert_allclose(rgb_to_yiq(mixed)[inside][:, 0], rgb_to_yiq(a)[inside][:, 0], atol=1e-4)
    np.testing.assert_allclose(rgb_to_yiq(mixed)[inside][:, 1:], rgb_to_yiq(b)[inside][:, 1:], atol=1e-4)


def test_luminance_image_is_grey_and_matches_the_reference_statistics():
    rng = np.random.default_rng(6)
    style, content = rng.random((8, 8, 3)).astype(np.float32), rng.random((8, 8, 3)).astype(np.float32) * 0.5
    grey = luminance_image(style, like=content)
    assert np.allclose(grey[..., 0], grey[..., 1]) and np.allclose(grey[..., 1], grey[..., 2])
    y = rgb_to_yiq(content)[..., 0]
    assert grey[..., 0].mean() == pytest.approx(y.mean(), abs=0.02)


def test_png_bytes_decode_back():
    image = np.random.default_rng(7).random((5, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(load_image(png_bytes(image)), image, atol=1 / 255)
