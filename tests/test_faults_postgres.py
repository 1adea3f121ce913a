"""PostgreSQL faults beside the SQLite ones: a read-only server (a standby after fail-over, or
`default_transaction_read_only`) answers reads and refuses writes with "not saved", nothing written."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.errors import StoreUnavailable
from bot.store import Store
from tests.conftest import make_claim

ACCEPTANCE = "An estimated 10,000 North Korean soldiers have been deployed in Russia."


async def test_a_read_only_postgresql_answers_reads_and_refuses_writes_cleanly(database_url: str, caplog):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only; tests/test_faults_sqlite.py covers SQLite")
    settings = Settings(
        _env_file=None, database_url=database_url, seed_claims=True, db_retry_attempts=2, db_retry_delay=0.0
    )
    opened = await Store.open(settings)
    await opened.close()
    name = make_url(database_url).database
    admin = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    finally:
        await admin.dispose()
    read_only = await Store.open(settings)
    try:
        answer = await read_only.service.check(ACCEPTANCE)
        assert answer.matches[0][1].id == "nk-troops-10000-in-russia"
        with caplog.at_level(logging.WARNING, logger="bot.retry"):
            with pytest.raises(StoreUnavailable, match="not saved"):
                await read_only.service.create(make_claim("ro-claim"), actor="test")
            with pytest.raises(StoreUnavailable, match="not saved"):
                await read_only.service.import_claims([make_claim("ro-import")], actor="test")
        assert any("read-only" in r.getMessage() for r in caplog.records)
        assert len(await read_only.service.find(limit=None)) == 14
    finally:
        await read_only.close()
