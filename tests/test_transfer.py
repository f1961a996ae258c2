import itertools

import numpy as np
import pytest

from nst.images import rgb_to_yiq
from nst.settings import Settings
from nst.transfer import Transfer

TINY = dict(weights="vgg16-hed", size=48, iterations=6, preview_every=3)


def run(content_image, style_image, **changes):
    transfer = Transfer(content_image, style_image, Settings(**{**TINY, **changes}))
    return transfer, list(transfer.events())


def test_stream_has_every_iteration_with_previews_and_growing_time(content_image, style_image):
    transfer, events = run(content_image, style_image)
    assert [e.iteration for e in events] == list(range(7))
    assert [e.iteration for e in events if e.preview is not None] == [0, 3, 6]
    assert all(b.seconds >= a.seconds for a, b in itertools.pairwise(events))
    assert transfer.complete and not transfer.error
    assert events[-1].preview.shape == transfer.content_image.shape


def test_style_term_is_normalised_to_one_at_a_content_start_whatever_the_loss(content_image, style_image):
    for loss in ("mse", "mae", "hellinger"):
        _, events = run(content_image, style_image, loss=loss, iterations=1)
        assert events[0].style == pytest.approx(1.0, rel=1e-4)
        assert events[0].content == pytest.approx(0.0, abs=1e-6)
        assert events[0].tv == pytest.approx(1.0, rel=1e-4)


def test_total_is_the_weighted_sum_and_it_decreases(content_image, style_image):
    settings = dict(content_weight=2.0, style_weight=7.0, tv_weight=0.3)
    _, events = run(content_image, style_image, **settings)
    for e in events:
        assert e.total == pytest.approx(2.0 * e.content + 7.0 * e.style + 0.3 * e.tv, rel=1e-4)
    assert events[-1].total < events[0].total


def test_same_settings_and_seed_give_the_same_numbers(content_image, style_image):
    a, events_a = run(content_image, style_image, init="noise", seed=3)
    b, events_b = run(content_image, style_image, init="noise", seed=3)
    assert [e.total for e in events_a] == [e.total for e in events_b]
    np.testing.assert_array_equal(a.output_image(), b.output_image())
    _, events_c = run(content_image, style_image, init="noise", seed=4, iterations=1)
    assert events_c[0].total != events_a[0].total


def test_stopping_early_keeps_the_best_image_so_far(content_image, style_image):
    transfer = Transfer(content_image, style_image, Settings(**TINY))
    events = []
    for event in transfer.events():
        events.append(event)
        if event.iteration == 2:
            break  # stopping is just not asking for the next event
    assert not transfer.complete and len(transfer.history) == 3
    best = min(events, key=lambda e: e.total)
    assert transfer.best_total == pytest.approx(best.total)
    assert not np.array_equal(transfer.output_image(), transfer.content_image)


@pytest.mark.parametrize("init", ["content", "style", "noise"])
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam", "gd"])
def test_every_init_and_optimizer_lowers_the_objective(content_image, style_image, init, optimizer):
    _, events = run(content_image, style_image, init=init, optimizer=optimizer, iterations=4)
    assert min(e.total for e in events[1:]) < events[0].total


def test_preserved_colours_are_the_contents(content_image, style_image):
    transfer, _ = run(content_image, style_image, colors="content")
    output = rgb_to_yiq(transfer.output_image())
    content = rgb_to_yiq(transfer.content_image)
    inside = np.all((transfer.output_image() > 0.02) & (transfer.output_image() < 0.98), axis=-1)
    np.testing.assert_allclose(output[inside][:, 1:], content[inside][:, 1:], atol=1e-3)
    assert np.abs(output[..., 0] - content[..., 0]).mean() > 0.01  # the luminance did change


def test_content_start_is_the_content_image_at_working_size(content_image, style_image):
    transfer, events = run(content_image, style_image, iterations=1)
    assert max(transfer.content_image.shape[:2]) == 48
    np.testing.assert_allclose(events[0].preview, transfer.content_image, atol=1e-6)
