"""What the views share: the server's resources (each with one owner: Streamlit's resource cache, safe
across sessions) and small helpers."""

from __future__ import annotations

import io
import secrets
import threading
import time
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from nst import limits
from nst.backbone.model import load_backbone
from nst.errors import NSTError
from nst.images import load_image, resize_long_side, to_uint8
from nst.runqueue import RunQueue
from nst.settings import Settings
from nst.votes import store
from nst.votes.ballot import BallotBox
from nst.votes.gallery import GALLERY, Unit, read_units
from nst.votes.pool import Pool

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


@st.cache_resource
def run_queue() -> RunQueue:
    """One line for the whole server process: at most limits.concurrent_runs() runs compute at once."""
    return RunQueue(limits.concurrent_runs())


def in_turn(ticket: str, bar, front: bool, work) -> str:
    """Waits in the server's run queue with `ticket`, showing the place in line on `bar`, then calls `work()`:
    "" when it ended (or the page interrupted it), else the NSTError's message. The slot is given back
    however it ends (Stop, another widget, a closed tab), and `front` puts a run that already began first."""
    queue = run_queue()
    queue.join(ticket, front=front)
    try:
        while not queue.try_start(ticket):
            place = f"place {queue.place(ticket)} in line for the {queue.slots} run slot(s) of this server"
            bar.progress(0.0, text=f"Waiting: {place}")
            time.sleep(0.5)
        work()
    except NSTError as error:
        return str(error)
    finally:
        queue.leave(ticket)
    return ""


class Engine:
    """TensorFlow and the default model, loaded in a background thread from the server's first visit on,
    so that the page paints at once instead of waiting for them. Whoever needs them before they are
    ready just uses them: TensorFlow's import and load_backbone's cache make a second caller wait."""

    def __init__(self) -> None:
        self.error, self.seconds = "", 0.0
        self._done = threading.Event()
        threading.Thread(target=self._load, name="nst-engine-load", daemon=True).start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            from nst.backbone.precision import native_bfloat16

            native_bfloat16()  # imports TensorFlow and probes its devices
            default = Settings()
            load_backbone(default.weights, default.pooling, default.network_precision)
        except Exception as error:  # reported where the model is used; the page itself keeps working
            self.error = str(error)
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """The one background load of the server process, started by its first visit."""
    return Engine()


@st.cache_resource
def gallery() -> dict[tuple[str, str], Unit]:
    """The bundled study's comparisons by (content, style) file names."""
    return {(unit.outputs[0].content, unit.outputs[0].style): unit for unit in read_units(GALLERY) if unit.outputs}


@st.cache_resource
def pool() -> Pool:
    """The pairs to vote on: the gallery's, and those of comparisons of bundled samples made here."""
    return Pool(output for unit in gallery().values() for output in unit.outputs)


@st.cache_resource
def ballot_box(url: str) -> BallotBox:
    return BallotBox(store.engine(url))


def votes_url() -> str:
    """NST_DATABASE_URL from Streamlit's secrets (.streamlit/secrets.toml, a host's secrets box) if set there,
    else store.default_url(): the environment's NST_DATABASE_URL, else SQLite (NST_VOTES_DB or the data folder)."""
    try:
        secret = st.secrets.get("NST_DATABASE_URL")
    except Exception:  # no secrets file: Streamlit raises its own not-found error
        secret = None
    return secret or store.default_url()


def open_ballot_box() -> BallotBox | None:
    """The votes' database, or None after telling the user why it cannot be opened."""
    try:
        return ballot_box(votes_url())
    except NSTError as error:
        st.error(f"Votes cannot be kept right now: {error}")
        return None


def session_id() -> str:
    """This browser tab's page session: random, never shown, stored only as a salted hash."""
    return st.session_state.setdefault("voter_session", secrets.token_hex(16))


@st.cache_data(show_spinner=False)
def sample_image(path: str):
    return load_image(path)


@st.cache_data(show_spinner=False)
def thumbnail(path: str) -> bytes:
    """A 160 px square from the middle of the image, as a JPEG: the thumbnails line up in a row, and a rerun
    sends the cached bytes instead of encoding 29 images again."""
    image = load_image(path)
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    square = Image.fromarray(to_uint8(resize_long_side(image[top : top + side, left : left + side], 160)))
    buffer = io.BytesIO()
    square.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def descriptions(registry) -> str:
    return " ".join(f"**{entry.name}**: {entry.description}." for entry in registry)


def on_screen(image: np.ndarray | bytes) -> np.ndarray | bytes:
    """An image as the page shows it: pixels at most limits.PAGE_PREVIEW_SIDE px on their long side (a phone
    needs no 4096 px preview; the downloads keep the full size); a file's bytes (the gallery's, small) as they are."""
    if not isinstance(image, np.ndarray) or max(image.shape[:2]) <= limits.PAGE_PREVIEW_SIDE:
        return image
    return resize_long_side(image, limits.PAGE_PREVIEW_SIDE)
