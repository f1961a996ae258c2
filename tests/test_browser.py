"""The page in a real browser: `streamlit run app.py` on a free port, driven in headless Chromium.

Needs Debian's chromium (.ci/run installs it). Saves screenshots to test-artifacts/."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if os.environ.get("CI") and not Path(CHROMIUM).exists():
    raise RuntimeError("CI must install Debian's chromium for the browser test (.ci/run does)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not here (.ci/run installs it)"),
]

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, log_name: str):
    """`streamlit run app.py` on a free port, started now; yields (url, pid) once it answers its health check."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / log_name, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            process.kill()
            pytest.fail(f"streamlit did not start within 90 s; see test-artifacts/{log_name}")
        try:
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    votes = tmp_path_factory.mktemp("votes") / "votes.sqlite3"  # the page's own votes database, for this test
    with serve({"NST_CONCURRENT_RUNS": "1", "NST_VOTES_DB": str(votes)}, "streamlit.log") as (url, pid):
        yield url, pid, f"sqlite:///{votes}"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def set_tiny_settings(page, iterations: int) -> None:
    page.get_by_role("slider").first.focus()
    page.keyboard.press("Home")  # the working size slider's minimum, 64 px
    box = page.get_by_role("spinbutton", name="Iterations")
    box.fill(str(iterations))
    box.press("Enter")
    page.get_by_text("Backbone weights", exact=True).wait_for()
    page.locator("[data-testid='stSelectbox']", has_text="Backbone weights").click()
    page.get_by_role("option", name="vgg16-hed").click()
    page.wait_for_timeout(1000)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def start_run(browser, url: str, iterations: int):
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(url)
    page.get_by_role("button", name="Run comparison").wait_for(timeout=60_000)
    set_tiny_settings(page, iterations=iterations)
    page.get_by_role("button", name="Run comparison").click()
    return page


def stop(page) -> None:
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped early").wait_for(timeout=60_000)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_a_tiny_comparison_runs_to_results_in_chromium(server, browser):
    page = start_run(browser, server[0], iterations=3)
    page.get_by_role("heading", name="Results", exact=True).wait_for(timeout=180_000)
    page.get_by_text("mse (3 it.)").wait_for()
    page.get_by_text("mae (3 it.)").wait_for()
    page.get_by_role("button", name="everything (.zip)").wait_for()
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 1
    assert page.locator("[data-testid='stTable']").count() == 1
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-results.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="everything (.zip)").click()
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert {"mse.png", "mae.png", "comparison.png", "history.csv", "metrics.json", "config.json"} <= set(
            archive.namelist()
        )
        assert json.loads(archive.read("config.json"))["settings"]["iterations"] == 3
    with page.expect_download() as download:
        page.get_by_role("button", name="mse.png").click()
    download.value.save_as(ARTIFACTS / "mse.png")
    assert Image.open(ARTIFACTS / "mse.png").size[0] == 64
    page.close()


def test_stop_ends_the_run_and_keeps_what_was_made(server, browser):
    page = start_run(browser, server[0], iterations=2000)
    page.get_by_text("iteration 5", exact=False).first.wait_for(timeout=120_000)  # a live preview
    stop(page)
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    assert page.get_by_role("button", name="Run comparison").is_enabled()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-stopped.png"), full_page=True)
    page.close()


def test_a_second_session_waits_in_line_and_runs_when_the_first_stops(server, browser):
    first = start_run(browser, server[0], iterations=2000)
    first.get_by_text("iteration 5", exact=False).first.wait_for(timeout=120_000)
    second = start_run(browser, server[0], iterations=3)
    second.get_by_text("place 1 in line", exact=False).wait_for(timeout=60_000)
    stop(first)
    second.get_by_role("heading", name="Results", exact=True).wait_for(timeout=180_000)
    second.get_by_text("mse (3 it.)").wait_for()
    second.get_by_role("button", name="everything (.zip)").wait_for()
    assert_no_exception(first)
    assert_no_exception(second)
    second.screenshot(path=str(ARTIFACTS / "page-queued-then-ran.png"), full_page=True)
    first.close()
    second.close()


def test_closing_the_tab_ends_the_work(server, browser):
    page = start_run(browser, server[0], iterations=2000)
    page.get_by_text("iteration 5", exact=False).first.wait_for(timeout=120_000)
    busy = cpu_seconds(server[1])
    time.sleep(2)
    assert cpu_seconds(server[1]) - busy > 1.0  # computing: over half of the 2 seconds
    page.close()
    time.sleep(3)  # the server notices the closed socket and stops the script at its next iteration
    idle = cpu_seconds(server[1])
    time.sleep(3)
    assert cpu_seconds(server[1]) - idle < 0.5
    after = start_run(browser, server[0], iterations=3)  # the closed tab gave its run slot back
    after.get_by_role("heading", name="Results", exact=True).wait_for(timeout=120_000)
    after.close()


def test_a_vote_in_chromium_is_revealed_and_found_in_the_database(server, browser):
    from nst.votes import gallery, store

    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(server[0] + "/vote")
    page.get_by_role("button", name="Left is better").click(timeout=60_000)
    page.get_by_text("Thank you: your vote is kept").wait_for(timeout=30_000)
    revealed = page.get_by_text("Left:", exact=False).first.inner_text()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-vote.png"), full_page=True)
    [row] = store.all_votes(store.engine(server[2]))
    shown_left = gallery.shown_name(row["loss_a"] if row["left"] == "a" else row["loss_b"])  # the baseline by its label
    assert row["choice"] == "left" and revealed == f"Left: {shown_left}"
    page.goto(server[0] + "/ratings")
    page.get_by_text("1 vote(s) from 1 page session(s)", exact=False).wait_for(timeout=60_000)
    page.locator("[data-testid='stTable']").nth(3).wait_for(timeout=30_000)  # the study; overall, per style, agreement
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-ratings.png"), full_page=True)
    page.close()


PHONE = {"width": 390, "height": 844}  # a phone's viewport (CSS px)
TINY_LINK = "?size=64&iterations=3&weights=vgg16-hed"  # a shared link's settings: a run of a few seconds


def phone(browser):
    return browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)


def top_in_page(page, locator) -> float:
    """An element's top from the top of the page (the main area scrolls, not the window)."""
    box = locator.bounding_box()
    return box["y"] + page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")


def test_on_a_phone_the_pickers_are_compact_and_run_is_within_two_screens(server, browser):
    page = phone(browser)
    page.goto(server[0])
    run = page.get_by_role("button", name="Run comparison")
    run.wait_for(timeout=60_000)
    page.get_by_text("style: starry_night.jpg", exact=False).wait_for()
    assert top_in_page(page, run) <= 1700
    tops = {
        round(page.get_by_role("img", name=f"content sample: {name}").bounding_box()["y"])
        for name in ("astronaut.png", "chelsea.png", "coffee.png", "grace_hopper.jpg")
    }
    assert len(tops) == 1  # four thumbnails in one row
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "phone-before-run.png"), full_page=True)
    page.close()


def test_a_run_to_results_on_a_phone(server, browser):
    page = phone(browser)
    page.goto(server[0] + TINY_LINK)
    page.get_by_role("button", name="Run comparison").click(timeout=60_000)
    page.get_by_role("heading", name="Results", exact=True).wait_for(timeout=180_000)
    for label in ("content", "style", "mse (3 it.)", "mae (3 it.)"):  # each output with its label
        page.get_by_text(label, exact=True).first.wait_for(timeout=30_000)
    outputs = [page.get_by_role("img", name=f"{loss} (3 it.)", exact=False).bounding_box() for loss in ("mse", "mae")]
    assert outputs[0]["y"] + outputs[0]["height"] <= outputs[1]["y"]  # stacked, each with its label
    table = page.locator("[data-testid='stTable']")
    sideways = table.evaluate("t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]")
    assert sideways[2] <= PHONE["width"]  # the table stays on the screen and scrolls sideways within it
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "phone-after-run.png"), full_page=True)
    page.close()


def test_a_shared_link_reproduces_a_selection(server, browser):
    link = "?content=coffee.png&style=the_scream.jpg&loss=hellinger&loss=mean_std&size=128&seed=7&colors=content"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server[0] + link)
    page.get_by_text("content: coffee.png", exact=False).wait_for(timeout=60_000)
    page.get_by_text("style: the_scream.jpg", exact=False).wait_for()
    losses = page.locator("[data-testid='stMultiSelect']", has_text="Losses to compare")
    assert "hellinger" in losses.inner_text() and "mean_std" in losses.inner_text()
    assert "mse" not in losses.inner_text().replace("mean_std · means and spreads, by mse", "")
    assert page.get_by_test_id("stSliderThumbValue").first.inner_text() == "128"
    assert page.get_by_role("spinbutton", name="Seed").input_value() == "7"
    page.get_by_role(
        "button", name="great", exact=True
    ).click()  # a change goes into the URL, and into the offered link
    page.wait_for_function("() => location.search.includes('style=great_wave_hokusai.jpg')")
    page.get_by_role("button", name="Share this comparison").click()
    offered = page.locator("[data-testid='stCode']").inner_text()
    assert "style=great_wave_hokusai.jpg" in offered and "loss=hellinger&loss=mean_std" in offered
    again = browser.new_page(viewport={"width": 1400, "height": 900})
    again.goto(page.url)  # the link, opened by someone else
    again.get_by_text("style: great_wave_hokusai.jpg", exact=False).wait_for(timeout=60_000)
    again.get_by_text("content: coffee.png", exact=False).wait_for()
    assert again.get_by_role("spinbutton", name="Seed").input_value() == "7"
    assert_no_exception(page)
    assert_no_exception(again)
    page.close()
    again.close()


def test_a_bad_link_value_is_reset_with_one_notice(server, browser):
    page = phone(browser)
    page.goto(server[0] + "?size=5000&loss=nope&loss=mse&style=../../etc/passwd")
    notice = page.get_by_text("This link had values the page cannot use", exact=False)
    notice.wait_for(timeout=60_000)
    for part in ("size=5000", "loss=nope", "style=../../etc/passwd"):
        assert part in notice.inner_text()
    assert page.locator("[data-testid='stAlertContentWarning']").count() == 1
    page.get_by_text("style: starry_night.jpg", exact=False).wait_for()  # the default sample instead
    assert_no_exception(page)
    page.close()


def test_every_control_up_to_run_is_reached_with_the_keyboard(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server[0])
    page.get_by_role("button", name="Run comparison").wait_for(timeout=60_000)
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText") == "Run comparison":
            break
    else:
        pytest.fail("Run comparison was not reached with Tab")
    thumbnail_fullscreen = page.get_by_role("button", name="Fullscreen: content sample: chelsea.png")
    assert thumbnail_fullscreen.count() == 0  # no Tab stop per thumbnail
    page.keyboard.press("Enter")  # and it works from the keyboard
    page.get_by_role("button", name="Stop").wait_for()
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click(timeout=60_000)
    page.close()


def test_the_first_visit_to_a_fresh_server_shows_the_title_at_once(browser, tmp_path):
    """The page paints before TensorFlow and the model load (in the background): measured and reported in
    test-artifacts/first-visit.json; asserted loosely (the target on the project's 2-core machine is 3 s)."""
    with serve({"NST_VOTES_DB": str(tmp_path / "votes.sqlite3")}, "streamlit-fresh.log") as (url, _):
        page = phone(browser)
        started = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name="How does the loss function change", exact=False).wait_for(timeout=60_000)
        seconds = {"title": time.perf_counter() - started}
        page.get_by_text("Loading TensorFlow and the model in the background", exact=False).wait_for()
        page.get_by_role("button", name="Run comparison").wait_for(timeout=60_000)
        seconds["run_button"] = time.perf_counter() - started
        page.get_by_text("Estimated: about", exact=False).wait_for(timeout=120_000)  # the model is in
        seconds["model_loaded"] = time.perf_counter() - started
        assert_no_exception(page)
        page.close()
    (ARTIFACTS / "first-visit.json").write_text(json.dumps({k: round(v, 2) for k, v in seconds.items()}))
    assert seconds["title"] < 10


def test_the_feed_forward_result_follows_a_new_style_within_two_seconds(server, browser):
    """On a warm server (the default pair's baseline shown once), choosing another painting shows its feed-forward
    result within 2 s: the issue's bound, measured from the click to the new image in the page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(server[0])
    output = page.get_by_role("img", name="feed-forward output", exact=False)
    output.wait_for(timeout=120_000)  # the first one loads the model
    before = output.get_attribute("src")
    page.get_by_role("button", name="scream", exact=True).click()
    start = time.perf_counter()
    page.wait_for_function(
        "before => [...document.querySelectorAll('img')].some(i => i.alt.includes('feed-forward output') && i.src && "
        "i.src !== before)",
        arg=before,
        timeout=30_000,
    )
    seconds = time.perf_counter() - start
    (ARTIFACTS / "feed-forward-timing.json").write_text(json.dumps({"click_to_new_feed_forward_s": seconds}))
    assert_no_exception(page)
    page.close()
    assert seconds < 2.0


def square_clip(path: Path, frames: int = 4) -> Path:
    """A few frames of a square moving right over a static background, 64 px, written as the page's videos are."""
    from nst.video.clip import write_video

    from .video_frames import square_frame

    return write_video([square_frame(x) for x in range(8, 8 + 4 * frames, 4)], 8.0, path)


def test_an_uploaded_clip_is_styled_to_a_result_video_in_chromium(server, browser, tmp_path):
    from nst.video.artifacts import LABEL_HEIGHT

    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(server[0] + "/video")
    run = page.get_by_role("button", name="Style the clip")
    run.wait_for(timeout=60_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(square_clip(tmp_path / "square.mp4"))
    page.get_by_text("square.mp4", exact=True).wait_for(timeout=30_000)
    page.get_by_role("button", name="Remove mae").click()  # one loss: mse
    page.get_by_text("Also without the temporal term", exact=False).click()  # one temporal weight
    for slider in page.get_by_role("slider").all():  # frames 2, working size 64 px: each slider's minimum
        slider.focus()
        page.keyboard.press("Home")
    box = page.get_by_role("spinbutton", name="Iterations, at most, per frame")
    box.fill("2")
    box.press("Enter")
    page.locator("[data-testid='stSelectbox']", has_text="Backbone weights").click()
    page.get_by_role("option", name="vgg16-hed").click()
    page.wait_for_timeout(1000)
    assert [s.inner_text() for s in page.get_by_test_id("stSliderThumbValue").all()] == ["2", "64"]
    run.click()
    page.get_by_role("heading", name="Result", exact=True).wait_for(timeout=120_000)
    page.get_by_role("button", name="video.mp4").wait_for()
    result = page.locator("[data-testid='stVideo']").last  # the first is the uploaded clip's preview
    assert page.locator("[data-testid='stVideo']").count() == 2 and result.get_attribute("src")
    rows = page.locator("[data-testid='stTable'] tbody th").all_inner_texts()
    assert rows == ["feedforward", "mse"]  # the baseline's track and mse's at the one temporal weight
    loaded = "v => v.readyState >= 1 || new Promise(done => v.addEventListener('loadedmetadata', done, {once: true}))"
    result.evaluate(loaded)  # Chromium decodes it
    shape = result.evaluate("v => [v.videoWidth, v.videoHeight, v.duration]")
    assert shape[:2] == [3 * 64, 64 + LABEL_HEIGHT] and shape[2] == pytest.approx(2 / 8)  # content, both, 2 frames
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-video-upload.png"), full_page=True)
    page.close()
