"""Faults on the Discord side and in the store, through simcord with the real bot.

- Discord answers a send with 5xx or 429: the bot logs it, sends nothing twice, records no reply it
  did not send, and tells the person when it was their action that failed.
- The database is locked by another writer for longer than the busy timeout: the person is told
  their change was not saved, and nothing was saved; reads keep working (WAL).
- Retrying 429 and 5xx is discord.py's job (its HTTP client), checked here against a fake session.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import discord
import pytest
from sqlalchemy import func, select

from bot.claims import Status
from bot.client import APOLOGY
from bot.config import Settings
from bot.errors import StoreUnavailable
from db import engine as db_engine
from db.models import AuditRow, FeedbackRow, ReplyRow

pytestmark = pytest.mark.timeout(120)

SEEDED = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
SEEDED_ID = "nk-troops-10000-in-russia"
RESTATEMENT = "apparently about 10k north korean troops got deployed to russia, crazy"


@pytest.fixture
def bot_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """As conftest's, with a short SQLite busy timeout and quick retries, so a lock outlasts them."""
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_TIMEOUT_MS", 150)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    return Settings(
        _env_file=None, database_url=url, discord_token="x", seed_claims=True, shard_count=1,
        db_retry_attempts=2, db_retry_delay=0.0, db_retry_max_delay=0.0,
    )


async def count(bot, model) -> int:
    async with bot.claims.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def bot_posts(world) -> list[Any]:
    return [r for r in world.env.http_requests if r.method == "POST" and r.path.endswith("/messages")]


# ---- Discord fails a send ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 429])
async def test_a_failed_auto_reply_is_logged_not_recorded_and_the_next_one_goes_out(world, status, caplog):
    enabled = await world.admin.slash(world.channel, "autoreply enable", channel=world.channel)
    assert "now on" in enabled.response.content
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=status, times=1)
    with caplog.at_level(logging.WARNING, logger="cogs.autoreply"):
        await world.member.send(world.channel, RESTATEMENT)
    assert [m for m in world.channel.history() if m.author.bot] == []
    assert any(str(status) in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)
    assert await count(world.bot, ReplyRow) == 0  # no cooldown taken for a reply never sent

    await world.member.send(world.channel, RESTATEMENT)  # Discord is back
    replies = [m for m in world.channel.history() if m.author.bot and m.embeds]
    assert len(replies) == 1
    assert await count(world.bot, ReplyRow) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_check_whose_answer_discord_refuses_tells_the_person_it_failed(world, status, caplog) -> None:
    world.env.inject_error("POST", "/interactions/*/*/callback", status=status, times=1)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        result = await world.member.slash(world.channel, "check", statement=SEEDED)
    assert result.ephemeral and result.response.content == APOLOGY
    assert any(r.exc_info for r in caplog.records), "logged with its traceback"
    errors = world.take_errors()
    assert errors and all(isinstance(getattr(e, "original", e), discord.HTTPException) for e in errors)


async def test_a_saved_change_stays_saved_when_discord_fails_the_confirmation(world) -> None:
    audit_before = await count(world.bot, AuditRow)
    world.env.inject_error("POST", "/interactions/*/*/callback", status=500, times=1)
    result = await world.moderator.slash(world.channel, "claim status", claim=SEEDED_ID, status="denied")
    world.take_errors()
    assert result.response.content == APOLOGY  # told something went wrong ...
    claim = await world.bot.claims.get(SEEDED_ID)
    assert claim.status == Status.DENIED  # ... but the write it accepted is kept, and audited once
    assert await count(world.bot, AuditRow) == audit_before + 1
    again = await world.moderator.slash(world.channel, "claim status", claim=SEEDED_ID, status="denied")
    assert again.response.content and again.response.content != APOLOGY
    assert await count(world.bot, AuditRow) == audit_before + 1  # running it again changes nothing


# ---- the database is locked ----------------------------------------------------------------------------


def _lock(world) -> sqlite3.Connection:
    path = world.bot.settings.database_url.removeprefix("sqlite+aiosqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_a_locked_database_refuses_writes_with_a_message_and_keeps_answering(world, caplog) -> None:
    checked = await world.member.slash(world.channel, "check", statement=SEEDED)
    audit_before = await count(world.bot, AuditRow)
    holder = _lock(world)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.retry"):
            changed = await world.moderator.slash(
                world.channel, "claim status", claim=SEEDED_ID, status="denied"
            )
            voted = await world.member.click(checked.response, label="Helpful")
            added = await world.moderator.slash(
                world.channel, "claim add", status="alleged", party="A council", stance="alleges",
                text="The river Blorv flooded the town hall twice in 2023.",
            )
            answered = await world.member.slash(world.channel, "check", statement=SEEDED, private=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for result in (changed, voted, added):
        assert result.ephemeral and "not saved" in result.response.content, result.response.content
    assert SEEDED_ID in str(answered.response.embeds[0].to_dict())  # reading never needed the lock
    assert any("retrying" in r.getMessage() for r in caplog.records)
    errors = world.take_errors()
    assert errors and all(isinstance(getattr(e, "original", e), StoreUnavailable) for e in errors)
    assert (await world.bot.claims.get(SEEDED_ID)).status == Status.ALLEGED
    assert await count(world.bot, AuditRow) == audit_before
    assert await count(world.bot, FeedbackRow) == 0
    # Once the lock is gone the same actions succeed.
    changed = await world.moderator.slash(world.channel, "claim status", claim=SEEDED_ID, status="denied")
    assert "not saved" not in (changed.response.content or "")
    assert (await world.bot.claims.get(SEEDED_ID)).status == Status.DENIED


# ---- discord.py's own retries ---------------------------------------------------------------------------


class _Response:
    def __init__(self, status: int, body: str, headers: dict[str, str]) -> None:
        self.status = status
        self.reason = "test"
        self.headers = {"content-type": "application/json", **headers}
        self._body = body

    async def text(self, encoding: str = "utf-8") -> str:
        return self._body

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _client(session: _Session) -> discord.http.HTTPClient:
    """discord.py's real HTTP client on a fake session, in the state `static_login` leaves it."""
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    http._HTTPClient__session = session  # type: ignore[attr-defined]
    http._global_over = asyncio.Event()
    http._global_over.set()
    http.token = "x"
    return http


class _Session:
    """Plays back canned responses to discord.py's HTTP client, recording each attempt."""

    def __init__(self, responses: list[_Response]) -> None:
        self.responses = responses
        self.attempts = 0

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        self.attempts += 1
        return self.responses.pop(0)


MESSAGE = '{"id": "1", "channel_id": "2", "content": "hi"}'


@pytest.mark.parametrize(
    ("first", "headers"),
    [
        ((429, '{"message": "rate limited", "retry_after": 0.01, "global": false}'), {"Via": "1.1 google"}),
        ((500, '{"message": "boom"}'), {}),
        ((502, "<html>bad gateway</html>"), {"content-type": "text/html"}),
    ],
    ids=["429", "500", "502"],
)
async def test_discord_py_retries_rate_limits_and_server_errors_itself(monkeypatch, first, headers) -> None:
    sleeps: list[float] = []

    async def no_wait(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr(discord.http.asyncio, "sleep", no_wait)
    session = _Session([_Response(first[0], first[1], headers), _Response(200, MESSAGE, {})])
    http = _client(session)

    data = await http.request(discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=2))

    assert data["content"] == "hi"
    assert session.attempts == 2
    assert any(s > 0 for s in sleeps)  # it waited before trying again


async def test_discord_py_gives_up_after_five_server_errors_and_raises(monkeypatch) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr(discord.http.asyncio, "sleep", no_wait)
    session = _Session([_Response(500, '{"message": "boom"}', {}) for _ in range(5)])
    http = _client(session)
    with pytest.raises(discord.DiscordServerError):
        await http.request(discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=2))
    assert session.attempts == 5
