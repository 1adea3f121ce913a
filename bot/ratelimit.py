"""Keyed rate limits, in memory per process. Knows nothing of Discord.

Used for `/check` (per person and per channel) and for the auto-reply flood cap (per channel).
A limit is a token bucket: `rate` uses per `per` seconds, refilled continuously, so a burst of
`rate` is allowed and then one use every `per / rate` seconds. Memory stays bounded: buckets
that have refilled completely carry no information and are dropped when the table grows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.errors import ClaimbotError

Clock = Callable[[], float]

DEFAULT_MAX_KEYS = 50_000


class RateLimited(ClaimbotError):
    """Raised by `CheckLimits.hit`; the message is friendly and safe to show."""

    def __init__(self, retry_after: float, scope: str) -> None:
        seconds = max(1, round(retry_after))
        who = "this channel is" if scope == "channel" else "you are"
        super().__init__(f"Slow down a little: {who} checking claims too often. Try again in {seconds}s.")
        self.retry_after = retry_after
        self.scope = scope


class KeyedLimiter:
    """A token bucket per key."""

    __slots__ = ("rate", "per", "clock", "max_keys", "_buckets")

    def __init__(
        self, rate: int, per: float, *, clock: Clock = time.monotonic, max_keys: int = DEFAULT_MAX_KEYS
    ) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("rate must be at least 1 and per positive")
        self.rate = rate
        self.per = per
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, at)

    def _tokens(self, key: Hashable, at: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.rate)
        tokens, then = bucket
        return min(float(self.rate), tokens + (at - then) * self.rate / self.per)

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `key` may use the limit again; 0 when it may now. Uses nothing."""
        tokens = self._tokens(key, self.clock())
        return 0.0 if tokens >= 1 else (1 - tokens) * self.per / self.rate

    def hit(self, key: Hashable) -> float:
        """Use the limit once. Returns 0 when allowed, else the seconds to wait (and uses nothing)."""
        at = self.clock()
        tokens = self._tokens(key, at)
        if tokens < 1:
            return (1 - tokens) * self.per / self.rate
        if len(self._buckets) >= self.max_keys and key not in self._buckets:
            self._prune(at)
        self._buckets[key] = (tokens - 1, at)
        return 0.0

    def _prune(self, at: float) -> None:
        full = [key for key in self._buckets if self._tokens(key, at) >= self.rate]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            # Every bucket is in use: drop the oldest half rather than grow without bound.
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            for key in oldest[: len(oldest) // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class CheckLimitSettings:
    """How often `/check` may be used: per person and per channel, `uses` per `per_seconds`."""

    user_uses: int = 5
    user_per_seconds: float = 60.0
    channel_uses: int = 20
    channel_per_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: object) -> CheckLimitSettings:
        """From the CHECK_* keys of `bot.config.Settings` (any object with those attributes)."""
        return cls(
            user_uses=settings.check_user_uses,
            user_per_seconds=settings.check_user_seconds,
            channel_uses=settings.check_channel_uses,
            channel_per_seconds=settings.check_channel_seconds,
        )


class CheckLimits:
    """The two `/check` limits together. A use counts against both only when both allow it."""

    def __init__(self, settings: CheckLimitSettings | None = None, *, clock: Clock = time.monotonic) -> None:
        settings = settings or CheckLimitSettings()
        self.per_user = KeyedLimiter(settings.user_uses, settings.user_per_seconds, clock=clock)
        self.per_channel = KeyedLimiter(settings.channel_uses, settings.channel_per_seconds, clock=clock)

    def hit(self, user_id: int, channel_id: int | None) -> None:
        """Use `/check` once, or raise `RateLimited` with a friendly message."""
        wait = self.per_user.retry_after(user_id)
        if wait:
            raise RateLimited(wait, "user")
        if channel_id is not None:
            wait = self.per_channel.hit(channel_id)
            if wait:
                raise RateLimited(wait, "channel")
        self.per_user.hit(user_id)
