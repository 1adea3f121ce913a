"""Load test of the auto-reply path: messages per second, p99 handler latency, memory over a soak.

The real bot runs in simcord (offline Discord) on a SQLite store holding the seed claims plus
generated ones (CheckThat! 2020 verified claims and deterministic synthetic variants) up to
`--claims`. Each message is a real `discord.Message` built by discord.py's own parser from a
gateway-shaped payload and handed to `AutoReply.handle`, the coroutine the `on_message` listener
awaits (the same code, not a copy): cache -> filters -> engine -> decision -> cooldown -> reply.

The mix is realistic chatter with some restatements: hand-written positives and near misses from
bench/data, CheckThat! tweets that restate a verified claim, synthetic chatter, short messages.
Run:
    .venv/bin/python bench/autoreply_load.py                  # 100k claims, 10k messages, 100k soak
    .venv/bin/python bench/autoreply_load.py --claims 20000 --soak 20000   # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import discord
import psutil
import simcord

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.claims import Claim, Stance, Statement, Status  # noqa: E402
from bot.client import ClaimBot, create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from cogs.autoreply import AutoReply, Outcome  # noqa: E402

CHECKTHAT = Path("/work/shared/bench/checkthat2020-task2-en")
LABELLED = ROOT / "bench" / "data"
TARGET_RATE = 1_000  # messages per second on one core
csv.field_size_limit(10_000_000)

SUBJECTS = ["my cousin", "the new intern", "our team", "the landlord", "grandma", "the barista", "my cat"]
VERBS = ["finally fixed", "just broke", "keeps talking about", "wants to repaint", "forgot about", "loves"]
OBJECTS = [
    "the coffee machine",
    "the group project",
    "the printer on floor 3",
    "that new phone",
    "the garden",
    "the weekend trip",
    "the football match",
    "the pizza place downtown",
    "the wifi",
    "the playlist",
]
TAILS = ["lol", "again", "honestly", "no idea why", "send help", "what a day", "", "brb", "👀", "ngl"]
PLACES = [  # for the synthetic claim variants; the chatter never names these
    "Ohio",
    "Kenya",
    "Brazil",
    "Norway",
    "Vietnam",
    "Peru",
    "Texas",
    "Bavaria",
    "Quebec",
    "Sicily",
    "Manitoba",
    "Gujarat",
    "Tasmania",
    "Andalusia",
    "Oaxaca",
    "Flanders",
    "Hokkaido",
    "Patagonia",
]
SHORT = ["lol", "ok", "same", "gm everyone", "brb", "nice!!", "true", "haha yes", "what", "+1"]


def checkthat_claims() -> list[tuple[str, str]]:
    with (CHECKTHAT / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        return [(f"ct-{vid}", " ".join(text.split())[:900]) for vid, text, _title in rows if text.strip()]


def generated_claims(count: int) -> list[Claim]:
    """`count` deterministic claims: CheckThat! verified claims, then synthetic numbered variants."""
    base = checkthat_claims()
    rng = random.Random(7)
    statement = (Statement(party="Snopes", stance=Stance.ALLEGES, source_url="https://www.snopes.com/"),)
    claims = []
    for i in range(count):
        claim_id, text = base[i % len(base)]
        if i >= len(base):  # a variant: another place and year, so the index holds distinct texts
            claim_id = f"{claim_id}-v{i}"
            text = f"{text[:800]} (reported in {rng.choice(PLACES)}, {rng.randint(1990, 2024)})"
        claims.append(Claim(id=claim_id, text=text, status=Status.UNEVIDENCED, statements=statement))
    return claims


def message_mix(count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, text) pairs: about 80% chatter, 10% short, 6% restatements, 4% near misses."""
    rng = random.Random(seed)
    labelled = []
    for name in ("labelled_dev.jsonl", "labelled_test.jsonl"):
        for line in (LABELLED / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                labelled.append(json.loads(line))
    positives = [row["text"] for row in labelled if row["expected"]]
    near_misses = [row["text"] for row in labelled if not row["expected"]]
    with (CHECKTHAT / "train" / "tweets.queries.tsv").open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        tweets = [" ".join(text.split()) for _id, text in rows]
    mix = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.80:
            words = (rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS))
            mix.append(("chatter", " ".join(words).strip()))
        elif roll < 0.90:
            mix.append(("short", rng.choice(SHORT)))
        elif roll < 0.93:
            mix.append(("restatement-seed", rng.choice(positives)))
        elif roll < 0.96:
            mix.append(("restatement-tweet", rng.choice(tweets)))
        else:
            mix.append(("near-miss", rng.choice(near_misses)))
    return mix


class MessageFactory:
    """Real discord.Message objects from gateway-shaped payloads, parsed by the bot's own state."""

    def __init__(self, bot: ClaimBot, channel_ids: list[int], guild_id: int, authors: list[dict]) -> None:
        self.state = bot._connection  # discord.py's ConnectionState: what the gateway parser uses
        self.channels = [bot.get_channel(channel_id) for channel_id in channel_ids]
        self.guild_id = guild_id
        self.authors = authors
        self.next_id = 1_500_000_000_000_000_000

    def make(self, text: str, i: int) -> discord.Message:
        self.next_id += 1
        author = self.authors[i % len(self.authors)]
        channel = self.channels[i % len(self.channels)]
        payload = {
            "id": str(self.next_id),
            "channel_id": str(channel.id),
            "guild_id": str(self.guild_id),
            "author": author["user"],
            "member": author["member"],
            "content": text,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        return discord.Message(state=self.state, channel=channel, data=payload)


class EngineTimer:
    """Adds up the time the bot's own Matcher spends in `check` (wraps the instance, not a copy)."""

    def __init__(self, matcher) -> None:
        self.seconds = 0.0
        original = matcher.check

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        matcher.check = timed


def one_shard(bot: discord.Client) -> dict:
    """simcord needs a shard count for an auto-sharded bot that would ask Discord for one."""
    if isinstance(bot, discord.AutoShardedClient) and bot.shard_count is None:
        return {"shard_count": 1}
    return {}


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


async def build_store(bot: ClaimBot, count: int) -> float:
    started = time.perf_counter()
    claims = generated_claims(count - len(bot.claims.matcher))
    for start in range(0, len(claims), 20_000):
        await bot.claims.import_claims(claims[start : start + 20_000], actor="cli")
    # The import updated this index already; move its change-feed cursor past the import now, so
    # the periodic refresh does not replay 100k changes in the middle of a measurement.
    await bot.claims.refresh_index()
    return time.perf_counter() - started


async def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'load.sqlite3'}",
            discord_token="bench-token",
            seed_claims=True,
            log_level="WARNING",
        )
        bot = create_bot(settings)
        async with simcord.run(bot, settle_timeout=600, **one_shard(bot)) as env:
            print(
                f"seed claims: {len(bot.claims.matcher)}; importing generated claims up to {args.claims} ..."
            )
            import_seconds = await build_store(bot, args.claims)
            print(f"store and index: {len(bot.claims.matcher)} claims in {import_seconds:.0f} s")

            guild = env.create_guild("Load")
            # Many channels, as for a bot in many servers: the per-channel flood cap (5 a minute)
            # then rarely stops a channel within the run, so the engine runs on every message.
            enabled = [guild.create_text_channel(f"debate-{n}") for n in range(args.enabled_channels)]
            others = [guild.create_text_channel(f"chat-{n}") for n in range(4 * args.enabled_channels)]
            for channel in enabled:
                await bot.guild_service.enable_autoreply(guild.id, channel.id, actor="bench")
            members = [guild.add_member(env.create_user(f"user{n}")) for n in range(50)]
            authors = [
                {
                    "user": {
                        "id": str(m.id),
                        "username": m.name,
                        "discriminator": "0",
                        "global_name": None,
                        "avatar": None,
                        "bot": False,
                    },
                    "member": {
                        "roles": [],
                        "joined_at": "2026-01-01T00:00:00+00:00",
                        "deaf": False,
                        "mute": False,
                        "flags": 0,
                    },
                }
                for m in members
            ]
            cog: AutoReply = bot.get_cog("AutoReply")
            engine = EngineTimer(bot.claims.matcher)
            spent: Counter = Counter()  # handler seconds by outcome
            silent: list[float] = []  # latencies of the messages that got no reply
            replied_kinds: Counter = Counter()  # replies by kind of message

            async def push(mix, factory: MessageFactory, latencies: list[float] | None, outcomes: Counter):
                for i, (kind, text) in enumerate(mix):
                    message = factory.make(text, i)
                    started = time.perf_counter()
                    outcome = await cog.handle(message)
                    elapsed = time.perf_counter() - started
                    if latencies is not None:
                        latencies.append(elapsed)
                        spent[outcome] += elapsed
                        if outcome != Outcome.REPLIED:
                            silent.append(elapsed)
                        else:
                            replied_kinds[kind] += 1
                    outcomes[outcome] += 1
                await env.settle(timeout=600)  # the replies' own MESSAGE_CREATE events, and their handling

            results = []
            scenarios = [
                ("all in an enabled channel", [c.id for c in enabled]),
                ("1 in 5 in an enabled channel", [c.id for c in enabled] + [c.id for c in others]),
            ]
            mix = message_mix(args.messages, seed=1)
            kinds = Counter(kind for kind, _ in mix)
            print("message mix: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
            await push(
                message_mix(500, seed=99),
                MessageFactory(bot, scenarios[0][1], guild.id, authors),
                None,
                Counter(),
            )  # warm-up: caches, typo memo, SQLite pages
            for name, channel_ids in scenarios:
                factory = MessageFactory(bot, channel_ids, guild.id, authors)
                latencies: list[float] = []
                outcomes: Counter = Counter()
                gc.collect()
                engine.seconds = 0.0
                spent.clear()
                silent.clear()
                replied_kinds.clear()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                await push(mix, factory, latencies, outcomes)
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                engine_share = engine.seconds / sum(latencies)
                latencies.sort()
                means = {o: spent[o] / n * 1000 for o, n in outcomes.items()}
                means["p99-silent"] = sorted(silent)[int(len(silent) * 0.99)] * 1000
                means["replied-kinds"] = dict(replied_kinds)
                results.append(
                    (
                        name,
                        len(mix) / wall,
                        len(mix) / cpu,
                        latencies,
                        outcomes,
                        cpu / wall,
                        engine_share,
                        means,
                    )
                )

            # Soak: the same path, many more messages, RSS sampled as it goes.
            factory = MessageFactory(bot, [c.id for c in enabled] + [c.id for c in others], guild.id, authors)
            soak_mix = message_mix(10_000, seed=2)
            step = max(1, args.soak // 10)
            samples = []
            gc.collect()
            start_rss = rss_mb()
            done = 0
            while done < args.soak:
                chunk = [soak_mix[(done + j) % len(soak_mix)] for j in range(min(step, args.soak - done))]
                await push(chunk, factory, None, Counter())
                done += len(chunk)
                gc.collect()
                samples.append((done, rss_mb()))
            replies = [m for c in enabled for m in c.history() if m.author.bot]

    print()
    print(f"claims in the index: {args.claims:,}; messages per run: {args.messages:,}")
    for name, rate, cpu_rate, latencies, outcomes, cpu_share, engine_share, means in results:
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[int(len(latencies) * 0.99)] * 1000
        worst = latencies[-1] * 1000
        print(f"\n[{name}]")
        verdict = "ok" if cpu_rate >= TARGET_RATE else "BELOW TARGET"
        print(
            f"  throughput   {rate:8.0f} msg/s wall, {cpu_rate:.0f} msg per CPU-second   "
            f"(target >= {TARGET_RATE:,} msg/s on one core: {verdict}; "
            f"this process had the CPU {cpu_share:.0%} of the time)"
        )
        print(
            f"  latency      p50 {p50:.2f} ms   p99 {p99:.2f} ms   max {worst:.1f} ms   "
            f"mean {statistics.fmean(latencies) * 1000:.2f} ms   (engine: {engine_share:.0%} of handler time)"
        )
        print(f"  p99 of the messages that got no reply (no send, no write): {means['p99-silent']:.2f} ms")
        kinds_replied = means["replied-kinds"]
        print(
            "  replies by message kind: "
            + (", ".join(f"{k} {n}" for k, n in sorted(kinds_replied.items())) or "none")
            + "  (chatter or near-miss replies are likely false auto-replies; cooldown and cap"
            " hide repeats)"
        )
        print(
            "  outcomes     "
            + ", ".join(f"{o.value} {n} (mean {means[o]:.2f} ms)" for o, n in outcomes.most_common())
        )
    print(f"\n[soak: {args.soak:,} messages, 1 in 5 in an enabled channel]")
    first_done, first = samples[0]
    last = samples[-1][1]
    peak = max(rss for _, rss in samples)
    print(
        f"  RSS before {start_rss:.0f} MB; after {first_done:,} messages {first:.0f} MB; "
        f"at the end {last:.0f} MB; peak {peak:.0f} MB"
    )
    growth = last - first
    verdict = "ok" if growth < 5 else "GROWING"
    print(f"  growth after the first tenth: {growth:+.1f} MB (target: no growth, < 5 MB: {verdict})")
    print("  samples: " + "  ".join(f"{n // 1000}k:{rss:.0f}" for n, rss in samples))
    print(f"  auto-replies sent in all runs: {len(replies)} (at most 1 per claim per channel per hour)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the index (seed + generated)")
    parser.add_argument("--messages", type=int, default=10_000, help="messages per throughput run")
    parser.add_argument("--soak", type=int, default=100_000, help="messages in the memory soak")
    parser.add_argument("--enabled-channels", type=int, default=200, help="plus 4 times as many not enabled")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
