"""The moderator review queue: what people asked that no claim answered, and "wrong claim" reports.

Each `/check` or "Check claim" whose decision is `none` or `suggest` joins its server's queue, and so
does every "wrong claim" vote, with the claim it hit. A question that resembles an open entry (after
normalisation, rapidfuzz at `SIMILARITY` against the `COMPARE_WITH` most recently asked open
entries of the same kind) raises that entry's counts instead of adding a row.

Privacy: the queue stores the question text, because showing moderators what people ask is its
purpose, and the ids of the channels it was asked in (at most `MAX_CHANNELS`). It stores no author
id. To count distinct askers it keeps sha256(entry salt + user id) per open entry; the salt is random
per entry, so the hashes of one person cannot be linked across entries, and they are deleted when the
entry is resolved. Someone holding the database and a member list could still test whether a given
member asked a given open question; only the count is ever shown.

Moderators resolve entries: promote (a new claim from the question), link (the question becomes an
alias of an existing claim, so it matches from then on) or dismiss.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.claims import MAX_TEXT, Claim, Statement, Status
from bot.errors import ClaimbotError
from bot.formats import derive_claim_id
from bot.matching import Decision
from bot.service import ClaimService
from bot.stats import StatsService
from db.models import ReviewEntryRow
from db.repositories import now
from db.review import ReviewRepository

log = logging.getLogger(__name__)

SIMILARITY = 90  # rapidfuzz score (0-100) from which two questions are the same question
COMPARE_WITH = 200  # open entries a new question is compared with: the most recently asked ones
MAX_CHANNELS = 10  # channel ids kept per entry, the most recent ones
MIN_QUESTION_CHARS = 3
TYPO_SIMILARITY = 80  # rapidfuzz ratio from which two words are one word mistyped
# Words whose presence or absence does not make a different question.
_FILLER_WORDS = """a an the is are was were be been did do does has have had it its of on in at to for and or
so that this there any anyone someone really actually true hey hi guys pls please rn"""
FILLER = frozenset(_FILLER_WORDS.split())
DIGEST_EVERY = timedelta(days=7)
DIGEST_ENTRIES = 5

QUEUED_DECISIONS = frozenset({Decision.NONE, Decision.SUGGEST})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # and lone surrogates
_DISCORD_TOKEN = re.compile(r"<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::\w)?)>")
_URL = re.compile(r"https?://\S+", re.I)
_NOT_WORD = re.compile(r"[^\w]+")


class EntryNotFound(ClaimbotError):
    def __init__(self, entry_id: int) -> None:
        super().__init__(f"No open review entry #{entry_id} on this server.")
        self.entry_id = entry_id


@dataclass(frozen=True)
class ReviewEntry:
    id: int
    guild_id: int
    kind: str  # "unanswered" or "wrong"
    question: str
    candidate_claim_id: str | None
    wrong_claim_id: str | None
    asks: int
    askers: int
    channel_ids: tuple[int, ...]
    first_asked_at: datetime
    last_asked_at: datetime
    state: str
    resolved_claim_id: str | None = None

    @property
    def related_claim_id(self) -> str | None:
        return self.wrong_claim_id or self.candidate_claim_id


def entry_from_row(row: ReviewEntryRow) -> ReviewEntry:
    return ReviewEntry(
        id=row.id,
        guild_id=row.guild_id,
        kind=row.kind,
        question=row.question,
        candidate_claim_id=row.candidate_claim_id,
        wrong_claim_id=row.wrong_claim_id,
        asks=row.asks,
        askers=row.askers,
        channel_ids=tuple(int(c) for c in row.channel_ids),
        first_asked_at=row.first_asked_at,
        last_asked_at=row.last_asked_at,
        state=row.state,
        resolved_claim_id=row.resolved_claim_id,
    )


def clean_question(text: str) -> str:
    """The question as stored and shown: no control characters, single spaces, at most MAX_TEXT."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())[:MAX_TEXT].strip()


def normalise_question(text: str) -> str:
    """What questions are compared by: case, accents, punctuation, mentions and links removed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _URL.sub(" ", _DISCORD_TOKEN.sub(" ", text))
    return " ".join(_NOT_WORD.sub(" ", text).replace("_", " ").split())[:MAX_TEXT]


def similarity(a: str, b: str) -> float:
    """0-100 for two normalised questions: the same words in any order, with typos.

    A subset counts only between similar lengths, so "russia" never swallows "russia invaded
    ukraine"; and every word one side has and the other lacks must be a typo of a word there, a
    split or joined word, or filler, so "did russia bomb the dam" and "did ukraine bomb the dam"
    (or 2022 and 2023) stay two questions however alike their letters are.
    """
    score = fuzz.token_sort_ratio(a, b)
    a_words, b_words = a.split(), b.split()
    shorter, longer = sorted((len(a_words), len(b_words)))
    if longer and shorter / longer >= 0.75:
        score = max(score, fuzz.token_set_ratio(a, b))
    if score < SIMILARITY:
        return score
    a_set, b_set = set(a_words), set(b_words)
    a_joined, b_joined = "".join(a_words), "".join(b_words)
    for word in a_set ^ b_set:
        others, joined = (b_set, b_joined) if word in a_set else (a_set, a_joined)
        if not _explained(word, others, joined):
            return min(score, SIMILARITY - 1)
    return score


def _explained(word: str, others: set[str], joined: str) -> bool:
    if word in FILLER:
        return True
    if any(c.isdigit() for c in word):
        return False  # numbers differ or they do not: no typo tolerance
    if len(word) >= 3 and word in joined:
        return True  # "sound stage" against "soundstage"
    return any(fuzz.ratio(word, other) >= TYPO_SIMILARITY for other in others if not other.isdigit())


def asker_hash(salt: str, user_id: int) -> str:
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()


class ReviewService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], claims: ClaimService) -> None:
        self.sessions = sessions
        self.claims = claims
        self.stats = StatsService(sessions)

    # -- the queue fills -------------------------------------------------------------------------

    async def record_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int | None,
        question: str,
        decision: Decision,
        candidate_claim_id: str | None = None,
    ) -> ReviewEntry | None:
        """Queue a checked question the engine did not answer outright. None when it is not queued."""
        if decision not in QUEUED_DECISIONS:
            return None
        return await self._record(
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            question=question,
            kind="unanswered",
            candidate_claim_id=candidate_claim_id,
            wrong_claim_id=None,
        )

    async def record_wrong(
        self,
        guild_id: int,
        channel_id: int,
        claim_id: str,
        question_text: str,
        *,
        user_id: int | None = None,
    ) -> ReviewEntry | None:
        """Queue a "wrong claim" report: the question and the claim it wrongly hit."""
        return await self._record(
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            question=question_text,
            kind="wrong",
            candidate_claim_id=None,
            wrong_claim_id=claim_id,
        )

    async def _record(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int | None,
        question: str,
        kind: str,
        candidate_claim_id: str | None,
        wrong_claim_id: str | None,
    ) -> ReviewEntry | None:
        text = clean_question(question)
        key = normalise_question(text)
        if len(key) < MIN_QUESTION_CHARS:
            return None
        stamp = now()
        async with self.sessions() as session, session.begin():
            repository = ReviewRepository(session)
            candidates = await repository.recent_open(
                guild_id, kind=kind, wrong_claim_id=wrong_claim_id, limit=COMPARE_WITH
            )
            best: ReviewEntryRow | None = None
            best_score = 0.0
            for row in candidates:
                score = similarity(key, row.normalised)
                if score >= SIMILARITY and score > best_score:
                    best, best_score = row, score
            if best is None:
                best = ReviewEntryRow(
                    guild_id=guild_id,
                    kind=kind,
                    question=text,
                    normalised=key,
                    candidate_claim_id=candidate_claim_id,
                    wrong_claim_id=wrong_claim_id,
                    asks=1,
                    askers=0,
                    channel_ids=[channel_id],
                    salt=secrets.token_hex(16),
                    first_asked_at=stamp,
                    last_asked_at=stamp,
                    state="open",
                )
                repository.add(best)
                await session.flush()
                new_asker = user_id is not None and await repository.add_asker(
                    best.id, asker_hash(best.salt, user_id)
                )
            else:
                new_asker = user_id is not None and await repository.add_asker(
                    best.id, asker_hash(best.salt, user_id)
                )
                if kind == "wrong" and user_id is not None and not new_asker:
                    return entry_from_row(best)  # one report per person: a second click is not news
                best.asks += 1
                best.last_asked_at = stamp
                channels = [c for c in best.channel_ids if int(c) != channel_id] + [channel_id]
                best.channel_ids = channels[-MAX_CHANNELS:]
                if candidate_claim_id is not None:
                    best.candidate_claim_id = candidate_claim_id
            if new_asker:
                best.askers += 1
            entry = entry_from_row(best)
        log.debug("review queue: guild %s entry %s now asked %d times", guild_id, entry.id, entry.asks)
        return entry

    # -- reading ---------------------------------------------------------------------------------

    async def page(self, guild_id: int, *, offset: int = 0, limit: int = 10) -> tuple[list[ReviewEntry], int]:
        """Open entries, most asked first, and how many are open in all."""
        async with self.sessions() as session:
            repository = ReviewRepository(session)
            rows = await repository.open_entries(guild_id, offset=offset, limit=limit)
            total = await repository.count_open(guild_id)
        return [entry_from_row(row) for row in rows], total

    async def get(self, guild_id: int, entry_id: int) -> ReviewEntry:
        async with self.sessions() as session:
            row = await ReviewRepository(session).get(guild_id, entry_id)
        if row is None:
            raise EntryNotFound(entry_id)
        return entry_from_row(row)

    async def search(self, guild_id: int, text: str, *, limit: int = 25) -> list[ReviewEntry]:
        async with self.sessions() as session:
            rows = await ReviewRepository(session).search_open(guild_id, text, limit=limit)
        return [entry_from_row(row) for row in rows]

    async def search_claims(self, guild_id: int, text: str, *, limit: int = 25) -> list[tuple[str, str]]:
        async with self.sessions() as session:
            return await ReviewRepository(session).search_claims(guild_id, text, limit=limit)

    # -- resolving -------------------------------------------------------------------------------

    async def promote(
        self,
        guild_id: int,
        entry_id: int,
        *,
        text: str,
        status: Status,
        actor: str,
        note: str | None = None,
        statements: tuple[Statement, ...] = (),
    ) -> Claim:
        """Create a server claim from an entry (the moderator may reword it), then resolve the entry.

        The original question stays an alias when the moderator reworded it, so it keeps matching.
        """
        entry = await self._open_entry(guild_id, entry_id)
        text = clean_question(text)
        aliases = (entry.question,) if normalise_question(entry.question) != normalise_question(text) else ()
        claim = Claim(
            id=derive_claim_id(text),
            text=text,
            status=status,
            guild_id=guild_id,
            note=note or None,
            aliases=aliases,
            statements=statements,
        )
        created = await self.claims.create(claim, actor=actor)
        await self._resolve(guild_id, entry_id, state="promoted", actor=actor, claim_id=created.id)
        return created

    async def link(self, guild_id: int, entry_id: int, claim_id: str, *, actor: str) -> Claim:
        """Make the entry's question an alias of an existing claim, then resolve the entry."""
        entry = await self._open_entry(guild_id, entry_id)
        current = await self.claims.get(claim_id, guild_id=guild_id)
        known = {normalise_question(a) for a in (current.text, *current.aliases)}
        if normalise_question(entry.question) in known:
            updated = current
        else:
            updated = await self.claims.change(
                claim_id, actor=actor, guild_id=guild_id, aliases=(*current.aliases, entry.question)
            )
        await self._resolve(guild_id, entry_id, state="linked", actor=actor, claim_id=claim_id)
        return updated

    async def dismiss(self, guild_id: int, entry_id: int, *, actor: str) -> ReviewEntry:
        return await self._resolve(guild_id, entry_id, state="dismissed", actor=actor, claim_id=None)

    async def _open_entry(self, guild_id: int, entry_id: int) -> ReviewEntry:
        entry = await self.get(guild_id, entry_id)
        if entry.state != "open":
            raise ClaimbotError(f"Review entry #{entry_id} was already resolved ({entry.state}).")
        return entry

    async def _resolve(
        self, guild_id: int, entry_id: int, *, state: str, actor: str, claim_id: str | None
    ) -> ReviewEntry:
        async with self.sessions() as session, session.begin():
            repository = ReviewRepository(session)
            row = await repository.get(guild_id, entry_id)
            if row is None:
                raise EntryNotFound(entry_id)
            if row.state != "open":
                raise ClaimbotError(f"Review entry #{entry_id} was already resolved ({row.state}).")
            row.state = state
            row.resolved_at = now()
            row.resolved_by = actor
            row.resolved_claim_id = claim_id
            await repository.forget_askers(row.id)  # the count stays; the hashes go
            entry = entry_from_row(row)
        log.info("review entry %s in guild %s %s by %s", entry_id, guild_id, state, actor)
        return entry

    # -- the weekly digest -----------------------------------------------------------------------

    async def digest_channel(self, guild_id: int) -> int | None:
        async with self.sessions() as session:
            row = await ReviewRepository(session).settings(guild_id)
        return row.digest_channel_id if row else None

    async def set_digest_channel(self, guild_id: int, channel_id: int | None) -> None:
        async with self.sessions() as session, session.begin():
            await ReviewRepository(session).set_digest_channel(guild_id, channel_id)

    async def due_digests(self, at: datetime | None = None) -> list[tuple[int, int]]:
        """(guild, channel) pairs whose weekly digest is due at `at`."""
        at = at or now()
        async with self.sessions() as session:
            return await ReviewRepository(session).due_digests(at - DIGEST_EVERY)

    async def take_digest(self, guild_id: int, at: datetime | None = None) -> bool:
        """Claim this week's digest for a server; False when another process (or an earlier run) has."""
        at = at or now()
        async with self.sessions() as session, session.begin():
            return await ReviewRepository(session).take_digest(guild_id, cutoff=at - DIGEST_EVERY, at=at)
