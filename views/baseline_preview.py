"""The feed-forward baseline on the Compare page: shown as soon as both images are chosen, before and while
the losses compute, and handed to the comparison so that it is made once (nst.baseline).

It is cached in the session per (content, styles, masks, strength), keyed by a hash of the pixels (a few
milliseconds), so a rerun never recomputes it; a missing model is a caption with its one-line notice."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from nst.baseline import Baseline, make_baseline
from nst.job import Request

CACHED = 4  # baselines kept per session: a few recent choices, each about 2 MB at 384 px
CAPTION = "feed-forward network (Magenta)"


def baseline_of(request: Request | None) -> Baseline | None:
    """The request's baseline from the session's cache, made on a miss; None when off or nothing to do."""
    if request is None or request.settings.baseline == "none":
        return None
    cache: dict = st.session_state.setdefault("baselines", {})
    key = _key(request)
    if key not in cache:
        styles = [style.pixels for style in request.styles]
        cache[key] = make_baseline(request.content.pixels, styles, request.settings, bool(request.masks))
        for old in list(cache)[:-CACHED]:
            del cache[old]
    return cache[key]


def baseline_preview(baseline: Baseline | None) -> None:
    """The feed-forward output with its time, or its notice; nothing when the baseline is off."""
    if baseline is None:
        return
    if baseline.result is None:
        st.caption(baseline.notice[0].upper() + baseline.notice[1:] + ".")
        return
    label = f"{CAPTION}, {baseline.result.seconds:.1f} s"
    st.image(baseline.result.image, caption=label, width=320, alt=f"{label}: the feed-forward output")
    st.caption(
        "A network trained for arbitrary styles (Ghiasi et al. 2017) in one pass: the reference each loss is "
        "seen against; it joins the results, scored by the same yardsticks."
    )


def _key(request: Request) -> tuple:
    images = (request.content.pixels, *(s.pixels for s in request.styles), *(m.pixels for m in request.masks))
    digest = hashlib.blake2b(digest_size=16)
    for image in images:
        array = np.ascontiguousarray(image)
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest(), len(request.styles), len(request.masks), request.settings.baseline_strength
