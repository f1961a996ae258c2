"""Bradley-Terry ratings: against a hand-worked example, the likelihood equations, and simulated voters; the
session bootstrap against the vote bootstrap it replaced; the agreement against scipy's Kendall's tau of the
pairs taken both ways round, and against the orientation-dependent formula it replaced."""

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
    """Independent voters of known strengths, five votes each (one page session per voter)."""
    rng, names = random.Random(seed), sorted(strengths)
    votes = []
    for k in range(count):
        a, b = sorted(rng.sample(names, 2))
        p_a = strengths[a] / (strengths[a] + strengths[b])
        winner, left, style = a if rng.random() < p_a else b, rng.choice("ab"), rng.choice("xy")
        votes.append(vote(a, b, winner, left=left, style=style, session=f"voter-{k // 5}"))
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


def test_no_votes_no_ratings():
    assert ratings.ratings([]) == []
    assert ratings.rating_rows([]) == []


# --- the bootstrap over page sessions ---


def vote_bootstrap(votes: list[dict], names: list[str], resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The interval as it was before sessions: single votes drawn with replacement (a second route)."""
    rng, draws = np.random.default_rng(seed), []
    for _ in range(resamples):
        pick = rng.integers(0, len(votes), len(votes))
        p = ratings.bradley_terry(ratings.wins_matrix([votes[i] for i in pick], names))
        draws.append(p / (p + 1))
    return np.percentile(draws, 2.5, axis=0), np.percentile(draws, 97.5, axis=0)


def one_keen_session() -> list[dict]:
    """One session casts 200 identical votes (a over b); ten others two each, one either way."""
    votes = [vote("a", "b", "a", session="keen") for _ in range(200)]
    for k in range(10):
        votes += [vote("a", "b", "a", session=f"other-{k}"), vote("a", "b", "b", session=f"other-{k}")]
    return votes


def test_one_keen_session_widens_the_interval_but_moves_no_estimate():
    votes = one_keen_session()
    by_session = {r.loss: r for r in ratings.ratings(votes, resamples=300)}
    low, high = vote_bootstrap(votes, ["a", "b"], 300, seed=0)
    vote_width, session_width = high[0] - low[0], by_session["a"].high - by_session["a"].low
    assert session_width > 3 * vote_width  # the keen session is in or out: the votes alone look far surer
    assert by_session["a"].low <= 0.5 < low[0]  # without it nobody prefers a; single votes call a sure winner
    p = ratings.bradley_terry(ratings.wins_matrix(votes, ["a", "b"]))  # the estimate: from the votes, as before
    assert by_session["a"].preferred == pytest.approx(p[0] / (p[0] + 1))
    assert by_session["a"].low <= by_session["a"].preferred <= by_session["a"].high


def test_with_one_vote_per_session_the_session_bootstrap_is_the_vote_bootstrap():
    """Sessions named in the votes' order: the same draws pick the same votes, so the same interval."""
    votes = [{**v, "session": f"{k:04d}"} for k, v in enumerate(simulated({"a": 2.0, "b": 1.0, "c": 0.5}, 90, 2))]
    rows = {r.loss: r for r in ratings.ratings(votes, resamples=100, seed=5)}
    low, high = vote_bootstrap(votes, ["a", "b", "c"], 100, seed=5)
    assert [rows[n].low for n in "abc"] == pytest.approx(low) and [rows[n].high for n in "abc"] == pytest.approx(high)


def test_the_session_bootstrap_is_seeded():
    votes = simulated({"a": 2.0, "b": 1.0, "c": 0.5}, 100, seed=4)
    assert ratings.ratings(votes, resamples=50, seed=1) == ratings.ratings(votes, resamples=50, seed=1)
    assert ratings.ratings(votes, resamples=50, seed=1) != ratings.ratings(votes, resamples=50, seed=2)


def test_a_single_session_has_no_interval():
    votes = [vote("a", "b", "a", session="only")] * 5 + [vote("a", "b", "b", session="only")]
    rows = ratings.ratings(votes, resamples=100)
    assert all(np.isnan(r.low) and np.isnan(r.high) for r in rows) and rows[0].loss == "a"
    assert ratings.rating_rows(rows)[0]["95% interval"] == ""


# --- agreement of a yardstick with people ---


def pair(k: int, wins_a: int, wins_b: int, metrics_a: dict, metrics_b: dict, ties: int = 0) -> list[dict]:
    """The votes on pair k (losses a and b of content k.png): wins_a for a, wins_b for b, ties can't tell."""
    extra = {"content": f"{k}.png", "metrics_a": metrics_a, "metrics_b": metrics_b}
    winners = ["a"] * wins_a + ["b"] * wins_b + [None] * ties
    return [vote("a", "b", w, left="ab"[i % 2], session=f"s{i}", **extra) for i, w in enumerate(winners)]


def flipped(v: dict) -> dict:
    """The same vote with the pair the other way round: a and b swapped, the choice inverted."""
    choice = {"left": "right", "right": "left", "tie": "tie"}[v["choice"]]
    swapped = {"loss_a": v["loss_b"], "loss_b": v["loss_a"], "metrics_a": v["metrics_b"], "metrics_b": v["metrics_a"]}
    return {**v, **swapped, "choice": choice}


def test_flipping_a_vote_inverts_the_score_of_a():
    for v in pair(0, 2, 1, {}, {}, ties=1):
        assert ratings.score_of_a(flipped(v)) == 1 - ratings.score_of_a(v)


def related_pairs(count: int, seed: int) -> list[list[dict]]:
    """Pairs of 5 votes where the yardstick (ssim) leans the way people do, with noise."""
    rng, pairs = np.random.default_rng(seed), []
    for k in range(count):
        wins_a = int(rng.integers(0, 6))
        lean = (wins_a - 2.5) / 2.5 + rng.normal(0, 0.8)
        pairs.append(pair(k, wins_a, 5 - wins_a, {"ssim": 0.5 + lean / 10}, {"ssim": 0.5}))
    return pairs


def old_tau(votes: list[dict]) -> float:
    """The formula that was replaced: per pair, mean score of a - 0.5 against the signed a - b."""
    pairs: dict[str, list[dict]] = {}
    for v in votes:
        pairs.setdefault(v["content"], []).append(v)
    people = [np.mean([ratings.score_of_a(v) for v in vs]) - 0.5 for vs in pairs.values()]
    return kendalltau(people, [vs[0]["metrics_a"]["ssim"] - vs[0]["metrics_b"]["ssim"] for vs in pairs.values()])[0]


def test_the_agreement_does_not_depend_on_which_output_of_a_pair_is_a():
    pairs = related_pairs(30, seed=4)
    votes = [v for vs in pairs for v in vs]
    for chosen in ([0], list(range(0, 30, 2)), [1, 5, 6, 7, 20], list(range(30))):
        other = [flipped(v) if k in chosen else v for k, vs in enumerate(pairs) for v in vs]
        assert ratings.agreement(other) == ratings.agreement(votes)  # tau, p and pairs, exactly


def test_the_replaced_formula_depended_on_which_output_is_a():
    """The bug, documented: people and SSIM agree on every pair, their margins running opposite. The replaced
    formula called that total disagreement, and turning half the pairs round changed its answer; the
    agreement now sees the same thing both ways, and more agreement than not."""
    pairs = [pair(k, 6 + k, 4 - k, {"ssim": 0.5 + (4 - k) / 10}, {"ssim": 0.5}) for k in range(4)]
    votes = [v for vs in pairs for v in vs]
    half = [flipped(v) if k % 2 else v for k, vs in enumerate(pairs) for v in vs]
    assert old_tau(votes) == pytest.approx(-1) and abs(old_tau(half) - old_tau(votes)) > 0.5
    [ssim] = [a for a in ratings.agreement(votes) if a.yardstick == "ssim"]
    assert [a for a in ratings.agreement(half) if a.yardstick == "ssim"] == [ssim] and ssim.tau > 0


def test_the_agreement_is_kendalls_tau_of_the_pairs_taken_both_ways_round():
    """A second route: scipy's tau-b over the explicitly doubled set, from the votes counted by hand."""
    pairs = related_pairs(25, seed=1) + [pair(99, 1, 1, {"ssim": 0.7}, {"ssim": 0.5}, ties=3)]
    found = {a.yardstick: a for a in ratings.agreement([v for vs in pairs for v in vs])}
    x = [np.mean([2 * ratings.score_of_a(v) - 1 for v in vs]) for vs in pairs]  # votes for a less for b, a share
    y = [vs[0]["metrics_a"]["ssim"] - vs[0]["metrics_b"]["ssim"] for vs in pairs]
    x, y = np.array(x), np.array(y)
    assert found["ssim"].tau == pytest.approx(kendalltau(np.r_[x, -x], np.r_[y, -y])[0], abs=1e-12)
    assert found["ssim"].pairs == 26


def test_the_symmetric_tau_is_scipys_tau_of_the_doubled_set_with_ties_and_without():
    rng = np.random.default_rng(7)
    for k in range(200):
        n = int(rng.integers(2, 25))
        x = rng.choice([-1, -0.5, 0, 0.5, 1, 1 / 3, -1 / 3], n)  # few votes a pair: many ties, zeros too
        y = rng.choice([-2.0, -1, 0, 1, 2, 3], n) if k % 2 else rng.normal(size=n)
        expected = kendalltau(np.r_[x, -x], np.r_[y, -y])[0]
        assert ratings.symmetric_tau(x, y) == pytest.approx(expected, abs=1e-12, nan_ok=True)


def test_perfect_agreement_is_plus_one_and_perfect_disagreement_minus_one():
    votes = []
    for k, wins_a in enumerate([0, 1, 3, 4, 2]):  # people's net preference for a: -1, -0.5, 0.5, 1, 0
        x = (2 * wins_a - 4) / 4
        votes += pair(
            k, wins_a, 4 - wins_a, {"ssim": 0.5 + x, "style_distance": 10 + x}, {"ssim": 0.5, "style_distance": 10}
        )
    found = {a.yardstick: a for a in ratings.agreement(votes)}
    # SSIM (higher is better) is higher on the output people prefer, by as much as they prefer it; the style
    # distance (lower is better) too, so it always disagrees
    assert found["ssim"].tau == pytest.approx(1) and found["ssim"].pairs == 5
    assert found["style_distance"].tau == pytest.approx(-1)
    assert np.isnan(found["color_distance"].tau) and found["color_distance"].pairs == 0
    # every flip of 4 clear pairs (the fifth, a tie, counts for nothing): only all or none reach |tau| = 1
    assert found["ssim"].p_value == pytest.approx(2 / 16) == found["style_distance"].p_value


def test_the_p_value_is_small_for_a_strong_agreement_and_valid_for_none():
    strong = {a.yardstick: a for a in ratings.agreement([v for vs in related_pairs(40, 0) for v in vs])}
    assert strong["ssim"].tau > 0.3 and 0 < strong["ssim"].p_value < 0.001
    rng = np.random.default_rng(0)
    ps = []
    for _ in range(400):  # no relation: p is about uniform, so it falls below 0.05 about one time in 20
        x = rng.integers(-2, 3, 30) / 2
        ps.append(ratings.sign_flip_p(x, rng.normal(size=30), draws=999, seed=int(rng.integers(1000))))
    ps = np.array(ps)
    assert 0 < ps.min() and ps.max() <= 1
    assert 0.02 < np.mean(ps < 0.05) < 0.09 and 0.4 < np.mean(ps < 0.5) < 0.6


def test_the_sign_flip_test_is_seeded_and_exact_for_few_pairs():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=40), rng.normal(size=40)
    assert ratings.sign_flip_p(x, y, seed=1) == ratings.sign_flip_p(x, y, seed=1)
    x, y = np.array([1.0, 0.5, -0.5]), np.array([2.0, 1.0, 1.0])  # the third pair disagrees
    # By hand from the doubled set: pair 0 is clearer than 1 and 2 on both counts (4 + 4) plus itself (1): 9;
    # pairs 1 and 2 tie each other on |x| and |y| (1) plus themselves (1): 2 each, the third against: -2.
    # Observed |9 + 2 - 2| = 9; the flips give |9 +- 2 +- 2| = 9, 13, 5, 9: three of four reach 9. Tau-b:
    # 6 points make 15 pairs of points, 2 of them tied in x (+-0.5 twice) and 2 in y (+-1 twice): 9 / 13.
    assert ratings.symmetric_tau(x, y) == pytest.approx(9 / 13)
    assert ratings.sign_flip_p(x, y) == 0.75
