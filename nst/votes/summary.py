"""The ratings as text and CSV: what `nst votes` prints and writes (the page shows the same rows)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nst.votes import ratings, store

VOTE_COLUMNS = [column.name for column in store.votes.columns]


def text_table(rows: list[dict[str, object]]) -> str:
    """Rows of equal keys as aligned plain text."""
    if not rows:
        return "(none)"
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(row[c])) for row in rows)) for c in columns}
    lines = ["  ".join(f"{c:>{widths[c]}}" for c in columns)]
    lines += ["  ".join(f"{str(row[c]):>{widths[c]}}" for c in columns) for row in rows]
    return "\n".join(lines)


def summary(votes: list[dict], rating_rows: list[dict[str, object]], refused: dict[str, int]) -> str:
    """What `nst votes` prints: counts, refusals, the ratings table (`ratings.rating_rows`), the agreement."""
    sessions = len({vote["session"] for vote in votes})
    lines = [
        f"{len(votes)} votes from {sessions} page session(s); refused and not stored: "
        + (", ".join(f"{n} {reason}" for reason, n in sorted(refused.items())) or "none")
    ]
    if not votes:
        return lines[0]
    lines += [
        "",
        'Preference (Bradley-Terry; "can\'t tell" is half a win each; 95% bootstrap interval over page sessions,'
        " none with one session):",
        text_table(rating_rows),
    ]
    lines += [
        "",
        "Agreement of each yardstick with people (Kendall's tau over the voted pairs, each taken both ways round;"
        " +1 = always agrees; p by random sign flips of the pairs):",
        text_table(ratings.agreement_rows(ratings.agreement(votes))),
    ]
    return "\n".join(lines)


def write_csv(rows: list[dict[str, object]], path: str | Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)


def export_votes(votes: list[dict], path: str | Path) -> int:
    """Every vote (`store.all_votes`) as one CSV row (metrics as JSON). Returns the count."""
    rows = [{k: json.dumps(v) if isinstance(v, dict) else v for k, v in vote.items()} for vote in votes]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=VOTE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
