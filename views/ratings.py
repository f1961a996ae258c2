"""Ratings (/ratings): the losses (and the feed-forward baseline, by its label) ranked by people's votes
(Bradley-Terry, 95% bootstrap intervals over page sessions), a breakdown per style image, how well each
yardstick agrees with people, and the bundled study beside it."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nst.votes import ratings, store
from nst.votes.gallery import GALLERY, shown_name, study_facts, study_section, study_table
from views.shared import open_ballot_box, votes_url


@st.cache_data(ttl=300, show_spinner="Fitting the ratings...")
def fitted(url: str, stamp: tuple[int, int]) -> tuple[int, list, dict, list]:
    """(sessions, ratings, per style, agreement) of the votes so far: computed once per `stamp` (a new
    vote changes it), not on every page load."""
    votes = store.all_votes(store.engine(url))
    sessions = len({vote["session"] for vote in votes})
    return sessions, ratings.ratings(votes), ratings.by_style(votes), ratings.agreement(votes)


def main() -> None:
    st.title("Which loss do people prefer?")
    box = open_ballot_box()
    if box is None:
        return
    people, study = st.columns([3, 2], gap="large")
    with people:
        people_view(store.stamp(box.engine))
    with study:
        study_view()


def people_view(stamp: tuple[int, int]) -> None:
    if not stamp[0]:
        st.info("No votes yet.")
        st.page_link("views/vote.py", label="Cast the first vote", icon=":material/how_to_vote:")
        return
    sessions, overall, per_style, agreement = fitted(votes_url(), stamp)
    st.caption(
        f'{stamp[0]} vote(s) from {sessions} page session(s). Bradley-Terry strengths; "Can\'t tell" counts as '
        "half a win for each side; 95% intervals by bootstrap over page sessions, all of a session's votes "
        f"together ({ratings.RESAMPLES:,} resamples, seeded; none with a single session). *Preferred*: the "
        "estimated chance that people prefer this loss's output to a typical loss's."
    )
    st.altair_chart(preference_chart(overall), width="stretch")
    st.table(pd.DataFrame(ratings.rating_rows(overall)).set_index(ratings.RATED))
    st.subheader("Per style image")
    st.table(style_table(per_style))
    st.subheader("Do the yardsticks agree with people?")
    st.caption(
        "Kendall's tau between people's preference on each voted pair (votes for one output less votes for the "
        "other, as a share) and the yardstick's (its difference, signed so that positive means better), each "
        "pair taken both ways round so that which output comes first does not matter: +1 always agrees, "
        "-1 always disagrees, 0 unrelated. *p*: two-sided, by flipping pairs' preferences at random "
        f"({ratings.DRAWS:,} flips, seeded; every flip with fewer than 14 pairs)."
    )
    st.table(pd.DataFrame(ratings.agreement_rows(agreement)).set_index("yardstick"))


def study_view() -> None:
    """The bundled study's answer from the yardsticks, beside people's."""
    st.subheader("What the yardsticks said")
    rows, facts = study_table(GALLERY), study_facts(GALLERY)
    if not rows or facts is None:
        st.info("No study is bundled.")
        return
    st.caption(
        f"The bundled study (docs/study: {facts.units} image pairs, {facts.size} px, {facts.iterations} iterations, "
        f"{facts.weights} weights), each loss against {facts.baseline} at the same style weight: the mean ratio (or "
        "difference) of its yardstick from a model with photo and painting as random effects; * significant "
        "(that model's p, Holm-corrected). The same weight is not the same trade-off between style and content: "
        "the primary question compares losses at matched content distance."
    )
    st.table(pd.DataFrame(rows).set_index("yardstick"))
    with st.expander("The primary question, answered at matched content distance"):
        st.markdown(study_section("The primary question", GALLERY))
    with st.expander("Every loss against the first, in words"):
        st.markdown(study_section("Conclusions", GALLERY))


def preference_chart(rows: list[ratings.Rating]) -> alt.Chart:
    frame = pd.DataFrame(
        [{"loss": shown_name(r.loss), "preferred": r.preferred, "low": r.low, "high": r.high} for r in rows]
    )
    order = list(frame["loss"])
    base = alt.Chart(frame).encode(y=alt.Y("loss:N", sort=order, title=None))
    axis = alt.X(
        "preferred:Q", title="preferred to a typical loss", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
    )
    interval = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", scale=alt.Scale(domain=[0, 1])), x2="high:Q")
    point = base.mark_point(filled=True, size=90).encode(
        x=axis,
        tooltip=[
            "loss",
            alt.Tooltip("preferred:Q", format=".0%"),
            alt.Tooltip("low:Q", format=".0%"),
            alt.Tooltip("high:Q", format=".0%"),
        ],
    )
    rule = alt.Chart(pd.DataFrame({"x": [0.5]})).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q")
    return (rule + interval + point).properties(height=36 * len(rows) + 60)


def style_table(per_style: dict[str, list[ratings.Rating]]) -> pd.DataFrame:
    """Styles x losses: the share preferred (votes in brackets)."""
    cells = {
        style: {shown_name(r.loss): f"{r.preferred:.0%} ({r.votes})" for r in rows} for style, rows in per_style.items()
    }
    return pd.DataFrame(cells).T.fillna("")


main()
