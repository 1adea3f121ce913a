"""`claimbot backup` and `claimbot restore` on SQLite, both directions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ClaimbotError
from db.backup import backup


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'live.sqlite3'}")
    monkeypatch.setenv("SEED_CLAIMS", "true")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)

    async def run(*args: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def _claim_ids(cli) -> list[str]:
    code, out, _ = await cli("export")
    assert code == 0
    return [claim["id"] for claim in json.loads(out)["claims"]]


async def test_backup_then_restore_brings_back_the_data(cli, tmp_path: Path) -> None:
    seeded = await _claim_ids(cli)
    assert len(seeded) == 14
    code, _, err = await cli("backup", str(tmp_path / "copy.sqlite3"))
    assert code == 0, err

    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps({"format": "claims/v1", "claims": [{"id": "later", "text": "Later.", "status": "denied"}]})
    )
    assert (await cli("import", str(extra)))[0] == 0
    assert "later" in await _claim_ids(cli)

    code, _, err = await cli("restore", str(tmp_path / "copy.sqlite3"))
    assert code == 0, err
    assert await _claim_ids(cli) == seeded


async def test_backup_refuses_to_overwrite_and_restore_refuses_strangers(cli, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    assert (await cli("backup", str(target)))[0] == 0
    code, _, err = await cli("backup", str(target))
    assert code == 1 and "already exists" in err

    stranger = tmp_path / "stranger.sqlite3"
    stranger.write_bytes(b"this is not a database at all" * 100)
    code, _, err = await cli("restore", str(stranger))
    assert code == 1 and "Traceback" not in err
    assert len(await _claim_ids(cli)) == 14


def test_backup_explains_pg_dump_for_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ClaimbotError, match="pg_dump"):
        backup("postgresql+asyncpg://nobody@127.0.0.1:1/none", tmp_path / "copy")
