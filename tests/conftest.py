"""Shared fixtures. Every test that takes `database_url` runs on SQLite and on PostgreSQL.

PostgreSQL comes from CLAIMBOT_TEST_POSTGRES_URL (`make test` starts a throwaway cluster when
PostgreSQL is installed). Without it those cases are skipped, or fail when CLAIMBOT_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.claims import Claim, Stance, Statement, Status
from bot.config import Settings
from bot.store import Store

POSTGRES_URL_VAR = "CLAIMBOT_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VAR = "CLAIMBOT_REQUIRE_POSTGRES"
SEED_PATH = Path(__file__).resolve().parent.parent / "db" / "seed" / "claims.json"


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_URL_VAR, "").strip()
    if url:
        return url
    message = f"{POSTGRES_URL_VAR} is not set (install PostgreSQL and use `make test`)"
    if os.environ.get(REQUIRE_POSTGRES_VAR) == "1":
        pytest.fail(f"{REQUIRE_POSTGRES_VAR}=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'claimbot.sqlite3'}"
        return
    admin_url = postgres_admin_url()
    name = f"claimbot_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, discord_token="test-token", seed_claims=False)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    opened = await Store.open(settings)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()


@pytest.fixture
def seed_json() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def make_claim(claim_id: str = "test-claim", text: str = "The moon is made of cheese.", **fields) -> Claim:
    fields.setdefault("status", Status.ALLEGED)
    fields.setdefault("statements", (Statement(party="A cheese council", stance=Stance.ALLEGES),))
    return Claim(id=claim_id, text=text, **fields)


@pytest.fixture
def seed_path() -> Path:
    return SEED_PATH


# ---- Discord bot fixtures (tests/bot_support.py has the helpers) --------------------------------------


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    """A bot on a fresh SQLite file, seeded with the bundled claims."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    return Settings(_env_file=None, database_url=url, discord_token="x", seed_claims=True, shard_count=1)


@pytest.fixture
def simcord_bot(bot_settings: Settings):
    """The bot simcord's `simcord_env` fixture runs (setup_hook opens the store and loads the cogs)."""
    from bot.client import create_bot

    return create_bot(bot_settings)


@pytest.fixture
async def world(simcord_env):
    """A running bot with commands synced, two servers and members of every kind: see BotWorld.

    Errors the tree's error handler treats as expected (refusals, bad input) don't fail the test;
    unexpected ones do, unless the test took them with `world.take_errors()`.
    """
    from tests.bot_support import build_world

    built = await build_world(simcord_env)
    yield built
    built.raise_unexpected_errors()
