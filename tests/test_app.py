"""The real page script, driven by Streamlit's AppTest (no browser)."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nst import limits
from nst.votes.gallery import read_unit

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ASSETS = Path(APP).parent / "assets"
STUDY = Path(APP).parent / "docs" / "study"


def captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))  # AppTest has no typed accessor for Altair charts


@pytest.fixture
def page() -> AppTest:
    from views.shared import engine

    engine().wait(120)  # TensorFlow and the model, loaded in the background: the estimate needs them
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    return at


def tiny(at: AppTest) -> AppTest:
    at.number_input(key="iterations").set_value(4)
    at.slider(key="size").set_value(64)
    at.selectbox(key="weights").set_value("vgg16-hed")
    return at


def test_first_load_shows_the_bundled_studys_comparison_of_the_selected_samples(page):
    assert [h.value for h in page.header][0] == "Results (precomputed)"
    made_with = json.loads((STUDY / "chelsea__starry_night" / "config.json").read_text())["weights"]["name"]
    assert any("From the bundled study" in i.value and made_with in i.value for i in page.info)
    shown = captions(page)
    unit = read_unit(STUDY / "chelsea__starry_night")
    steps = {loss: len(points) - 1 for loss, points in unit.history.items()}  # each run's own iterations
    assert {f"{loss} ({steps[loss]} it.)" for loss in ("mse", "huber")} <= set(shown)
    losses = json.loads((STUDY / "chelsea__starry_night" / "config.json").read_text())["losses"]
    assert list(page.table[0].value.index)[: len(losses)] == losses
    assert "result" not in page.session_state or page.session_state["result"] is None  # nothing was computed
    page.button(key="style_sample_the_scream").click().run()  # another sample pair: its own precomputed result
    assert any("the_scream.jpg" in c for c in captions(page)) and page.table[0].value.shape[0] >= len(losses)


def test_default_page_renders_with_both_sample_images(page):
    assert not page.exception and not page.error
    assert page.multiselect(key="losses").value == ["mse", "mae"]
    shown = captions(page)
    assert any(c.startswith("content: chelsea.png") for c in shown)
    assert any(c.startswith("style: starry_night.jpg") for c in shown)
    assert not page.button(key="run").disabled and page.button(key="stop").disabled


def test_a_tiny_comparison_shows_outputs_chart_table_and_downloads(page):
    tiny(page)
    page.button(key="content_sample_coffee").click().run()
    page.button(key="style_sample_the_scream").click().run()
    page.button(key="run").click().run()
    assert not page.exception and not page.error
    shown = captions(page)
    assert "mse (4 it.)" in shown and "mae (4 it.)" in shown
    assert any(c.startswith("content: coffee.png") for c in shown)
    assert charts(page)
    table = page.table[0].value
    assert list(table.index) == ["mse", "mae", "feed-forward (Magenta)"] and "style distance" in table.columns
    assert "style embedding" in table.columns
    assert any(c.startswith("feed-forward (Magenta), ") and c.endswith(" s") for c in shown)  # beside the losses
    labels = [button.label for button in page.download_button]
    assert labels == ["mse.png", "mae.png", "feedforward.png", "comparison.png", "everything (.zip)"]
    assert page.session_state["result"].weights.name == "vgg16-hed"
    files = page.session_state["files"]
    assert set(files) >= {"history.csv", "metrics.json", "config.json"}
    # The page records input names only: nothing named by a user is ever opened to be hashed.
    assert json.loads(files["config.json"])["inputs"]["content"] == {"name": "coffee.png"}
    # Made from bundled samples: its two outputs and the feed-forward baseline's joined the pairs to vote on,
    # under its own settings
    from views.shared import pool

    made = [pair for pair in pool().pairs() if pair[0].settings["size"] == 64 and pair[0].content == "coffee.png"]
    assert [(a.loss, b.loss, a.style) for a, b in made] == [
        ("feedforward", "mae", "the_scream.jpg"),
        ("feedforward", "mse", "the_scream.jpg"),
        ("mae", "mse", "the_scream.jpg"),
    ]


def test_the_feed_forward_result_shows_as_soon_as_both_images_are_chosen_and_is_made_once(page, monkeypatch):
    from nst import feedforward

    shown = [c for c in captions(page) if c.startswith("feed-forward network (Magenta), ")]
    assert len(shown) == 1 and shown[0].endswith(" s") and not page.exception
    calls = []
    real = feedforward.stylize
    monkeypatch.setattr(feedforward, "stylize", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    page.run()  # a rerun with the same images: from the session's cache
    assert calls == [] and any(c.startswith("feed-forward network (Magenta)") for c in captions(page))
    page.slider(key="baseline_strength").set_value(0.5).run()  # another strength: made anew
    assert calls == [1]
    page.selectbox(key="baseline").set_value("none").run()
    assert not any(c.startswith("feed-forward network") for c in captions(page)) and calls == [1]


def test_a_missing_feed_forward_model_is_a_caption_and_never_blocks_the_page(monkeypatch):
    from nst import feedforward
    from nst.errors import FeedForwardError
    from views.shared import engine

    def missing(*args, **kwargs):
        raise FeedForwardError("the feed-forward model needs the package nowhere, which is not installed")

    monkeypatch.setattr(feedforward, "stylize", missing)
    engine().wait(120)
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception and not at.error
    assert any("feed-forward baseline is left out" in c.value and "nowhere" in c.value for c in at.caption)
    assert not at.button(key="run").disabled


def test_outputs_of_an_uploaded_image_never_join_the_vote_pool(page):
    from views.shared import pool

    before = len(pool())
    tiny(page).file_uploader(key="content_upload").upload(
        "mine.png", (ASSETS / "content" / "coffee.png").read_bytes(), "image/png"
    )
    page.run()
    page.button(key="run").click().run()
    assert not page.exception and page.session_state["result"] is not None
    assert len(pool()) == before


def test_view_options_do_not_recompute(page):
    tiny(page)
    page.multiselect(key="losses").set_value(["huber"])
    page.button(key="run").click().run()
    result = page.session_state["result"]
    # The run used the values set in the same interaction as the click, not the previous ones.
    assert (result.settings.iterations, result.settings.size, list(result.runs)) == (4, 64, ["huber"])
    page.toggle(key="curve_log").set_value(False).run()
    page.get("button_group")[0].set_value("style").run()
    assert page.session_state["result"] is result and not page.exception
    assert charts(page)


def test_a_bad_upload_shows_an_error_and_the_page_keeps_working(page):
    page.file_uploader(key="style_upload").upload("painting.png", b"<html>not an image</html>", "image/png")
    page.run()
    assert not page.exception
    assert any("painting.png is not an image" in e.value for e in page.error)
    assert page.button(key="run").disabled  # no style image: nothing to run
    assert any(c.startswith("content: chelsea.png") for c in captions(page))  # the other image stays


def test_no_loss_chosen_is_explained(page):
    page.multiselect(key="losses").set_value([]).run()
    assert any("at least one loss" in w.value for w in page.warning)
    assert page.button(key="run").disabled


def test_the_session_cannot_make_the_page_read_another_file(page):
    page.session_state["content_choice"] = "../../../../etc/passwd"
    page.run()
    assert not page.exception and not page.error
    assert any(c.startswith("content: chelsea.png") for c in captions(page))


def test_the_estimate_and_the_limits_are_shown(page):
    assert any("Estimated: about" in c.value for c in page.caption)
    assert any("working size" in m.value for m in page.markdown)


def test_streamlit_keeps_xsrf_protection_and_the_upload_limit():
    import tomllib

    from nst import limits

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_a_typed_loss_is_accepted_and_a_mistyped_one_explained_before_running(page):
    """The picker takes any name by its grammar (robust:alpha=0.5); a bad one is one error, not a run."""
    picker = page.multiselect(key="losses")
    assert any(option.startswith("mean_std · ") for option in picker.options)  # described in the list
    picker.set_value(["mse", "robust:alpha=0.5"]).run()
    assert not page.exception and not page.error
    assert any(c.value.startswith("Estimated:") for c in page.caption)
    page.multiselect(key="losses").set_value(["mse", "robust:alpha=7"]).run()
    assert not page.exception
    assert any("alpha='7' is not allowed" in e.value for e in page.error)


def linked(query: dict) -> AppTest:
    """The page opened from a shared link with `query` (values: a string, or a list for a repeated name)."""
    from views.shared import engine

    engine().wait(120)
    at = AppTest.from_file(APP, default_timeout=240)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def test_a_shared_link_sets_samples_losses_and_settings():
    link = {"content": "coffee.png", "style": "the_scream.jpg", "loss": ["hellinger", "robust:alpha=0.50"]}
    at = linked(
        link
        | {
            "size": "128",
            "iterations": "7",
            "content_weight": "2",
            "colors": "content",
            "preset": "seed",
            "style_layers": ["block1_conv1", "block3_conv1"],
        }
    )
    assert not at.exception and not at.warning
    assert at.multiselect(key="losses").value == ["hellinger", "robust:alpha=0.5"]  # made canonical
    assert (at.slider(key="size").value, at.number_input(key="iterations").value) == (128, 7)
    assert at.number_input(key="content_weight").value == 2.0 and at.selectbox(key="colors").value == "content"
    assert at.multiselect(key="style_layers_seed").value == ["block1_conv1", "block3_conv1"]  # the preset's lists
    shown = captions(at)
    assert any(c.startswith("content: coffee.png") for c in shown)
    assert any(c.startswith("style: the_scream.jpg") for c in shown)
    assert any(i.value.startswith("From the bundled study") for i in at.info)  # the gallery's result at once


def test_the_url_follows_the_choices_and_leaves_defaults_out(page):
    assert dict(page.query_params) == {}
    page.slider(key="size").set_value(128).run()
    page.button(key="style_sample_the_scream").click().run()
    page.multiselect(key="losses").set_value(["mse", "huber"]).run()
    assert page.query_params["size"] in ("128", ["128"]) and "the_scream.jpg" in page.query_params["style"]
    assert page.query_params["loss"] == ["mse", "huber"]
    code = page.get("code")[0].value
    assert "size=128" in code and "style=the_scream.jpg" in code and "loss=mse&loss=huber" in code
    page.slider(key="size").set_value(256).run()  # back to the default: out of the link
    assert "size" not in page.query_params


def test_a_bad_link_value_is_reset_with_one_notice():
    at = linked(
        {
            "size": "5000",
            "schedule": "many",
            "loss": ["mse", "nope"],
            "content": "../x.png",
            "seed": "3",
            "iterations": "1",
            "weights": "vgg16-hed",
            "content_layers": "block9_conv1",
        }
    )
    assert not at.exception
    [warning] = at.warning
    for part in (
        "size=5000",
        f"allowed: 64 to {limits.PAGE_MAX_SIZE}",
        "schedule=many",
        "loss=mse&nope",
        "content=../x.png",
        "content_layers=block9_conv1",
    ):
        assert part in warning.value
    assert at.slider(key="size").value == 256 and at.multiselect(key="losses").value == ["mse", "mae"]
    assert at.number_input(key="seed").value == 3  # the good values are kept
    at.slider(key="size").set_value(64)  # the smallest size: the comparison below only has to start
    at.button(key="run").click().run()  # the notice has been read once a comparison starts
    assert not any("This link" in w.value for w in at.warning) and not at.exception


def test_a_backbone_without_weights_here_is_explained_before_running(monkeypatch, tmp_path):
    """Offline (no Keras cache, no download), resnet50's weights cannot be had: the sidebar says what to do
    in one error; vgg16's offline weights are not offered for it; a link can choose backbone and layers."""
    from nst.backbone import weights

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(weights, "_download_answers", lambda url: False)
    at = linked(
        {
            "backbone": "resnet50",
            "weights": "vgg16-hed",
            "smoothing": "softmax",
            "preset": "shallow",
            "style_layers": ["conv1_relu", "conv2_block1_out"],
        }
    )
    assert not at.exception
    assert at.selectbox(key="backbone").value == "resnet50" and at.selectbox(key="smoothing").value == "softmax"
    assert at.selectbox(key="weights").value == "auto" and "vgg16-hed" not in at.selectbox(key="weights").options
    assert at.selectbox(key="preset").options == ["gatys", "shallow"]
    assert at.multiselect(key="style_layers_resnet50_shallow").value == ["conv1_relu", "conv2_block1_out"]
    [error] = [e.value for e in at.error if "ImageNet weights for resnet50" in e.value]
    assert "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" in error and "vgg16 runs" in error
    assert at.button(key="run").disabled  # nothing to run it with
    at.selectbox(key="backbone").set_value("vgg16").run()  # back to VGG16: its offline weights, no error
    assert not at.error and not at.button(key="run").disabled
    assert at.selectbox(key="preset").value == "gatys"  # vgg16 has no shallow preset


@pytest.mark.slow  # a page run with two styles; tests/test_styles.py checks the engine fast
def test_two_styles_with_regions_palette_and_stroke_size_run_from_a_link():
    at = linked(
        {
            "size": "64",
            "iterations": "3",
            "weights": "vgg16-hed",
            "loss": "mse",
            "styles": "2",
            "style2": "the_scream.jpg",
            "blend1": "0.7",
            "blend2": "0.3",
            "region1": "left half",
            "region2": "right half",
            "colors": "palette",
            "style_scale": "2",
        }
    )
    assert not at.exception and not at.warning and not at.error
    assert at.selectbox(key="colors").value == "palette" and at.slider(key="style_scale").value == 2.0
    assert at.selectbox(key="region_2").value == "right half" and at.number_input(key="blend_1").value == 0.7
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["result"]
    assert len(result.style_images) == 2 and result.settings.style_blend == (0.7, 0.3)
    assert sum(result.style_weights) == pytest.approx(1.0) and result.style_weights[0] > result.style_weights[1]
    assert max(result.style_images[0].shape[:2]) == 64  # judged at the working size (the network saw 128 px)
    assert {"style 1 (0.70)", "style 2 (0.30)"} <= set(captions(at)) and "mse (3 it.)" in captions(at)
    assert len(result.runs["mse"].metrics_by_style) == 2
    assert json.loads(at.session_state["files"]["config.json"])["inputs"]["style 2"] == {"name": "the_scream.jpg"}
    assert not at.session_state["samples_only"]  # several styles: not a pair to vote on


def test_a_missing_mask_upload_is_explained_and_run_waits():
    at = linked({"styles": "2", "region1": "upload a mask"})
    assert not at.exception
    assert any("Upload mask 1" in i.value for i in at.info) and at.button(key="run").disabled


def test_a_tiled_output_is_shown_small_and_downloaded_full_size(page, monkeypatch):
    """A large output: the page shows it at most limits.PAGE_PREVIEW_SIDE px (here 64, so that a 96 px run
    stands for a 4096 px one), its download keeps the full size."""
    import io

    from PIL import Image

    import views.results
    from nst import limits
    from views.settings_panel import layer_key

    monkeypatch.setattr(limits, "PAGE_PREVIEW_SIDE", 64)
    shown, on_screen = [], views.results.on_screen
    monkeypatch.setattr(
        views.results, "on_screen", lambda image: shown.append(on_screen(image).shape) or on_screen(image)
    )
    tiny(page)
    page.slider(key="size").set_value(96)
    page.selectbox(key="schedule").set_value("tiled")
    page.number_input(key="tile").set_value(64)
    page.multiselect(key=layer_key("content", "vgg16", "gatys")).set_value(["block2_conv2"])
    page.multiselect(key=layer_key("style", "vgg16", "gatys")).set_value(["block1_conv1", "block2_conv1"])
    page.run()
    page.button(key="run").click().run()
    assert not page.exception and not page.error
    assert page.session_state["result"].settings.schedule == "tiled"
    assert shown and max(max(shape[:2]) for shape in shown) == 64  # every image shown at most 64 px
    downloaded = Image.open(io.BytesIO(page.session_state["files"]["mse.png"]))
    assert max(downloaded.size) == 96
    assert max(page.session_state["result"].runs["mse"].image.shape[:2]) == 96
