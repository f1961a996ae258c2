"""Vote (/vote): two outputs of one content and style, made by two losses with the same settings (or one of
them by the feed-forward baseline); the names hidden, the sides random. After the vote the page reveals
which made which (the baseline by its label, nst.baseline.LABEL)."""

from __future__ import annotations

import random

import streamlit as st

from nst.errors import NSTError
from nst.votes.ballot import Ballot, BallotBox, VoteRefused
from nst.votes.gallery import shown_name
from nst.votes.pool import pair_key
from views.shared import ASSETS, open_ballot_box, pool, session_id, thumbnail

BUTTONS = {"left": "Left is better", "right": "Right is better", "tie": "Can't tell"}
IMAGE_WIDTH = 440  # px: two side by side on a laptop, the buttons still in view
THUMB_WIDTH = 110  # px: the content and style images, shown small
FRESH_PAIR_AFTER = {"reused", "expired", "unknown"}  # refusals after which the shown pair is replaced


def main() -> None:
    st.title("Which do you prefer?")
    st.caption(
        "Two results for the same content and style, made by two different loss functions with the same "
        "settings, or one of them by a feed-forward network trained for style transfer. The names are hidden "
        "and the sides drawn at random; after your vote you see which made which. No name, no IP address and no "
        "image of yours is kept: only the vote and a salted hash of this browser session."
    )
    box = open_ballot_box()
    if box is None:
        return
    state = st.session_state
    try:
        ballot = state.get("ballot") or issue(box)
    except NSTError as error:
        st.error(str(error))
        return
    show(ballot, box)


def issue(box: BallotBox) -> Ballot:
    state = st.session_state
    seen = state.setdefault("seen_pairs", set())
    ballot = box.issue(session_id(), pool().draw(random.Random(), seen), random.SystemRandom())
    seen.add(pair_key(ballot.left, ballot.right))
    state.ballot, state.vote = ballot, None
    return ballot


def show(ballot: Ballot, box: BallotBox) -> None:
    state = st.session_state
    content, style = ballot.left.content, ballot.left.style
    with st.container(horizontal=True):  # the inputs, small; side by side on a phone too
        for role, name in (("content", content), ("style", style)):
            st.image(
                thumbnail(str(ASSETS / role / name)),
                caption=f"{role}: {name}",
                width=THUMB_WIDTH,
                alt=f"{role} image: {name}",
            )
    voted = state.get("vote")
    # Left and right stay left and right on a phone: the pair shares one row and shrinks with the screen.
    with st.container(horizontal=True, wrap=False, width=2 * IMAGE_WIDTH + 16, key="vote_pair"):
        for side, output in zip(("Left", "Right"), (ballot.left, ballot.right)):
            shown = f"made by {shown_name(output.loss)}" if voted else "which made it is hidden until you vote"
            with st.container(width="stretch", gap=None):
                st.image(output.image, width="stretch", alt=f"{side} result: {shown}")
                st.markdown(f"{side}: **{shown_name(output.loss)}**" if voted else side)
    buttons = st.columns(3)
    for column, (choice, label) in zip(buttons, BUTTONS.items()):
        column.button(
            label,
            key=f"vote_{choice}",
            disabled=bool(voted),
            width="stretch",
            type="primary" if voted == choice else "secondary",
            on_click=cast,
            args=(box, ballot, choice),
        )
    if message := state.pop("vote_refused", None):
        st.warning(message)
    if voted:
        reveal(ballot, voted)


def cast(box: BallotBox, ballot: Ballot, choice: str) -> None:
    state = st.session_state
    try:
        box.cast(session_id(), ballot.ticket, choice)
        state.vote = choice
    except VoteRefused as refusal:
        state.vote_refused = str(refusal)
        if refusal.reason in FRESH_PAIR_AFTER:
            state.ballot = None
    except NSTError as error:
        state.vote_refused = f"The vote could not be kept: {error}"


def reveal(ballot: Ballot, choice: str) -> None:
    left, right = shown_name(ballot.left.loss), shown_name(ballot.right.loss)
    if choice == "tie":
        said = f"You could not tell **{left}** (left) from **{right}** (right)."
    else:
        chosen, other = (left, right) if choice == "left" else (right, left)
        said = f"You preferred **{chosen}** to **{other}**."
    st.success(f"Thank you: your vote is kept. {said}")
    st.button(
        "Next pair", type="primary", key="next_pair", on_click=st.session_state.__setitem__, args=("ballot", None)
    )
    st.page_link("views/ratings.py", label="See the ratings so far", icon=":material/leaderboard:")


main()
