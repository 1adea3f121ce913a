"""One process's hold on the claim store: the database engine, the claim service and its match index."""

from __future__ import annotations

import logging
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.formats import parse_claims
from bot.matching import Matcher
from bot.retry import RetryPolicy
from bot.service import ClaimService
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.notify import startup_lock
from db.repositories import AuditLog

log = logging.getLogger(__name__)

SEED_ACTOR = "cli"


def bundled_claims() -> bytes:
    return resources.files("db").joinpath("seed/claims.json").read_bytes()


class Store:
    def __init__(self, engine: AsyncEngine, service: ClaimService) -> None:
        self.engine = engine
        self.service = service

    @classmethod
    async def open(cls, settings: Settings, *, load_index: bool = True) -> Store:
        """Migrate the schema to head, seed a brand-new database when asked, and load the match index."""
        engine = create_engine(settings.database_url, **settings.engine_options())
        try:
            service = ClaimService(create_sessionmaker(engine), Matcher())
            service.retry_policy = RetryPolicy.from_settings(settings)
            async with startup_lock(engine):  # processes starting together migrate and seed in turn
                await migrate.upgrade(engine)
                if settings.seed_claims:
                    await seed_if_new(service)
            if load_index:
                await service.load_index()
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, service)

    async def close(self) -> None:
        await self.engine.dispose()


async def seed_if_new(service: ClaimService) -> bool:
    """Import the bundled claims into a database that has never held any (an empty audit log)."""
    async with service.sessions() as session:
        if await AuditLog(session).last_id():
            return False
    summary = await service.import_claims(parse_claims(bundled_claims()), actor=SEED_ACTOR)
    log.info("seeded a new database with the bundled claims: %s", summary)
    return True
