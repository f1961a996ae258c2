"""The Compare view's style controls beside the style picker: up to MAX_STYLES paintings, each with a
blend weight and a region (nst.styles.REGIONS: everywhere, a half, the oval; or an uploaded mask). The stroke size and
the colours are settings (views.settings_panel). Every choice but an upload travels in a shared link."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nst import limits
from nst.errors import NSTError
from nst.images import read_image
from nst.styles import REGIONS as NAMED_REGIONS
from nst.styles import read_mask, region_mask
from views.link import choice, number
from views.shared import ASSETS, sample_image

UPLOAD = "upload a mask"
REGIONS = (*NAMED_REGIONS, UPLOAD)
EXTRA = range(2, limits.MAX_STYLES + 1)  # the styles beyond the picker's: style 2, style 3
STYLE_SAMPLES = sorted(path.name for path in (ASSETS / "style").glob("*.*"))
DEFAULT_EXTRA = {2: "the_scream.jpg", 3: "great_wave_hokusai.jpg"}
LINK_PARAMS = (
    number("styles", "style_count", 1, 1, limits.MAX_STYLES),
    *(choice(f"style{n}", f"style{n}_choice", DEFAULT_EXTRA.get(n, STYLE_SAMPLES[0]), STYLE_SAMPLES) for n in EXTRA),
    *(number(f"blend{n}", f"blend_{n}", 1.0, 0.0, limits.MAX_BLEND) for n in range(1, limits.MAX_STYLES + 1)),
    *(choice(f"region{n}", f"region_{n}", "everywhere", REGIONS) for n in range(1, limits.MAX_STYLES + 1)),
)


def style_controls(first) -> tuple[list[tuple[str, np.ndarray]], tuple[float, ...], list | None] | None:
    """Under the style picker. `first`: the picker's (name, image, is_sample). Returns the styles
    [(name, image)], their blend weights (() with one style) and masks (None: everywhere, for every
    style), or None where an input is unusable (said here)."""
    state = st.session_state
    with st.expander("Several styles: blend paintings, or give each a region", expanded=state.style_count > 1):
        count = int(
            st.segmented_control(
                "Styles",
                list(range(1, limits.MAX_STYLES + 1)),
                key="style_count",
                help="More than one: the style term is each painting's, weighted by "
                "its blend weight and the share of the picture its region covers.",
            )
            or 1
        )
        styles = [(first[0], first[1])]
        for n in range(2, count + 1):
            found = _extra_style(n)
            if found is None:
                return None
            styles.append(found)
        if count == 1:
            st.caption("One style: choose 2 or 3 to blend paintings or paint regions of the photo.")
            return styles, (), None
        blend, regions = _weights_and_regions(count)
    masks = _masks(regions)
    return (styles, blend, masks) if masks is not False else None


def _extra_style(n: int) -> tuple[str, np.ndarray] | None:
    pick, upload_column = st.columns(2)
    name = pick.selectbox(f"Style {n}", STYLE_SAMPLES, key=f"style{n}_choice")
    upload = upload_column.file_uploader(f"or upload style {n}", type=list(limits.UPLOAD_TYPES), key=f"style{n}_upload")
    try:
        if upload is not None:
            return upload.name, read_image(upload.getvalue(), name=upload.name).pixels
        return name, sample_image(str(ASSETS / "style" / name))
    except NSTError as error:
        st.error(str(error))
        return None


def _weights_and_regions(count: int) -> tuple[tuple[float, ...], list[tuple[str, object]]]:
    blend, regions = [], []
    for n, column in zip(range(1, count + 1), st.columns(count)):
        with column:
            blend.append(
                float(
                    st.number_input(
                        f"Weight {n}",
                        0.0,
                        limits.MAX_BLEND,
                        step=0.1,
                        key=f"blend_{n}",
                        help="Blend weights are normalised to sum 1.",
                    )
                )
            )
            region = st.selectbox(
                f"Region {n}",
                REGIONS,
                key=f"region_{n}",
                help="Where this style paints; what no region covers keeps the photo.",
            )
            upload = None
            if region == UPLOAD:
                upload = st.file_uploader(
                    f"Mask {n}",
                    type=list(limits.UPLOAD_TYPES),
                    key=f"mask_{n}",
                    help="White: this style; black: not.",
                )
            regions.append((region, upload))
    if sum(blend) <= 0:
        st.error("Give at least one style a weight above 0.")
    return tuple(blend), regions


def _masks(regions: list[tuple[str, object]]) -> list[np.ndarray] | None | bool:
    """The masks for the regions chosen; None when every style paints everywhere; False when an upload
    is missing or unusable (said here)."""
    if all(region == "everywhere" for region, _ in regions):
        return None
    masks = []
    for n, (region, upload) in enumerate(regions, start=1):
        if region == UPLOAD:
            if upload is None:
                st.info(f"Upload mask {n}, or choose another region for style {n}.")
                return False
            try:
                masks.append(read_mask(upload.getvalue(), upload.name))
            except NSTError as error:
                st.error(str(error))
                return False
        else:
            masks.append(region_mask(region))
    return masks
