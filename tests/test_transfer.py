import itertools

import numpy as np
import pytest

from nst.images import resize, rgb_to_yiq
from nst.settings import Settings
from nst.transfer import Transfer

TINY = dict(weights="vgg16-hed", size=48, iterations=6, preview_every=3, precision="float32")  # exact maths


def run(content_image, style_image, loss="mse", **changes):
    transfer = Transfer.alone(content_image, style_image, Settings(**{**TINY, **changes}), loss)
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
        transfer, events = run(content_image, style_image, loss=loss, iterations=1)
        assert events[0].style == pytest.approx(1.0, rel=1e-4)
        assert events[0].content == pytest.approx(0.0, abs=1e-6)
    # TV's reference is the mean total variation of the content and the style resized to it.
    content, style = transfer.content_image, resize(transfer.style_image, transfer.content_image.shape[:2])
    tv = [np.abs(np.diff(x, axis=0)).sum() + np.abs(np.diff(x, axis=1)).sum() for x in (content, style)]
    assert events[0].tv == pytest.approx(tv[0] / np.mean(tv), rel=1e-3)


def test_content_term_is_one_for_the_style_image_itself(content_image, style_image):
    """From a style start the content term is the reference itself: 1 for every loss."""
    for loss in ("mse", "cross_entropy"):
        _, events = run(content_image, style_image, loss=loss, init="style", iterations=1)
        assert events[0].content == pytest.approx(1.0, rel=1e-4)


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
    transfer = Transfer.alone(content_image, style_image, Settings(**TINY))
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


def test_a_second_run_of_the_same_shape_reuses_the_traced_objective(content_image, style_image):
    """The targets travel as named tuples (nst.objective.Targets): a run of another seed, whose targets
    differ only in value, traces nothing new, refreshing (mrf) or not."""
    for loss in ("mse", "mrf"):
        first, _ = run(content_image, style_image, loss=loss, iterations=2)
        traced = first._value_and_grad.experimental_get_tracing_count()
        second, _ = run(content_image, style_image, loss=loss, iterations=2, seed=5)
        assert second._value_and_grad is first._value_and_grad
        assert second._value_and_grad.experimental_get_tracing_count() == traced, loss


# --- numerical faults and extreme inputs ---------------------------------------------------------------


def test_a_non_finite_loss_stops_its_own_run_and_keeps_its_best_finite_image(content_image, style_image, monkeypatch):
    from nst.compare import Comparison

    calls = {"n": 0}
    real = Transfer.evaluate

    def faulty(self, x, refresh=False):
        value, grad = real(self, x, refresh)
        if self.loss == "mae":
            calls["n"] += 1
            if calls["n"] > 3:  # from the 3rd step on, mae's objective is NaN
                return float("nan"), grad * np.nan
        return value, grad

    monkeypatch.setattr(Transfer, "evaluate", faulty)
    comparison = Comparison(content_image, style_image, Settings(**TINY), ["mse", "mae"])
    events = list(comparison.events())
    result = comparison.results()
    mae, mse = result.runs["mae"], result.runs["mse"]
    assert "loss mae became non-finite at iteration" in mae.error and not mae.complete
    assert mse.complete and mse.iterations == 6  # the other loss ran on
    assert np.all(np.isfinite(mae.image)) and np.isfinite(mae.metrics["style_distance"])
    assert all(np.isfinite(e.total) for e in events)


@pytest.mark.parametrize(
    "weights",
    [
        dict(content_weight=0.0, style_weight=0.0, tv_weight=0.0),
        dict(content_weight=1e12, style_weight=1e12, tv_weight=1e12),
        dict(content_weight=0.0, style_weight=1e12, tv_weight=0.0),
    ],
    ids=["all-zero", "all-1e12", "style-only-1e12"],
)
def test_extreme_weights_do_not_break_a_run(content_image, style_image, weights):
    transfer, events = run(content_image, style_image, iterations=3, **weights)
    assert transfer.complete and all(np.isfinite(e.total) for e in events)
    assert np.all(np.isfinite(transfer.output_image()))


@pytest.mark.parametrize("fill", [0.0, 1.0, (0.8, 0.2, 0.1)], ids=["black", "white", "one-colour"])
@pytest.mark.parametrize("role", ["content", "style"])
def test_flat_images_do_not_break_a_run(content_image, style_image, fill, role):
    flat = np.ones_like(content_image) * np.asarray(fill, np.float32)
    content, style = (flat, style_image) if role == "content" else (content_image, flat)
    for loss in ("mse", "hellinger", "cross_entropy"):
        transfer, events = run(content, style, loss=loss, iterations=2)
        assert transfer.complete and not transfer.error
        assert all(np.isfinite(e.total) for e in events) and events[-1].total <= events[0].total
        assert np.all(np.isfinite(transfer.output_image()))


def test_an_unknown_loss_is_refused_before_any_work(content_image, style_image):
    from nst.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="did you mean 'huber'"):
        Transfer.alone(content_image, style_image, Settings(**TINY), loss="hubert")


def test_identical_content_and_style_are_refused(content_image):
    from nst.errors import ImageError

    flat = np.zeros_like(content_image)
    for image in (content_image, flat):
        with pytest.raises(ImageError, match="same picture"):
            Transfer.alone(image, image.copy(), Settings(**TINY))


def test_bfloat16_computes_the_float32_objective_and_gradient_and_a_run_lowers_it(content_image, style_image):
    """bfloat16 changes the arithmetic, not the objective: at the same images the value agrees within 2%
    and the gradient points the same way. How far L-BFGS then gets in a few steps depends on the
    hardware (where bfloat16 is emulated its line search starts slower), so only the descent is checked."""
    full = Transfer.alone(content_image, style_image, Settings(**TINY), "mse")
    half = Transfer.alone(content_image, style_image, Settings(**{**TINY, "precision": "bfloat16"}), "mse")
    noisy = full._start + np.random.default_rng(0).normal(0.0, 0.05, full._start.shape)
    for x in (full._start, np.clip(noisy, 0.0, 1.0).astype(np.float32)):
        (f32, g32), (f16, g16) = full.evaluate(x), half.evaluate(x)
        assert f16 == pytest.approx(f32, rel=0.02)
        assert float(np.sum(g32 * g16) / np.linalg.norm(g32) / np.linalg.norm(g16)) > 0.99
    _, events = run(content_image, style_image, iterations=5, precision="bfloat16")
    assert events[-1].total < 0.95 * events[0].total


# --- multiscale: coarse to fine ---------------------------------------------------------------------------


def test_multiscale_runs_coarse_to_fine_and_starts_the_fine_stage_nearer_the_goal(
    content_image, style_image, monkeypatch
):
    monkeypatch.setattr("nst.schedule.SMALLEST_STAGE", 32)  # 64 px: stages 32 and 64
    direct, direct_events = run(content_image, style_image, iterations=8, size=64)
    transfer, events = run(content_image, style_image, iterations=8, size=64, schedule="multiscale")
    assert transfer.stages == [(32, 4), (64, 4)]
    assert [e.iteration for e in events] == list(range(9))
    assert [e.size for e in events] == [32] * 5 + [64] * 4
    assert transfer.complete and transfer.output_image().shape == direct.output_image().shape
    # The fine stage starts from the coarse result: its objective, on the same references as the direct
    # run's, is below the direct run's start (the content image, style term 1).
    fine_start, _ = transfer.evaluate(transfer.output_image()[None])
    assert fine_start < direct_events[0].total
    assert events[-1].total <= fine_start


def test_multiscale_stopped_in_a_coarse_stage_still_gives_a_full_size_image(content_image, style_image, monkeypatch):
    monkeypatch.setattr("nst.schedule.SMALLEST_STAGE", 32)
    transfer = Transfer.alone(content_image, style_image, Settings(**{**TINY, "size": 64, "schedule": "multiscale"}))
    events = list(itertools.islice(transfer.events(), 2))
    assert events[-1].size == 32 and not transfer.complete
    assert transfer.output_image().shape == transfer.content_image.shape


def test_losses_of_one_comparison_share_the_target_features(content_image, style_image, monkeypatch):
    """Three forward passes for the targets of a whole comparison, not three per loss; and the shared
    targets give each loss exactly the numbers it gets alone."""
    from nst import transfer as transfer_module
    from nst.compare import Comparison

    alone = {loss: run(content_image, style_image, loss=loss, iterations=2)[1][-1].total for loss in ("mse", "mae")}
    calls = []
    real = transfer_module.FeatureExtractor.__call__
    monkeypatch.setattr(transfer_module.FeatureExtractor, "__call__", lambda self, x: calls.append(1) or real(self, x))
    comparison = Comparison(content_image, style_image, Settings(**{**TINY, "iterations": 2}), ["mse", "mae"])
    stream = comparison.events()
    next(stream)  # both losses' targets are ready before the first event
    assert len(calls) == 3
    events = [next(stream)] + list(stream)
    last = {e.loss: e.total for e in events}
    assert last == pytest.approx(alone, rel=1e-6)


@pytest.mark.slow  # about 8 s: six traced objectives
def test_every_statistic_starts_at_one_from_the_content_and_lowers_its_style_term(content_image, style_image):
    """The fair-weight rule for every statistic (mrf, hist: matched against the generated image itself
    too), and a few steps of each in one comparison, sharing its target features."""
    from nst.compare import Comparison
    from nst.losses.catalogue import examples
    from nst.losses.style_statistics import STATISTICS

    comparison = Comparison(
        content_image, style_image, Settings(**{**TINY, "size": 64, "iterations": 3}), examples(STATISTICS)
    )
    names = comparison.losses  # canonical: gram is mse
    events = list(comparison.events())
    first = {e.loss: e.style for e in events if e.iteration == 0}
    last = {e.loss: e.style for e in events if e.iteration == 3}
    assert sorted(first) == sorted(last) == sorted(names)
    for name in names:
        assert first[name] == pytest.approx(1.0, rel=1e-4), name
        assert np.isfinite(last[name]) and last[name] < first[name], name


def _fell_less_than(totals: list[float], i: int, tolerance: float, window: int) -> bool:
    """The stop rule by hand: the total at iteration i fell by less than `tolerance` of the one `window` before."""
    return i >= window and totals[i - window] - totals[i] < tolerance * abs(totals[i - window])


@pytest.mark.parametrize("tolerance", [0.05, 0.3])
def test_a_tolerance_stops_a_run_at_the_first_iteration_whose_fall_is_below_it(content_image, style_image, tolerance):
    from nst.limits import CONVERGENCE_WINDOW as window

    transfer, events = run(content_image, style_image, iterations=80, tolerance=tolerance)
    totals = [e.total for e in events]
    stops = [i for i in range(len(totals)) if _fell_less_than(totals, i, tolerance, window)]
    assert transfer.converged and transfer.complete and not transfer.error
    assert len(events) - 1 == stops[0] < 80  # it stopped at the first such iteration, before the cap
    assert events[-1].preview is not None  # the last event carries the image, as at the cap


def test_without_a_tolerance_every_iteration_runs(content_image, style_image):
    transfer, events = run(content_image, style_image, iterations=12)
    assert len(events) == 13 and not transfer.converged and transfer.complete
