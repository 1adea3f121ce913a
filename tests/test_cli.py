"""The `claimbot` command line, end to end on a real database of each backend."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ACCEPTANCE = "An estimated 10,000 North Korean soldiers have been deployed in Russia."


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run `claimbot ARGS` in a thread (it runs its own event loop); returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SEED_CLAIMS", "false")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env

    async def run(*args: str, stdin: bytes | None = None, seed: bool = False) -> tuple[int, str, str]:
        monkeypatch.setenv("SEED_CLAIMS", "true" if seed else "false")
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = await asyncio.to_thread(main, list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _acceptance_holds(line: str) -> None:
    answer = json.loads(line)
    assert answer["decision"] == "autoreply"
    top = answer["matches"][0]
    assert top["id"] == "nk-troops-10000-in-russia"
    assert top["status"] == "alleged"
    assert 0 <= top["score"] <= 1
    pentagon = [s for s in top["statements"] if "Pentagon" in s["party"]]
    assert pentagon and pentagon[0]["stance"] == "alleges" and pentagon[0]["stated_on"] == "2024-10-28"


async def test_import_then_check_json_answers_the_seed_claim(cli, seed_path: Path) -> None:
    code, out, err = await cli("import", str(seed_path))
    assert code == 0, err
    assert "14 created" in out
    code, out, _ = await cli("check", "--json", ACCEPTANCE)
    assert code == 0
    _acceptance_holds(out.strip())


async def test_a_new_database_is_seeded_when_seed_claims_is_true(cli) -> None:
    code, out, _ = await cli("check", "--json", ACCEPTANCE, seed=True)
    assert code == 0
    _acceptance_holds(out.strip())


async def test_check_reads_stdin_one_answer_per_line_and_survives_bad_lines(cli) -> None:
    lines = [
        ACCEPTANCE.encode(),
        b"\xff\xfe not utf-8 \xc3\x28",
        b"control \x00\x01\x1b[31m chars",
        b"x" * 200_000,
        b"",
        b"hello there",
    ]
    code, out, _ = await cli("check", "--json", stdin=b"\n".join(lines) + b"\n", seed=True)
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(lines)
    _acceptance_holds(out.splitlines()[0])
    assert answers[-1]["decision"] == "none"


async def test_check_prints_a_readable_answer(cli) -> None:
    code, out, _ = await cli("check", ACCEPTANCE, seed=True)
    assert code == 0
    assert (
        "ALLEGED" in out and "Alleged by United States Department of Defense (Pentagon), 28 Oct 2024" in out
    )
    code, out, _ = await cli("check", "what a lovely day for a picnic")
    assert "No stored claim matches." in out


async def test_claimreview_export_reimports_to_the_same_claims(cli, tmp_path: Path) -> None:
    code, _, _ = await cli("export", "--format", "claims", "-o", str(tmp_path / "before.json"), seed=True)
    assert code == 0
    code, _, _ = await cli("export", "--format", "claimreview", "-o", str(tmp_path / "review.json"))
    assert code == 0
    review = json.loads((tmp_path / "review.json").read_text())
    assert "https://schema.org" in review["@context"]
    assert {node["@type"] for node in review["@graph"]} == {"ClaimReview"}

    # Re-import into a second, empty database.
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        code, out, err = await cli("import", str(tmp_path / "review.json"), "--format", "claimreview")
        assert code == 0, err
        code, _, _ = await cli("export", "-o", str(tmp_path / "after.json"))
        assert code == 0
    finally:
        mp.undo()
    before = json.loads((tmp_path / "before.json").read_text())["claims"]
    after = json.loads((tmp_path / "after.json").read_text())["claims"]
    assert after == before


def _claims_file(tmp_path: Path, claims: object, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"format": "claims/v1", "claims": claims}))
    return path


GOOD = {"id": "good-claim", "text": "A perfectly fine claim.", "status": "alleged"}

REFUSALS = {
    "duplicate id": ([GOOD, GOOD], ["good-claim", "id"]),
    "unknown status": ([GOOD, {**GOOD, "id": "b", "status": "true"}], ["claim 2", "status"]),
    "unknown stance": (
        [{**GOOD, "statements": [{"party": "X", "stance": "maybe"}]}],
        ["claim 1", "stance"],
    ),
    "empty text": ([{**GOOD, "text": "   "}], ["claim 1", "text"]),
    "over-long text": ([{**GOOD, "text": "x" * 1001}], ["claim 1", "text"]),
    "non-http url": (
        [{**GOOD, "statements": [{"party": "X", "stance": "alleges", "source_url": "ftp://x.org/a"}]}],
        ["claim 1", "source_url"],
    ),
    "impossible date": (
        [{**GOOD, "statements": [{"party": "X", "stance": "alleges", "stated_on": "2024-02-30"}]}],
        ["claim 1", "stated_on"],
    ),
    "wrong type for text": ([{**GOOD, "text": 5}], ["claim 1", "text"]),
    "wrong type for statements": ([{**GOOD, "statements": "x"}], ["claim 1", "statements"]),
    "wrong type for claims": ({"a": GOOD}, ["claims"]),
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_bad_files_are_refused_and_change_nothing(cli, tmp_path: Path, case: str) -> None:
    claims, named = REFUSALS[case]
    await _refused(cli, tmp_path, _claims_file(tmp_path, claims), named)


@pytest.mark.parametrize(
    ("case", "data", "named"),
    [
        ("not utf-8", b'{"format": "claims/v1", "claims": [{"text": "caf\xe9"}]}', ["UTF-8"]),
        ("not json", b"claims: [oops", ["JSON"]),
        ("binary", bytes(range(256)) * 4, []),
        ("deeply nested", b"[" * 100_000 + b"]" * 100_000, []),
    ],
)
async def test_unreadable_files_are_refused_and_change_nothing(cli, tmp_path, case, data, named) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    await _refused(cli, tmp_path, path, named)


async def _refused(cli, tmp_path: Path, path: Path, named: list[str]) -> None:
    code, _, _ = await cli("export", "-o", str(tmp_path / "before.json"), seed=True)
    assert code == 0
    code, out, err = await cli("import", str(path))
    assert code != 0
    assert "Traceback" not in err
    for word in named:
        assert word in err, err
    code, _, _ = await cli("export", "-o", str(tmp_path / "after.json"))
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "before.json").read_bytes()


async def test_foreign_ratings_need_a_status_map(cli, tmp_path: Path) -> None:
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": "The moon landing was filmed in a studio.",
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A blogger"}},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    path = tmp_path / "review.json"
    path.write_text(json.dumps(review))
    code, _, err = await cli("import", str(path))
    assert code != 0 and "False" in err and "--status-map" in err
    code, out, err = await cli("import", str(path), "--status-map", "False=denied")
    assert code == 0, err
    code, out, _ = await cli("check", "--json", "the moon landing was filmed in a studio")
    assert json.loads(out)["matches"][0]["status"] == "denied"


async def test_db_commands(cli) -> None:
    code, out, _ = await cli("db", "upgrade")
    assert code == 0 and out.strip() != "base"
    code, out, _ = await cli("db", "downgrade", "base")
    assert code == 0 and out.strip() == "base"
    code, out, _ = await cli("db", "current")
    assert out.strip() == "base"


def test_run_without_a_token_explains_how_to_get_one(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and "discord.com/developers" in result.stderr


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60
    )
    for command in ("run", "sync", "import", "export", "check", "db"):
        assert command in result.stdout
