"""nst votes: people's blind votes from the page, ranked."""

from __future__ import annotations

import argparse


def register(commands) -> None:
    votes = commands.add_parser("votes", help="people's blind votes from the page, ranked (Bradley-Terry)")
    votes.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: NST_DATABASE_URL, else the SQLite file "
        "at NST_VOTES_DB, else votes.sqlite3 in the user's data folder)",
    )
    votes.add_argument("--csv", metavar="FILE", help="also write the ratings table as CSV")
    votes.add_argument("--export", metavar="FILE", help="also write every vote as CSV")
    votes.set_defaults(command=_votes)


def _votes(args: argparse.Namespace) -> int:
    from nst.votes import ratings, store, summary

    engine = store.engine(args.db or store.default_url())
    votes = store.all_votes(engine)
    rows = ratings.rating_rows(ratings.ratings(votes))  # fitted once: printed, and written with --csv
    print(summary.summary(votes, rows, store.refusal_counts(engine)))
    if args.csv:
        summary.write_csv(rows, args.csv)
    if args.export:
        print(f"wrote {summary.export_votes(votes, args.export)} votes to {args.export}")
    return 0
