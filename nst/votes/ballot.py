"""Issuing pairs and taking votes, so that votes cannot be forged or lost.

The page never sends a pair back: it sends the ticket the server issued with the pair, and a choice.
A vote is accepted only for a ticket issued to the same session, once, within `ticket_ttl_s`, and
within the session's rate limits; everything stored comes from the server's own record of the
ticket. A refused vote is counted (reason only) and never stored."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import sqlalchemy as sa

from nst.errors import NSTError
from nst.votes import store
from nst.votes.gallery import Output

CHOICES = ("left", "right", "tie")  # the page's buttons: "Left ...", "Right ...", "Can't tell"


@dataclass(frozen=True)
class VoteLimits:
    min_interval_s: float = 1.0  # at most one vote a second per session
    per_hour: int = 300  # and at most this many in any hour
    ticket_ttl_s: float = 3600.0  # a pair shown longer ago than this can no longer be voted on


# reason -> what the page says (politely); the reason alone is counted in the refusals table
REFUSALS = {
    "unknown": "This pair was not shown to this page session, so the vote was not counted. Please vote on the "
    "pair shown.",
    "reused": "This pair has been voted on already; the vote was not counted twice.",
    "expired": "This pair was shown too long ago; please vote on a fresh one.",
    "too_fast": "Please take a moment to look at both images: at most one vote a second.",
    "hourly_limit": "Thank you for so many votes! This session has reached its limit for the hour; please come "
    "back later.",
    "bad_choice": f"A vote is one of: {', '.join(CHOICES)}.",
}


class VoteRefused(NSTError):
    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


@dataclass(frozen=True)
class Ballot:
    """A pair as issued to one session: the ticket to vote with, and the two outputs as shown."""

    ticket: str
    left: Output
    right: Output


def app_version() -> str:
    try:
        return metadata.version("nst")
    except metadata.PackageNotFoundError:
        return "unknown"


class BallotBox:
    def __init__(self, engine: sa.Engine, limits: VoteLimits = VoteLimits(), clock: Callable[[], float] = time.time):
        self.engine, self.limits, self.clock = engine, limits, clock
        self.version = app_version()

    def issue(self, session_id: str, pair: tuple[Output, Output], rng: random.Random) -> Ballot:
        """Record a ticket for `pair`, the sides drawn at random, and return it."""
        a, b = sorted(pair, key=lambda output: output.loss)
        left_is_a = rng.random() < 0.5
        record = {
            "content": a.content,
            "style": a.style,
            "loss_a": a.loss,
            "loss_b": b.loss,
            "settings_hash": a.settings_hash,
            "digest_a": a.digest,
            "digest_b": b.digest,
            "left": "a" if left_is_a else "b",
            "metrics_a": a.metrics,
            "metrics_b": b.metrics,
            "weights": a.weights,
        }
        ticket, session = secrets.token_urlsafe(24), self._session(session_id)  # (not inside the transaction)
        with self.engine.begin() as connection:
            connection.execute(
                store.tickets.insert().values(id=ticket, session=session, issued_at=self.clock(), pair=record)
            )
        return Ballot(ticket, *((a, b) if left_is_a else (b, a)))

    def cast(self, session_id: str, ticket: str, choice: str) -> dict:
        """Accept the vote and return its row, or raise VoteRefused (and count the refusal)."""
        session, now = self._session(session_id), self.clock()
        try:
            if choice not in CHOICES:
                raise VoteRefused("bad_choice")
            with self.engine.begin() as connection:
                row = self._check(connection, session, ticket, now)
                vote = {
                    **row.pair,
                    "ticket": ticket,
                    "time": now,
                    "choice": choice,
                    "session": session,
                    "app_version": self.version,
                }
                connection.execute(store.votes.insert().values(**vote))
            return vote
        except VoteRefused as refusal:
            self._refused(refusal.reason, now)
            raise
        except sa.exc.IntegrityError:  # the same ticket's vote committed by another thread first
            self._refused("reused", now)
            raise VoteRefused("reused") from None

    def _check(self, connection: sa.Connection, session: str, ticket: str, now: float):
        t = store.tickets
        row = connection.execute(sa.select(t).where(t.c.id == ticket)).first()
        if row is None or row.session != session:
            raise VoteRefused("unknown")
        if row.used_at is not None:
            raise VoteRefused("reused")
        if now - row.issued_at > self.limits.ticket_ttl_s:
            raise VoteRefused("expired")
        # Claim the ticket before anything else: a second thread with the same ticket waits here for the
        # first one's transaction and then finds it used. (A refusal below rolls the claim back.)
        used = connection.execute(t.update().where(t.c.id == ticket, t.c.used_at.is_(None)).values(used_at=now))
        if used.rowcount != 1:
            raise VoteRefused("reused")
        v = store.votes
        in_the_last_hour = sa.select(sa.func.max(v.c.time), sa.func.count(v.c.id)).where(
            v.c.session == session, v.c.time > now - 3600
        )
        last, recent = connection.execute(in_the_last_hour).one()
        if last is not None and now - last < self.limits.min_interval_s:
            raise VoteRefused("too_fast")
        if recent >= self.limits.per_hour:
            raise VoteRefused("hourly_limit")
        return row

    def _refused(self, reason: str, now: float) -> None:
        with self.engine.begin() as connection:
            connection.execute(store.refusals.insert().values(time=now, reason=reason))

    def _session(self, session_id: str) -> str:
        if not session_id:
            raise NSTError("a vote needs the page session it comes from")
        return store.session_hash(self.engine, session_id)
