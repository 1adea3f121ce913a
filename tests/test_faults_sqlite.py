"""SQLite faults: a locked database, a read-only file, a full disk, a crash in the middle of an import.

In each case the service either completes the write or raises a `ClaimbotError` whose message
says the change was not saved, logs it, and leaves the data as it was: nothing half-written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from bot.cli import main
from bot.config import Settings
from bot.errors import ClaimbotError, StoreUnavailable
from bot.matching import Matcher
from bot.service import ClaimService
from bot.store import Store
from db import engine as db_engine
from db.engine import create_engine, create_sessionmaker
from tests.conftest import make_claim

ROOT = Path(__file__).resolve().parent.parent
ACCEPTANCE = "An estimated 10,000 North Korean soldiers have been deployed in Russia."


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimbot.sqlite3"


def _settings(url: str, **overrides) -> Settings:
    values = dict(
        _env_file=None,
        database_url=url,
        seed_claims=True,
        db_retry_attempts=3,
        db_retry_delay=0.05,
        db_retry_max_delay=0.1,
    )
    return Settings(**(values | overrides))


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(_settings(f"sqlite+aiosqlite:///{db_path}"))
    try:
        yield opened
    finally:
        await opened.close()


def snapshot(db_path: Path) -> tuple[list[tuple], list[tuple], str]:
    """Every claim row, every audit row and the integrity check, read with plain sqlite3."""
    with sqlite3.connect(db_path) as conn:
        claims = conn.execute("SELECT id, text, status, note FROM claims ORDER BY id").fetchall()
        audit = conn.execute("SELECT id, action, entity_id FROM audit_log ORDER BY id").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return claims, audit, integrity


def _new_claims(n: int, prefix: str = "fault") -> list:
    return [make_claim(f"{prefix}-{i}", f"Fault claim {i}: rivers flood every {i} years") for i in range(n)]


# ---- settings the engine applies ----------------------------------------------------------------


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(store: Store) -> None:
    async with store.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == db_engine.SQLITE_BUSY_TIMEOUT_MS
        assert db_engine.SQLITE_BUSY_TIMEOUT_MS >= 1000
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


# ---- busy / locked ------------------------------------------------------------------------------


def _hold_write_lock(db_path: Path) -> sqlite3.Connection:
    """Another process's writer: BEGIN IMMEDIATE takes SQLite's single write lock."""
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize("holder_writes", [False, True], ids=["holder-reads", "holder-writes"])
async def test_a_write_waits_for_a_short_lock_and_succeeds(store: Store, db_path: Path, holder_writes):
    holder = _hold_write_lock(db_path)
    if holder_writes:  # the holder commits a change of its own: our snapshot is then stale and retried
        holder.execute("UPDATE claims SET note = 'edited elsewhere' WHERE id = 'nk-troops-10000-in-russia'")
    asyncio.get_running_loop().call_later(0.5, holder.execute, "COMMIT")
    try:
        created = await store.service.create(make_claim("while-locked"), actor="test")
    finally:
        holder.close()
    assert created.id == "while-locked"
    claims, _, integrity = snapshot(db_path)
    ids = {row[0] for row in claims}
    assert "while-locked" in ids and len(ids) == 15 and integrity == "ok"
    if holder_writes:
        assert dict((row[0], row[3]) for row in claims)["nk-troops-10000-in-russia"] == "edited elsewhere"
    assert (await store.service.get("while-locked")).text == make_claim().text


async def test_a_lock_held_past_the_timeout_fails_cleanly_and_writes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    opened = await Store.open(_settings(f"sqlite+aiosqlite:///{db_path}"))
    before = snapshot(db_path)
    holder = _hold_write_lock(db_path)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.retry"):
            with pytest.raises(StoreUnavailable) as refused:
                await opened.service.import_claims(_new_claims(50), actor="test")
            with pytest.raises(StoreUnavailable):
                await opened.service.create(make_claim("locked-out"), actor="test")
            # Reads still work while another process writes (WAL).
            answer = await opened.service.check(ACCEPTANCE)
            assert answer.matches[0][1].id == "nk-troops-10000-in-russia"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await opened.close()
    assert isinstance(refused.value, ClaimbotError)
    assert "not saved" in str(refused.value)
    retries = [r for r in caplog.records if r.name == "bot.retry"]
    assert any("retrying" in r.getMessage() for r in retries)  # it did retry before giving up
    assert any(r.levelno >= logging.ERROR and "import_claims" in r.getMessage() for r in retries)
    assert snapshot(db_path) == before
    assert "fault-0" not in opened.service.matcher and "locked-out" not in opened.service.matcher


# ---- read-only database ------------------------------------------------------------------------


def _read_only_urls(db_path: Path) -> list[str]:
    # Tests run as root, which chmod does not stop: use SQLite's own read-only open mode.
    return [f"sqlite+aiosqlite:///file:{db_path}?mode=ro&uri=true"]


async def test_a_read_only_database_answers_reads_and_refuses_writes_cleanly(
    store: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    await store.close()
    before = snapshot(db_path)
    monkeypatch.chdir(tmp_path)
    read_only = await Store.open(_settings(_read_only_urls(db_path)[0]))
    try:
        answer = await read_only.service.check(ACCEPTANCE)
        assert answer.matches[0][1].id == "nk-troops-10000-in-russia"
        assert len(await read_only.service.find(limit=None)) == 14
        with caplog.at_level(logging.WARNING, logger="bot.retry"):
            for write in (
                read_only.service.create(make_claim("ro-claim"), actor="test"),
                read_only.service.import_claims(_new_claims(5), actor="test"),
                read_only.service.change("nk-troops-10000-in-russia", actor="test", note="x"),
                read_only.service.set_synonyms(None, [["troops", "soldiers"]], actor="test"),
            ):
                with pytest.raises(StoreUnavailable, match="not saved"):
                    await write
        assert any("readonly" in r.getMessage() for r in caplog.records)
        assert "ro-claim" not in read_only.service.matcher
    finally:
        await read_only.close()
    assert snapshot(db_path) == before
    assert not (tmp_path / "file:").exists()  # the URI is not taken for a directory to create


def test_cli_import_into_a_read_only_database_says_nothing_was_saved(
    db_path: Path, tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOG_LEVEL", "CRITICAL")
    monkeypatch.setenv("SEED_CLAIMS", "false")
    monkeypatch.setenv("DB_RETRY_DELAY", "0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db_path}")
    assert main(["db", "upgrade"]) == 0
    before = snapshot(db_path)
    monkeypatch.setenv("DATABASE_URL", _read_only_urls(db_path)[0])
    capsys.readouterr()
    assert main(["import", str(seed_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("claimbot: ") and "not saved" in err and "Traceback" not in err
    assert main(["check", ACCEPTANCE]) == 0  # reading still works
    assert snapshot(db_path) == before


# ---- full disk ---------------------------------------------------------------------------------


async def _full_disk_service(db_path: Path) -> tuple[ClaimService, object]:
    """A service whose connections may not grow the database file: every write that needs a new
    page gets SQLITE_FULL, as on a full disk."""
    with sqlite3.connect(db_path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")

    def cap(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    event.listen(engine.sync_engine, "connect", cap)
    service = ClaimService(create_sessionmaker(engine), Matcher())
    await service.load_index()
    return service, engine


async def test_a_full_disk_refuses_imports_and_creates_cleanly_and_keeps_the_data(
    store: Store, db_path: Path, caplog
) -> None:
    await store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = snapshot(db_path)
    service, engine = await _full_disk_service(db_path)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.retry"):
            with pytest.raises(StoreUnavailable, match="not saved"):
                await service.import_claims(_new_claims(2_000), actor="test")
            big = make_claim("big-claim", "A claim that needs room. " * 39, note="n" * 1000,
                             aliases=tuple(f"alias {i} " + "y" * 900 for i in range(40)))
            with pytest.raises(StoreUnavailable, match="not saved"):
                await service.create(big, actor="test")
        assert any("full" in r.getMessage() for r in caplog.records)
        assert "fault-0" not in service.matcher and "big-claim" not in service.matcher
        answer = await service.check(ACCEPTANCE)  # reads still work
        assert answer.matches[0][1].id == "nk-troops-10000-in-russia"
    finally:
        await engine.dispose()
    assert snapshot(db_path) == before
    # Once there is room again, the same import goes through.
    reopened = await Store.open(_settings(f"sqlite+aiosqlite:///{db_path}"))
    try:
        summary = await reopened.service.import_claims(_new_claims(2_000), actor="test")
        assert len(summary.created) == 2_000
    finally:
        await reopened.close()


# ---- a crash in the middle of an import ----------------------------------------------------------


def _claims_file(path: Path, n: int) -> Path:
    import json

    claims = [
        {"id": f"bulk-{i:06d}", "text": f"Bulk claim {i}: town {i % 977} has {i} bridges", "status": "denied"}
        for i in range(n)
    ]
    path.write_text(json.dumps({"format": "claims/v1", "claims": claims}), encoding="utf-8")
    return path


def _env(db_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "SEED_CLAIMS": "true",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def _seed(db_path: Path) -> list[tuple]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", "check", "hello"], env=_env(db_path), cwd=ROOT, capture_output=True,
        timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    claims, _, integrity = snapshot(db_path)
    assert len(claims) == 14 and integrity == "ok"
    return claims


def test_sigkill_in_the_middle_of_an_import_leaves_the_old_data_intact(db_path: Path, tmp_path: Path) -> None:
    old = _seed(db_path)
    _, old_audit, _ = snapshot(db_path)
    path = _claims_file(tmp_path / "big.json", 10_000)
    # At DEBUG, aiosqlite logs every call: kill right after the claims' INSERT has run inside the
    # open transaction, before COMMIT.
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bot", "import", str(path)],
        env=_env(db_path, LOG_LEVEL="DEBUG"), cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    killed_after = None
    try:
        assert process.stderr is not None
        inserting = False
        for line in process.stderr:
            if b"INSERT INTO claims" in line:
                inserting = True
                if b"completed" in line:
                    process.send_signal(signal.SIGKILL)
                    killed_after = line[:120]
                    break
            assert not (inserting and b"commit of" in line), "the import committed before the kill"
    finally:
        process.kill()
        process.wait(timeout=60)
    assert killed_after is not None, "never saw the claims being inserted"
    assert process.returncode == -signal.SIGKILL
    assert (tmp_path / "claimbot.sqlite3-wal").exists()  # the kill left a journal behind to recover
    claims, audit, integrity = snapshot(db_path)
    assert integrity == "ok"
    assert claims == old
    assert audit == old_audit
    # The next process recovers and works normally; the same import then succeeds in full.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", "import", str(path)], env=_env(db_path), cwd=ROOT, capture_output=True,
        timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    claims, _, integrity = snapshot(db_path)
    assert len(claims) == 14 + 10_000 and integrity == "ok"


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_a_kill_at_any_moment_leaves_all_or_nothing(db_path: Path, tmp_path: Path, delay: float) -> None:
    old = _seed(db_path)
    path = _claims_file(tmp_path / "big.json", 5_000)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bot", "import", str(path)],
        env=_env(db_path), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)  # somewhere in start-up, parsing, the transaction or after the commit
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    claims, _, integrity = snapshot(db_path)
    assert integrity == "ok"
    assert len(claims) in {14, 14 + 5_000}
    if len(claims) == 14:
        assert claims == old
