"""The keyed limiters behind the /check rate limits and the auto-reply flood cap (no Discord)."""

from __future__ import annotations

import pytest

from bot.errors import ClaimbotError
from bot.ratelimit import CheckLimits, CheckLimitSettings, KeyedLimiter, RateLimited


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill():
    clock = FakeClock()
    limiter = KeyedLimiter(3, 60, clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    wait = limiter.hit("a")
    assert wait == pytest.approx(20.0)  # one token every 60/3 s
    assert limiter.hit("b") == 0  # keys are independent
    clock.now += 19.9
    assert limiter.hit("a") > 0
    clock.now += 0.2
    assert limiter.hit("a") == 0
    assert limiter.hit("a") > 0


def test_refused_use_costs_nothing():
    clock = FakeClock()
    limiter = KeyedLimiter(1, 10, clock=clock)
    assert limiter.hit(1) == 0
    for _ in range(50):
        assert limiter.hit(1) > 0
    clock.now += 10
    assert limiter.hit(1) == 0


def test_retry_after_does_not_use():
    clock = FakeClock()
    limiter = KeyedLimiter(1, 10, clock=clock)
    assert limiter.retry_after("k") == 0
    assert limiter.retry_after("k") == 0
    assert limiter.hit("k") == 0
    assert limiter.retry_after("k") == pytest.approx(10)


def test_memory_stays_bounded():
    clock = FakeClock()
    limiter = KeyedLimiter(2, 1, clock=clock, max_keys=100)
    for key in range(10_000):
        limiter.hit(key)
        clock.now += 0.001
    assert len(limiter) <= 100
    # A key still in use after a prune is limited as before.
    limiter.hit("hot")
    limiter.hit("hot")
    assert limiter.hit("hot") > 0


def test_check_limits_per_user_and_per_channel():
    clock = FakeClock()
    settings = CheckLimitSettings(user_uses=2, user_per_seconds=60, channel_uses=3, channel_per_seconds=60)
    limits = CheckLimits(settings, clock=clock)
    limits.hit(1, 100)
    limits.hit(1, 100)
    with pytest.raises(RateLimited) as refused:
        limits.hit(1, 100)
    assert refused.value.scope == "user"
    assert isinstance(refused.value, ClaimbotError)
    assert "Try again in 30s" in str(refused.value)
    limits.hit(2, 100)  # another person, same channel: third use of the channel
    with pytest.raises(RateLimited) as refused:
        limits.hit(3, 100)
    assert refused.value.scope == "channel"
    assert "this channel" in str(refused.value)
    limits.hit(3, 200)  # the refusal in channel 100 did not use person 3's budget
    limits.hit(3, None)  # DMs have no channel limit
    with pytest.raises(RateLimited):
        limits.hit(3, None)
    clock.now += 60
    limits.hit(1, 100)


def test_invalid_limits_refused():
    with pytest.raises(ValueError):
        KeyedLimiter(0, 10)
    with pytest.raises(ValueError):
        KeyedLimiter(1, 0)


def test_limits_come_from_settings():
    from bot.config import Settings

    settings = Settings(_env_file=None, check_user_uses=2, check_channel_seconds=30, autoreply_channel_cap=3)
    limits = CheckLimitSettings.from_settings(settings)
    expected = CheckLimitSettings(user_uses=2, user_per_seconds=60, channel_uses=20, channel_per_seconds=30)
    assert limits == expected
    assert settings.autoreply_channel_cap == 3
