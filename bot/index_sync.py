"""Keep this process's match index in step with claim changes other processes commit.

Each bot process holds its own in-memory index. `IndexSync` applies what others changed by
calling `ClaimService.refresh_index()` (it reads the audit log after the last id it saw):

* every `interval` seconds (the revision check: one indexed query when nothing changed), on every
  backend; on SQLite this alone serves. With `poll=False` the owner calls `refresh()` on its own
  schedule instead (the bot does, from a `discord.ext.tasks` loop);
* at once when PostgreSQL announces a change (LISTEN/NOTIFY over a dedicated connection, see
  `db.notify`), and after the listener (re)connects.

Refreshes never overlap (a lock); notifications arriving during one are coalesced into one more.
Failures (the database is down) are logged and the loops keep going.
Discord-free: the bot starts it in `setup_hook` and stops it in `close`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import TYPE_CHECKING

from db.notify import ChangeListener, supports_listen

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.service import ClaimService

log = logging.getLogger(__name__)


class IndexSync:
    def __init__(
        self,
        service: ClaimService,
        database_url: str,
        *,
        interval: float = 1.0,
        listen: bool = True,
        poll: bool = True,
        connect_timeout: float = 5.0,
        reconnect_delay: float = 0.25,
        max_reconnect_delay: float = 2.0,
    ) -> None:
        self.service = service
        self.interval = interval
        self.poll = poll
        self.listener: ChangeListener | None = None
        if listen and supports_listen(database_url):
            self.listener = ChangeListener(
                database_url,
                self._on_change,
                connect_timeout=connect_timeout,
                reconnect_delay=reconnect_delay,
                max_reconnect_delay=max_reconnect_delay,
            )
        self.refreshes = 0  # successful refresh_index() calls
        self.failures = 0  # failed ones
        self._lock = asyncio.Lock()
        self._pending = False
        self._failing = False
        self._drain_task: asyncio.Task[None] | None = None
        self._started = False
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def from_settings(cls, service: ClaimService, settings: Settings, *, poll: bool = True) -> IndexSync:
        return cls(
            service,
            settings.database_url,
            interval=settings.index_sync_interval,
            listen=settings.index_sync_listen,
            poll=poll,
            connect_timeout=settings.db_connect_timeout,
            reconnect_delay=settings.db_retry_delay or 0.25,
            max_reconnect_delay=max(settings.db_retry_max_delay, 0.25),
        )

    @property
    def running(self) -> bool:
        """Started and not stopped."""
        return self._started

    @property
    def listening(self) -> bool:
        """Whether change notifications are being received right now (PostgreSQL only)."""
        return self.listener is not None and self.listener.connected.is_set()

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.poll:
            self._tasks.append(asyncio.create_task(self._poll_loop(), name="index-sync-poll"))
        if self.listener is not None:
            self._tasks.append(asyncio.create_task(self.listener.run(), name="index-sync-listen"))
        log.info(
            "index sync started: revision check every %.1fs%s",
            self.interval,
            ", LISTEN/NOTIFY on PostgreSQL" if self.listener else "",
        )

    async def stop(self) -> None:
        self._started = False
        tasks, self._tasks = self._tasks, []
        if self._drain_task is not None:
            tasks.append(self._drain_task)
            self._drain_task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task

    def poke(self) -> None:
        """Ask for a refresh now (coalesced with any already pending)."""
        self._pending = True
        if self._started and (self._drain_task is None or self._drain_task.done()):
            self._drain_task = asyncio.create_task(self._drain(), name="index-sync-notified")

    def _on_change(self, audit_id: int | None) -> None:
        log.debug("change notification (audit id %s)", audit_id)
        self.poke()

    async def _drain(self) -> None:
        while self._pending:
            self._pending = False
            await self.refresh()

    async def _poll_loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.refresh()

    async def refresh(self) -> int | None:
        """Apply other processes' changes now. Returns how many claims changed, None when it failed
        (logged once per run of failures; the next refresh tries again)."""
        async with self._lock:
            try:
                changed = await self.service.refresh_index()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep going: the next check tries again
                self.failures += 1
                if not self._failing:
                    log.warning("index refresh failed (%s: %s); will retry", type(error).__name__, error)
                self._failing = True
                return None
        self.refreshes += 1
        if self._failing:
            log.info("index refresh works again")
            self._failing = False
        if changed:
            log.debug("index refreshed: %d claims changed elsewhere", changed)
        return changed
