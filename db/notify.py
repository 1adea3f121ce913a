"""Coordination between bot processes that share one PostgreSQL database: change notifications,
the order of audit ids, and one-at-a-time start-up.

Writers: every session made by `db.engine.create_sessionmaker` is a `ChangeNotifyingSession`.
When a flush writes audit rows (the change feed, see `db.models.AuditRow`) on PostgreSQL, it

* first takes a transaction-scoped advisory lock, so claim-changing transactions commit in the
  order of their audit ids. Without it a reader could see audit id 11 committed while id 10 is
  still in flight, move past 10 and never apply it. (SQLite allows one writer at a time anyway.)
* then queues `pg_notify('claimbot_changes', '<newest audit id>')` in the same transaction:
  PostgreSQL delivers it only if and when the transaction commits.

Readers: `ChangeListener` holds one dedicated asyncpg connection that LISTENs on the channel and
reconnects, with backoff, whenever that connection is lost (e.g. a server restart).

Start-up: `startup_lock(engine)` lets one process at a time migrate and seed, so processes started
together (`systemctl start claimbot@{0..3}`, or the bot and a CLI command) don't race to create the
same tables. On SQLite a file lock does the same.

On SQLite there are no notifications and no ordering lock; the periodic revision check in
`bot.index_sync` serves alone, and SQLite lets one writer at a time commit anyway.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from db.models import AuditRow

try:
    import fcntl
except ImportError:  # not POSIX: SQLite processes starting together are not serialised
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

CHANNEL = "claimbot_changes"
# Key of the advisory lock that orders claim-changing transactions: b"claimbot" as a big-endian int.
AUDIT_LOCK_KEY = int.from_bytes(b"claimbot", "big")
STARTUP_LOCK_KEY = AUDIT_LOCK_KEY + 1


class ChangeNotifyingSession(Session):
    """A Session that orders and announces audit-logged changes on PostgreSQL (see the module doc)."""


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _new_audit_rows(session: Session) -> list[AuditRow]:
    return [obj for obj in session.new if isinstance(obj, AuditRow)]


@event.listens_for(ChangeNotifyingSession, "before_flush")
def _lock_before_audit_ids(session: Session, _flush_context: Any, _instances: Any) -> None:
    if _new_audit_rows(session) and _is_postgresql(session):
        # Re-entrant within a transaction; released by COMMIT or ROLLBACK.
        session.connection().execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))


@event.listens_for(ChangeNotifyingSession, "after_flush")
def _notify_after_audit_rows(session: Session, _flush_context: Any) -> None:
    ids = [row.id for row in _new_audit_rows(session) if row.id is not None]
    if ids and _is_postgresql(session):
        session.connection().execute(select(func.pg_notify(CHANNEL, str(max(ids)))))


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Let one process at a time run the block (migrate and seed) on this database.

    PostgreSQL: a session-level advisory lock on its own connection. SQLite file: an exclusive
    `flock` on `<database file>.startup-lock` beside it. Either ends with the process if it dies.
    """
    if engine.dialect.name == "sqlite":
        async with _sqlite_startup_lock(engine):
            yield
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(select(func.pg_advisory_lock(STARTUP_LOCK_KEY)))
        try:
            yield
        finally:
            with suppress(Exception):  # a lost connection has released the lock already
                await conn.execute(select(func.pg_advisory_unlock(STARTUP_LOCK_KEY)))


@asynccontextmanager
async def _sqlite_startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or engine.url.query.get("uri"):
        yield  # nothing shared on disk, or no flock on this system
        return
    path = Path(database)
    try:
        fd = os.open(path.with_name(path.name + ".startup-lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:  # e.g. a read-only directory: start unserialised rather than not at all
        log.debug("no start-up lock beside %s: %s", path, error)
        yield
        return
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def supports_listen(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "postgresql" and url.get_driver_name() == "asyncpg"


def asyncpg_dsn(database_url: str) -> str:
    """The plain libpq-style URL (for asyncpg, pg_dump, psql) of an SQLAlchemy `postgresql+asyncpg://` URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


# Query parameters SQLAlchemy's asyncpg dialect consumes itself rather than passing to asyncpg.connect.
_SQLALCHEMY_ONLY = {"prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback"}


def asyncpg_connect_kwargs(database_url: str) -> dict[str, Any]:
    """asyncpg.connect() arguments for the URL, as SQLAlchemy's dialect builds them (so e.g. `?ssl=require`
    means the same for the listener as for the pool)."""
    url = make_url(database_url)
    kwargs: dict[str, Any] = url.translate_connect_args(username="user", database="database")
    kwargs.update((key, value) for key, value in url.query.items() if key not in _SQLALCHEMY_ONLY)
    return kwargs


class ChangeListener:
    """LISTEN on the change channel over a dedicated connection, and keep it connected.

    `on_change(audit_id)` is called for every notification, and with None after every (re)connect,
    since changes made while disconnected were not announced to this process.
    """

    def __init__(
        self,
        database_url: str,
        on_change: Callable[[int | None], None],
        *,
        channel: str = CHANNEL,
        connect_timeout: float = 5.0,
        reconnect_delay: float = 0.25,
        max_reconnect_delay: float = 2.0,
        health_interval: float = 30.0,
    ) -> None:
        self._connect_kwargs = asyncpg_connect_kwargs(database_url)
        self._on_change = on_change
        self.channel = channel
        self.connect_timeout = connect_timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self.health_interval = health_interval
        self.connected = asyncio.Event()
        self.connections = 0  # successful (re)connects, for logs and tests

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff."""
        import asyncpg

        delay = self.reconnect_delay
        failing = False
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(**self._connect_kwargs, timeout=self.connect_timeout)
                await connection.add_listener(self.channel, self._notified)
                self.connections += 1
                self.connected.set()
                if failing or self.connections > 1:
                    log.info("change listener reconnected to PostgreSQL")
                else:
                    log.debug("change listener connected, LISTEN %s", self.channel)
                failing = False
                delay = self.reconnect_delay
                self._on_change(None)
                await self._watch(connection)
                log.warning("change listener lost its PostgreSQL connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure here means: reconnect later
                if not failing:
                    log.warning("change listener cannot reach PostgreSQL (%s); retrying", _describe(error))
                failing = True
            finally:
                self.connected.clear()
                if connection is not None:
                    with suppress(Exception):
                        connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_reconnect_delay)

    async def _watch(self, connection: Any) -> None:
        """Return when the connection is gone.

        The server closing it (a restart) is noticed at once: asyncpg's termination callback cancels
        the wait. A silently dead network path is noticed by a health check every `health_interval`
        seconds; meanwhile the periodic revision check keeps the index in step. (One long sleep
        rather than frequent polling: cheap, and virtual-clock test harnesses can park it.)
        """
        while not connection.is_closed():
            pause = asyncio.ensure_future(asyncio.sleep(self.health_interval))

            def wake(_conn: Any, pause: asyncio.Future[None] = pause) -> None:
                pause.cancel()

            connection.add_termination_listener(wake)
            try:
                if connection.is_closed():  # closed before the callback was in place
                    pause.cancel()
                await pause
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # stop() cancelled us
                return  # the connection was closed under us
            finally:
                connection.remove_termination_listener(wake)
            try:
                await connection.fetchval("SELECT 1", timeout=self.connect_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.debug("change listener health check failed: %s", _describe(error))
                return

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            audit_id: int | None = int(payload)
        except ValueError:
            audit_id = None
        self._on_change(audit_id)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
