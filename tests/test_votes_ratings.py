"""Bradley-Terry ratings: against a hand-worked example, the likelihood equations, and simulated voters."""

import random

import numpy as np
import pytest
from scipy.stats import kendalltau

from nst.votes import ratings


def vote(a: str, b: str, winner: str | None, left: str = "a", style: str = "s.jpg", **extra) -> dict:
    """A vote row for the pair (a, b), names in order; winner None = "Can't tell"."""
    a, b = sorted((a, b))
    if winner is None:
        choice = "tie"
    else:
        choice = "left" if (winner == a) == (left == "a") else "right"
    return {
        "loss_a": a,
        "loss_b": b,
        "left": left,
        "choice": choice,
        "style": style,
        "content": "c.png",
        "settings_hash": "h",
        **extra,
    }


def test_the_score_of_a_follows_the_side_shown_left():
    assert ratings.score_of_a(vote("mae", "mse", "mae", left="a")) == 1
    assert ratings.score_of_a(vote("mae", "mse", "mae", left="b")) == 1
    assert ratings.score_of_a(vote("mae", "mse", "mse", left="b")) == 0
    assert ratings.score_of_a(vote("mae", "mse", None)) == 0.5


def test_two_losses_by_hand():
    # A beats B 3 times in 4: the maximum-likelihood ratio p_A / p_B is 3; geometric mean 1 gives sqrt(3).
    wins = np.array([[0.0, 3.0], [1.0, 0.0]])
    assert np.allclose(ratings.bradley_terry(wins, prior=0), [np.sqrt(3), 1 / np.sqrt(3)])


def test_a_tie_is_half_a_win_each():
    votes = [vote("a", "b", "a"), vote("a", "b", None)]
    assert np.allclose(ratings.wins_matrix(votes, ["a", "b"]), [[0.0, 1.5], [0.5, 0.0]])
    # 1.5 wins in 2: the ratio is 3, as in the hand-worked example
    p = ratings.bradley_terry(ratings.wins_matrix(votes, ["a", "b"]), prior=0)
    assert p[0] / p[1] == pytest.approx(3)


def test_the_fit_solves_the_likelihood_equations():
    # At the maximum, each loss's wins equal its expected wins: w_i = sum_j n_ij p_i / (p_i + p_j).
    wins = np.array([[0, 2, 3, 1], [1, 0, 2, 2], [1, 1, 0, 3], [2, 1, 1, 0]], dtype=float)
    p = ratings.bradley_terry(wins, prior=0)
    games = wins + wins.T
    expected = (games * p[:, None] / (p[:, None] + p[None, :])).sum(axis=1)
    assert np.allclose(expected, wins.sum(axis=1), atol=1e-8)
    assert np.exp(np.log(p).mean()) == pytest.approx(1)


def test_the_prior_keeps_a_loss_that_never_won_finite_and_below_the_others():
    votes = [vote("a", "b", "a")] * 5 + [vote("a", "c", "a")] * 5 + [vote("b", "c", "b")] * 2
    rows = {r.loss: r for r in ratings.ratings(votes, resamples=0)}
    assert 0 < rows["c"].preferred < rows["b"].preferred < rows["a"].preferred < 1
    assert (rows["a"].votes, rows["a"].wins, rows["a"].defeats) == (10, 10, 0)


def simulated(strengths: dict[str, float], count: int, seed: int) -> list[dict]:
    rng, names = random.Random(seed), sorted(strengths)
    votes = []
    for _ in range(count):
        a, b = sorted(rng.sample(names, 2))
        p_a = strengths[a] / (strengths[a] + strengths[b])
        votes.append(vote(a, b, a if rng.random() < p_a else b, left=rng.choice("ab"), style=rng.choice("xy")))
    return votes


def test_simulated_voters_with_known_strengths_are_ranked_in_their_order():
    strengths = {"mse": 3.0, "huber": 2.0, "mae": 1.2, "hellinger": 0.8, "exponential": 0.5, "cross_entropy": 0.2}
    rows = ratings.ratings(simulated(strengths, 1500, seed=3), resamples=200)
    assert [r.loss for r in rows] == sorted(strengths, key=lambda name: -strengths[name])
    for r in rows:  # each interval holds its estimate and the true value it estimates
        truth = strengths[r.loss] / np.exp(np.mean(np.log(list(strengths.values()))))
        assert r.low <= r.preferred <= r.high
        assert r.low - 0.03 <= truth / (truth + 1) <= r.high + 0.03


def test_the_bootstrap_is_seeded_and_narrows_with_more_votes():
    strengths = {"a": 2.0, "b": 1.0, "c": 0.5}
    few, many = simulated(strengths, 60, seed=1), simulated(strengths, 1200, seed=1)
    assert ratings.ratings(few, resamples=100, seed=7) == ratings.ratings(few, resamples=100, seed=7)
    width = lambda rows: np.mean([r.high - r.low for r in rows])  # noqa: E731
    assert width(ratings.ratings(many, resamples=100)) < width(ratings.ratings(few, resamples=100)) / 2


def test_ratings_per_style_use_only_that_styles_votes():
    votes = [vote("a", "b", "a", style="x.jpg")] * 4 + [vote("a", "b", "b", style="y.jpg")] * 4
    per_style = ratings.by_style(votes)
    assert per_style["x.jpg"][0].loss == "a" and per_style["y.jpg"][0].loss == "b"
    assert all(r.votes == 4 for rows in per_style.values() for r in rows)


def test_agreement_is_kendalls_tau_over_the_voted_pairs():
    votes, truth = [], []
    for k, (a, b) in enumerate([("a", "b"), ("a", "c"), ("b", "c"), ("a", "d"), ("b", "d")]):
        share = k / 4  # people prefer a to b in a share of k/4 of the votes on this pair
        metrics_a, metrics_b = {"ssim": 0.5 + k, "style_distance": 10.0 + k}, {"ssim": 0.5, "style_distance": 10.0}
        for i in range(4):
            votes.append(
                vote(a, b, a if i < 4 * share else b, content=f"{k}.png", metrics_a=metrics_a, metrics_b=metrics_b)
            )
        truth.append(share)
    found = {a.yardstick: a for a in ratings.agreement(votes)}
    # SSIM (higher is better) rises with the share preferring a; the style distance (lower is better) too,
    # so it disagrees with people
    assert found["ssim"].tau == pytest.approx(1) and found["ssim"].pairs == 5
    assert found["style_distance"].tau == pytest.approx(-1)
    assert np.isnan(found["color_distance"].tau) and found["color_distance"].pairs == 0
    assert kendalltau(truth, [k for k in range(5)])[0] == pytest.approx(1)


def test_no_votes_no_ratings():
    assert ratings.ratings([]) == []
    assert ratings.rating_rows([]) == []
