import numpy as np
import pytest

from nst.metrics import YARDSTICKS, color_distance, color_histogram, score, ssim


def test_ssim_is_one_for_identical_images_and_lower_otherwise(content_image, style_image):
    assert ssim(content_image, content_image) == pytest.approx(1.0, abs=1e-6)
    noisy = np.clip(content_image + np.random.default_rng(0).normal(0, 0.2, content_image.shape), 0, 1)
    assert ssim(noisy.astype(np.float32), content_image) < 0.8


def test_color_histogram_against_a_hand_count():
    image = np.zeros((2, 2, 3), np.float32)
    image[0, 0] = (1.0, 0.0, 0.0)  # red: bin (7, 0, 0)
    histogram = color_histogram(image)
    assert histogram.sum() == pytest.approx(1.0)
    assert histogram[0] == pytest.approx(0.75) and histogram[7 * 64] == pytest.approx(0.25)


def test_color_distance_bounds(content_image, style_image):
    assert color_distance(style_image, style_image) == pytest.approx(0.0, abs=1e-6)
    black, white = np.zeros((4, 4, 3), np.float32), np.ones((4, 4, 3), np.float32)
    assert color_distance(black, white) == pytest.approx(1.0)
    assert 0 < color_distance(content_image, style_image) < 1


def test_score_of_the_inputs_themselves(content_image, style_image):
    own = score(content_image, content_image, style_image, "vgg16-hed", "max")
    assert own["content_distance"] == pytest.approx(0.0, abs=1e-6) and own["ssim"] == pytest.approx(1.0, abs=1e-5)
    assert own["style_distance"] > 0
    as_style = score(style_image, style_image, style_image, "vgg16-hed", "max")
    assert as_style["style_distance"] == pytest.approx(0.0, abs=1e-6)
    assert set(own) <= set(YARDSTICKS)


def test_best_losses_follow_each_yardsticks_direction():
    from nst.metrics import best_losses

    runs = {
        "mse": {"style_distance": 5.0, "ssim": 0.4, "seconds": 10.0},
        "mae": {"style_distance": 3.0, "ssim": 0.6, "seconds": 12.0},
        "nan": {"style_distance": float("nan"), "ssim": 0.1, "seconds": 1.0},
    }
    best = best_losses(runs)
    assert best == {"style_distance": "mae", "ssim": "mae", "seconds": "nan"}


def test_one_record_per_yardstick_with_unique_labels_and_real_losses():
    from nst.losses import LOSSES
    from nst.metrics import IMAGE_YARDSTICKS

    labels = [y.label for y in YARDSTICKS.values()]
    shorts = [y.short_label for y in YARDSTICKS.values()]
    assert len(set(labels)) == len(labels) and len(set(shorts)) == len(shorts)
    for name, yardstick in YARDSTICKS.items():
        assert yardstick.name == name and yardstick.better in ("lower", "higher")
        assert format(1.2345, yardstick.format)  # a valid format spec
        assert all(loss in LOSSES for loss in yardstick.optimised_by)
    assert set(IMAGE_YARDSTICKS) == {name for name, y in YARDSTICKS.items() if y.of_image}


def test_score_gives_every_image_yardstick(content_image, style_image):
    from nst.metrics import IMAGE_YARDSTICKS

    scored = score(content_image[::-1].copy(), content_image, style_image, "vgg16-hed", "max")  # same shape
    assert set(scored) == set(IMAGE_YARDSTICKS)


def test_the_style_distance_is_the_mse_losss_own_measure_as_its_record_says(content_image, style_image):
    """MSE of Grams on the gatys style layers: exactly what `mse` computes on each of them."""
    from nst.features import feature_extractor, gram
    from nst.layers import PRESETS
    from nst.losses import LOSSES

    extractor = feature_extractor("vgg16-hed", "max", PRESETS.get("gatys"))
    _, output = extractor(content_image[None])
    _, style = extractor(style_image[None])
    by_mse = np.mean([float(LOSSES.get("mse")(gram(a), gram(b))) for a, b in zip(output, style)])
    measured = score(content_image, content_image, style_image, "vgg16-hed", "max")["style_distance"]
    assert measured == pytest.approx(by_mse, rel=1e-5)
    assert YARDSTICKS["style_distance"].optimised_by == ("mse",) and not YARDSTICKS["ssim"].optimised_by
