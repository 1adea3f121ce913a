"""Numbers for `/claim stats` and the weekly digest, and a PNG chart of them. No Discord here.

Sources: the `replies` table (the bot's `/check` answers and auto-replies), the `feedback` table
(helpful and wrong votes) and the review queue (questions no claim answered). Everything is per
server, per UTC day, optionally narrowed to one claim or one status.

The chart uses matplotlib's object API on the Agg canvas (no pyplot): no global figure registry, so
nothing to close or leak, no GUI backend is ever picked, and rendering can run in a worker thread.
matplotlib is imported on the first chart, not when the bot starts.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.claims import Status
from db.repositories import now
from db.review import StatsRepository

log = logging.getLogger(__name__)

SERIES = ("checks", "autoreplies", "helpful", "wrong", "queued")
SERIES_LABELS = {
    "checks": "/check answers",
    "autoreplies": "auto-replies",
    "helpful": "helpful votes",
    "wrong": "wrong-claim votes",
    "queued": "new unanswered questions",
}
SERIES_COLOURS = {
    "checks": "#1f77b4",
    "autoreplies": "#2ca02c",
    "helpful": "#17becf",
    "wrong": "#d62728",
    "queued": "#ff7f0e",
}
REPLY_KINDS = {"check": "checks", "autoreply": "autoreplies"}
MAX_DAYS = 365
TOP_CLAIMS = 10
CHART_SIZE = (9.0, 6.5)  # inches
CHART_DPI = 100


@dataclass
class ClaimTotals:
    claim_id: str
    status: str | None
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def answers(self) -> int:
        return self.counts["checks"] + self.counts["autoreplies"]


@dataclass
class Stats:
    guild_id: int
    days: list[date]
    series: dict[str, list[int]]
    by_status: dict[str, Counter[str]]
    by_claim: list[ClaimTotals]
    claim_id: str | None = None
    status: str | None = None

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(values) for name, values in self.series.items()}

    @property
    def empty(self) -> bool:
        return not any(self.totals.values())


class StatsService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def collect(
        self,
        guild_id: int,
        *,
        days: int = 30,
        claim_id: str | None = None,
        status: Status | str | None = None,
        until: datetime | None = None,
    ) -> Stats:
        """Daily counts for the `days` UTC days that end with the day of `until` (default: now)."""
        days = max(1, min(days, MAX_DAYS))
        until = until or now()
        last_day = until.astimezone(UTC).date()
        first_day = last_day - timedelta(days=days - 1)
        since = datetime.combine(first_day, time.min, tzinfo=UTC)
        status_value = str(status) if status is not None else None
        async with self.sessions() as session:
            repository = StatsRepository(session)
            replies = await repository.replies(guild_id, since, claim_id=claim_id, status=status_value)
            votes = await repository.feedback(guild_id, since, claim_id=claim_id, status=status_value)
            queued = await repository.queued(guild_id, since, claim_id=claim_id, status=status_value)

        day_list = [first_day + timedelta(days=i) for i in range(days)]
        index = {day: i for i, day in enumerate(day_list)}
        series = {name: [0] * days for name in SERIES}
        by_status: dict[str, Counter[str]] = {str(s): Counter() for s in Status}
        by_claim: dict[str, ClaimTotals] = {}

        def count(at: datetime, name: str, claim: str | None, claim_status: str | None) -> None:
            i = index.get(at.astimezone(UTC).date())
            if i is None:  # after `until`
                return
            series[name][i] += 1
            if claim_status is not None:
                by_status.setdefault(claim_status, Counter())[name] += 1
            if claim is not None and name != "queued":
                totals = by_claim.setdefault(claim, ClaimTotals(claim, claim_status))
                totals.counts[name] += 1

        for at, kind, claim, claim_status in replies:
            if kind in REPLY_KINDS:
                count(at, REPLY_KINDS[kind], claim, claim_status)
        for at, vote, claim, claim_status in votes:
            if vote in ("helpful", "wrong"):
                count(at, vote, claim, claim_status)
        for at, kind, claim, claim_status in queued:
            if kind == "unanswered":  # "wrong" reports are already counted as wrong votes
                count(at, "queued", claim, claim_status)

        top = sorted(by_claim.values(), key=lambda t: (-t.answers, -t.counts["wrong"], t.claim_id))
        return Stats(
            guild_id=guild_id,
            days=day_list,
            series=series,
            by_status=by_status,
            by_claim=top[:TOP_CLAIMS],
            claim_id=claim_id,
            status=status_value,
        )


def scope_label(stats: Stats) -> str:
    parts = []
    if stats.claim_id:
        parts.append(f"claim {stats.claim_id}")
    if stats.status:
        parts.append(f"status {stats.status}")
    scope = ", ".join(parts) if parts else "all claims"
    return f"{scope}, {stats.days[0].isoformat()} to {stats.days[-1].isoformat()} (UTC)"


def format_text(stats: Stats, *, limit: int = 1900) -> str:
    """The chart's numbers as plain text, for screen readers and for anyone who cannot see images."""
    totals = stats.totals
    lines = [f"Stats for {scope_label(stats)}:"]
    lines.append(", ".join(f"{SERIES_LABELS[name]}: {totals[name]}" for name in SERIES) + ".")
    statuses = [(s, c) for s, c in stats.by_status.items() if any(c.values())]
    if statuses:
        lines.append("By status:")
        for name, counts in statuses:
            lines.append(
                f"- {name}: {counts['checks']} checks, {counts['autoreplies']} auto-replies, "
                f"{counts['helpful']} helpful, {counts['wrong']} wrong"
            )
    if stats.by_claim and not stats.claim_id:
        lines.append("Most answered claims:")
        for totals_row in stats.by_claim:
            c = totals_row.counts
            lines.append(
                f"- {totals_row.claim_id}: {c['checks']} checks, {c['autoreplies']} auto-replies, "
                f"{c['helpful']} helpful, {c['wrong']} wrong"
            )
    busiest = _busiest_day(stats)
    if busiest is not None:
        lines.append(f"Busiest day: {busiest[0].isoformat()} ({busiest[1]} answers).")
    text = "\n".join(lines)
    if len(text) > limit:
        text = text[: limit - 1].rsplit("\n", 1)[0] + "\n…"
    return text


def _busiest_day(stats: Stats) -> tuple[date, int] | None:
    answers = [c + a for c, a in zip(stats.series["checks"], stats.series["autoreplies"], strict=True)]
    if not any(answers):
        return None
    best = max(range(len(answers)), key=lambda i: (answers[i], i))
    return stats.days[best], answers[best]


def render_chart(stats: Stats) -> bytes:
    """A PNG: daily counts over time on top, totals per status below."""
    # Imported here: matplotlib costs half a second to import, and only charts need it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    over_time, per_status = figure.subplots(2, 1, height_ratios=(3, 2))
    figure.suptitle(f"claimbot: {scope_label(stats)}", fontsize=11)

    moments = [datetime.combine(d, time.min) for d in stats.days]  # naive on purpose: a UTC day axis
    for name in SERIES:
        over_time.plot(
            moments,
            stats.series[name],
            label=SERIES_LABELS[name],
            color=SERIES_COLOURS[name],
            marker="o" if len(stats.days) <= 31 else None,
            markersize=3,
            linewidth=1.6,
        )
    over_time.set_ylabel("per day")
    over_time.yaxis.set_major_locator(MaxNLocator(integer=True))
    over_time.set_ylim(bottom=0, top=max(1, *(max(v) for v in stats.series.values())) * 1.15)
    over_time.grid(alpha=0.3)
    over_time.legend(loc="upper left", fontsize=8, ncols=3)
    over_time.set_xlim(moments[0] - timedelta(hours=12), moments[-1] + timedelta(hours=12))
    over_time.xaxis.set_major_locator(DayLocator(interval=max(1, -(-len(moments) // 8))))
    over_time.xaxis.set_major_formatter(DateFormatter("%d %b" if len(moments) <= 180 else "%d %b %y"))
    if stats.empty:
        over_time.text(
            0.5, 0.5, "nothing recorded yet", transform=over_time.transAxes, ha="center", color="#666666"
        )

    statuses = list(stats.by_status)
    width = 0.8 / 4
    for offset, name in enumerate(("checks", "autoreplies", "helpful", "wrong")):
        positions = [i + (offset - 1.5) * width for i in range(len(statuses))]
        heights = [stats.by_status[s][name] for s in statuses]
        per_status.bar(positions, heights, width=width, label=SERIES_LABELS[name], color=SERIES_COLOURS[name])
    per_status.set_xticks(range(len(statuses)), statuses)
    tallest = max((c[n] for c in stats.by_status.values() for n in SERIES), default=0)
    per_status.set_ylim(bottom=0, top=max(1, tallest) * 1.15)
    per_status.set_ylabel("total")
    per_status.yaxis.set_major_locator(MaxNLocator(integer=True))
    per_status.grid(axis="y", alpha=0.3)
    per_status.legend(loc="upper right", fontsize=8)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
