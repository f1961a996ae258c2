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
    array = np.random.default_rng(0).integers(0, 256, (19, 23, 3), dtype=np.uint8)
    loaded = load_image(encode(Image.fromarray(array), "PNG"))
    assert loaded.shape == (19, 23, 3) and loaded.dtype == np.float32
    np.testing.assert_array_equal((loaded * 255).round().astype(np.uint8), array)


def test_rgba_is_composited_on_white():
    rgba = Image.new("RGBA", (16, 16), (255, 0, 0, 0))  # fully transparent red
    np.testing.assert_allclose(load_image(encode(rgba, "PNG")), 1.0)


def test_16_bit_greyscale_is_scaled_not_clipped():
    array = np.tile(np.array([[0, 32768, 65535]], dtype=np.uint16), (16, 6))
    loaded = load_image(encode(Image.fromarray(array), "PNG"))
    np.testing.assert_allclose(loaded[0, :3, 0], [0.0, 0.5, 1.0], atol=1e-4)


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
    image = np.random.default_rng(7).random((17, 18, 3)).astype(np.float32)
    np.testing.assert_allclose(load_image(png_bytes(image)), image, atol=1 / 255)


# --- every kind of file a stranger may send: a correct image or a specific ImageError ---------------


def solid(mode: str, size=(40, 30), color=None) -> Image.Image:
    return Image.new(mode, size, color if color is not None else 128)


def test_truncated_jpeg_and_png_are_refused(content_image):
    array = (content_image * 255).astype(np.uint8)
    for fmt in ("JPEG", "PNG"):
        data = encode(Image.fromarray(array), fmt)
        with pytest.raises(ImageError, match="cannot be decoded"):
            load_image(data[: len(data) // 2], name=f"cut.{fmt.lower()}")


def test_a_decompression_bomb_is_refused_from_its_header():
    # A real 20x20 PNG whose header claims 100000 x 100000 px: refused before any pixel is decoded.
    data = bytearray(encode(solid("L", (20, 20)), "PNG"))
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    with pytest.raises(ImageError, match="100000x100000|more than"):
        load_image(bytes(data), name="bomb.png")


def test_too_many_pixels_is_refused(monkeypatch):
    from nst import limits

    monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageError, match="at most 1,000 pixels"):
        load_image(encode(solid("RGB", (40, 30)), "PNG"), name="big.png")


@pytest.mark.parametrize("size, message", [((10, 40), "at least 16 px"), ((400, 20), "at most 8x")])
def test_tiny_and_extreme_aspect_images_are_refused(size, message):
    with pytest.raises(ImageError, match=message):
        load_image(encode(solid("RGB", size), "PNG"), name="odd.png")


def test_working_size_too_small_for_vgg16_says_which_size_works():
    from nst.images import check_working_size

    with pytest.raises(ImageError, match="use a size of at least 128 px"):
        check_working_size(np.zeros((20, 160, 3), np.float32), 64, "style")
    check_working_size(np.zeros((20, 160, 3), np.float32), 128, "style")


@pytest.mark.parametrize(
    "data, name",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect/></svg>', "x.svg"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "x.pdf"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 40 40\nshowpage\n", "x.eps"),
        (b"\x00\x00\x01\x00" + b"\x00" * 40, "x.ico"),
    ],
)
def test_formats_outside_the_allowlist_are_refused(data, name):
    with pytest.raises(ImageError, match="not an image in an allowed format"):
        load_image(data, name=name)


def test_an_allowlisted_format_outside_the_list_is_not_parsed():
    """A real ICO file (Pillow reads ICO) is still refused: only the allowlist is tried."""
    with pytest.raises(ImageError, match="not an image in an allowed format"):
        load_image(encode(solid("RGB", (32, 32)), "ICO"), name="icon.png")


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_an_animation_gives_its_first_frame_and_a_notice(fmt):
    from nst.images import read_image

    frames = [solid("RGB", (32, 32), (255, 0, 0)), solid("RGB", (32, 32), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = read_image(buffer.getvalue(), name=f"anim.{fmt.lower()}")
    assert loaded.notices and "first frame" in loaded.notices[0]
    red, blue = loaded.pixels[..., 0].mean(), loaded.pixels[..., 2].mean()
    assert red > 0.9 and blue < 0.1


def test_cmyk_jpeg_matches_pillows_rgb_conversion():
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # pure red in CMYK
    loaded = load_image(encode(cmyk, "JPEG"), name="cmyk.jpg")
    np.testing.assert_allclose(loaded.mean(axis=(0, 1)), [1.0, 0.0, 0.0], atol=0.03)


def test_16_bit_rgb_png_is_scaled_not_clipped():
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = struct.pack(">HHH", 65535, 32768, 0) * 16  # one 16-bit RGB pixel, repeated
    raw = b"".join(b"\x00" + row for _ in range(16))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 16, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    np.testing.assert_allclose(load_image(png, name="deep.png")[0, 0], [1.0, 0.5, 0.0], atol=1 / 255)


@pytest.mark.parametrize(
    "image, expected",
    [
        (Image.new("L", (20, 20), 64), [64 / 255] * 3),
        (Image.new("LA", (20, 20), (0, 0)), [1.0] * 3),  # transparent black on white
        (Image.new("RGBA", (20, 20), (0, 0, 255, 255)), [0.0, 0.0, 1.0]),
        (Image.new("RGBA", (20, 20), (0, 0, 0, 128)), [127 / 255] * 3),  # half-transparent black on white
    ],
    ids=["grey", "grey-alpha", "rgba-opaque", "rgba-half"],
)
def test_modes_are_converted_correctly(image, expected):
    np.testing.assert_allclose(load_image(encode(image, "PNG")).mean(axis=(0, 1)), expected, atol=0.01)


def test_palette_with_transparency_is_composited_on_white():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(1, (0, 0, 10, 20))  # left half green (index 1), right half red (index 0)
    image.info["transparency"] = 0  # red is transparent
    loaded = load_image(encode(image, "PNG"))
    np.testing.assert_allclose(loaded[5, 15], [1.0, 1.0, 1.0], atol=0.01)  # was red: now white
    np.testing.assert_allclose(loaded[5, 2], [0.0, 1.0, 0.0], atol=0.01)


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 20, 20))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    loaded = load_image(buffer.getvalue())
    assert loaded.shape[:2] == (40, 20)  # portrait once upright
    assert loaded[5, 10, 2] > 0.8 and loaded[35, 10, 0] > 0.8  # blue on top, red below
