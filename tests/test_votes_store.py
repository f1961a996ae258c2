"""The votes database: where it is, how SQLite is set up, and the schema upgrading itself."""

import sqlalchemy as sa

from nst.errors import NSTError
from nst.votes import store


def insert_vote(connection: sa.Connection, choice: str) -> None:
    """A vote row written directly, as an older version of nst could have left it."""
    connection.execute(
        store.votes.insert().values(
            ticket="t",
            time=1.0,
            content="c",
            style="s",
            loss_a="mae",
            loss_b="mse",
            settings_hash="h",
            digest_a="x",
            digest_b="y",
            left="a",
            choice=choice,
            app_version="0",
            session="s",
        )
    )


def test_the_default_is_sqlite_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("NST_DATABASE_URL", raising=False)
    monkeypatch.delenv("NST_VOTES_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert store.default_url() == f"sqlite:///{tmp_path}/nst/votes.sqlite3"
    monkeypatch.setenv("NST_VOTES_DB", str(tmp_path / "here.db"))
    assert store.default_url() == f"sqlite:///{tmp_path}/here.db"
    monkeypatch.setenv("NST_DATABASE_URL", "postgresql://u@db.example/votes")
    assert store.default_url() == "postgresql://u@db.example/votes"


def test_sqlite_is_created_on_first_use_in_wal_mode_with_a_busy_timeout(tmp_path):
    path = tmp_path / "new" / "folder" / "votes.sqlite3"
    engine = store.engine(f"sqlite:///{path}")
    assert path.exists()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.BUSY_TIMEOUT_S * 1000
        assert store.schema_version(connection) == store.SCHEMA_VERSION


def test_urls_that_are_not_sqlite_or_postgresql_are_refused_in_one_line():
    for url, message in (("mysql://u@h/db", "not 'mysql'"), ("nonsense", "not a database URL")):
        try:
            store.engine(url)
        except NSTError as error:
            assert message in str(error) and "\n" not in str(error)
        else:
            raise AssertionError(f"{url} was accepted")


def test_hosted_postgres_urls_use_the_installed_driver():
    assert store._driver_url("postgres://u:secret@h/db").drivername == "postgresql+psycopg"
    assert store._driver_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_an_old_schema_upgrades_itself_and_keeps_its_votes(database_url):
    old = sa.create_engine(store._driver_url(database_url))
    assert store.upgrade(old, to=1) == 1  # a database as version 1 of nst left it: no refusals table
    with old.begin() as connection:
        assert not sa.inspect(connection).has_table("refusals")
        insert_vote(connection, "left")
    old.dispose()
    engine = store.engine(database_url)  # opening it upgrades it
    with engine.connect() as connection:
        assert store.schema_version(connection) == store.SCHEMA_VERSION == 2
        assert sa.inspect(connection).has_table("refusals")
    assert [vote["ticket"] for vote in store.all_votes(engine)] == ["t"]
    assert store.upgrade(engine) == store.SCHEMA_VERSION  # nothing left to do


def test_the_salt_is_made_once_and_hashes_differ_per_session(database_url):
    engine = store.engine(database_url)
    assert store.salt(engine) == store.salt(engine) and len(store.salt(engine)) == 32
    one, other = store.session_hash(engine, "session-1"), store.session_hash(engine, "session-2")
    assert one != other and "session-1" not in one


def test_the_stamp_changes_with_each_vote(tmp_path):
    engine = store.engine(f"sqlite:///{tmp_path / 'votes.sqlite3'}")
    assert store.stamp(engine) == (0, 0)
    with engine.begin() as connection:
        insert_vote(connection, "tie")
    assert store.stamp(engine) == (1, store.all_votes(engine)[0]["id"])
