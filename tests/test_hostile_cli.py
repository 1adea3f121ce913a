"""Hostile input at the `claimbot` command line: statements to `check` and files to `import`.

Every statement gets one answer (exit 0, no traceback); every hostile file is refused with a
readable message and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.formats import MAX_INPUT_BYTES
from tests.test_hostile_engine import hostile_cases

ROOT = Path(__file__).resolve().parent.parent
ACCEPTANCE = "An estimated 10,000 North Korean soldiers have been deployed in Russia."


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimbot.sqlite3"


@pytest.fixture
def env(db_path: Path, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "SEED_CLAIMS": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONIOENCODING": "utf-8:strict",  # as on a UTF-8 terminal that does not escape bad bytes
    }


@pytest.fixture
def cli(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """`claimbot ARGS` in this process (argv may then hold anything, NUL included)."""
    for key in ("DATABASE_URL", "SEED_CLAIMS", "LOG_LEVEL"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.chdir(tmp_path)

    async def run(*args: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_process(env: dict[str, str], *args: str | bytes, stdin: bytes | None = None, timeout: float = 120):
    """`python -m bot ARGS` in a new process: real argv bytes, real stdin, real exit code."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def claim_ids(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM claims ORDER BY id")]


# ---- check -------------------------------------------------------------------------------------


async def test_every_hostile_statement_as_text_gets_one_answer(cli) -> None:
    code, out, err = await cli("check", "--json", ACCEPTANCE)  # seeds the database
    assert code == 0, err
    for kind, text in hostile_cases():
        code, out, err = await cli("check", "--json", text)
        assert code == 0, (kind, err[-500:])
        assert "Traceback" not in err
        answer = json.loads(out)
        assert answer["decision"] in {"autoreply", "suggest", "none"}
        if kind == "empty":
            assert answer == {"query": text, "decision": "none", "matches": []}
        code, out, err = await cli("check", text)  # the readable form too
        assert code == 0 and out.strip(), (kind, err[-500:])


def test_hostile_statements_on_stdin_get_one_answer_per_line(env: dict[str, str]) -> None:
    lines = [text.replace("\r", " ").replace("\n", " ") for _, text in hostile_cases()]
    raw = [line.encode("utf-8", "surrogatepass") for line in lines]  # lone surrogates: invalid UTF-8
    raw += [b"\xff\xfe\xfd", b"caf\xe9 " + ACCEPTANCE.encode(), b"\xc0\x80 overlong NUL", b"\xed\xa0\x80"]
    raw += [b"x" * 300_000, ACCEPTANCE.encode()]
    done = run_process(env, "check", "--json", stdin=b"\n".join(raw) + b"\n")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"Traceback" not in done.stderr
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]  # valid UTF-8
    assert len(answers) == len(raw)
    assert answers[-1]["decision"] == "autoreply"
    assert answers[-1]["matches"][0]["id"] == "nk-troops-10000-in-russia"
    bad = answers[len(lines) + 1]
    assert bad["query"].startswith("caf\ufffd ") and bad["decision"] == "autoreply"


def test_invalid_utf8_and_control_characters_as_argv_give_valid_utf8_output(env: dict[str, str]) -> None:
    # Python turns undecodable argv bytes into lone surrogates; echoing them back must not crash
    # a strict UTF-8 stdout nor write invalid UTF-8.
    escapes = b"\x1b[2J\x1b]0;pwned\x07 soldiers in Russia"
    for arg in (b"caf\xe9 " + ACCEPTANCE.encode(), b"\xff\xfe", escapes):
        for json_flag in (["--json"], []):
            done = run_process(env, "check", *json_flag, arg)
            assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
            assert b"Traceback" not in done.stderr
            shown = done.stdout.decode("utf-8")  # strict: raises on invalid UTF-8
            assert "\x1b" not in shown.replace("\x1b[0m", "")  # no terminal escapes from the input
            if json_flag:
                assert json.loads(shown)["query"] == arg.decode("utf-8", "replace")


def test_a_100k_character_argument_is_answered(env: dict[str, str]) -> None:
    text = (ACCEPTANCE + " ") + "lorem ipsum " * 8_500
    done = run_process(env, "check", "--json", text)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert json.loads(done.stdout)["matches"][0]["id"] == "nk-troops-10000-in-russia"


# ---- import ------------------------------------------------------------------------------------


def _claims(n: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"bulk-{i:06d}", "text": f"Claim {i}: town {i % 977} has {i} bridges.", "status": "denied"}
        for i in range(start, start + n)
    ]


def _write(path: Path, claims: list[dict]) -> Path:
    path.write_text(json.dumps({"format": "claims/v1", "claims": claims}), encoding="utf-8")
    return path


def _seeded(env: dict[str, str], db_path: Path) -> list[str]:
    done = run_process(env, "db", "upgrade")
    assert done.returncode == 0, done.stderr.decode()
    done = run_process(env, "check", "hello")  # SEED_CLAIMS=true seeds the new database
    assert done.returncode == 0, done.stderr.decode()
    ids = claim_ids(db_path)
    assert len(ids) == 14
    return ids


def _refused(env: dict[str, str], db_path: Path, path: Path, *named: str) -> str:
    before = claim_ids(db_path)
    done = run_process(env, "import", str(path))
    err = done.stderr.decode()
    assert done.returncode == 1, err[-2000:]
    assert "Traceback" not in err
    for word in named:
        assert word in err, err[-2000:]
    assert claim_ids(db_path) == before
    return err


def test_a_file_over_the_size_limit_is_refused_by_size(env, db_path: Path, tmp_path: Path) -> None:
    _seeded(env, db_path)
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # 25 MB, valid JSON: refused for its size alone
        f.write(b'{"format": "claims/v1", "claims": [], "padding": "')
        f.write(b"x" * (25 * 1024 * 1024))
        f.write(b'"}')
    assert path.stat().st_size > MAX_INPUT_BYTES
    _refused(env, db_path, path, "larger than", f"{MAX_INPUT_BYTES:,}")


def test_100k_claims_with_one_bad_one_at_the_end_write_nothing(env, db_path: Path, tmp_path: Path) -> None:
    seeded = _seeded(env, db_path)
    claims = _claims(100_000)
    claims[-1] = {**claims[-1], "status": "true"}
    _refused(env, db_path, _write(tmp_path / "bad-at-end.json", claims), "claim 100000", "status")
    assert claim_ids(db_path) == seeded


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nested objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("nested claims", b'{"format": "claims/v1", "claims": [' + b"[" * 10_000 + b"]" * 10_000 + b"]}"),
        ("png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64),
        ("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 4096),
        ("utf-16", json.dumps({"format": "claims/v1", "claims": _claims(2)}).encode("utf-16")),
        ("nul bytes", b"\x00" * 10_000),
        ("empty", b""),
    ],
)
def test_hostile_files_are_refused_and_change_nothing(env, db_path: Path, tmp_path: Path, name, data) -> None:
    _seeded(env, db_path)
    path = tmp_path / "hostile.json"
    path.write_bytes(data)
    _refused(env, db_path, path)


def test_a_directory_or_missing_file_is_refused(env, db_path: Path, tmp_path: Path) -> None:
    _seeded(env, db_path)
    _refused(env, db_path, tmp_path, "cannot read")
    _refused(env, db_path, tmp_path / "missing.json", "cannot read")


HOSTILE_CLAIM_TEXTS = [
    "@everyone the moon is made of cheese",
    "@here <@123> <@!123> <@&456> <#789> said the moon is cheese",
    "**Bold** __under__ *it* ~~strike~~ ||spoiler|| `code` > quote",
    "[click here](http://evil.example/x) for the moon cheese truth",
    "```py\nimport os; os.system('rm -rf /')\n``` moon cheese",
    "'; DROP TABLE claims;-- {0}{__class__}%s%n .*(a+)+$",
    "\u202eesehc fo edam si noom eht\u202c \u200b zero width",
    "نشرت كوريا 朝鲜 Северная उत्तर 😀🇷🇺",
]


def test_hostile_claim_text_round_trips_unchanged_through_import_and_export(
    env, db_path: Path, tmp_path: Path
) -> None:
    claims = [
        {
            "id": f"hostile-{i}",
            "text": text,
            "status": "alleged",
            "note": text,
            "aliases": [text + " alias"],
            "statements": [{"party": text[:200], "stance": "alleges", "quote": text[:500]}],
        }
        for i, text in enumerate(HOSTILE_CLAIM_TEXTS)
    ]
    done = run_process(env, "import", str(_write(tmp_path / "hostile.json", claims)))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    done = run_process(env, "export")
    exported = {c["id"]: c for c in json.loads(done.stdout)["claims"]}
    for claim in claims:
        got = exported[claim["id"]]
        assert got["text"] == claim["text"]
        assert got["note"] == claim["note"]
        assert got["aliases"] == claim["aliases"]
        assert got["statements"][0]["party"] == claim["statements"][0]["party"]
        assert got["statements"][0]["quote"] == claim["statements"][0]["quote"]
    with sqlite3.connect(db_path) as conn:  # stored as text, byte for byte; the table is still there
        stored = dict(conn.execute("SELECT id, text FROM claims WHERE id LIKE 'hostile-%'"))
    assert stored == {c["id"]: c["text"] for c in claims}
