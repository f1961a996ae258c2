"""Every limit on user input, in one place, so the CLI, the page and the errors agree."""

from __future__ import annotations

MIN_SIZE = 32  # px, long side of the working image: VGG16 halves it 4 times before block5
MAX_SIZE = 2048  # px
MIN_ITERATIONS = 1
MAX_ITERATIONS = 5000
MAX_LOSSES = 10  # losses compared in one run
MAX_WEIGHT = 1e12  # content, style and TV weights lie in [0, MAX_WEIGHT]
MAX_IMAGE_PIXELS = 40_000_000  # pixels of an input image (width x height), checked before decoding
MIN_IMAGE_SIDE = 16  # px, the short side of an input image
MAX_ASPECT_RATIO = 8  # long side / short side of an input image
MAX_FILE_MB = 50  # an input image file
MAX_UPLOAD_MB = 20  # page uploads (also in .streamlit/config.toml, server.maxUploadSize)
MIN_WORKING_SIDE = 16  # px, the short side at working size: VGG16 pools it 4 times before block5
