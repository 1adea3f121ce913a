"""Settings, read from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path('data') / 'claimbot.sqlite3'}"


class Settings(BaseSettings):
    """Every key is listed, with a comment, in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    discord_token: str | None = Field(default=None, repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    seed_claims: bool = True
    dev_guild_id: int | None = None
    log_level: str = "INFO"

    # Sharding: both unset means discord.py picks the shard count and this process runs them all.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None  # "0,1" in the environment

    # Database connections (PostgreSQL; SQLite uses the pool size and timeout only).
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_pool_recycle: float = Field(default=1800.0, gt=0)
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_command_timeout: float = Field(default=30.0, gt=0)
    # Retrying reads and writes when the database connection fails (e.g. a server restart).
    db_retry_attempts: int = Field(default=5, ge=1)
    db_retry_delay: float = Field(default=0.25, ge=0)
    db_retry_max_delay: float = Field(default=2.0, ge=0)
    # How often each process checks the database for claim changes made by other processes.
    index_sync_interval: float = Field(default=1.0, gt=0)
    # PostgreSQL only: also LISTEN for change notifications, so other processes' changes arrive at once.
    index_sync_listen: bool = True

    # Abuse controls: /check uses per person and per channel within a window, and auto-replies
    # per channel within a window (whatever the claims; the per-claim cooldown is a server setting).
    check_user_uses: int = Field(default=5, ge=1)
    check_user_seconds: float = Field(default=60.0, gt=0)
    check_channel_uses: int = Field(default=20, ge=1)
    check_channel_seconds: float = Field(default=60.0, gt=0)
    autoreply_channel_cap: int = Field(default=5, ge=1)
    autoreply_channel_cap_seconds: float = Field(default=60.0, gt=0)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            return [int(part) for part in parts if part] or None
        return value

    @model_validator(mode="after")
    def _pool_fits(self) -> Settings:
        if self.db_pool_size + self.db_max_overflow < 2:
            raise ValueError("DB_POOL_SIZE + DB_MAX_OVERFLOW must allow 2 connections (start-up holds one)")
        return self

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            if len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError("SHARD_IDS lists a shard twice")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(f"SHARD_IDS {bad} outside 0..{self.shard_count - 1} (SHARD_COUNT)")
        return self

    def engine_options(self) -> dict[str, float | int]:
        """Keyword arguments for `db.engine.create_engine`."""
        return {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
            "pool_recycle": self.db_pool_recycle,
            "connect_timeout": self.db_connect_timeout,
            "command_timeout": self.db_command_timeout,
        }
