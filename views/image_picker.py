"""The Compare view's image pickers: the bundled samples as thumbnails to click, or an upload, and the
chosen image shown small. Each returns the chosen input as the engine takes it (nst.job.InputImage)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nst import limits
from nst.errors import NSTError
from nst.images import resize_long_side
from nst.job import InputImage
from nst.samples import provenance, sample_files
from views.shared import ASSETS, sample_image, thumbnail

DEFAULT_SAMPLES = {"content": "chelsea.png", "style": "starry_night.jpg"}
THUMB_PX = 76  # a sample's thumbnail: four in a row on a phone (390 px), all in one row on a laptop
PREVIEW_PX = (320, 220)  # the chosen image's largest shown width and height


def sample_paths(role: str) -> list[Path]:
    return sample_files(role)


def image_picker(role: str) -> InputImage | None:
    """The bundled samples as small thumbnails to click (a row that wraps on a phone), an upload, and the
    chosen image: a sample, or an upload recorded by its name only (nothing the user names is read); None
    when the upload is unusable (said here)."""
    state = st.session_state
    choice_key = f"{role}_choice"
    if state[choice_key] not in {path.name for path in sample_paths(role)}:  # only bundled samples are read
        state[choice_key] = DEFAULT_SAMPLES[role]
    pick, shown = st.columns([5, 2], vertical_alignment="top")
    sample_buttons(pick, role, choice_key)
    upload = pick.file_uploader(
        f"{role.capitalize()} image: a sample above, or upload one",
        type=list(limits.UPLOAD_TYPES),
        key=f"{role}_upload",
    )
    try:
        if upload is not None:
            chosen = InputImage.from_bytes(upload.getvalue(), upload.name, hashed=False)
        else:
            name = state[choice_key]
            chosen = InputImage.from_pixels(sample_image(str(ASSETS / role / name)), name, sample=True)
    except NSTError as error:
        shown.error(str(error))
        return None
    for notice in chosen.notices:
        shown.info(notice)
    label = f"{role}: {chosen.name} ({chosen.pixels.shape[1]}x{chosen.pixels.shape[0]})"
    shown.image(preview(chosen.pixels), caption=label, alt=label)
    if upload is None:
        shown.caption(provenance(role, state[choice_key]).terms)  # CC BY credits travel with their images
    else:
        shown.caption(f"Uploads stay on this page: a link to it shows the sample {state[choice_key]} instead.")
    return chosen


def sample_buttons(column, role: str, choice_key: str) -> None:
    """Each bundled sample of `role` as a thumbnail with a button that chooses it."""
    state = st.session_state
    with column.container(horizontal=True, gap="small", key=f"{role}_samples"):
        for path in sample_paths(role):
            with st.container(width=THUMB_PX, gap=None):
                st.image(thumbnail(str(path)), width="stretch", alt=f"{role} sample: {path.name}")
                st.button(
                    short_name(path),
                    key=f"{role}_sample_{path.stem}",
                    help=path.name,
                    width="stretch",
                    type="primary" if state[choice_key] == path.name else "secondary",
                    on_click=state.__setitem__,
                    args=(choice_key, path.name),
                )


def short_name(path: Path) -> str:
    """A thumbnail's button label: the first word that names it ('the_scream' -> 'scream')."""
    words = path.stem.replace("-", "_").split("_")
    return next((word for word in words if word != "the"), words[0])


def preview(image):
    """The chosen image, shrunk to fit PREVIEW_PX (width, height): a portrait painting stays short on a phone."""
    scale = min(1.0, PREVIEW_PX[0] / image.shape[1], PREVIEW_PX[1] / image.shape[0])
    return image if scale == 1.0 else resize_long_side(image, round(max(image.shape[:2]) * scale))
