"""Several processes on one database: index sync (revision check, LISTEN/NOTIFY), audit-id ordering,
surviving a PostgreSQL restart, retries, the CLI on PostgreSQL, shard settings.

"Another process" is a second `Store` (own engine, own match index) on the same database; the
bounds ("within 2 s") are wait-untils whose deadline fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.client import error_message
from bot.config import Settings
from bot.errors import StoreUnavailable
from bot.formats import parse_claims
from bot.index_sync import IndexSync
from bot.retry import RetryPolicy, call_with_retry, is_store_failure, is_transient
from bot.store import Store, bundled_claims
from db.engine import create_engine
from db.notify import asyncpg_connect_kwargs, asyncpg_dsn, supports_listen
from db.repositories import ClaimRepository
from tests.conftest import make_claim, postgres_admin_url

SYNC_BOUND = 2.0  # seconds: the spec's bound for a change to reach another process
ROOT = Path(__file__).resolve().parent.parent

WHALES = "The lighthouse keeper counted forty seven whales near Tromso harbour."
OWLS = "A ferry captain reported ninety silver owls nesting above Bergen station."
GLACIER = "Volunteers measured the Nigardsbreen glacier retreating eleven metres in one summer."


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = SYNC_BOUND, what: str) -> None:
    """Wait until `check()` is true; fail the test when `within` seconds pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() >= deadline:
            pytest.fail(f"not within {within:.1f} s: {what}")
        await asyncio.sleep(0.02)


def matched_by(store: Store, statement: str, claim_id: str, *, text_: str | None = None):
    """A check for `eventually`: `store`'s index matches `statement` to `claim_id` (on `text_`)."""

    async def check() -> bool:
        answer = await store.service.check(statement)
        return any(
            claim.id == claim_id and (text_ is None or match.matched_text == text_)
            for match, claim in answer.matches
        )

    return check


def indexed_in(store: Store, claim_id: str, present: bool = True):
    async def check() -> bool:
        return (claim_id in store.service.matcher) == present

    return check


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database. The admin engine keeps no pooled connection, so the fixture
    still cleans up after a test restarted the server."""
    admin_url = postgres_admin_url()
    name = f"claimbot_so_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def _settings(url: str, **overrides) -> Settings:
    return Settings(
        _env_file=None, database_url=url, discord_token="test-token", seed_claims=False, **overrides
    )


class Processes:
    """Stores ("bot processes", each with its own engine and index) and their index syncs."""

    def __init__(self) -> None:
        self.stores: list[Store] = []
        self.syncs: list[IndexSync] = []

    async def open(self, url: str, **overrides) -> Store:
        store = await Store.open(_settings(url, **overrides))
        self.stores.append(store)
        return store

    def sync(self, store: Store, url: str, **options) -> IndexSync:
        sync = IndexSync(store.service, url, **options)
        sync.start()
        self.syncs.append(sync)
        return sync

    async def close(self) -> None:
        for sync in self.syncs:
            await sync.stop()
        for store in self.stores:
            await store.close()


@pytest.fixture
async def processes() -> AsyncIterator[Processes]:
    opened = Processes()
    try:
        yield opened
    finally:
        await opened.close()


async def _changes_reach(writer: Store, reader: Store) -> None:
    """Add, edit, archive, restore in `writer`; each reaches `reader`'s index within the bound."""
    service = writer.service
    await service.create(make_claim("whales", WHALES), actor="t")
    await eventually(matched_by(reader, WHALES, "whales"), what="a new claim reaches the other process")

    await service.change("whales", actor="t", text=OWLS)
    await eventually(
        matched_by(reader, OWLS, "whales", text_=OWLS), what="an edited claim text reaches the other process"
    )

    await service.change("whales", actor="t", archived=True)
    await eventually(indexed_in(reader, "whales", present=False), what="an archive reaches the other process")
    assert not (await reader.service.check(OWLS)).matches

    await service.change("whales", actor="t", archived=False)
    await eventually(matched_by(reader, OWLS, "whales"), what="a restore reaches the other process")


async def test_changes_reach_another_process_via_the_revision_check(
    database_url: str, processes: Processes
) -> None:
    writer = await processes.open(database_url)
    reader = await processes.open(database_url)
    sync = processes.sync(reader, database_url, interval=1.0, listen=False)
    assert sync.listener is None
    await _changes_reach(writer, reader)
    assert sync.refreshes > 0


async def test_changes_reach_another_process_via_notify(
    pg_url: str, processes: Processes
) -> None:
    """The revision check is slowed to once a minute: only LISTEN/NOTIFY can meet the bound."""
    writer = await processes.open(pg_url)
    reader = await processes.open(pg_url)
    sync = processes.sync(reader, pg_url, interval=60.0, listen=True)
    await eventually(lambda: _true(sync.listening), within=10, what="the listener connects")
    await _changes_reach(writer, reader)
    # Synonym changes travel the same way (recorded by a spy on the reader's index).
    applied: list[tuple[int | None, list[list[str]]]] = []
    set_synonyms = reader.service.matcher.set_synonyms

    def spy(guild_id: int | None, groups: list[list[str]]) -> None:
        applied.append((guild_id, [list(group) for group in groups]))
        set_synonyms(guild_id, groups)

    reader.service.matcher.set_synonyms = spy  # type: ignore[method-assign]
    await writer.service.set_synonyms(None, [["whale", "cetacean"]], actor="t")
    await eventually(
        lambda: _true((None, [["whale", "cetacean"]]) in applied), what="synonyms reach the other process"
    )


async def test_audit_ids_commit_in_order_so_no_change_is_skipped(
    database_url: str, processes: Processes
) -> None:
    """A transaction holding a lower audit id must not be overtaken by one with a higher id:
    a reader that saw the higher id would never look at the lower one again."""
    writer = await processes.open(database_url)
    reader = await processes.open(database_url)
    async with writer.service.sessions() as slow:
        await slow.begin()
        await ClaimRepository(slow).save(make_claim("slow", WHALES), actor="t")
        await slow.flush()  # audit id assigned, not committed
        fast = asyncio.create_task(writer.service.create(make_claim("fast", GLACIER), actor="t"))
        await asyncio.sleep(0.5)  # give the fast writer every chance to commit first
        await reader.service.refresh_index()
        await slow.commit()
    await fast
    await reader.service.refresh_index()
    assert "slow" in reader.service.matcher
    assert "fast" in reader.service.matcher


async def test_a_refresh_after_a_huge_change_is_not_limited_by_bind_parameters(
    database_url: str, processes: Processes
) -> None:
    """refresh_index asks for every claim the change feed names; PostgreSQL refuses more than 32,767
    bind parameters in one statement, so the look-up goes in chunks."""
    store = await processes.open(database_url)
    await store.service.create(make_claim("whales", WHALES), actor="t")
    async with store.service.sessions() as session:
        found = await ClaimRepository(session).get_many([f"missing-{n}" for n in range(40_000)] + ["whales"])
    assert list(found) == ["whales"]


def _pg_ctl() -> list[str]:
    ctl = os.environ.get("CLAIMBOT_TEST_PG_CTL", "").strip()
    if not ctl:
        pytest.skip("CLAIMBOT_TEST_PG_CTL is not set: no throwaway cluster to restart (use .ci/postgres.sh)")
    return shlex.split(ctl)


async def _pg(ctl: list[str], action: str) -> None:
    await asyncio.to_thread(subprocess.run, [*ctl, action], check=True, capture_output=True)


async def test_a_postgres_restart_loses_no_accepted_write_and_sync_recovers(
    pg_url: str, processes: Processes
) -> None:
    ctl = _pg_ctl()
    fast_retry = {"db_retry_attempts": 3, "db_retry_delay": 0.1, "db_retry_max_delay": 0.2}
    writer = await processes.open(pg_url, **fast_retry)
    reader = await processes.open(pg_url, **fast_retry)
    sync = processes.sync(reader, pg_url, interval=60.0, reconnect_delay=0.1, max_reconnect_delay=0.5)
    await eventually(lambda: _true(sync.listening), within=10, what="the listener connects")
    # A third process relies on the revision check alone, every 0.2 s: it keeps going through the outage.
    poller = await processes.open(pg_url, **fast_retry)
    poll = processes.sync(poller, pg_url, interval=0.2, listen=False)

    accepted = [f"before-{n}" for n in range(5)]
    for n, claim_id in enumerate(accepted):
        await writer.service.create(make_claim(claim_id, f"{GLACIER} Survey number {n}."), actor="t")

    await _pg(ctl, "stop")
    try:
        with pytest.raises(StoreUnavailable, match="not saved"):
            await writer.service.create(make_claim("while-down", OWLS), actor="t")
        with pytest.raises(StoreUnavailable):
            await writer.service.find()
        # Code without retries (here the index refresh) raises the driver's error; the bot's error
        # handler still words it as the store being unavailable.
        with pytest.raises(Exception) as raw:
            await writer.service.refresh_index()
        assert is_store_failure(raw.value)
        assert error_message(raw.value) == str(StoreUnavailable())
        await eventually(lambda: _true(not sync.listening), within=10, what="the listener notices")
        await eventually(lambda: _true(poll.failures > 0), within=10, what="a revision check fails")
    finally:
        await _pg(ctl, "start")

    await eventually(lambda: _true(sync.listening), within=15, what="the listener reconnects")
    await writer.service.create(make_claim("after", WHALES), actor="t")
    await eventually(matched_by(reader, WHALES, "after"), what="a change after the restart arrives")

    stored = {claim.id for claim in await writer.service.export()}
    assert stored == {*accepted, "after"}  # nothing accepted was lost; the refused write is absent
    assert {claim.id for claim in await reader.service.export()} == stored
    for claim_id in accepted:
        assert claim_id in reader.service.matcher
    await eventually(indexed_in(poller, "after"), what="the polling process catches up after the outage")
    assert poll.running


async def test_writes_during_a_restart_are_saved_or_reported_never_dropped(
    pg_url: str, processes: Processes
) -> None:
    ctl = _pg_ctl()
    writer = await processes.open(pg_url)  # the default retry policy rides out a quick restart
    restart = asyncio.create_task(_pg(ctl, "restart"))
    accepted: list[str] = []
    refused: list[str] = []
    n = 0
    while not restart.done() or n < 5:
        claim_id = f"during-{n}"
        try:
            await writer.service.create(make_claim(claim_id, f"{OWLS} Sighting {n}."), actor="t")
        except StoreUnavailable:
            refused.append(claim_id)
        else:
            accepted.append(claim_id)
        n += 1
        await asyncio.sleep(0.05)
    await restart
    stored = {claim.id for claim in await writer.service.export()}
    assert set(accepted) <= stored
    assert len(accepted) + len(refused) == n
    assert accepted  # writes after the restart succeed


def _cli(url: str, *args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SEED_CLAIMS": "false", "LOG_LEVEL": "WARNING"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, input=stdin, capture_output=True, timeout=120
    )


async def test_cli_import_export_check_on_postgres(pg_url: str, tmp_path: Path, seed_path: Path) -> None:
    assert make_url(pg_url).get_backend_name() == "postgresql"
    done = await asyncio.to_thread(_cli, pg_url, "import", str(seed_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert b"14 created" in done.stdout

    exported = tmp_path / "export.json"
    done = await asyncio.to_thread(_cli, pg_url, "export", "-o", str(exported), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    seed = json.loads(await asyncio.to_thread(seed_path.read_bytes))
    out = json.loads(await asyncio.to_thread(exported.read_bytes))
    assert sorted(c["id"] for c in out["claims"]) == sorted(c["id"] for c in seed["claims"])

    first = seed["claims"][0]
    done = await asyncio.to_thread(_cli, pg_url, "check", "--json", first["text"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    answer = json.loads(done.stdout)
    assert answer["matches"] and answer["matches"][0]["id"] == first["id"]

    again = await asyncio.to_thread(_cli, pg_url, "import", str(exported), cwd=tmp_path)
    assert again.returncode == 0, again.stderr.decode()
    assert b"0 created, 0 updated, 14 unchanged" in again.stdout


# -- retries -----------------------------------------------------------------------------------


class _Flaky:
    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


QUICK = RetryPolicy(attempts=4, delay=0.001, max_delay=0.002)


async def test_a_transient_failure_is_retried_until_it_succeeds() -> None:
    work = _Flaky(2, ConnectionRefusedError(111, "Connection refused"))
    assert await call_with_retry(work, policy=QUICK) == "done"
    assert work.calls == 3


async def test_a_persistent_failure_becomes_store_unavailable_after_all_attempts() -> None:
    work = _Flaky(99, ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(StoreUnavailable, match="not saved") as raised:
        await call_with_retry(work, policy=QUICK)
    assert work.calls == QUICK.attempts
    assert isinstance(raised.value.__cause__, ConnectionRefusedError)
    assert not is_transient(raised.value)  # an outer retry does not multiply the attempts


async def test_errors_in_the_work_itself_are_not_retried() -> None:
    integrity = sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    work = _Flaky(1, integrity)
    with pytest.raises(sa_exc.IntegrityError):
        await call_with_retry(work, policy=QUICK)
    assert work.calls == 1


def test_which_errors_count_as_transient() -> None:
    import sqlite3

    import asyncpg

    invalidated = sa_exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_transient(invalidated)
    assert is_transient(sa_exc.OperationalError("x", {}, sqlite3.OperationalError("database is locked")))
    assert not is_transient(sa_exc.OperationalError("x", {}, sqlite3.OperationalError("no such table: x")))
    assert is_transient(asyncpg.CannotConnectNowError("the database system is starting up"))
    assert is_transient(asyncpg.AdminShutdownError("terminating connection due to administrator command"))
    assert is_transient(TimeoutError())
    assert not is_transient(ValueError("bad"))
    assert not is_transient(StoreUnavailable())
    assert RetryPolicy(attempts=5, delay=0.25, max_delay=1.0).delays().__next__() == 0.25
    assert list(RetryPolicy(attempts=5, delay=0.25, max_delay=1.0).delays()) == [0.25, 0.5, 1.0, 1.0]


# -- settings and engine -----------------------------------------------------------------------


def test_shard_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("SHARD_IDS", "0, 2")
    settings = Settings(_env_file=None)
    assert (settings.shard_count, settings.shard_ids) == (4, [0, 2])
    monkeypatch.setenv("SHARD_IDS", "")
    assert Settings(_env_file=None).shard_ids is None
    for bad in ("4", "1,1", "x"):
        monkeypatch.setenv("SHARD_IDS", bad)
        with pytest.raises(ValidationError):
            Settings(_env_file=None)
    monkeypatch.delenv("SHARD_COUNT")
    monkeypatch.setenv("SHARD_IDS", "0")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


async def test_pool_settings_reach_the_engine(database_url: str) -> None:
    settings = _settings(database_url, db_pool_size=3, db_max_overflow=1, db_pool_timeout=4.5)
    engine = create_engine(settings.database_url, **settings.engine_options())
    try:
        assert engine.pool.size() == 3
        assert engine.pool._max_overflow == 1
        assert engine.pool._timeout == 4.5
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
    assert supports_listen(database_url) == database_url.startswith("postgresql+asyncpg")


def test_the_listener_connects_like_the_pool() -> None:
    """Query parameters mean the same to the LISTEN connection as to SQLAlchemy's asyncpg dialect."""
    url = "postgresql+asyncpg://bot:p%40ss@db.internal:5433/claims?ssl=require&prepared_statement_cache_size=0"
    assert asyncpg_connect_kwargs(url) == {
        "host": "db.internal", "port": 5433, "user": "bot", "password": "p@ss", "database": "claims",
        "ssl": "require",
    }
    assert asyncpg_dsn(url).startswith("postgresql://bot:p%40ss@db.internal:5433/claims?")


async def _true(value: bool) -> bool:
    return value


# -- two bot instances -------------------------------------------------------------------------


@pytest.fixture
async def bots() -> AsyncIterator[Callable[..., Awaitable]]:
    """Start bots built by `create_bot` up to the end of setup_hook (store, cogs, index sync);
    no Discord connection. All are closed after the test."""
    from bot.client import create_bot

    started = []

    async def start(url: str, **overrides):
        bot = create_bot(_settings(url, **overrides))
        await bot.__aenter__()
        started.append(bot)
        await bot.setup_hook()
        return bot

    try:
        yield start
    finally:
        for bot in started:
            await bot.__aexit__(None, None, None)


def bot_matches(bot, statement: str, claim_id: str):
    async def check() -> bool:
        return any(claim.id == claim_id for _, claim in (await bot.claims.check(statement)).matches)

    return check


async def test_two_bots_on_one_database_share_changes_via_the_revision_check(database_url: str, bots) -> None:
    first = await bots(database_url, index_sync_interval=1.0, index_sync_listen=False)
    second = await bots(database_url, index_sync_interval=1.0, index_sync_listen=False)
    assert first.claims.matcher is not second.claims.matcher
    assert second.refresh_index.is_running()

    await first.claims.create(make_claim("whales", WHALES), actor="1")
    await eventually(bot_matches(second, WHALES, "whales"), what="a claim added in one bot reaches the other")
    await second.claims.change("whales", actor="2", text=OWLS)
    await eventually(bot_matches(first, OWLS, "whales"), what="an edit in the other bot comes back")
    await first.claims.change("whales", actor="1", archived=True)
    await eventually(indexed_in_bot(second, "whales", present=False), what="an archive reaches the other bot")
    await first.claims.change("whales", actor="1", archived=False)
    await eventually(bot_matches(second, OWLS, "whales"), what="a restore reaches the other bot")


async def test_two_bots_on_postgres_share_changes_via_notify_also_after_a_restart(pg_url: str, bots) -> None:
    """The bots' revision check runs once a minute here: only NOTIFY can meet the bound."""
    ctl = _pg_ctl()
    first = await bots(pg_url, index_sync_interval=60.0, db_retry_delay=0.1, db_retry_max_delay=0.5)
    second = await bots(pg_url, index_sync_interval=60.0, db_retry_delay=0.1, db_retry_max_delay=0.5)
    for bot in (first, second):
        await eventually(lambda bot=bot: _true(bot.index_sync.listening), within=10, what="listeners connect")

    await first.claims.create(make_claim("whales", WHALES), actor="1")
    await eventually(bot_matches(second, WHALES, "whales"), what="a claim added in one bot reaches the other")
    await second.claims.change("whales", actor="2", archived=True)
    await eventually(indexed_in_bot(first, "whales", present=False), what="an archive comes back")

    await _pg(ctl, "restart")
    for bot in (first, second):
        await eventually(
            lambda bot=bot: _true(bot.index_sync.listening), within=15, what="listeners reconnect"
        )
    await first.claims.change("whales", actor="1", archived=False)
    await eventually(bot_matches(second, WHALES, "whales"), what="a restore after the restart arrives")
    await first.claims.create(make_claim("owls", OWLS), actor="1")
    await eventually(bot_matches(second, OWLS, "owls"), what="a claim added after the restart arrives")


def indexed_in_bot(bot, claim_id: str, present: bool = True):
    async def check() -> bool:
        return (claim_id in bot.claims.matcher) == present

    return check


def test_store_unavailable_is_an_expected_error_shown_to_the_user() -> None:
    assert error_message(StoreUnavailable()) == (
        "The claim store is unavailable; your change was not saved. Try again shortly."
    )
    try:
        raise ConnectionResetError(104, "Connection reset by peer")  # e.g. Discord's HTTP client
    except ConnectionResetError as not_ours:
        assert not is_store_failure(not_ours)
        assert error_message(not_ours) is None  # unexpected: logged with its traceback


async def test_processes_starting_together_on_a_new_database_all_start(
    database_url: str, tmp_path: Path
) -> None:
    """Each process migrates and seeds at start; without the start-up lock two of them race to create
    the same tables (PostgreSQL: duplicate key in pg_type; SQLite: table already exists) or to seed."""

    def start() -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "DATABASE_URL": database_url, "SEED_CLAIMS": "true", "LOG_LEVEL": "WARNING"}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.run(
            [sys.executable, "-m", "bot", "check", "--json", WHALES],
            cwd=tmp_path, env=env, capture_output=True, timeout=120,
        )

    results = await asyncio.gather(*(asyncio.to_thread(start) for _ in range(4)))
    for done in results:
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    store = await Store.open(_settings(database_url))
    try:
        assert len(await store.service.export()) == 14  # seeded once
    finally:
        await store.close()


# -- backups (the commands in deploy/README.md) ----------------------------------------------------


def _pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else next to the throwaway cluster's server binaries."""
    found = shutil.which(name)
    if found:
        return found
    pg_dir = os.environ.get("CLAIMBOT_TEST_PG_DIR", "")
    bindir = Path(pg_dir, "bindir")
    if pg_dir and bindir.is_file():
        candidate = Path(bindir.read_text().strip(), name)
        if candidate.is_file():
            return str(candidate)
    pytest.fail(f"{name} not found (install the PostgreSQL client programs)")


async def test_pg_dump_and_pg_restore_as_documented(
    pg_url: str, processes: Processes, tmp_path: Path
) -> None:
    libpq_url = asyncpg_dsn(pg_url)
    live = await processes.open(pg_url)
    await live.service.import_claims(parse_claims(bundled_claims()), actor="t")
    await live.service.change("nk-arms-to-russia", actor="t", archived=True)
    await live.service.set_synonyms(None, [["whale", "cetacean"]], actor="t")
    before = await live.service.export()
    dump = tmp_path / "claimbot.dump"

    def run(*args: str) -> None:
        done = subprocess.run(args, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()

    await asyncio.to_thread(
        run, _pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", libpq_url
    )
    # Over the existing database, replacing its contents (after a change the backup must undo).
    await live.service.create(make_claim("after-backup", WHALES), actor="t")
    await asyncio.to_thread(
        run, _pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
        f"--dbname={libpq_url}", str(dump),
    )
    restored = await processes.open(pg_url)
    assert await restored.service.export() == before
    assert await restored.service.synonyms(None) == [["whale", "cetacean"]]
    # The change feed goes on from the restored point: a new change reaches a running process.
    sync = processes.sync(restored, pg_url, interval=1.0, listen=False)
    other = await processes.open(pg_url)
    await other.service.create(make_claim("after-restore", OWLS), actor="t")
    await eventually(matched_by(restored, OWLS, "after-restore"), what="a change after the restore")
    assert sync.failures == 0


def test_shard_settings_reach_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    from discord.ext import commands

    from bot.client import create_bot

    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("SHARD_IDS", "2,3")
    bot = create_bot(Settings(_env_file=None))
    assert isinstance(bot, commands.AutoShardedBot)
    assert (bot.shard_count, bot.shard_ids) == (4, [2, 3])

    monkeypatch.delenv("SHARD_COUNT")
    monkeypatch.delenv("SHARD_IDS")
    unset = create_bot(Settings(_env_file=None))
    assert isinstance(unset, commands.AutoShardedBot)
    assert (unset.shard_count, unset.shard_ids) == (None, None)  # discord.py asks Discord at login
