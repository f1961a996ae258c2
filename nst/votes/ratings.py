"""People's preference between losses, from pairwise votes: Bradley-Terry strengths.

Model: P(i preferred to j) = p_i / (p_i + p_j). "Can't tell" counts as half a win for each side (not
Davidson's tie model: with a handful of votes per pair a tie parameter is poorly determined, and the
half-win reading keeps the ranking a plain count's). Fitted by Hunter's (2004) MM iteration; `prior`
virtual "can't tell" votes between every two losses keep a loss that never won finite and shrink
small samples towards equal. Intervals: percentile bootstrap over votes, seeded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS

PRIOR = 1.0  # virtual "can't tell" votes between every two losses
RESAMPLES = 1000  # bootstrap resamples of the votes
TOLERANCE = 1e-10


@dataclass(frozen=True)
class Rating:
    loss: str
    preferred: float  # estimated chance that people prefer it to a typical loss (strength 1): p / (p + 1)
    low: float  # 95% bootstrap interval of `preferred` (nan without resamples)
    high: float
    votes: int  # votes on pairs it was in
    wins: int
    ties: int
    defeats: int


@dataclass(frozen=True)
class Agreement:
    yardstick: str
    tau: float  # Kendall's tau-b: people's preference per pair against the yardstick's, over the same pairs
    p_value: float
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


def _wins(ia: np.ndarray, ib: np.ndarray, s: np.ndarray, n: int) -> np.ndarray:
    wins = np.zeros((n, n))
    np.add.at(wins, (ia, ib), s)
    np.add.at(wins, (ib, ia), 1 - s)
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
    if resamples <= 0:
        return np.full(len(names), np.nan), np.full(len(names), np.nan)
    rng, (ia, ib, s) = np.random.default_rng(seed), _encode(votes, names)
    draws = np.empty((resamples, len(names)))
    for k in range(resamples):
        pick = rng.integers(0, len(votes), len(votes))  # the votes, drawn with replacement
        p = bradley_terry(_wins(ia[pick], ib[pick], s[pick], len(names)), prior)
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


def agreement(votes: list[dict]) -> list[Agreement]:
    """Per image yardstick: Kendall's tau between people's preference for output a over b (mean score,
    per distinct pair) and the yardstick's (its difference a - b, signed so that positive = a better)."""
    from scipy.stats import kendalltau

    by_pair = defaultdict(list)
    for vote in votes:
        by_pair[(vote["content"], vote["style"], vote["settings_hash"], vote["loss_a"], vote["loss_b"])].append(vote)
    result = []
    for name in IMAGE_YARDSTICKS:
        sign = 1.0 if YARDSTICKS[name].better == "higher" else -1.0
        people, yardstick = [], []
        for pair_votes in by_pair.values():
            a, b = (pair_votes[0].get(f"metrics_{side}") or {} for side in "ab")
            if name in a and name in b:
                people.append(np.mean([score_of_a(v) for v in pair_votes]) - 0.5)
                yardstick.append(sign * (a[name] - b[name]))
        tau, p_value = kendalltau(people, yardstick) if len(people) >= 2 else (np.nan, np.nan)
        result.append(Agreement(name, float(tau), float(p_value), len(people)))
    return result


def rating_rows(rows: list[Rating]) -> list[dict[str, object]]:
    """The ratings table, as the page and `nst votes` show it."""
    return [
        {
            "loss": r.loss,
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
