"""Image files in and out: decoding (Pillow, an allowlist of formats), resizing, colour spaces."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from nst import limits
from nst.errors import ImageError

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")  # what Pillow may decode; nothing else is parsed
# RGB -> YIQ (NTSC): Y is luminance, I and Q the colour; used for colour-preserving transfer.
_RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32)
_YIQ_TO_RGB = np.linalg.inv(_RGB_TO_YIQ).astype(np.float32)


def load_image(source: str | Path | bytes, name: str = "") -> np.ndarray:
    """An image file (path or bytes) -> (H, W, 3) float32 RGB in [0, 1], upright, alpha on white."""
    label = name or (str(source) if not isinstance(source, bytes) else "the image")
    data = _read_bytes(source, label)
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            _check_pixels(image, label)
            image.load()
            return _to_rgb_array(ImageOps.exif_transpose(image))
    except UnidentifiedImageError:
        raise ImageError(f"{label} is not an image in an allowed format ({', '.join(FORMATS)})") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"{label} cannot be decoded: {error}") from None


def _read_bytes(source: str | Path | bytes, label: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if path.is_dir():
            raise ImageError(f"{label} is a folder, not an image file")
        if not path.is_file():
            raise ImageError(f"{label}: no such file")
        data = path.read_bytes()
    if not data:
        raise ImageError(f"{label} is empty")
    return data


def _check_pixels(image: Image.Image, label: str) -> None:
    width, height = image.size
    if width * height > limits.MAX_IMAGE_PIXELS:
        raise ImageError(f"{label} is {width}x{height} px; at most {limits.MAX_IMAGE_PIXELS:,} pixels are allowed")


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit greyscale (PNG): scale, do not clip
        grey = np.asarray(image, dtype=np.float32) / 65535.0
        return np.repeat(np.clip(grey, 0.0, 1.0)[..., None], 3, axis=2)
    if image.mode == "P" or "A" in image.getbands() or image.mode == "LA":
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def resize_long_side(image: np.ndarray, size: int) -> np.ndarray:
    """Scale (H, W, 3) so its longer side is `size` px (Lanczos), keeping the aspect ratio."""
    height, width = image.shape[:2]
    scale = size / max(height, width)
    shape = (max(1, round(height * scale)), max(1, round(width * scale)))
    return resize(image, shape)


def resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) float in [0, 1] -> (shape[0], shape[1], 3), Lanczos."""
    if image.shape[:2] == tuple(shape):
        return image.astype(np.float32)
    pil = Image.fromarray(to_uint8(image))
    return np.asarray(pil.resize((shape[1], shape[0]), Image.Resampling.LANCZOS), np.float32) / 255.0


def to_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def save_png(image: np.ndarray, path: str | Path) -> None:
    Image.fromarray(to_uint8(image)).save(path, format="PNG")


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def rgb_to_yiq(image: np.ndarray) -> np.ndarray:
    return image @ _RGB_TO_YIQ.T


def yiq_to_rgb(image: np.ndarray) -> np.ndarray:
    return np.clip(image @ _YIQ_TO_RGB.T, 0.0, 1.0)


def luminance_image(image: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """Grey (H, W, 3) of the luminance; with `like`, its mean and spread matched to `like`'s luminance
    (Gatys et al. 2016, colour preservation by luminance-only transfer)."""
    y = rgb_to_yiq(image)[..., 0]
    if like is not None:
        target = rgb_to_yiq(like)[..., 0]
        y = (y - y.mean()) / (y.std() + 1e-6) * target.std() + target.mean()
    return np.repeat(np.clip(y, 0.0, 1.0)[..., None], 3, axis=2).astype(np.float32)


def with_colors_of(luminance: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """The Y of `luminance` with the I and Q (colour) of `colors`; both (H, W, 3) RGB."""
    yiq = rgb_to_yiq(colors)
    yiq[..., 0] = rgb_to_yiq(luminance)[..., 0]
    return yiq_to_rgb(yiq).astype(np.float32)
