"""Retry database work when the connection fails, then report the failure as `StoreUnavailable`.

A unit of work (one `async with sessions() as s, s.begin():` block) is re-run from the start, so a
retried write is either committed once or not at all. When the connection drops during COMMIT the
outcome is unknown to the client; the re-run then finds the committed change (an upsert or edit
becomes "unchanged", a create reports that the claim already exists). A write that still fails
raises `StoreUnavailable`: the caller is told, nothing is dropped silently.

Only connection-level failures are retried: a lost or refused connection, a server that is
shutting down or starting up, a connect timeout, SQLite's "database is locked". Errors in the work
itself (constraint violations, bad SQL, `ClaimbotError`s) propagate at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc

from bot.errors import ClaimbotError, StoreUnavailable

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

READ_UNAVAILABLE = "The claim store is unavailable right now. Try again shortly."

# SQLSTATEs of class 08 (connection exception) and 57P01-57P03 (shutdown, crash, starting up).
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
_DATABASE_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "sqlite3.", "db.")
_SQLITE_TRANSIENT = ("database is locked", "database is busy", "unable to open database file")
# Not worth retrying, but the store cannot take the write: tell the user instead of crashing.
_SQLITE_UNWRITABLE = ("readonly database", "database or disk is full", "disk i/o error")
# PostgreSQL's: a read-only transaction (e.g. a standby after fail-over), a full disk, out of memory.
_UNWRITABLE_SQLSTATES = ("25006", "53100", "53200")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    delay: float = 0.25  # before the first retry; doubled each time
    max_delay: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            attempts=settings.db_retry_attempts,
            delay=settings.db_retry_delay,
            max_delay=settings.db_retry_max_delay,
        )

    def delays(self) -> Iterator[float]:
        """The pause before each retry (attempts - 1 of them)."""
        delay = self.delay
        for _ in range(self.attempts - 1):
            yield min(delay, self.max_delay)
            delay *= 2


DEFAULT_POLICY = RetryPolicy()


def is_transient(error: BaseException) -> bool:
    """Whether `error` means the database was unreachable, so the same work may succeed later."""
    if isinstance(error, ClaimbotError):  # already decided, e.g. StoreUnavailable from an inner retry
        return False
    for cause in _causes(error):
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, ConnectionError | TimeoutError):
            return True
        if isinstance(cause, OSError) and not isinstance(cause, FileNotFoundError | PermissionError):
            return True
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES):
            return True
        if _is_asyncpg_connection_error(cause):
            return True
        if type(cause).__module__.startswith(("sqlite3", "aiosqlite")):
            message = str(cause).lower()
            if any(text in message for text in _SQLITE_TRANSIENT):
                return True
    return False


def is_unavailable(error: BaseException) -> bool:
    """Failures that are not worth retrying but still mean "the store is unavailable"."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection became free in time
        return True
    for cause in _causes(error):
        if getattr(cause, "sqlstate", None) in _UNWRITABLE_SQLSTATES:
            return True
        if type(cause).__module__.startswith(("sqlite3", "aiosqlite")) and any(
            text in str(cause).lower() for text in _SQLITE_UNWRITABLE
        ):
            return True
    return False


def is_store_failure(error: BaseException) -> bool:
    """Whether `error` means the database could not be reached or could not take the work, as
    raised by code that does not retry (it is then reported like `StoreUnavailable`). Network errors
    of other libraries (Discord's HTTP client) don't count: the error must come from the database stack."""
    if not (is_transient(error) or is_unavailable(error)):
        return False
    return isinstance(error, sa_exc.SQLAlchemyError) or _raised_in_database_stack(error)


def _raised_in_database_stack(error: BaseException) -> bool:
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_DATABASE_MODULES):
            return True
    return False


def _is_asyncpg_connection_error(error: BaseException) -> bool:
    try:
        import asyncpg
    except ImportError:  # PostgreSQL support not installed
        return False
    return isinstance(
        error,
        asyncpg.PostgresConnectionError | asyncpg.ConnectionDoesNotExistError | asyncpg.CannotConnectNowError,
    )


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
            current = orig.__cause__ or orig.__context__
        else:
            current = current.__cause__ or current.__context__


async def call_with_retry(
    work: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    what: str = "database work",
    unavailable_message: str | None = None,
) -> T:
    """Run `work()`, again after a pause while it fails transiently; then raise `StoreUnavailable`."""
    delays = policy.delays()
    attempt = 1
    while True:
        try:
            return await work()
        except Exception as error:
            if is_unavailable(error):
                log.warning("%s failed: %s", what, error)
                raise StoreUnavailable(unavailable_message) from error
            if not is_transient(error):
                raise
            pause = next(delays, None)
            if pause is None:
                log.error("%s failed after %d attempts: %s", what, attempt, _describe(error))
                raise StoreUnavailable(unavailable_message) from error
            log.warning(
                "%s failed (attempt %d of %d: %s); retrying in %.2fs",
                what, attempt, policy.attempts, _describe(error), pause,
            )
            await asyncio.sleep(pause)
            attempt += 1


def _retrying(
    method: Callable[..., Awaitable[T]], unavailable_message: str | None
) -> Callable[..., Awaitable[T]]:
    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        policy = getattr(self, "retry_policy", None) or DEFAULT_POLICY
        return await call_with_retry(
            lambda: method(self, *args, **kwargs),
            policy=policy,
            what=f"{type(self).__name__}.{method.__name__}",
            unavailable_message=unavailable_message,
        )

    return wrapper


def retry_read(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Decorate a service method that only reads. The instance's `retry_policy` applies."""
    return _retrying(method, READ_UNAVAILABLE)  # type: ignore[return-value]


def retry_write(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Decorate a service method that writes (one transaction). The instance's `retry_policy` applies."""
    return _retrying(method, None)  # type: ignore[return-value]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0]
