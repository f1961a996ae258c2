import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nst.images import load_image, resize_long_side  # noqa: E402

ASSETS = Path(__file__).resolve().parent.parent / "assets"
CONTENT = ASSETS / "content" / "chelsea.png"
STYLE = ASSETS / "style" / "starry_night.jpg"


@pytest.fixture(scope="session")
def content_image() -> np.ndarray:
    return resize_long_side(load_image(CONTENT), 64)


@pytest.fixture(scope="session")
def style_image() -> np.ndarray:
    return resize_long_side(load_image(STYLE), 64)
