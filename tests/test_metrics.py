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
