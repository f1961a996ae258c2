"""The page's views (Compare, Vote, Ratings), each a small Streamlit script over `nst`; app.py routes to them."""
