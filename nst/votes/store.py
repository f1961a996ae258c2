"""Where votes are kept: SQLite by default (a file in the user's data folder, or NST_VOTES_DB), or
PostgreSQL when NST_DATABASE_URL is set. SQLAlchemy Core; the schema has a version and upgrades itself.

Tables: meta (schema version, the salt for session hashes), tickets (each pair issued to a session),
votes (one row per accepted vote, at most one per ticket), refusals (refused votes: a reason, no vote)."""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from nst.caching import shared
from nst.errors import NSTError

ALLOWED_URLS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE"
BUSY_TIMEOUT_S = 30  # SQLite: how long a writer waits for another's lock before giving up
metadata = sa.MetaData()
meta = sa.Table("meta", metadata, sa.Column("key", sa.String(40), primary_key=True), sa.Column("value", sa.Text))
tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # random: the page's only handle on a pair
    sa.Column("session", sa.String(64), nullable=False, index=True),  # salted hash of the browser session
    sa.Column("issued_at", sa.Float, nullable=False),
    sa.Column("used_at", sa.Float),  # set once, when its vote is accepted
    sa.Column("pair", sa.JSON, nullable=False),  # everything the vote row needs, as the server issued it
)
votes = sa.Table(
    "votes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket", sa.String(64), nullable=False, unique=True),  # a ticket is voted on once
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("content", sa.String(200), nullable=False),
    sa.Column("style", sa.String(200), nullable=False),
    sa.Column("loss_a", sa.String(60), nullable=False),  # the pair's two losses, in name order
    sa.Column("loss_b", sa.String(60), nullable=False),
    sa.Column("settings_hash", sa.String(32), nullable=False),
    sa.Column("digest_a", sa.String(64), nullable=False),  # SHA-256 of the images shown
    sa.Column("digest_b", sa.String(64), nullable=False),
    sa.Column("left", sa.String(1), nullable=False),  # which of a and b was shown on the left
    sa.Column("choice", sa.String(5), nullable=False),  # left, right or tie ("Can't tell")
    sa.Column("app_version", sa.String(40), nullable=False),
    sa.Column("session", sa.String(64), nullable=False, index=True),
    sa.Column("metrics_a", sa.JSON),  # the two outputs' yardsticks: how well each agrees with people
    sa.Column("metrics_b", sa.JSON),
    sa.Column("weights", sa.String(40)),
)
refusals = sa.Table(
    "refusals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("reason", sa.String(40), nullable=False),
)


def _v1(connection: sa.Connection) -> None:
    for table in (meta, tickets, votes):
        table.create(connection, checkfirst=True)


def _v2(connection: sa.Connection) -> None:
    refusals.create(connection, checkfirst=True)  # version 2 counts refused votes


MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_v1, _v2)  # MIGRATIONS[i] upgrades to version i + 1
SCHEMA_VERSION = len(MIGRATIONS)


def default_url() -> str:
    """NST_DATABASE_URL (PostgreSQL), else SQLite at NST_VOTES_DB, else in the user's data folder."""
    if url := os.environ.get("NST_DATABASE_URL"):
        return url
    path = Path(os.environ.get("NST_VOTES_DB") or data_folder() / "votes.sqlite3").expanduser()
    return f"sqlite:///{path}"


def data_folder() -> Path:
    """The user's data folder for nst (outside any repository)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "nst"


def _driver_url(url: str) -> sa.URL:
    """postgres:// and postgresql:// (as hosts hand them out) use psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as error:
        raise NSTError(f"not a database URL: {error}; use {ALLOWED_URLS}") from error
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise NSTError(f"votes are kept in SQLite or PostgreSQL, not {parsed.get_backend_name()!r}: use {ALLOWED_URLS}")
    return parsed


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "isolation_level": None})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer, nor it for them
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writing transaction takes the write lock at its start: one that reads, then writes, cannot
        # then fail with "database is locked" half-way (the busy timeout covers only waiting to begin).
        reading = connection.get_execution_options().get("reading", False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


@shared()
def engine(url: str) -> sa.Engine:
    """One engine (a connection pool) per database URL for the whole process, its schema up to date."""
    parsed = _driver_url(url)
    if parsed.get_backend_name() == "sqlite":
        made = _sqlite_engine(parsed)
    else:
        made = sa.create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    try:
        upgrade(made)
    except sa.exc.SQLAlchemyError as error:
        reason = " ".join(str(error.orig or error).split())  # one line: drivers' messages span several
        raise NSTError(f"cannot open the votes database {parsed.render_as_string()}: {reason}") from error
    return made


def schema_version(connection: sa.Connection) -> int:
    if not sa.inspect(connection).has_table("meta"):
        return 0
    value = connection.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value or 0)


def upgrade(made: sa.Engine, to: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to version `to`, one migration per transaction. Returns the version."""
    with made.begin() as connection:
        version = schema_version(connection)
    while version < to:
        with made.begin() as connection:
            if schema_version(connection) == version:  # another process may have just done it
                MIGRATIONS[version](connection)
                _set(connection, "schema_version", str(version + 1))
            version = schema_version(connection)
    return version


@shared()
def salt(made: sa.Engine) -> str:
    """The database's own random salt for session hashes (made once, on first use; read once a process)."""
    with made.begin() as connection:
        value = connection.execute(sa.select(meta.c.value).where(meta.c.key == "salt")).scalar()
        if value is None:
            value = secrets.token_hex(16)
            connection.execute(meta.insert().values(key="salt", value=value))
    return value


def session_hash(made: sa.Engine, session_id: str) -> str:
    return hashlib.sha256((salt(made) + session_id).encode()).hexdigest()[:32]


def _set(connection: sa.Connection, key: str, value: str) -> None:
    if connection.execute(sa.select(meta.c.key).where(meta.c.key == key)).first():
        connection.execute(meta.update().where(meta.c.key == key).values(value=value))
    else:
        connection.execute(meta.insert().values(key=key, value=value))


def reading(made: sa.Engine) -> sa.Connection:
    """A connection for reading only (on SQLite it takes no write lock)."""
    return made.connect().execution_options(reading=True)


def all_votes(made: sa.Engine) -> list[dict]:
    """Every accepted vote, oldest first, as plain dicts."""
    with reading(made) as connection:
        rows = connection.execute(sa.select(votes).order_by(votes.c.id)).mappings().all()
    return [dict(row) for row in rows]


def stamp(made: sa.Engine) -> tuple[int, int]:
    """(number of votes, last vote's id): changes whenever a vote is stored; cheap to ask."""
    with reading(made) as connection:
        count, last = connection.execute(sa.select(sa.func.count(votes.c.id), sa.func.max(votes.c.id))).one()
    return count, last or 0


def refusal_counts(made: sa.Engine) -> dict[str, int]:
    with reading(made) as connection:
        rows = connection.execute(sa.select(refusals.c.reason, sa.func.count()).group_by(refusals.c.reason))
        return {reason: count for reason, count in rows}
