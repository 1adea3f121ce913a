"""The review queue service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.claims import Status
from bot.errors import ClaimbotError, ClaimExists, NotAllowed
from bot.formats import derive_claim_id
from bot.matching import Decision
from bot.review import (
    COMPARE_WITH,
    MAX_CHANNELS,
    EntryNotFound,
    ReviewService,
    normalise_question,
    similarity,
)
from bot.store import Store
from db.models import ReviewAskerRow, ReviewEntryRow
from db.repositories import now
from tests.conftest import make_claim

GUILD = 111
OTHER_GUILD = 222
QUESTION = "Did the moon landing happen on a sound stage in Nevada?"


@pytest.fixture
def review(store: Store) -> ReviewService:
    return ReviewService(store.service.sessions, store.service)


async def ask(review: ReviewService, text: str, *, user=1, channel=10, guild=GUILD, **kw):
    kw.setdefault("decision", Decision.NONE)
    return await review.record_question(guild_id=guild, channel_id=channel, user_id=user, question=text, **kw)


async def askers_stored(review: ReviewService) -> int:
    async with review.sessions() as session:
        return await session.scalar(select(func.count()).select_from(ReviewAskerRow))


# -- pure helpers ------------------------------------------------------------------------------------


def test_normalise_drops_case_punctuation_accents_mentions_and_links():
    assert normalise_question("Did  <@123> say CAFÉ?! https://x.example/a") == "did say cafe"


def test_similarity_tolerates_typos_and_word_order_but_not_subsets():
    a = normalise_question(QUESTION)
    assert similarity(a, normalise_question("did the moon landing hapen on a sound stage in nevada")) >= 90
    assert similarity(a, normalise_question("in Nevada, did the moon landing happen on a sound stage")) >= 90
    assert similarity(normalise_question("moon landing"), a) < 90
    assert similarity(a, normalise_question("Did the Mars landing happen in a studio in Arizona?")) < 90
    chatty = "hey, did the moon landing happen on a soundstage in nevada"
    assert similarity(a, normalise_question(chatty)) >= 90


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Did Russia bomb the dam?", "Did Ukraine bomb the dam?"),
        ("Were 2022 prices higher?", "Were 2023 prices higher?"),
        ("Question one about the bridge", "Question two about the bridge"),
    ],
)
def test_one_different_word_is_a_different_question(first, second):
    assert similarity(normalise_question(first), normalise_question(second)) < 90


# -- grouping ----------------------------------------------------------------------------------------


async def test_repeated_question_with_typos_is_one_entry(review: ReviewService):
    first = await ask(review, QUESTION, user=1, channel=10)
    second = await ask(review, "did the moon landng happen on a sound stage in nevada", user=2, channel=20)
    third = await ask(review, "Did the moon landing happen on a soundstage in Nevada??", user=1, channel=10)

    assert first.id == second.id == third.id
    assert third.asks == 3
    assert third.askers == 2
    assert set(third.channel_ids) == {10, 20}
    assert third.question == QUESTION  # the first wording is kept
    assert third.first_asked_at <= third.last_asked_at
    entries, total = await review.page(GUILD)
    assert total == 1 and [e.id for e in entries] == [first.id]


async def test_different_questions_and_servers_stay_apart(review: ReviewService):
    a = await ask(review, QUESTION)
    b = await ask(review, "Is the tower in Paris made of chocolate?")
    c = await ask(review, QUESTION, guild=OTHER_GUILD)
    assert len({a.id, b.id, c.id}) == 3
    assert (await review.page(GUILD))[1] == 2
    assert (await review.page(OTHER_GUILD))[1] == 1
    with pytest.raises(EntryNotFound):
        await review.get(OTHER_GUILD, a.id)


async def test_only_none_and_suggest_are_queued(review: ReviewService):
    assert await ask(review, QUESTION, decision=Decision.AUTOREPLY) is None
    suggested = await ask(review, QUESTION, decision=Decision.SUGGEST, candidate_claim_id="some-claim")
    assert suggested is not None and suggested.candidate_claim_id == "some-claim"
    assert await ask(review, "?!", decision=Decision.NONE) is None  # nothing to review


async def test_list_is_most_asked_first_and_paginates(review: ReviewService):
    questions = [f"Question number {word} about the harbour bridge" for word in ("one", "two", "three")]
    for times, question in zip((1, 3, 2), questions, strict=True):
        for user in range(times):
            await ask(review, question, user=user)
    entries, total = await review.page(GUILD, limit=2)
    assert total == 3
    assert [e.asks for e in entries] == [3, 2]
    rest, _ = await review.page(GUILD, offset=2, limit=2)
    assert [e.asks for e in rest] == [1]


async def test_channels_are_capped_to_the_most_recent(review: ReviewService):
    for channel in range(MAX_CHANNELS + 3):
        entry = await ask(review, QUESTION, channel=channel)
    assert len(entry.channel_ids) == MAX_CHANNELS
    assert entry.channel_ids[-1] == MAX_CHANNELS + 2
    assert 0 not in entry.channel_ids


async def test_comparison_is_bounded_to_recent_entries(review: ReviewService, monkeypatch):
    compared: list[str] = []

    def spy(a: str, b: str) -> float:
        compared.append(b)
        return 0.0

    monkeypatch.setattr("bot.review.similarity", spy)
    monkeypatch.setattr("bot.review.COMPARE_WITH", 3)
    for i in range(6):
        await ask(review, f"Distinct question {i} about rivers")
    assert len(compared) == 0 + 1 + 2 + 3 + 3 + 3
    assert COMPARE_WITH >= 50  # the real bound is generous enough for a busy server


async def test_wrong_reports_group_per_claim_and_apart_from_questions(review: ReviewService):
    question = await ask(review, QUESTION)
    wrong = await review.record_wrong(GUILD, 10, "claim-a", QUESTION, user_id=5)
    again = await review.record_wrong(GUILD, 11, "claim-a", QUESTION.lower(), user_id=6)
    twice = await review.record_wrong(GUILD, 12, "claim-a", QUESTION, user_id=6)
    assert (twice.asks, twice.askers, twice.channel_ids) == (2, 2, (10, 11))  # one report per person
    other_claim = await review.record_wrong(GUILD, 10, "claim-b", QUESTION)
    assert wrong.kind == "wrong" and wrong.wrong_claim_id == "claim-a"
    assert wrong.id == again.id != question.id
    assert again.asks == 2 and again.askers == 2
    assert other_claim.id not in {question.id, wrong.id}
    assert other_claim.askers == 0  # no user given: counted as an ask, not an asker


# -- search ------------------------------------------------------------------------------------------


async def test_search_finds_open_entries_and_claims(review: ReviewService, store: Store):
    entry = await ask(review, QUESTION)
    await ask(review, "Is the tower in Paris made of chocolate?")
    assert [e.id for e in await review.search(GUILD, "sound STAGE")] == [entry.id]
    assert len(await review.search(GUILD, "")) == 2
    assert await review.search(GUILD, "100%") == []
    await store.service.create(make_claim("cheese-moon", "The moon is made of cheese."), actor="t")
    await store.service.create(make_claim("local-one", "Local thing.", guild_id=OTHER_GUILD), actor="t")
    assert await review.search_claims(GUILD, "CHEESE") == [("cheese-moon", "The moon is made of cheese.")]
    assert await review.search_claims(GUILD, "local") == []


# -- resolving ---------------------------------------------------------------------------------------


async def test_link_adds_the_question_as_an_alias_so_it_matches(review: ReviewService, store: Store):
    claims = store.service
    await claims.create(make_claim("cheese-moon", "The moon is made of cheese."), actor="t")
    question = "Apollo astronauts brought back cheddar from the lunar surface"
    before = await claims.check(question, guild_id=GUILD)
    assert before.decision is not Decision.AUTOREPLY
    entry = await ask(review, question, decision=before.decision)

    claim = await review.link(GUILD, entry.id, "cheese-moon", actor="42")

    assert claim.aliases[-1] == question
    after = await claims.check(question, guild_id=GUILD)
    assert after.matches and after.matches[0][1].id == "cheese-moon"
    assert after.decision in (Decision.AUTOREPLY, Decision.SUGGEST)
    resolved = await review.get(GUILD, entry.id)
    assert resolved.state == "linked" and resolved.resolved_claim_id == "cheese-moon"
    assert (await review.page(GUILD))[1] == 0
    assert await askers_stored(review) == 0  # hashes go when the entry is resolved
    assert resolved.askers == 1  # the count stays
    with pytest.raises(ClaimbotError, match="already resolved"):
        await review.link(GUILD, entry.id, "cheese-moon", actor="42")


async def test_link_refuses_another_servers_claim(review: ReviewService, store: Store):
    await store.service.create(make_claim("theirs", "Their claim.", guild_id=OTHER_GUILD), actor="t")
    entry = await ask(review, QUESTION)
    with pytest.raises((ClaimbotError, NotAllowed)):
        await review.link(GUILD, entry.id, "theirs", actor="42")
    assert (await review.get(GUILD, entry.id)).state == "open"


async def test_promote_creates_a_server_claim_that_matches(review: ReviewService, store: Store):
    entry = await ask(review, QUESTION, user=7)
    text = "The moon landing was filmed on a sound stage in Nevada."

    claim = await review.promote(GUILD, entry.id, text=text, status=Status.UNEVIDENCED, actor="42")

    assert claim.id == derive_claim_id(text)
    assert claim.guild_id == GUILD and claim.status is Status.UNEVIDENCED
    assert claim.aliases == (QUESTION,)  # reworded: the question itself still matches
    stored = await store.service.get(claim.id, guild_id=GUILD)
    assert stored.text == text
    answer = await store.service.check(QUESTION, guild_id=GUILD)
    assert answer.matches and answer.matches[0][1].id == claim.id
    assert (await store.service.check(QUESTION, guild_id=OTHER_GUILD)).matches == []
    resolved = await review.get(GUILD, entry.id)
    assert resolved.state == "promoted" and resolved.resolved_claim_id == claim.id


async def test_promote_keeps_the_entry_open_when_the_claim_exists(review: ReviewService, store: Store):
    await store.service.create(make_claim(derive_claim_id(QUESTION), QUESTION), actor="t")
    entry = await ask(review, QUESTION)
    with pytest.raises(ClaimExists):
        await review.promote(GUILD, entry.id, text=QUESTION, status=Status.ALLEGED, actor="42")
    assert (await review.get(GUILD, entry.id)).state == "open"


async def test_dismiss_and_a_new_ask_opens_a_new_entry(review: ReviewService):
    entry = await ask(review, QUESTION)
    dismissed = await review.dismiss(GUILD, entry.id, actor="42")
    assert dismissed.state == "dismissed"
    with pytest.raises(EntryNotFound):
        await review.dismiss(OTHER_GUILD, entry.id, actor="42")
    fresh = await ask(review, QUESTION)
    assert fresh.id != entry.id and fresh.asks == 1


# -- the digest --------------------------------------------------------------------------------------


async def test_digest_is_taken_once_a_week(review: ReviewService):
    assert await review.due_digests() == []
    await review.set_digest_channel(GUILD, 555)
    assert await review.digest_channel(GUILD) == 555
    at = now()
    assert await review.due_digests(at) == [(GUILD, 555)]
    assert await review.take_digest(GUILD, at) is True
    assert await review.take_digest(GUILD, at) is False  # a second process loses
    assert await review.due_digests(at + timedelta(days=6)) == []
    assert await review.due_digests(at + timedelta(days=7)) == [(GUILD, 555)]
    await review.set_digest_channel(GUILD, None)
    assert await review.digest_channel(GUILD) is None
    assert await review.due_digests(at + timedelta(days=8)) == []
    assert await review.take_digest(GUILD, at + timedelta(days=8)) is False


async def test_no_user_ids_are_stored(review: ReviewService):
    user_id = 987654321012345678
    await ask(review, QUESTION, user=user_id)
    async with review.sessions() as session:
        entry = (await session.scalars(select(ReviewEntryRow))).one()
        hashes = (await session.scalars(select(ReviewAskerRow.asker_hash))).all()
    row_text = " ".join(str(getattr(entry, c.key)) for c in ReviewEntryRow.__table__.columns)
    assert str(user_id) not in row_text
    assert len(hashes) == 1 and str(user_id) not in hashes[0]


async def test_link_to_a_claim_that_already_has_wordings(review: ReviewService, store: Store):
    """Regression: adding an alias to a claim with aliases once broke the (claim_id, text) constraint."""
    claim = make_claim("cheese-moon", "The moon is made of cheese.", aliases=("lunar cheese", "moon cheddar"))
    await store.service.create(claim, actor="t")
    entry = await ask(review, QUESTION)
    linked = await review.link(GUILD, entry.id, "cheese-moon", actor="42")
    assert linked.aliases == ("lunar cheese", "moon cheddar", QUESTION)
    assert (await store.service.get("cheese-moon")).aliases == linked.aliases


async def test_migration_0002_downgrades_and_upgrades(store: Store):
    from sqlalchemy import inspect

    from db import migrate

    async def tables() -> set[str]:
        async with store.engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))

    review_tables = {"review_entries", "review_askers", "review_settings"}
    assert review_tables <= await tables()
    await migrate.downgrade(store.engine, "0001")
    assert not review_tables & await tables()
    assert await migrate.current_revision(store.engine) == "0001"
    await migrate.upgrade(store.engine)
    assert review_tables <= await tables()
    review = ReviewService(store.service.sessions, store.service)
    assert (await ask(review, QUESTION)).asks == 1
