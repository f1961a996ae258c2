"""The page in a real browser: `streamlit run app.py` on a free port, driven in headless Chromium.

Needs Debian's chromium (.ci/run installs it). Saves screenshots to test-artifacts/."""

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
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    votes = tmp_path_factory.mktemp("votes") / "votes.sqlite3"  # the page's own votes database, for this test
    log = open(ARTIFACTS / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "NST_CONCURRENT_RUNS": "1", "NST_VOTES_DB": str(votes)},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start within 90 s; see test-artifacts/streamlit.log")
    yield url, process.pid, f"sqlite:///{votes}"
    process.terminate()
    process.wait(timeout=20)
    log.close()


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


def test_a_vote_in_chromium_is_revealed_and_found_in_the_database(server, browser):
    from nst.votes import store

    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(server[0] + "/vote")
    page.get_by_role("button", name="Left is better").click(timeout=60_000)
    page.get_by_text("Thank you: your vote is kept").wait_for(timeout=30_000)
    revealed = page.get_by_text("Left:", exact=False).first.inner_text()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-vote.png"), full_page=True)
    [row] = store.all_votes(store.engine(server[2]))
    shown_left = row["loss_a"] if row["left"] == "a" else row["loss_b"]
    assert row["choice"] == "left" and revealed == f"Left: {shown_left}"
    page.goto(server[0] + "/ratings")
    page.get_by_text("1 vote(s) from 1 page session(s)", exact=False).wait_for(timeout=60_000)
    page.locator("[data-testid='stTable']").nth(3).wait_for(timeout=30_000)  # the study; overall, per style, agreement
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "page-ratings.png"), full_page=True)
    page.close()
