"""People's preference between losses, from pairwise votes: Bradley-Terry strengths.

Model: P(i preferred to j) = p_i / (p_i + p_j). "Can't tell" counts as half a win for each side (not
Davidson's tie model: with a handful of votes per pair a tie parameter is poorly determined, and the
half-win reading keeps the ranking a plain count's). Fitted by Hunter's (2004) MM iteration; `prior`
virtual "can't tell" votes between every two losses keep a loss that never won finite and shrink
small samples towards equal.

Intervals: a percentile bootstrap over browser sessions, seeded: each resample draws the sessions with
replacement and keeps every vote of each drawn session. The votes of one person are not independent (one
taste, one screen, often the same image pair again), so resampling single votes treats a session's fifty
votes as fifty people and makes the interval too narrow; the sessions are the units that are independent.
With fewer than two sessions there is nothing to resample and the interval is not available (nan).

Agreement of a yardstick with people: see `agreement`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.votes.gallery import shown_name

PRIOR = 1.0  # virtual "can't tell" votes between every two losses
RESAMPLES = 1000  # bootstrap resamples of the browser sessions
TOLERANCE = 1e-10
DRAWS = 9999  # random sign flips of the agreement's test (fewer pairs than 14: every flip, exactly)
CHUNK = 1000  # sign flips drawn at a time


@dataclass(frozen=True)
class Rating:
    loss: str
    preferred: float  # estimated chance that people prefer it to a typical loss (strength 1): p / (p + 1)
    low: float  # 95% bootstrap interval of `preferred` over sessions (nan without resamples or with one session)
    high: float
    votes: int  # votes on pairs it was in
    wins: int
    ties: int
    defeats: int


@dataclass(frozen=True)
class Agreement:
    yardstick: str
    tau: float  # Kendall's tau-b of the voted pairs taken both ways round (`agreement`): +1 = sides with people
    p_value: float  # two-sided, by flipping the sign of pairs' people preference at random (`sign_flip_p`)
    pairs: int  # distinct pairs with votes and the yardstick on both outputs


def score_of_a(vote: dict) -> float:
    """1 if people preferred the pair's output a, 0 if b, 0.5 for "Can't tell"."""
    if vote["choice"] == "tie":
        return 0.5
    return 1.0 if (vote["choice"] == "left") == (vote["left"] == "a") else 0.0


def wins_matrix(votes: list[dict], names: list[str]) -> np.ndarray:
    """W[i, j]: votes for names[i] over names[j] (a tie is half to each)."""
    return _wins(*_encode(votes, names), len(names))


def _encode(votes: list[dict], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each vote as (index of a, index of b, score of a)."""
    index = {name: i for i, name in enumerate(names)}
    ia = np.array([index[v["loss_a"]] for v in votes], dtype=int)
    ib = np.array([index[v["loss_b"]] for v in votes], dtype=int)
    return ia, ib, np.array([score_of_a(v) for v in votes], dtype=float)


def _wins(ia: np.ndarray, ib: np.ndarray, s: np.ndarray, n: int, weight: np.ndarray | float = 1.0) -> np.ndarray:
    """W[i, j] from encoded votes, each counted `weight` times."""
    wins = np.zeros((n, n))
    np.add.at(wins, (ia, ib), s * weight)
    np.add.at(wins, (ib, ia), (1 - s) * weight)
    return wins


def bradley_terry(wins: np.ndarray, prior: float = PRIOR, max_iterations: int = 10_000) -> np.ndarray:
    """Strengths p (geometric mean 1) that maximise the likelihood of `wins` (plus the prior's ties)."""
    wins = wins + prior / 2 * (1 - np.eye(len(wins)))
    games, won = wins + wins.T, wins.sum(axis=1)
    p = np.ones(len(wins))
    for _ in range(max_iterations):
        updated = won / (games / (p[:, None] + p[None, :])).sum(axis=1)  # Hunter's MM step
        updated /= np.exp(np.log(updated).mean())
        if np.max(np.abs(updated - p)) < TOLERANCE:
            return updated
        p = updated
    return p


def ratings(votes: list[dict], resamples: int = RESAMPLES, seed: int = 0, prior: float = PRIOR) -> list[Rating]:
    """One Rating per loss that has votes, best first."""
    names = sorted({vote[side] for vote in votes for side in ("loss_a", "loss_b")})
    if not names:
        return []
    strengths = bradley_terry(wins_matrix(votes, names), prior)
    low, high = _interval(votes, names, resamples, seed, prior)
    counts = _counts(votes)
    rows = [
        Rating(name, strengths[i] / (strengths[i] + 1), low[i], high[i], *counts[name]) for i, name in enumerate(names)
    ]
    return sorted(rows, key=lambda r: -r.preferred)


def _interval(votes, names, resamples, seed, prior) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap over sessions (the module's docstring says why); nan with fewer than 2 sessions."""
    sessions = sorted({vote["session"] for vote in votes}) if resamples > 0 else []  # sorted: same draws anywhere
    if len(sessions) < 2:
        return np.full(len(names), np.nan), np.full(len(names), np.nan)
    index = {session: k for k, session in enumerate(sessions)}
    member = np.array([index[vote["session"]] for vote in votes])
    rng, (ia, ib, s) = np.random.default_rng(seed), _encode(votes, names)
    draws = np.empty((resamples, len(names)))
    for k in range(resamples):
        drawn = np.bincount(rng.integers(0, len(sessions), len(sessions)), minlength=len(sessions))
        p = bradley_terry(_wins(ia, ib, s, len(names), drawn[member]), prior)  # each vote as often as its session
        draws[k] = p / (p + 1)
    return np.percentile(draws, 2.5, axis=0), np.percentile(draws, 97.5, axis=0)


def _counts(votes: list[dict]) -> dict[str, tuple[int, int, int, int]]:
    tally = defaultdict(lambda: [0, 0, 0, 0])  # votes, wins, ties, defeats
    for vote in votes:
        s = score_of_a(vote)
        for name, mine in ((vote["loss_a"], s), (vote["loss_b"], 1 - s)):
            tally[name][0] += 1
            tally[name][1 if mine == 1 else 2 if mine == 0.5 else 3] += 1
    return {name: tuple(values) for name, values in tally.items()}


def by_style(votes: list[dict]) -> dict[str, list[Rating]]:
    """Ratings per style image (no intervals: few votes each)."""
    styles = sorted({vote["style"] for vote in votes})
    return {style: ratings([v for v in votes if v["style"] == style], resamples=0) for style in styles}


def agreement(votes: list[dict], draws: int = DRAWS, seed: int = 0) -> list[Agreement]:
    """Per image yardstick: how well it sides with people on the voted pairs.

    Per distinct pair: people's preference x = (votes for one output - votes for the other) / votes, and the
    yardstick's y = its difference between the same two outputs, signed so that positive = that output better.
    Which output is "one" (a pair's a, the first by loss name) is arbitrary, so the measure must not depend on
    it: `tau` is Kendall's tau-b over the pairs taken both ways round, each (x, y) and (-x, -y)
    (`symmetric_tau`). Flipping any pair's orientation then leaves the set, and tau, as it is; plain tau of
    the (x, y) alone changes with it (the pairs' concordance with one another does). It works out as a
    weighted vote of the pairs: +1 where people's majority and the yardstick prefer the same output, -1 where
    they differ, 0 where either cannot tell, each weighted by how many pairs it is clearer than on both
    counts (`_signed_weights`). Chosen over a plain count of pairs agreeing in direction because it keeps
    tau's scale and meaning (+1: the yardstick orders the pairs as people do, margins included; -1: the
    reverse) and so reads like the study's statistics; agreeing on every pair's direction with margins
    running opposite scores low but above 0. The doubled set counts each pair twice, so scipy's p-value
    would be wrong; `p_value` is a sign-flip test over the pairs (`sign_flip_p`), exact under the symmetry
    that makes a pair's orientation arbitrary."""
    by_pair = defaultdict(list)
    for vote in votes:
        by_pair[(vote["content"], vote["style"], vote["settings_hash"], vote["loss_a"], vote["loss_b"])].append(vote)
    result = []
    for name in IMAGE_YARDSTICKS:
        people, yardstick = _preferences(list(by_pair.values()), name)
        if len(people) < 2:
            result.append(Agreement(name, np.nan, np.nan, len(people)))
            continue
        tau, p_value = symmetric_tau(people, yardstick), sign_flip_p(people, yardstick, draws, seed)
        result.append(Agreement(name, tau, p_value, len(people)))
    return result


def _preferences(pairs: list[list[dict]], name: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) per pair with the yardstick on both outputs: people's net preference for a, the yardstick's."""
    sign = 1.0 if YARDSTICKS[name].better == "higher" else -1.0
    people, yardstick = [], []
    for pair_votes in pairs:
        a, b = (pair_votes[0].get(f"metrics_{side}") or {} for side in "ab")
        if name in a and name in b and np.isfinite(a[name]) and np.isfinite(b[name]):
            people.append(np.mean([2 * score_of_a(v) - 1 for v in pair_votes]))  # exactly -x the other way round
            yardstick.append(sign * (a[name] - b[name]))
    return np.array(people), np.array(yardstick)


def symmetric_tau(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b of the points (x_i, y_i) and (-x_i, -y_i) together, without making them: the numerator
    is the sum of `_signed_weights`, the ties those of x and -x (and of y and -y). nan if either is all ties."""
    n = 2 * len(x)
    untied = [n * (n - 1) / 2 - _ties(np.concatenate([v, -v])) for v in (x, y)]
    if min(untied) <= 0:
        return np.nan
    return float(_signed_weights(x, y).sum() / np.sqrt(untied[0] * untied[1]))


def _ties(values: np.ndarray) -> float:
    counts = np.unique(values, return_counts=True)[1]
    return float((counts * (counts - 1) / 2).sum())


def _signed_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pair i's share of the doubled set's Kendall numerator: sgn(x_i) sgn(y_i) w_i, where w_i =
    sum_j (1 + sgn(|x_i| - |x_j|)) (1 + sgn(|y_i| - |y_j|)) (j = i included) counts the pairs j that pair i
    is clearer than, for people and for the yardstick: 4 each, 2 for one tied on one count, 1 for one tied
    on both (itself among them). Why: the points i and -i against j and -j add
    2 [sgn(x_i - x_j) sgn(y_i - y_j) + sgn(x_i + x_j) sgn(y_i + y_j)] to the numerator, which is
    [sgn(x_i - x_j) + sgn(x_i + x_j)] [sgn(y_i - y_j) + sgn(y_i + y_j)] plus the same with i and j swapped,
    and sgn(x_i - x_j) + sgn(x_i + x_j) = sgn(x_i) (1 + sgn(|x_i| - |x_j|)); i against -i adds sgn(x_i) sgn(y_i).
    (tests/test_votes_ratings.py checks the sum against scipy's tau over the doubled set.)"""
    above = lambda v: 1 + np.sign(np.abs(v)[:, None] - np.abs(v)[None, :]).astype(np.int8)  # noqa: E731
    weight = (above(x) * above(y)).sum(axis=1, dtype=np.int64)
    return (np.sign(x) * np.sign(y)).astype(np.int64) * weight


def sign_flip_p(x: np.ndarray, y: np.ndarray, draws: int = DRAWS, seed: int = 0) -> float:
    """Two-sided p-value of `symmetric_tau` against "the side people prefer is unrelated to the side the
    yardstick prefers": under that, each pair's people preference is as likely to be -x_i as x_i, whatever
    the others. Flipping pair i's sign flips its `_signed_weights` term alone (the weights depend on |x| and
    |y| only, and so do the ties), so the test flips the terms' signs: every way exactly with fewer than 14
    pairs, else `draws` random ways (seeded) plus the observed one. Pairs, not the doubled points, are the
    units flipped, so none counts twice. In (0, 1]."""
    terms = _signed_weights(x, y)
    observed, n = abs(terms.sum()), len(terms)
    if 2**n <= draws + 1:
        signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
        return float(np.mean(np.abs(signs @ terms) >= observed))
    rng, at_least = np.random.default_rng(seed), 1  # the observed signs count
    for start in range(0, draws, CHUNK):
        signs = 1 - 2 * rng.integers(0, 2, (min(CHUNK, draws - start), n))
        at_least += int(np.sum(np.abs(signs @ terms) >= observed))
    return at_least / (draws + 1)


RATED = "loss or baseline"  # the ratings table's first column: the losses, and the feed-forward baseline by its label


def rating_rows(rows: list[Rating]) -> list[dict[str, object]]:
    """The ratings table, as the page and `nst votes` show it."""
    return [
        {
            RATED: shown_name(r.loss),
            "preferred": f"{r.preferred:.0%}",
            "95% interval": "" if np.isnan(r.low) else f"{r.low:.0%}-{r.high:.0%}",
            "votes": r.votes,
            "won": r.wins,
            "can't tell": r.ties,
            "lost": r.defeats,
        }
        for r in rows
    ]


def agreement_rows(rows: list[Agreement]) -> list[dict[str, object]]:
    return [
        {
            "yardstick": YARDSTICKS[a.yardstick].label,
            "Kendall's tau": "" if np.isnan(a.tau) else f"{a.tau:+.2f}",
            "p": "" if np.isnan(a.p_value) else f"{a.p_value:.2g}",
            "pairs": a.pairs,
        }
        for a in rows
    ]
