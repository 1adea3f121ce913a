"""Smoke test: the PostgreSQL named by CLAIMBOT_TEST_POSTGRES_URL answers through SQLAlchemy + asyncpg.

`make test` starts a throwaway cluster (.ci/postgres.sh) and sets the URL when PostgreSQL is installed.
Without a URL the test is skipped, unless CLAIMBOT_REQUIRE_POSTGRES=1 (set by .ci/run), then it fails.
"""

import os

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

URL_VAR = "CLAIMBOT_TEST_POSTGRES_URL"
REQUIRE_VAR = "CLAIMBOT_REQUIRE_POSTGRES"


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get(URL_VAR, "").strip()
    if url:
        return url
    message = f"{URL_VAR} is not set (apt-get install postgresql, then run `make test`)"
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"{REQUIRE_VAR}=1 but {message}", pytrace=False)
    pytest.skip(message)


async def test_select_one(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+asyncpg://"), postgres_url
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("select 1"))).scalar_one() == 1
            assert (await conn.execute(text("select current_database()"))).scalar_one()
    finally:
        await engine.dispose()
