"""Image files in and out: decoding (Pillow, an allowlist of formats), resizing, colour spaces."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from nst import limits
from nst.backbone.networks import Network
from nst.errors import ImageError

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")  # what Pillow may decode; nothing else is parsed
# File name endings of those formats: how a folder's images are found (decoding never trusts them)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
# RGB -> YIQ (NTSC): Y is luminance, I and Q the colour; used for colour-preserving transfer.
_RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32)
_YIQ_TO_RGB = np.linalg.inv(_RGB_TO_YIQ).astype(np.float32)


@dataclass(frozen=True)
class LoadedImage:
    pixels: np.ndarray  # (H, W, 3) float32 RGB in [0, 1], upright, alpha composited on white
    notices: tuple[str, ...] = ()  # what was done that the user should know (first frame only, ...)


def load_image(source: str | Path | bytes, name: str = "") -> np.ndarray:
    """An image file (path or bytes) -> (H, W, 3) float32 RGB in [0, 1]; see `read_image`."""
    return read_image(source, name).pixels


def read_image(source: str | Path | bytes, name: str = "") -> LoadedImage:
    """Decode with Pillow, trying only the allowed formats; refuse what is too large before decoding.

    Upright by its EXIF orientation; alpha composited on white; 16-bit scaled to [0, 1]; of an
    animation, the first frame (with a notice)."""
    label = name or (str(source) if not isinstance(source, bytes) else "the image")
    data = _read_bytes(source, label)
    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning (over 89 Mpx) becomes an error
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=FORMATS)
        with opened as image:
            _check_size(image, label)
            notices = (f"{label} is animated: its first frame is used",) if getattr(image, "is_animated", False) else ()
            image.seek(0)
            image.load()
            return LoadedImage(_to_rgb_array(ImageOps.exif_transpose(image)), notices)
    except UnidentifiedImageError:
        raise ImageError(f"{label} is not an image in an allowed format ({', '.join(FORMATS)})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{label} declares more than {limits.MAX_IMAGE_PIXELS:,} pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"{label} cannot be decoded ({error})") from None


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
    if len(data) > limits.MAX_FILE_MB * 1024 * 1024:
        raise ImageError(f"{label} is {len(data) / 2**20:.1f} MB; at most {limits.MAX_FILE_MB} MB are allowed")
    return data


def _check_size(image: Image.Image, label: str) -> None:
    """From the header alone, before any pixel is decoded."""
    width, height = image.size
    if width * height > limits.MAX_IMAGE_PIXELS:
        raise ImageError(f"{label} is {width}x{height} px; at most {limits.MAX_IMAGE_PIXELS:,} pixels are allowed")
    if min(width, height) < limits.MIN_IMAGE_SIDE:
        raise ImageError(f"{label} is {width}x{height} px; each side must be at least {limits.MIN_IMAGE_SIDE} px")
    if max(width, height) > limits.MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(
            f"{label} is {width}x{height} px; its long side may be at most {limits.MAX_ASPECT_RATIO}x its short side"
        )


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit greyscale (PNG): scale, do not clip
        grey = np.asarray(image, dtype=np.float32) / 65535.0
        return np.repeat(np.clip(grey, 0.0, 1.0)[..., None], 3, axis=2)
    if image.mode == "P" or "A" in image.getbands():  # palette (maybe transparent), LA, RGBA, ...
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def resize_long_side(image: np.ndarray, size: int) -> np.ndarray:
    """Scale (H, W, 3) so its longer side is `size` px (Lanczos), keeping the aspect ratio."""
    return resize(image, working_shape(image.shape[:2], size))


def working_shape(shape: tuple[int, ...], size: int) -> tuple[int, int]:
    """(height, width) of an image of `shape` scaled so its long side is `size` px."""
    height, width = shape[:2]
    scale = size / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def check_distinct(content: np.ndarray, style: np.ndarray, size: int) -> None:
    """Identical content and style images leave nothing to transfer, and every reference distance 0."""
    shape = working_shape(content.shape, size)
    if np.abs(resize(content, shape) - resize(style, shape)).max() < 1.5 / 255:
        raise ImageError("the content and style images are the same picture: there is no style to transfer")


def check_working_size(image: np.ndarray, size: int, role: str, network: Network | None = None) -> None:
    """The network halves the image several times before its deepest layers (VGG16 4 times before block5,
    the Inceptions' 'valid' convs need 75 px): its short side must stay usable at working size."""
    minimum = max(limits.MIN_WORKING_SIDE, network.min_side if network else 0)
    short = min(working_shape(image.shape, size))
    if short < minimum:
        needed = int(np.ceil(minimum * max(image.shape[:2]) / min(image.shape[:2])))
        who = f" for {network.name}" if network else ""
        raise ImageError(
            f"at size {size} px the {role} image's short side would be {short} px; "
            f"at least {minimum} px are needed{who}: use a size of at least {needed} px"
        )


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
