"""Stats for /claim stats and the digest: daily counts, narrowing, the text and the PNG chart."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PIL import Image

from bot.claims import Status
from bot.matching import Decision
from bot.review import ReviewService
from bot.stats import CHART_DPI, CHART_SIZE, SERIES, StatsService, format_text, render_chart
from bot.store import Store
from db.models import FeedbackRow, ReplyRow, ReviewEntryRow
from tests.conftest import make_claim

GUILD = 111
OTHER_GUILD = 222
UNTIL = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def day(n: int, hour: int = 12) -> datetime:
    """`n` days before UNTIL's day, at `hour` UTC."""
    return UNTIL.replace(hour=hour) - timedelta(days=n)


@pytest.fixture
async def stats(store: Store) -> StatsService:
    claims = store.service
    await claims.create(make_claim("moon", "The moon is made of cheese.", status=Status.ALLEGED), actor="t")
    await claims.create(make_claim("mars", "Mars has canals.", status=Status.DENIED), actor="t")
    rows = [
        ReplyRow(message_id=1, guild_id=GUILD, channel_id=5, claim_id="moon", kind="check", sent_at=day(0)),
        ReplyRow(
            message_id=2, guild_id=GUILD, channel_id=5, claim_id="moon", kind="autoreply", sent_at=day(0)
        ),
        ReplyRow(message_id=3, guild_id=GUILD, channel_id=5, claim_id="mars", kind="check", sent_at=day(2)),
        ReplyRow(
            message_id=4, guild_id=GUILD, channel_id=5, claim_id="moon", kind="check", sent_at=day(2, 0)
        ),
        ReplyRow(message_id=5, guild_id=GUILD, channel_id=5, claim_id="moon", kind="check", sent_at=day(40)),
        ReplyRow(
            message_id=6, guild_id=OTHER_GUILD, channel_id=9, claim_id="moon", kind="check", sent_at=day(0)
        ),
        ReplyRow(
            message_id=7,
            guild_id=GUILD,
            channel_id=5,
            claim_id="moon",
            kind="autoreply",
            sent_at=UNTIL + timedelta(days=1),
        ),
    ]
    votes = [
        FeedbackRow(message_id=1, claim_id="moon", guild_id=GUILD, user_id=1, vote="helpful", at=day(0)),
        FeedbackRow(message_id=2, claim_id="moon", guild_id=GUILD, user_id=1, vote="wrong", at=day(0)),
        FeedbackRow(message_id=2, claim_id="moon", guild_id=GUILD, user_id=2, vote="wrong", at=day(1)),
        FeedbackRow(message_id=3, claim_id="mars", guild_id=GUILD, user_id=1, vote="helpful", at=day(2)),
    ]
    entries = [
        _entry("unanswered", None, "mars", day(1)),
        _entry("unanswered", None, None, day(1)),
        _entry("wrong", "moon", None, day(0)),
    ]
    async with claims.sessions() as session, session.begin():
        session.add_all([*rows, *votes, *entries])
    return StatsService(claims.sessions)


def _entry(kind: str, wrong: str | None, candidate: str | None, at: datetime) -> ReviewEntryRow:
    return ReviewEntryRow(
        guild_id=GUILD,
        kind=kind,
        question=f"q {kind} {wrong} {candidate}",
        normalised="q",
        candidate_claim_id=candidate,
        wrong_claim_id=wrong,
        asks=1,
        askers=0,
        channel_ids=[5],
        salt="s",
        first_asked_at=at,
        last_asked_at=at,
        state="open",
    )


async def test_daily_series_for_the_server(stats: StatsService):
    result = await stats.collect(GUILD, days=7, until=UNTIL)
    assert len(result.days) == 7 and result.days[-1] == UNTIL.date()
    assert result.series["checks"][-3:] == [2, 0, 1]  # day(2) 00:00 and 12:00 are one UTC day
    assert result.series["autoreplies"][-1] == 1  # the one after UNTIL is not counted
    assert result.series["helpful"][-3:] == [1, 0, 1]
    assert result.series["wrong"][-3:] == [0, 1, 1]
    assert result.series["queued"][-3:] == [0, 2, 0]  # unanswered only; the wrong report is a vote
    assert result.totals == {"checks": 2 + 1, "autoreplies": 1, "helpful": 2, "wrong": 2, "queued": 2}
    assert set(result.series) == set(SERIES)


async def test_per_status_and_per_claim(stats: StatsService):
    result = await stats.collect(GUILD, days=7, until=UNTIL)
    assert result.by_status["alleged"]["checks"] == 2 and result.by_status["alleged"]["wrong"] == 2
    assert result.by_status["denied"]["checks"] == 1 and result.by_status["denied"]["queued"] == 1
    assert result.by_status["unevidenced"].total() == 0
    assert [t.claim_id for t in result.by_claim] == ["moon", "mars"]
    assert result.by_claim[0].answers == 3


async def test_narrowed_to_a_claim_or_a_status(stats: StatsService):
    moon = await stats.collect(GUILD, days=7, until=UNTIL, claim_id="moon")
    assert moon.totals == {"checks": 2, "autoreplies": 1, "helpful": 1, "wrong": 2, "queued": 0}
    denied = await stats.collect(GUILD, days=7, until=UNTIL, status=Status.DENIED)
    assert denied.totals == {"checks": 1, "autoreplies": 0, "helpful": 1, "wrong": 0, "queued": 1}
    longer = await stats.collect(GUILD, days=60, until=UNTIL)
    assert longer.totals["checks"] == 4
    other = await stats.collect(OTHER_GUILD, days=7, until=UNTIL)
    assert other.totals["checks"] == 1 and other.totals["wrong"] == 0


async def test_text_carries_the_numbers(stats: StatsService):
    text = format_text(await stats.collect(GUILD, days=7, until=UNTIL))
    assert "/check answers: 3" in text and "auto-replies: 1" in text and "wrong-claim votes: 2" in text
    assert "- alleged: 2 checks, 1 auto-replies, 1 helpful, 2 wrong" in text
    assert "- moon: 2 checks" in text
    assert f"Busiest day: {UNTIL.date().isoformat()} (2 answers)" in text
    assert len(format_text(await stats.collect(GUILD, days=7, until=UNTIL), limit=60)) <= 60


def _pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (int(CHART_SIZE[0] * CHART_DPI), int(CHART_SIZE[1] * CHART_DPI))
    return np.asarray(image.convert("RGB"), dtype=float)


async def test_chart_is_a_real_png_that_shows_the_data(stats: StatsService):
    full = _pixels(render_chart(await stats.collect(GUILD, days=7, until=UNTIL)))
    empty = _pixels(render_chart(await stats.collect(OTHER_GUILD, days=7, until=UNTIL - timedelta(days=30))))
    assert full.var() > 0 and empty.var() > 0  # axes and text even with no data
    red = (full[..., 0] > 180) & (full[..., 1] < 80) & (full[..., 2] < 80)  # the wrong-votes colour
    assert red.sum() > 50
    assert not np.array_equal(full, empty)


async def test_questions_from_the_queue_are_counted(store: Store):
    review = ReviewService(store.service.sessions, store.service)
    for user in (1, 2):
        await review.record_question(
            guild_id=GUILD,
            channel_id=5,
            user_id=user,
            question="Is the harbour bridge closing?",
            decision=Decision.NONE,
        )
    result = await review.stats.collect(GUILD, days=1)
    assert result.totals["queued"] == 1  # one question, asked twice
