"""The `claimbot` command line. Every command first brings the schema to head."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from bot.claims import Claim, Status
from bot.config import Settings
from bot.errors import ClaimbotError
from bot.formats import FormatError, dump_claims, parse_claims, parse_status_map
from bot.service import Answer
from bot.store import Store

log = logging.getLogger(__name__)

CLI_ACTOR = "cli"
MAX_LINE_BYTES = 64 * 1024  # longer stdin lines are cut here; the engine reads less than this anyway

SETUP_HELP = """\
claimbot run: DISCORD_TOKEN is not set.

Create a bot and get its token:
  1. Open https://discord.com/developers/applications and choose "New Application".
  2. Under "Bot", choose "Reset Token" and copy the token.
  3. Put it in .env as DISCORD_TOKEN=... (see .env.example), or export DISCORD_TOKEN.
The README's "Discord setup" section explains intents, permissions and the invite link."""

STATUS_COLOURS = {Status.ALLEGED: "33", Status.DENIED: "31", Status.UNEVIDENCED: "35"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimbot",
        description="A Discord bot that recognises restated claims and answers with their status and "
        "attribution. Settings come from the environment and .env (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    commands.add_parser("sync", help="sync the slash commands globally with Discord, then exit")

    importing = commands.add_parser("import", help="import claims from a file (all or nothing)")
    importing.add_argument("path", type=Path, help="a claims/v1 or ClaimReview JSON file")
    importing.add_argument(
        "--format", choices=["claims", "claimreview"], help="the file's format (detected when omitted)"
    )
    importing.add_argument(
        "--status-map",
        default="",
        metavar="MAP",
        help='map foreign ClaimReview ratings to statuses, e.g. "False=denied,Unproven=unevidenced"',
    )

    exporting = commands.add_parser("export", help="export every claim")
    exporting.add_argument("--format", choices=["claims", "claimreview"], default="claims")
    exporting.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")

    checking = commands.add_parser("check", help="find the stored claim a statement restates")
    checking.add_argument("text", nargs="?", help="the statement; without it, one statement per stdin line")
    checking.add_argument("--json", action="store_true", help="one JSON object per answer")
    checking.add_argument("--limit", type=int, default=3, choices=range(1, 11), metavar="N", help="1-10")

    backing_up = commands.add_parser("backup", help="copy the SQLite database to a new file, online")
    backing_up.add_argument("path", type=Path, help="the backup file to create")
    restoring = commands.add_parser("restore", help="replace the SQLite database with a backup (bot stopped)")
    restoring.add_argument("path", type=Path, help="a file made by `claimbot backup`")

    database = commands.add_parser("db", help="schema migrations")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="upgrade to the newest revision")
    downgrade = db_commands.add_parser("downgrade", help="downgrade to REV ('base' empties the schema)")
    downgrade.add_argument("revision", metavar="REV")
    db_commands.add_parser("current", help="print the current revision")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValueError as error:
        print(f"claimbot: bad setting: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if args.command == "run" and not settings.discord_token:
        print(SETUP_HELP, file=sys.stderr)
        return 2
    try:
        return asyncio.run(_dispatch(args, settings))
    except (ClaimbotError, FormatError) as error:
        print(f"claimbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return await _database(args, settings)
    if args.command in {"backup", "restore"}:
        return await _backup_or_restore(args, settings)
    if args.command in {"run", "sync"}:
        from bot.client import run_bot  # discord.py is only needed by these two

        return await run_bot(settings, sync_only=args.command == "sync")
    store = await Store.open(settings, load_index=args.command == "check")
    try:
        if args.command == "import":
            return await _import(store, args)
        if args.command == "export":
            return await _export(store, args)
        return await _check(store, args)
    finally:
        await store.close()


async def _database(args: argparse.Namespace, settings: Settings) -> int:
    from db import migrate
    from db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(engine)
        elif args.db_command == "downgrade":
            await migrate.downgrade(engine, args.revision)
        print(await migrate.current_revision(engine) or "base")
    finally:
        await engine.dispose()
    return 0


async def _backup_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    from db import backup

    if args.command == "backup":
        # Migrate first, so a backup always holds a complete schema.
        await (await Store.open(settings, load_index=False)).close()
        backup.backup(settings.database_url, args.path)
        print(f"backed up to {args.path}")
    else:
        backup.restore(settings.database_url, args.path)
        await (await Store.open(settings, load_index=False)).close()  # an older backup is brought to head
        print(f"restored from {args.path}")
    return 0


async def _import(store: Store, args: argparse.Namespace) -> int:
    try:
        data = args.path.read_bytes()
    except OSError as error:
        raise FormatError(f"cannot read {args.path}: {error.strerror}") from None
    claims = parse_claims(data, format=args.format, status_map=parse_status_map(args.status_map))
    summary = await store.service.import_claims(claims, actor=CLI_ACTOR)
    print(f"imported {len(claims)} claims from {args.path}: {summary}")
    return 0


async def _export(store: Store, args: argparse.Namespace) -> int:
    data = dump_claims(await store.service.export(), format=args.format)
    if args.output:
        args.output.write_bytes(data)
        print(f"exported to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


async def _check(store: Store, args: argparse.Namespace) -> int:
    statements = [_from_argv(args.text)] if args.text is not None else _stdin_lines(sys.stdin.buffer)
    colour = sys.stdout.isatty()
    for statement in statements:
        answer = await store.service.check(statement, limit=args.limit)
        if args.json:
            line = json.dumps(answer_json(answer), ensure_ascii=False)
        else:
            line = answer_text(answer, colour=colour)
        _write_line(sys.stdout, line)
    return 0


def _stdin_lines(stream: BinaryIO) -> Iterator[str]:
    """One statement per line; invalid UTF-8 is replaced, and over-long lines are cut, never fatal."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        if not raw.endswith(b"\n") and len(raw) == MAX_LINE_BYTES:
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _from_argv(text: str) -> str:
    """Undecodable argv bytes arrive as lone surrogates, which a strict UTF-8 stdout cannot print:
    replace them as `_stdin_lines` does."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that did not come from undecodable bytes
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def _write_line(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "query": answer.query,
        "decision": str(answer.decision),
        "matches": [
            {
                "id": claim.id,
                "text": claim.text,
                "status": str(claim.status),
                "score": round(match.score, 4),
                "note": claim.note,
                "statements": [
                    {
                        "party": s.party,
                        "stance": str(s.stance),
                        "stated_on": s.stated_on.isoformat() if s.stated_on else None,
                        "quote": s.quote,
                        "source_url": s.source_url,
                    }
                    for s in claim.statements
                ],
            }
            for match, claim in answer.matches
        ],
    }


def answer_text(answer: Answer, *, colour: bool = False) -> str:
    if not answer.matches:
        return "No stored claim matches."
    lines = [f"decision: {answer.decision}"]
    for match, claim in answer.matches:
        lines.append(f"[{_status_label(claim, colour)}] {claim.text}  ({claim.id}, score {match.score:.2f})")
        lines.extend(f"    {line}" for line in attribution_lines(claim))
        if claim.note:
            lines.append(f"    note: {claim.note}")
    return "\n".join(lines)


def _status_label(claim: Claim, colour: bool) -> str:
    label = str(claim.status).upper()
    return f"\x1b[{STATUS_COLOURS[claim.status]}m{label}\x1b[0m" if colour else label


def attribution_lines(claim: Claim) -> list[str]:
    lines = []
    for s in claim.statements:
        verb = "Alleged by" if s.stance == "alleges" else "Denied by"
        parts = [f"{verb} {s.party}"]
        if s.stated_on:
            parts[0] += f", {s.stated_on:%d %b %Y}"
        if s.quote:
            parts.append(f"'{s.quote}'")
        if s.source_url:
            parts.append(s.source_url)
        lines.append(" — ".join(parts))
    return lines


if __name__ == "__main__":
    sys.exit(main())
