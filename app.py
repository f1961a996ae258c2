"""The Streamlit page (`streamlit run app.py`): three views over `nst`, each a small script in views/.

- Compare (/): pick two images, compare losses side by side; the bundled study's result shows at once.
- Vote (/vote): two losses' outputs, names hidden, sides random; which do you prefer?
- Ratings (/ratings): the losses ranked by people's votes, with 95% intervals, beside the yardsticks.
- Video (/video): a short clip styled frame by frame without flicker, each loss with and without the temporal
  term, and how steady each is."""

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="nst: losses for style transfer", page_icon="🎨", layout="wide")
st.html(Path(__file__).parent / "views" / "page.css")  # compact pickers; a smaller title on a phone
pages = [
    st.Page("views/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("views/vote.py", title="Vote", icon=":material/how_to_vote:", url_path="vote"),
    st.Page("views/ratings.py", title="Ratings", icon=":material/leaderboard:", url_path="ratings"),
    st.Page("views/video.py", title="Video", icon=":material/movie:", url_path="video"),
]
st.navigation(pages, position="top").run()
