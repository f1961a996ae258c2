"""The Vote and Ratings views (views/vote.py, views/ratings.py), driven by Streamlit's AppTest: a real
SQLite file per test (NST_VOTES_DB)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nst.votes import gallery, store
from nst.votes.ballot import Ballot

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def votes_db(tmp_path, monkeypatch) -> str:
    monkeypatch.delenv("NST_DATABASE_URL", raising=False)
    monkeypatch.setenv("NST_VOTES_DB", str(tmp_path / "votes.sqlite3"))
    return store.default_url()


def open_view(view: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(view)  # straight to the view: Compare is not run first
    return at.run()


def test_a_vote_is_revealed_and_kept(votes_db):
    at = open_view("views/vote.py")
    assert not at.exception and not at.error
    assert [b.label for b in at.button][:3] == ["Left is better", "Right is better", "Can't tell"]
    ballot = at.session_state["ballot"]
    assert ballot.left.loss != ballot.right.loss and ballot.left.unit == ballot.right.unit
    assert not any(ballot.left.loss in m.value for m in at.markdown if m.value.startswith("Left"))  # hidden
    at.button(key="vote_right").click().run()
    assert f"Left: **{gallery.shown_name(ballot.left.loss)}**" in [m.value for m in at.markdown]
    assert any(f"You preferred **{gallery.shown_name(ballot.right.loss)}**" in s.value for s in at.success)
    assert at.button(key="vote_left").disabled
    [row] = store.all_votes(store.engine(votes_db))
    assert (row["choice"], row["ticket"]) == ("right", ballot.ticket)
    assert {row["loss_a"], row["loss_b"]} == {ballot.left.loss, ballot.right.loss}
    at.button(key="next_pair").click().run()
    assert at.session_state["ballot"].ticket != ballot.ticket and not at.button(key="vote_left").disabled


def test_a_forged_ticket_is_refused_politely_and_a_fresh_pair_shown(votes_db):
    at = open_view("views/vote.py")
    real = at.session_state["ballot"]
    at.session_state["ballot"] = Ballot("forged-ticket", real.left, real.right)
    at.run()
    at.button(key="vote_left").click().run()
    assert any("not shown to this page session" in w.value for w in at.warning)
    assert at.session_state["ballot"].ticket not in ("forged-ticket", real.ticket)
    engine = store.engine(votes_db)
    assert store.all_votes(engine) == [] and store.refusal_counts(engine) == {"unknown": 1}


def test_ratings_without_votes_say_so_and_with_votes_rank_the_losses(votes_db):
    at = open_view("views/ratings.py")
    assert not at.exception and any("No votes yet" in i.value for i in at.info)
    study = at.table[0].value  # the bundled study's answer, beside people's
    assert "style distance (lower)" in study.index and "mae / mse" in study.columns
    vote = open_view("views/vote.py")
    ballot = vote.session_state["ballot"]
    vote.button(key="vote_left").click().run()
    at.run()
    assert not at.exception
    assert "mae / mse" in at.table[3].value.columns  # the study stays beside people's ratings
    overall = at.table[0].value
    shown = [gallery.shown_name(o.loss) for o in (ballot.left, ballot.right)]  # the baseline by its label
    assert list(overall.index) == shown  # one vote: the left one ranks first
    assert list(overall["votes"]) == [1, 1]
    assert ballot.left.style in at.table[1].value.index
    assert "SSIM to content" in at.table[2].value.index


def test_a_database_that_cannot_be_opened_is_an_error_not_a_traceback(monkeypatch):
    monkeypatch.setenv("NST_DATABASE_URL", "mysql://nobody@localhost/votes")
    at = open_view("views/vote.py")
    assert not at.exception
    assert any("Votes cannot be kept right now" in e.value for e in at.error)


def test_a_database_url_in_streamlits_secrets_is_used(votes_db, tmp_path):
    secret_url = f"sqlite:///{tmp_path / 'from-secrets.sqlite3'}"
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["NST_DATABASE_URL"] = secret_url
    at.switch_page("views/vote.py").run()
    at.button(key="vote_tie").click().run()
    assert [row["choice"] for row in store.all_votes(store.engine(secret_url))] == ["tie"]
    assert store.all_votes(store.engine(votes_db)) == []


def test_the_baseline_is_hidden_before_the_vote_and_labelled_after_it_and_in_the_ratings(votes_db):
    """A pair of a loss's output and the feed-forward baseline's, issued to this page session."""
    import dataclasses
    import random

    from nst import baseline
    from nst.votes.ballot import BallotBox

    at = open_view("views/vote.py")
    drawn = at.session_state["ballot"]  # the gallery's own pair may hold its baseline: keep a loss of it
    loss = drawn.left if drawn.left.loss != baseline.NAME else drawn.right
    feedforward = dataclasses.replace(loss, loss=baseline.NAME, digest="d-feedforward")
    box = BallotBox(store.engine(votes_db))
    at.session_state["ballot"] = box.issue(at.session_state["voter_session"], (loss, feedforward), random.Random(1))
    at.run()
    ballot = at.session_state["ballot"]
    assert {ballot.left.loss, ballot.right.loss} == {loss.loss, baseline.NAME}
    before = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any(baseline.LABEL in text or baseline.NAME in text for text in before)  # blind
    at.button(key="vote_left" if ballot.left.loss == baseline.NAME else "vote_right").click().run()
    assert not at.exception and not at.warning
    side = "Left" if ballot.left.loss == baseline.NAME else "Right"
    assert f"{side}: **{baseline.LABEL}**" in [m.value for m in at.markdown]
    assert any(f"You preferred **{baseline.LABEL}** to **{loss.loss}**" in s.value for s in at.success)
    ratings = open_view("views/ratings.py")
    assert not ratings.exception
    assert list(ratings.table[0].value.index) == [baseline.LABEL, loss.loss]
    assert baseline.LABEL in ratings.table[1].value.columns  # per style, by its label too
