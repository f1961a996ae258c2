"""The Video view (views/video.py), driven by Streamlit's AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nst.video.settings import VIDEO_STYLE_WEIGHT

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_view() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.switch_page("views/video.py")  # straight to the view: Compare is not run first
    return at.run()


def test_the_video_view_offers_the_sample_clip_and_computes_nothing_until_asked():
    at = open_view()
    assert not at.exception and not at.error
    assert at.multiselect(key="video_losses").value == ["mse", "mae"]
    assert at.number_input(key="video_style_weight").value == VIDEO_STYLE_WEIGHT  # a video's own (docs/video.md)
    assert not at.button(key="video_run").disabled and at.button(key="video_stop").disabled
    assert "video_job" not in at.session_state


@pytest.mark.slow  # a page run: 2 frames x 5 tracks
def test_a_tiny_clip_run_shows_the_video_the_steadiness_table_and_the_sheet():
    at = open_view()
    at.slider(key="video_frames").set_value(2)
    at.slider(key="video_size").set_value(64)
    at.number_input(key="video_iterations").set_value(2)
    at.selectbox(key="video_weights").set_value("vgg16-hed")
    at.number_input(key="video_style_weight").set_value(5.0)
    at.button(key="video_run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["video_job"].settings.style_weight == 5.0
    table = at.table[0].value
    assert list(table.index) == [
        "feedforward",
        "mse, temporal 0",
        "mse, temporal 200",
        "mae, temporal 0",
        "mae, temporal 200",
    ]
    assert "warping error" in table.columns and (table["warping error"] >= 0).all()
    assert [button.label for button in at.download_button] == ["video.mp4", "sheet.png"]
    assert at.session_state["video_result"]["video"][4:8] == b"ftyp"  # an MP4
