"""Online backup and restore of an SQLite store, with SQLite's own backup API.

PostgreSQL deployments use pg_dump and pg_restore instead (see the README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ClaimbotError


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ClaimbotError(
            "backup and restore work on an SQLite file; "
            "for PostgreSQL use pg_dump and pg_restore (see the README)"
        )
    return Path(url.database)


def backup(database_url: str, target: Path) -> None:
    """Copy the live database to `target`, consistently, even while the bot writes to it."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise ClaimbotError(f"no database at {source_path}")
    if target.exists():
        raise ClaimbotError(f"{target} already exists; choose a new file name")
    with _connect(source_path) as source, _connect(target) as copy:
        source.backup(copy)


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the live database's contents with a backup's, in one step."""
    target_path = sqlite_path(database_url)
    if not backup_file.is_file():
        raise ClaimbotError(f"no backup file at {backup_file}")
    try:
        with _connect(backup_file, read_only=True) as source:
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"claims", "audit_log", "alembic_version"} <= tables:
                raise ClaimbotError(f"{backup_file} is not a claimbot backup")
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with _connect(target_path) as target:
                source.backup(target)
    except sqlite3.DatabaseError as error:
        raise ClaimbotError(f"{backup_file} is not a readable SQLite database ({error})") from None


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return sqlite3.connect(path)
