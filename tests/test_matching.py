"""The Matcher: restated claims are found, near-misses and chatter are not, updates apply at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.claims import Claim, Stance, Statement, Status
from bot.matching import DEFAULT_THRESHOLDS, CheckResult, Decision, Match, Matcher, Thresholds
from bot.matching.engine import AMBIGUITY_MARGIN
from bot.matching.index import InvertedIndex
from bot.matching.synonyms import Synonyms
from bot.matching.text import clean, tokens

SEED = Path(__file__).resolve().parent.parent / "db" / "seed" / "claims.json"


def seed_claims() -> list[Claim]:
    """The seed claims with their aliases and statements (parties feed the attribution rule)."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    return [
        Claim(
            id=c["id"],
            text=c["text"],
            status=Status(c["status"]),
            aliases=tuple(c.get("aliases") or ()),
            statements=tuple(Statement(s["party"], Stance(s["stance"])) for s in c["statements"]),
        )
        for c in data["claims"]
    ]


@pytest.fixture(scope="module")
def seeded() -> Matcher:
    matcher = Matcher()
    for claim in seed_claims():
        matcher.add(claim)
    return matcher


def claim(claim_id: str, text: str, guild_id: int | None = None, **kwargs) -> Claim:
    return Claim(id=claim_id, text=text, status=Status.ALLEGED, guild_id=guild_id, **kwargs)


def top(result: CheckResult | list[Match]) -> str | None:
    matches = result.matches if isinstance(result, CheckResult) else result
    return matches[0].claim_id if matches else None


# -- the lead's acceptance figure and the examples ----------------------------------------


def test_seed_claim_restated_verbatim_is_answered(seeded: Matcher) -> None:
    result = seeded.check("An estimated 10,000 North Korean soldiers have been deployed in Russia.")
    assert result.decision is Decision.AUTOREPLY
    assert top(result) == "nk-troops-10000-in-russia"
    assert 0.0 <= result.matches[0].score <= 1.0


def test_slang_and_numbers_restate_the_claim(seeded: Matcher) -> None:
    result = seeded.check("NK sent like 10k troops to russia lol")
    assert result.decision is Decision.AUTOREPLY
    assert top(result) == "nk-troops-10000-in-russia"


def test_typos_still_find_the_claim(seeded: Matcher) -> None:
    result = seeded.check("norht korea sent soliders to rusia")
    assert result.decision is not Decision.NONE
    assert top(result) in {"nk-troops-deployed-to-russia", "nk-troops-10000-in-russia"}


def test_claim_buried_in_a_paragraph_is_found(seeded: Matcher) -> None:
    text = (
        "ok so I was reading the thread last night and honestly it was a mess. "
        "Somebody posted that North Korea transferred arms to Russia over the summer. "
        "Anyway who is up for games later?"
    )
    assert top(seeded.check(text)) == "nk-arms-to-russia"


def test_match_returns_best_first_with_the_text_that_matched(seeded: Matcher) -> None:
    matches = seeded.match("North Korea has sent about 10,000 troops to Russia.", limit=3)
    assert matches[0] == Match(
        "nk-troops-10000-in-russia", matches[0].score, "North Korea has sent about 10,000 troops to Russia."
    )
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len(matches) <= 3


# -- guards ---------------------------------------------------------------------------------------


def assert_answered(matcher: Matcher, text: str, claim_id: str) -> None:
    result = matcher.check(text)
    assert result.decision is Decision.AUTOREPLY and top(result) == claim_id, (text, result)


def assert_not_answered(matcher: Matcher, text: str, claim_id: str) -> None:
    result = matcher.check(text)
    assert not (result.decision is Decision.AUTOREPLY and top(result) == claim_id), result


def test_same_figure_about_another_country_is_not_the_claim(seeded: Matcher) -> None:
    assert_not_answered(seeded, "Ukraine has lost 654,430 soldiers", "russia-losses-654430")
    assert_not_answered(seeded, "Ukraine has lost 654,430 soldiers", "nk-troops-10000-in-russia")
    assert seeded.check("Ukraine has lost 654,430 soldiers").decision is not Decision.AUTOREPLY


def test_one_actor_replaced_among_several_is_not_the_claim(seeded: Matcher) -> None:
    assert_not_answered(
        seeded,
        "An estimated 10,000 Iranian soldiers have been deployed in Russia.",
        "nk-troops-10000-in-russia",
    )
    assert_not_answered(seeded, "China has transferred arms to Russia.", "nk-arms-to-russia")


def test_receiver_named_without_a_preposition_still_counts_for_swaps(seeded: Matcher) -> None:
    assert_not_answered(seeded, "Russia is giving North Korea weapons", "nk-arms-to-russia")
    assert top(seeded.check("North Korea is giving Russia weapons")) == "nk-arms-to-russia"


def test_swapped_actors_are_not_the_claim(seeded: Matcher) -> None:
    assert seeded.check("Russia sent troops to North Korea").decision is not Decision.AUTOREPLY
    swapped = seeded.check("Russian soldiers have been deployed in North Korea")
    assert swapped.decision is not Decision.AUTOREPLY
    assert seeded.check("North Korea sent drones over Seoul").decision is not Decision.AUTOREPLY
    # the claim names Russia first as an adjective ("Russian ships"), then as the destination
    assert_not_answered(seeded, "Russia shipped 1,500 soldiers to North Korea", "nk-1500-soldiers-shipped")
    assert top(seeded.check("1,500 North Korean soldiers were taken to Russia on Russian ships")) == (
        "nk-1500-soldiers-shipped"
    )


def test_an_actor_of_the_claim_in_another_role_is_not_the_claim(seeded: Matcher) -> None:
    # the claim's subject is left out and another of its actors stands in its place
    assert_not_answered(seeded, "Russia sent its army to Ukraine", "nk-troops-deployed-to-russia")
    assert_not_answered(seeded, "Russia has deployed soldiers to the Kursk region", "nk-troops-in-kursk")
    assert seeded.check("the Russian army is collapsing").decision is not Decision.AUTOREPLY


def test_sharing_only_the_actors_or_too_little_is_not_answered(seeded: Matcher) -> None:
    for text in (
        "North Korea and Russia are allies now",
        "north korea's army is huge",
        "my army in clash of clans has 10k troops",
    ):
        assert seeded.check(text).decision is not Decision.AUTOREPLY, text


def test_leaders_and_common_synonyms_stand_for_their_words(seeded: Matcher) -> None:
    assert top(seeded.check("has kim really sent his army to help putin?")) == "nk-troops-deployed-to-russia"
    result = seeded.check("the north koreans have their own battalions and their own interpreters")
    assert top(result) == "nk-troops-own-battalions"


def test_n_korea_is_north_korea(seeded: Matcher) -> None:
    result = seeded.check("N. Korean soldiers are present in Russia's Kursk region")
    assert top(result) == "nk-troops-in-kursk"


def test_who_said_it_is_not_part_of_what_was_said(seeded: Matcher) -> None:
    # the speaker is not an actor of the claim: no actor conflict with the claim's Russia
    result = seeded.check("Kyiv says North Korean soldiers are present in Russia's Kursk region")
    assert result.decision is Decision.AUTOREPLY
    assert top(result) == "nk-troops-in-kursk"
    # ... and once the speaker is gone, a substituted actor shows
    assert_not_answered(seeded, "Russia says Ukraine has lost 654,430 soldiers", "russia-losses-654430")


def test_a_different_figure_is_not_the_claim(seeded: Matcher) -> None:
    text = "North Korea has sent about 25,000 troops to Russia"
    assert_not_answered(seeded, text, "nk-troops-10000-in-russia")
    assert_not_answered(seeded, "More than 9,000 Russian soldiers have been killed", "russia-deaths-71000")


def test_a_rounded_figure_is_the_same_figure(seeded: Matcher) -> None:
    result = seeded.check("Russia has lost 654k soldiers killed and wounded in the war")
    assert top(result) == "russia-losses-654430"


def test_negated_restatement_is_not_answered(seeded: Matcher) -> None:
    result = seeded.check("North Korea has never transferred arms to Russia")
    assert result.decision is not Decision.AUTOREPLY
    # the negation is about something else: still the claim
    result = seeded.check("I could not believe it, North Korea has transferred arms to Russia")
    assert top(result) == "nk-arms-to-russia"


def test_a_figure_the_claim_does_not_have_is_not_answered(seeded: Matcher) -> None:
    result = seeded.check("North Korea has deployed 40,000 soldiers to Ukraine")
    assert result.decision is not Decision.AUTOREPLY


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "lol",
        "hi",
        "hello there!",
        "🔥🔥🔥",
        "<@123456789012345678>",
        "Russia",
        "North Korea",
        "kursk?",
        "NK troops",
        "https://example.com/north-korea-troops-russia",
    ],
)
def test_short_or_content_free_messages_never_autoreply(seeded: Matcher, text: str) -> None:
    assert seeded.check(text).decision is not Decision.AUTOREPLY


@pytest.mark.parametrize(
    "text",
    ["who wants to play tonight", "my cat knocked over the plant again", "the build is broken on main"],
)
def test_unrelated_chatter_is_silent(seeded: Matcher, text: str) -> None:
    assert seeded.check(text).decision is Decision.NONE


# -- thresholds -----------------------------------------------------------------------------------


def test_thresholds_can_be_overridden_per_call(seeded: Matcher) -> None:
    text = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
    never = Thresholds(suggest=0.0, autoreply=1.0)
    assert seeded.check(text, thresholds=never).decision is Decision.SUGGEST
    assert seeded.check("something unrelated about cats", thresholds=Thresholds(1.0, 1.0)).matches == []


def test_a_message_two_claims_fit_equally_is_suggested_not_answered() -> None:
    matcher = Matcher()
    matcher.add(claim("old", "The mayor banned bicycles from the old town square."))
    matcher.add(claim("new", "The mayor banned bicycles from the new town square."))
    result = matcher.check("the mayor banned bicycles from the town square")
    assert result.decision is Decision.SUGGEST
    assert {m.claim_id for m in result.matches} == {"old", "new"}
    assert matcher.check("the mayor banned bicycles from the old town square").decision is Decision.AUTOREPLY


def test_thresholds_are_validated() -> None:
    assert 0 < DEFAULT_THRESHOLDS.suggest < DEFAULT_THRESHOLDS.autoreply <= 1
    with pytest.raises(ValueError):
        Thresholds(suggest=-0.1, autoreply=0.5)
    with pytest.raises(ValueError):
        Thresholds(suggest=0.3, autoreply=float("nan"))


def test_suggest_above_autoreply_means_both_must_be_cleared(seeded: Matcher) -> None:
    text = "norht korea sent soliders to rusia"
    score = seeded.match(text)[0].score
    assert 0.1 < score < 0.99
    above, below = Thresholds(suggest=score, autoreply=0.1), Thresholds(suggest=score + 1e-3, autoreply=0.1)
    assert seeded.check(text, thresholds=above).decision is Decision.AUTOREPLY
    assert seeded.check(text, thresholds=below).decision is Decision.NONE


def test_check_only_lists_matches_above_suggest(seeded: Matcher) -> None:
    result = seeded.check("North Korea has transferred arms to Russia", limit=5)
    assert all(m.score >= DEFAULT_THRESHOLDS.suggest for m in result.matches)
    assert len(result.matches) <= 5


def check_from_match(matcher: Matcher, text: str, thresholds: Thresholds) -> CheckResult:
    """check() as defined by the scores match() gives every candidate (no candidate left unscored)."""
    ranked = matcher.match(text, limit=3)
    matches = [m for m in ranked if m.score >= thresholds.suggest]
    if not matches:
        return CheckResult(Decision.NONE, [])
    clear = len(ranked) < 2 or ranked[0].score - ranked[1].score >= AMBIGUITY_MARGIN
    sure = matches[0].score >= thresholds.autoreply and clear
    return CheckResult(Decision.AUTOREPLY if sure else Decision.SUGGEST, matches)


def test_check_answers_as_if_every_candidate_were_scored(seeded: Matcher) -> None:
    # check() skips the guards for candidates whose score cannot matter. Its answers must not change,
    # whatever the thresholds: they are set at, between and around the candidates' scores.
    messages = [
        "An estimated 10,000 North Korean soldiers have been deployed in Russia.",
        "norht korea sent soliders to rusia",
        "North Korea sent soldiers",
        "NK soldiers are in Kursk, and Russia pays for it with oil",
        "North Korea has transferred arms to Russia",
        "Russia sent troops to North Korea",
        "no idea if NK troops are even in Kursk, the Kremlin says nothing. my cousin thinks it's all made up",
        "Ukraine says it killed North Korean officers near Donetsk, Russia denies NK soldiers are there",
        "Pyongyang got missile tech from Moscow in return for shells? sounds like a rumour",
        "the weather is nice today and the troops of my football club won again",
    ]
    for text in messages:
        scores = [m.score for m in seeded.match(text, limit=5)]
        cuts = sorted({min(max(s + d, 0.0), 1.0) for s in scores for d in (-0.06, -0.03, 0.0, 0.03, 0.06)})
        for suggest in cuts:
            for autoreply in cuts:
                thresholds = Thresholds(suggest, autoreply)
                expected = check_from_match(seeded, text, thresholds)
                assert seeded.check(text, thresholds=thresholds) == expected, (text, thresholds)


# -- scope ----------------------------------------------------------------------------------------


def test_guild_sees_global_and_its_own_claims_only() -> None:
    matcher = Matcher()
    matcher.add(claim("global-moon", "The Moon landing in 1969 was filmed in a television studio."))
    matcher.add(claim("g1-bridge", "The city council secretly sold the old railway bridge to a buyer.", 1))
    matcher.add(claim("g2-lake", "The lake behind the school was poisoned by the chemical plant.", 2))

    bridge = "the city council secretly sold the old railway bridge to a buyer"
    assert top(matcher.match(bridge, guild_id=1)) == "g1-bridge"
    assert "g1-bridge" not in {m.claim_id for m in matcher.match(bridge, guild_id=2)}
    assert "g1-bridge" not in {m.claim_id for m in matcher.match(bridge, guild_id=None)}
    moon = "the moon landing in 1969 was filmed in a tv studio"
    for guild in (None, 1, 2):
        assert top(matcher.match(moon, guild_id=guild)) == "global-moon"


# -- incremental updates --------------------------------------------------------------------------


def test_added_claim_matches_at_once_and_removed_claim_never() -> None:
    matcher = Matcher()
    text = "The mayor banned bicycles from the old town square last week."
    assert matcher.check(text).matches == []
    matcher.add(claim("bikes", text))
    assert "bikes" in matcher and len(matcher) == 1
    assert top(matcher.check("mayor banned bicycles from the old town square")) == "bikes"
    matcher.remove("bikes")
    matcher.remove("bikes")  # absent: no-op
    assert "bikes" not in matcher and len(matcher) == 0
    assert matcher.match("mayor banned bicycles from the old town square") == []


def test_archived_claim_is_removed() -> None:
    matcher = Matcher()
    matcher.add(claim("bikes", "The mayor banned bicycles from the old town square."))
    matcher.add(claim("bikes", "The mayor banned bicycles from the old town square.", archived=True))
    assert "bikes" not in matcher
    assert matcher.match("mayor banned bicycles from the old town square") == []


def test_update_replaces_text_and_aliases() -> None:
    matcher = Matcher()
    matcher.add(
        claim("c", "The river flooded the northern district in March.", aliases=("Floods hit the north.",))
    )
    matcher.update(claim("c", "A meteorite landed in the harbour overnight."))
    assert matcher.match("the river flooded the northern district in march") == []
    assert matcher.match("floods hit the north") == []
    assert top(matcher.match("a meteorite landed in the harbour overnight")) == "c"


def test_alias_is_another_phrasing_of_the_same_claim() -> None:
    matcher = Matcher()
    matcher.add(
        claim("c", "The factory dumped toxic waste into the river.", aliases=("Plant poisoned the creek",))
    )
    matches = matcher.match("the plant poisoned the creek")
    assert top(matches) == "c"
    assert matches[0].matched_text == "Plant poisoned the creek"
    both = "the factory dumped toxic waste into the river, the plant poisoned the creek"
    assert len(matcher.match(both)) == 1


def test_incremental_index_agrees_with_a_fresh_one() -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "kilo"]
    incremental = Matcher()
    final: dict[str, Claim] = {}
    for i in range(300):
        text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(6)) + f" report {i}"
        c = claim(f"c{i}", text)
        incremental.add(c)
        final[c.id] = c
        if i % 3 == 0:
            incremental.remove(f"c{i // 2}")
            final.pop(f"c{i // 2}", None)
    fresh = Matcher()
    for c in final.values():
        fresh.add(c)
    assert len(incremental) == len(fresh)
    queries = [final.get(f"c{i}", claim("x", "alpha bravo report")).text for i in range(0, 300, 17)]
    expected = [top(fresh.match(q)) for q in queries]
    assert [top(incremental.match(q)) for q in queries] == expected  # postings still in the delta
    incremental._index.merge()
    assert [top(incremental.match(q)) for q in queries] == expected  # folded into the sorted base


@pytest.mark.parametrize("unrelated", [0, 1000], ids=["few claims", "many claims"])
def test_of_claims_tied_in_retrieval_the_oldest_are_compared(unrelated: int) -> None:
    # Six claims with the message's words once each and a figure: the same retrieval score. Four are
    # compared (three asked for, one more), the same four however the retrieval summed their scores.
    matcher = Matcher()
    for i in range(unrelated):  # many claims sharing no word: the retrieval sums postings sparsely
        matcher.add(claim(f"u{i}", f"weather report {i} mild in springfield"))
    for n in range(6):
        matcher.add(claim(f"tie-{n}", f"North Korea sent {n + 1},000 troops to Russia"))
    compared = set(matcher.explain("North Korea sent troops to Russia"))
    assert compared == {"tie-0", "tie-1", "tie-2", "tie-3"}


def test_index_merges_keep_postings_of_live_documents_only() -> None:
    index = InvertedIndex()
    docs = [index.add(["apple", "pear", f"t{i}"], None) for i in range(50)]
    for doc in docs[:25]:
        index.remove(doc)
    index.merge()
    ((found, _),) = index.postings([(index.term_id("apple") << 32) | 0xFFFFFFFF])
    assert sorted(found.tolist()) == docs[25:]
    assert index.n_alive == 25


def test_document_frequencies_follow_adds_and_removes_before_and_after_a_merge() -> None:
    index = InvertedIndex()
    docs = [index.add(["apple", "apple", "pear" if i % 2 else "plum"], None) for i in range(10)]
    apple, pear = index.term_id("apple"), index.term_id("pear")
    assert (index.unigram_df(apple), index.unigram_df(pear)) == (10, 5)
    index.remove(docs[1], ["apple", "apple", "pear"])
    index.remove(docs[2], ["apple", "apple", "plum"])
    for merged in (False, True):
        if merged:
            index.merge()
        assert (index.unigram_df(apple), index.unigram_df(pear)) == (8, 4)
        assert index.unigram_df(apple) == index.df((apple << 32) | 0xFFFFFFFF)
    assert index.unigram_dfs(np.array([apple, pear, 10_000])).tolist() == [8, 4, 0]
    index.remove(docs[3])  # without its content: counted from the postings from then on
    assert (index.unigram_df(apple), index.unigram_df(pear)) == (7, 3)
    assert index.unigram_dfs(np.array([apple, pear])).tolist() == [7, 3]


# -- synonyms -------------------------------------------------------------------------------------


def test_guild_synonyms_apply_to_that_guild_only_and_can_be_replaced() -> None:
    matcher = Matcher()
    matcher.add(claim("moon", "The Moon landing was filmed in a television studio in Nevada."))
    text = "apollo eleven was filmed in a television studio in nevada"
    assert matcher.check(text, guild_id=7).decision is not Decision.AUTOREPLY

    matcher.set_synonyms(7, [["moon landing", "apollo eleven", "Apollo 11"]])
    assert matcher.check(text, guild_id=7).decision is Decision.AUTOREPLY
    assert top(matcher.check("Apollo 11 was filmed in a television studio in Nevada", guild_id=7)) == "moon"
    assert matcher.check(text, guild_id=8).decision is not Decision.AUTOREPLY

    matcher.set_synonyms(7, [])
    assert matcher.check(text, guild_id=7).decision is not Decision.AUTOREPLY


def test_global_synonyms_reach_every_guild() -> None:
    matcher = Matcher()
    matcher.add(claim("ceo", "The chief executive of the bank resigned after the fraud inquiry."))
    matcher.set_synonyms(None, [["chief executive", "ceo", "boss"]])
    for guild in (None, 1, 2):
        assert top(matcher.check("the bank's ceo resigned after the fraud inquiry", guild_id=guild)) == "ceo"


def test_guild_group_joins_a_builtin_group() -> None:
    matcher = Matcher()
    matcher.add(claim("nk", "North Korea has launched a satellite into orbit."))
    matcher.set_synonyms(3, [["Kim's regime", "DPRK"]])
    assert top(matcher.match("kim's regime launched a satellite into orbit", guild_id=3)) == "nk"


def test_stopword_only_synonyms_are_ignored() -> None:
    matcher = Matcher()
    matcher.add(claim("c", "The mayor banned bicycles from the old town square."))
    matcher.set_synonyms(None, [["the", "a", "of"], ["us", "we"]])
    assert matcher.check("the of a the a of us we the").matches == []


def test_builtin_abbreviations_and_adjectives() -> None:
    matcher = Matcher()
    matcher.add(claim("uk", "The United Kingdom sent tanks to Poland."))
    assert top(matcher.check("UK sent tanks to poland")) == "uk"
    assert top(matcher.check("britain sent tanks to the polish army")) == "uk"


# -- hostile input --------------------------------------------------------------------------------

HOSTILE = [
    "",
    "\x00\x01\x02\x7f",
    "\u202eaisuR ot spoort tnes aeroK htroN",
    "Z̸̢̧̛̛̖̗̘̙̜̝̞̟̠̣̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ̕̚͘͜͟͢͝͞͠͡ͅa" * 50,
    "😀" * 5000,
    "北朝鮮はロシアに1万人の兵士を派遣した",
    "Северная Корея отправила 10 000 солдат в Россию",
    "'; DROP TABLE claims; --",
    "%s %d {0} {claim} ${x} \\1 (?P<x>.*)",
    ".*+?[](){}^$|\\",
    "1" * 10000,
    "9" * 400 + "e999 1e308k 0.0.0.0 ,,,,. . . .",
    "k m b thousand million billion hundred and and and",
    "North Korea " * 20000,
    "a" * 100_000,
    "<@" * 3000 + ">" * 3000,
    "```" * 1000,
    "||" * 5000,
    "\n" * 10000 + "North Korea sent troops to Russia",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(seeded: Matcher, text: str) -> None:
    result = seeded.check(text)
    assert isinstance(result, CheckResult)
    assert all(0.0 <= m.score <= 1.0 for m in result.matches)
    seeded.match(text, guild_id=123, limit=10)


def test_hostile_synonyms_and_claims_are_accepted() -> None:
    matcher = Matcher()
    matcher.set_synonyms(1, [["", "   "], ["🔥"], ["x"] * 50, ["(?P<x>", "%s"], []])
    matcher.add(claim("c", "😀 " * 100 + "."))
    matcher.add(claim("d", "Real words about a real thing happening somewhere."))
    assert matcher.check("😀😀😀", guild_id=1).decision is not Decision.AUTOREPLY
    assert top(matcher.match("real words about a real thing happening somewhere", guild_id=1)) == "d"


def test_a_phrase_synonym_needs_all_its_words_in_order() -> None:
    matcher = Matcher()
    matcher.set_synonyms(None, [["deep sea fishing trawler", "dsft"]])
    matcher.add(claim("a", "The deep sea was calm while the fishing trawler sank off the coast"))
    matcher.add(claim("b", "A deep sea fishing trawler sank off the coast"))
    assert top(matcher.match("a dsft sank off the coast")) == "b"


def test_phrase_paths_intersect_and_unite_postings() -> None:
    from bot.matching.engine import _union

    docs = lambda *ids: (np.array(ids, np.int32), np.ones(len(ids), np.uint8))  # noqa: E731
    postings = {1: docs(2, 5, 9), 2: docs(5, 7), 3: docs(), 4: docs(5, 9, 11)}
    found, tfs = _union([[1, 2]], postings)  # both bigrams of a three-word phrase
    assert found.tolist() == [5]
    found, _ = _union([[1, 3]], postings)  # the second bigram nowhere: no document at all
    assert found.tolist() == []
    found, tfs = _union([[1], [4]], postings)  # two phrasings: tf summed per document
    assert (found.tolist(), tfs.tolist()) == ([2, 5, 9, 11], [1, 2, 2, 1])


def test_a_leading_no_does_not_cancel_the_negation_that_follows() -> None:
    matcher = Matcher()
    matcher.add(
        Claim(id="stadium", text="The city council approved the new stadium budget.", status=Status.ALLEGED)
    )
    assert matcher.check("the city council approved the new stadium budget").decision is Decision.AUTOREPLY
    for denial in (
        "no, the city council has not approved the new stadium budget",
        "nope. the city council never approved the new stadium budget",
    ):
        assert matcher.check(denial).decision is not Decision.AUTOREPLY, denial


def test_little_overlap_from_either_side_is_never_confident() -> None:
    from bot.matching.engine import calibrate
    from bot.matching.guards import Comparison

    def score(d_cov: float, q_cov: float, bm25: float = 0.35) -> float:
        comparison = Comparison(
            d_cov=d_cov, q_cov=q_cov, pair_cov=0.0, factor=1.0, reasons=(), bm25=bm25, bm25_rel=1.0
        )
        return calibrate(comparison, bm25=bm25, bm25_rel=1.0)

    # Features of a chat line sharing two rare words ("printer", "3") with one claim among 100k, the best
    # candidate by far: the shared words are a third of either side, so no auto-reply.
    assert score(0.3404, 0.3402, bm25=0.3373) < DEFAULT_THRESHOLDS.autoreply
    # the guard is a step down below the overlap bound, not the logistic model's smooth slope
    assert score(0.449, 0.449) / score(0.451, 0.451) < 0.75


# -- guards on matchers of their own (claims and wordings that appear in no benchmark) ----------


def matcher_of(*texts: str) -> Matcher:
    matcher = Matcher()
    for i, text in enumerate(texts):
        matcher.add(claim(f"c{i}", text))
    return matcher


def test_a_figure_restates_the_claim_only_as_a_rounding_that_keeps_two_digits() -> None:
    wheat = matcher_of("Canada shipped 48,600 tonnes of wheat to Japan.", "Japan banned rice imports.")
    for text in (
        "canada shipped 48.6k tonnes of wheat to japan",
        "canada shipped about 49k tonnes of wheat to japan",
    ):
        assert top(wheat.check(text)) == "c0", text
    for text in (
        "canada shipped 46,800 tonnes of wheat to japan",  # two digits swapped: another figure
        "canada shipped 50,000 tonnes of wheat to japan",  # one digit kept: too coarse to be the same
        "canada shipped 48,650 tonnes of wheat to japan",  # more precise than the claim, and different
    ):
        assert_not_answered(wheat, text, "c0")


def test_actors_swapped_around_with_are_not_the_claim() -> None:
    # three actors: the subject and the partner ("with X") change places, the third stays put
    treaty = matcher_of("Poland could use France's election to invoke its border treaty with Germany.")
    same = "poland could use the french election to invoke its border treaty with germany"
    assert treaty.check(same).decision is Decision.AUTOREPLY
    swapped = "germany could use the french election to invoke its border treaty with poland"
    assert_not_answered(treaty, swapped, "c0")
    # a chain: a new actor in the subject's place, and the subject in the partner's
    chained = "italy could use the french election to invoke its border treaty with poland"
    assert_not_answered(treaty, chained, "c0")


def test_a_place_of_an_actor_is_the_actors_place() -> None:
    # "the Ruhr valley of Germany" is "Germany's Ruhr valley": Germany stays the place, it does not act
    ruhr = matcher_of("Polish engineers are working in Germany's Ruhr valley.", "Germany hired engineers.")
    assert_answered(ruhr, "polish engineers are working in the ruhr valley of germany", "c0")
    assert_not_answered(ruhr, "german engineers are working in the ruhr valley of poland", "c0")


def test_the_claims_place_as_whom_it_is_against_is_another_claim() -> None:
    present = matcher_of("Cuban soldiers are present in Venezuela.", "Peru shut its border.")
    fighting_for = present.check("cuban soldiers are in venezuela fighting for the venezuelans")
    assert fighting_for.decision is Decision.AUTOREPLY
    assert_not_answered(present, "the cuban soldiers are fighting against venezuela", "c0")


def test_a_thing_of_one_actor_named_with_of_is_still_that_actors() -> None:
    claim = "Three Polish officers were killed in a German strike near Dresden."
    strike = matcher_of(claim, "Poland shut its border.")
    assert_answered(strike, "german artillery near dresden took out three officers of the polish army", "c0")
    swapped = "polish artillery near dresden took out three officers of the german army"
    assert_not_answered(strike, swapped, "c0")


def test_adjectives_swapped_between_two_things_are_not_the_claim() -> None:
    court = matcher_of("Three Polish diplomats were expelled by a German court.")
    same = court.check("three polish diplomats were expelled by a german court")
    assert same.decision is Decision.AUTOREPLY
    assert_not_answered(court, "three german diplomats were expelled by a polish court", "c0")


def test_a_shared_thing_said_to_belong_to_an_actor_the_claim_never_names_is_not_the_claim() -> None:
    boats = matcher_of("Spain has lost 3,200 fishing boats in the storm.")
    assert boats.check("spain has lost 3,200 fishing boats in the storm").decision is Decision.AUTOREPLY
    assert_not_answered(boats, "spain has lost 3,200 french fishing boats in the storm", "c0")


def test_an_actor_replaces_another_only_in_the_same_role() -> None:
    port = matcher_of("Chinese engineers are working in Pakistan's Gwadar port.")
    # India takes Pakistan's place: another claim
    assert_not_answered(port, "chinese engineers are working in india's gwadar port", "c0")
    # India reports it: the claim's place is still the same
    assert_answered(port, "Indian intelligence: chinese engineers are working at gwadar port", "c0")


def test_a_question_that_expects_yes_is_not_a_denial() -> None:
    storm = matcher_of("The storm flooded more than 3,000 Spanish homes.")
    assert_answered(storm, "didn't the storm flood more than 3,000 spanish homes?", "c0")
    # no subject after the "not": a denial, not a question
    assert_not_answered(storm, "didn't flood more than 3,000 spanish homes, the storm", "c0")


def test_a_country_named_as_a_noun_takes_a_role_of_its_own() -> None:
    grain = matcher_of("Poland is supplying Germany with grain.")
    assert grain.check("poland is supplying germany with grain").decision is Decision.AUTOREPLY
    # "the Germans" is the subject here, as "Germany" would be, not an adjective
    assert_not_answered(grain, "the germans are supplying poland with grain", "c0")


def test_the_claims_own_owner_named_elsewhere_keeps_a_shared_thing_the_claims() -> None:
    fleet = matcher_of("Spain will use Italian ships in the rescue near Madeira.")
    # "French" qualifies "ships" in the message, but the claim's owner (Italy) is there too
    text = "madrid wants to use the italian ships in the rescue near madeira alongside french ships"
    assert "foreign modifier" not in fleet.explain(text)["c0"][1].reasons
    other = "spain will use french ships in the rescue near madeira"
    assert "foreign modifier" in fleet.explain(other)["c0"][1].reasons
    # named only as the destination, the claim's owner does not make the ships its own
    ferry = matcher_of("Turkish ships carried 300 Syrian soldiers to Turkey.")
    assert ferry.check("turkish vessels carried 300 syrian soldiers to turkey").decision is Decision.AUTOREPLY
    assert_not_answered(ferry, "300 syrian soldiers carried to turkey on french ships", "c0")
    # the people themselves stand for their forces
    battle = matcher_of("Russia will send Cuban soldiers into combat in Kherson.")
    text = "moscow wants to send the cubans into combat against ukrainian forces in kherson"
    assert "foreign modifier" not in battle.explain(text)["c0"][1].reasons


def test_a_place_named_by_its_own_name_does_not_need_its_country() -> None:
    region = matcher_of("Chinese troops are present in Pakistan's Gwadar region.")
    # Gwadar is named: Pakistan is not missing
    assert "missing actor" not in region.explain("the chinese are in gwadar")["c0"][1].reasons
    # North Korea's troops are not excused by naming troops
    troops = matcher_of("North Korea's troops are in Pakistan.")
    assert "missing actor" in troops.explain("troops are in pakistan")["c0"][1].reasons


def test_leaving_out_an_actors_thing_the_claim_names_lowers_the_score() -> None:
    pact = matcher_of(
        "Japan could use China's naval drills to invoke the security clause of its treaty with Australia."
    )
    with_occasion = pact.check("japan could use china's naval drills to invoke its treaty with australia")
    without = pact.check("japan and australia signed a security treaty")
    assert with_occasion.decision is Decision.AUTOREPLY
    assert without.decision is not Decision.AUTOREPLY


def test_the_us_in_lower_case_is_the_country() -> None:
    tanks = matcher_of("Poland sent tanks to the United States.")
    assert tanks.check("poland sent tanks to the us").decision is Decision.AUTOREPLY
    assert_not_answered(tanks, "the us sent tanks to poland", "c0")


def test_another_name_in_the_claims_place_is_not_the_claim() -> None:
    floods = matcher_of("Italian divers are working in Spain's Valencia region after the floods.")
    same = floods.check("italian divers are working in spain's valencia region")
    assert same.decision is Decision.AUTOREPLY
    assert_not_answered(floods, "italian divers are working in spain's murcia region after the floods", "c0")
    bridge = matcher_of("Engineers reopened the bridge near Porto on Monday.")
    assert bridge.check("engineers reopened the bridge near porto").decision is Decision.AUTOREPLY
    assert_not_answered(bridge, "engineers reopened the bridge near lisbon on monday", "c0")
    # a verb said another way is a paraphrase, not another claim
    reworded = bridge.check("engineers opened again the bridge near porto on monday")
    assert reworded.decision is Decision.AUTOREPLY


def test_a_country_adjective_after_to_or_above_is_a_place() -> None:
    troops = matcher_of("Poland has deployed its soldiers to Germany.")
    assert_not_answered(troops, "germany has deployed german soldiers onto polish soil", "c0")
    drones = matcher_of("Japan sent drones over South Korea.")
    assert_not_answered(drones, "south korean drones were seen above japan", "c0")


def test_a_receiving_verb_makes_its_subject_the_receiver() -> None:
    tanks = matcher_of("Poland has sent tanks to Ukraine.")
    assert tanks.check("ukraine received tanks from poland").decision is Decision.AUTOREPLY
    assert_not_answered(tanks, "poland received tanks from ukraine", "c0")
    # "from X" says who gave, whatever the verb
    assert_not_answered(tanks, "poland has tanks from ukraine", "c0")


def test_the_claims_destination_acting_is_another_claim() -> None:
    soldiers = matcher_of("Cuban soldiers are in Venezuela.")
    assert_not_answered(soldiers, "venezuela is sending cuban soldiers into battle", "c0")
    assert soldiers.check("venezuela has received cuban soldiers").decision is Decision.AUTOREPLY
    assert soldiers.check("venezuela now hosts cuban soldiers").decision is Decision.AUTOREPLY


def test_military_words_said_another_way() -> None:
    weapons = matcher_of("Iran has transferred weapons to Syria.")
    assert weapons.check("iran is supplying artillery shells to syria").decision is Decision.AUTOREPLY
    assert weapons.check("iranian munitions handed over to syria").decision is Decision.AUTOREPLY
    ships = matcher_of("Turkish ships carried 300 soldiers to Libya.")
    assert ships.check("turkish vessels took 300 units to libya").decision is Decision.AUTOREPLY
    assert ships.check("300 turkish conscripts taken to libya on boats").decision is Decision.AUTOREPLY


def test_a_message_restating_one_half_of_a_compound_claim_restates_it() -> None:
    smuggling = matcher_of(
        "Polish police arrested 40 smugglers at the border with Germany last week, "
        "and Lithuania says the network reached into its army.",
        "Germany opened two new border crossings.",
    )
    assert smuggling.check("lithuania says the smuggling network reached into its army").decision is (
        Decision.AUTOREPLY
    )
    assert_answered(smuggling, "polish police arrested 40 smugglers at the border with germany", "c0")
    assert_not_answered(smuggling, "german police arrested 40 smugglers at the border with poland", "c0")


def test_a_half_that_points_back_is_compared_with_what_it_points_to() -> None:
    # "... pays them": alone, the second half would fit any doctors at all
    doctors = matcher_of(
        "Cuban doctors are treating patients in Brazil, and the Brazilian government pays them in dollars.",
        "Brazil hired doctors.",
    )
    assert_answered(doctors, "the brazilian government pays the cuban doctors in dollars", "c0")
    assert_not_answered(doctors, "the brazilian government pays mexican doctors in dollars", "c0")
    other = "mexican doctors are treating patients in brazil, and the brazilian state pays them in dollars"
    assert_not_answered(doctors, other, "c0")


def test_leaving_out_the_claims_subject_is_not_the_claim() -> None:
    soldiers = matcher_of("Cuban soldiers are present in Venezuela's Zulia region.")
    same = soldiers.check("cuban troops are present in venezuela's zulia region")
    assert same.decision is Decision.AUTOREPLY
    assert_not_answered(soldiers, "wagner mercenaries are present in venezuela's zulia region", "c0")
    # another actor of the claim left out is only a detail ("in Zulia" names where it is)
    assert soldiers.check("cuban soldiers are present in the zulia region").decision is Decision.AUTOREPLY


def test_a_thing_the_claim_gives_one_actor_given_to_another_is_not_the_claim() -> None:
    strike = matcher_of("Six Polish officers were killed in a German strike near Lviv.")
    assert strike.check("6 polish officers killed in a german strike by lviv").decision is Decision.AUTOREPLY
    assert_not_answered(strike, "a polish artillery strike near lviv killed six german officers", "c0")
    # "officers from Germany's army" are Germany's
    hit = "six officers from germany's army died near lviv when polish artillery hit them"
    assert_not_answered(strike, hit, "c0")
    troops = matcher_of("French troops are in Germany.")
    assert_not_answered(troops, "rifles from france are ending up with the german army", "c0")
    # the people themselves stand for their forces
    assert troops.check("the french are in germany with their troops").decision is Decision.AUTOREPLY


def test_a_typo_of_a_people_as_a_noun_is_corrected() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    assert_answered(tanks, "the rusians have lost 300 tanks", "c0")


def test_a_plural_is_corrected_as_its_singular() -> None:
    battle = matcher_of("Iran sent its soldiers into battle.", "Iraq closed its airspace.")
    assert battle._correct("battels") == "battles"  # "battel" is one edit from "battle"
    assert battle._correct("soliders") == "soldiers"


def test_typo_corrections_do_not_depend_on_the_hash_seed() -> None:
    # "caigo" is one edit from both "cairo" and "cargo": the tie must not follow set iteration order
    script = "from bot.matching import Matcher; print(*map(Matcher()._correct, ('caigo', 'nirth')))"
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1, outputs


def test_a_misspelt_number_word_is_still_a_figure() -> None:
    troops = matcher_of("Iran sent 10,000 soldiers to Syria.", "Iran sent 10 soldiers to Syria.")
    assert_answered(troops, "iran sent ten thousnad soldiers to syria", "c0")


def test_a_common_english_word_is_never_taken_for_a_typo_of_a_claim_word() -> None:
    grain = matcher_of("Freighters carried grain to Egypt, the minister says.", "Egypt banned rice imports.")
    assert grain.check("freightrs carried grain to egypt").decision is Decision.AUTOREPLY  # a typo
    assert grain._correct("freightrs") == "freighters" and grain._correct("sayss") == "says"
    # "fighters" is a word of its own, one letter from "freighters"; "stays" is not "says" (which
    # would make the rest of the sentence reported speech)
    assert grain._correct("fighters") == "fighters" and grain._correct("stays") == "stays"


def test_spellings_and_forms_of_one_word_meet() -> None:
    # every word of the claim is met: "defense" is "defence", "presence" says "present"
    claims = matcher_of("Poland raised its defence budget to 4%.", "Cuban doctors are present in Peru.")
    budget = claims.explain("poland raised its defense budget to 4%")["c0"][1]
    assert budget.d_cov == pytest.approx(1.0)
    assert claims.explain("the presence of cuban doctors in peru")["c1"][1].d_cov == pytest.approx(1.0)
    rules = matcher_of("The EU sets no limits on Ukrainian grain imports.")
    restrictions = rules.explain("the eu sets no restrictions on ukrainian grain imports")["c0"][1]
    assert restrictions.d_cov == pytest.approx(1.0)


def test_a_place_named_by_what_it_is_or_replaced_by_another() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    for text in (
        "damascus accuses ankara of flying drones over the capital",
        "syria says turkey flew drones over its capital",
    ):
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text
    assert_not_answered(drones, "turkey flew drones over its own capital", "c0")
    assert_not_answered(drones, "turkey sent drones over the border", "c0")


def test_another_owner_of_the_claims_thing_a_few_words_before_it() -> None:
    ships = matcher_of("Turkish ships carried 300 soldiers to Turkey.", "Iran closed its border.")
    assert ships.check("turkish cargo boats carried 300 soldiers to turkey").decision is Decision.AUTOREPLY
    for boats in ("boats", "cargo boats"):
        assert_not_answered(ships, f"iran's {boats} carried 300 soldiers to turkey", "c0")


def test_casualties_are_the_killed_and_the_wounded() -> None:
    losses = matcher_of(
        "The Sudanese army has lost 4,200 soldiers killed and wounded.",
        "The Sudanese army has lost 4,200 soldiers killed.",
    )
    assert_answered(losses, "the sudanese army took 4,200 casualties", "c0")


def test_what_the_claim_says_is_a_places_own_is_no_swap() -> None:
    # "the Venezuelan region" is the claim's "Venezuela's Zulia region", not Venezuela owning the soldiers
    zulia = matcher_of("Cuban soldiers are present in Venezuela's Zulia region.", "Peru closed its ports.")
    assert_answered(zulia, "cuban troops are present in zulia, the venezuelan region", "c0")


def test_a_people_named_as_such_stands_for_its_forces_only() -> None:
    claims = matcher_of("Cuban soldiers are present in Venezuela.", "Venezuela bought Cuban sugar.")
    # "the Cubans" says "Cuban soldiers", less precisely: all the claim's words are met
    assert claims.explain("the cubans are present in venezuela")["c0"][1].d_cov == pytest.approx(1.0)
    explained = claims.explain("the cubans are in venezuela")
    assert "actors only" not in explained["c0"][1].reasons
    # ... but not their sugar
    assert "actors only" in explained["c1"][1].reasons
    # the forces stood for count as said where the claim names other actors too
    belligerents = matcher_of(
        "Syrian forces are co-belligerents in the war against Iraq, and Turkey sets no limits on using its "
        "weapons against them."
    )
    assert "missing actor" not in belligerents.explain("the syrians are co-belligerents now")["c0"][1].reasons


def test_a_speaker_closing_the_sentence_is_not_part_of_the_claim() -> None:
    drones = matcher_of("Turkish drones flew over Syria.", "Iran closed its airspace.")
    for text in (
        "turkish drones flew over syria, says the iranian foreign ministry",
        "turkish drones flew over syria, the iranian foreign ministry says",
    ):
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text
    # a claim about the speaker is still about the speaker
    assert top(drones.check("iran closed its airspace, says turkey")) == "c1"


def test_days_conflict_with_days_and_years_with_years() -> None:
    wheat = matcher_of("Canada shipped 48,600 tonnes of wheat to Japan in the first week of March 2023.")
    days = wheat.check("canada shipped 48,600 tonnes of wheat to japan between march 1 and 7")
    assert days.decision is Decision.AUTOREPLY
    # a range of days: the second day is a date as the first is, not a figure counting something
    first = wheat.check("between march 1-7, canada shipped 48,600 tonnes of wheat to japan")
    assert first.decision is Decision.AUTOREPLY
    # ... whichever comes first, the days or the month
    second_week = matcher_of("Canada shipped 48,600 tonnes of wheat to Japan in the 2nd week of March 2023.")
    for text in (
        "canada shipped 48,600 tonnes of wheat to japan around march 8-14",
        "canada shipped 48,600 tonnes of wheat to japan around 8-14 march",
        "around march 8-14, canada shipped 48,600 tonnes of wheat to japan",
    ):
        assert second_week.check(text).decision is Decision.AUTOREPLY, text
    # a day that ends a sentence makes no range with a figure opening the next one
    officers = matcher_of(
        "Six Iranian officers were killed in an Iraqi strike near Aleppo on October 3, 2024.",
        "Turkey closed its airspace.",
    )
    assert_answered(officers, "were iranian officers really killed near aleppo on oct 3? six of them?", "c0")
    other_year = wheat.explain("canada shipped 48,600 tonnes of wheat to japan in march 2021")
    assert "date" in other_year["c0"][1].reasons
    april = "canada shipped 48,600 tonnes of wheat to japan in the first week of april"
    assert "date" in wheat.explain(april)["c0"][1].reasons
    assert_not_answered(wheat, april, "c0")
    abbreviated = wheat.check("canada shipped 48,600 tonnes of wheat to japan in the 1st week of mar 2023")
    assert abbreviated.decision is Decision.AUTOREPLY


def test_naming_a_place_says_its_country_too() -> None:
    soldiers = matcher_of(
        "Cuban soldiers are present in Venezuela's Zulia region.", "Cuban doctors work in Venezuela."
    )
    implied = soldiers.explain("cuban soldiers in zulia")["c0"][1]
    named = soldiers.explain("cuban soldiers in venezuela's zulia")["c0"][1]
    assert implied.d_cov == pytest.approx(named.d_cov)
    assert soldiers.check("cuban soldiers in zulia").decision is Decision.AUTOREPLY


def test_nowhere_near_is_a_negation() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    assert "negation" in tanks.explain("russia's tank losses are nowhere near 300")["c0"][1].reasons


def test_no_evidence_for_a_claim_denies_the_whole_of_it() -> None:
    # the negation bears on "evidence", and through it on everything that follows, however far
    ships = matcher_of("Greek ships carried 300 migrants to Malta.", "Malta closed its ports.")
    for text in (
        "nobody has shown any evidence that greek ships carried 300 migrants to malta",
        "there's zero proof greek ships carried 300 migrants to malta",
        "the coastguard sees no sign that greek ships carried 300 migrants to malta",
    ):
        assert "negation" in ships.explain(text)["c0"][1].reasons, text
        assert_not_answered(ships, text, "c0")
    assert top(ships.check("there is evidence that greek ships carried 300 migrants to malta")) == "c0"


def test_a_sentence_that_only_denies_denies_the_message() -> None:
    ships = matcher_of("Greek ships carried 300 migrants to Malta.", "Malta closed its ports.")
    for text in (
        "greek ships carried 300 migrants to malta? never happened",
        "greek ships carried 300 migrants to malta. not true, a total fabrication",
        "greek ships carried 300 migrants to malta? never arrived, the whole story is invented",
    ):
        assert "denied" in ships.explain(text)["c0"][1].reasons, text
        assert_not_answered(ships, text, "c0")
    # a sentence of its own that says more is not a bare denial
    kept = ships.check("greek ships carried 300 migrants to malta. nobody said where they landed")
    assert kept.decision is Decision.AUTOREPLY


def test_calling_a_claim_false_denies_it() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    for text in ("it's false that russia has lost 300 tanks", "it is a lie that russia lost 300 tanks"):
        assert "negation" in tanks.explain(text)["c0"][1].reasons
        assert_not_answered(tanks, text, "c0")


def test_the_subject_of_a_passive_is_acted_on() -> None:
    drones = matcher_of("Iran has transferred drones to Russia.")
    assert drones.check("russia is being supplied with drones by iran").decision is Decision.AUTOREPLY
    assert_not_answered(drones, "iran is being supplied with drones by russia", "c0")
    officers = matcher_of("Six Polish officers were killed in a German strike near Lviv.")
    named = officers.check("6 poland officers killed near lviv by germany on monday")
    assert named.decision is Decision.AUTOREPLY


def test_roles_swapped_by_kind_are_swapped() -> None:
    drones = matcher_of("Iran is supplying Russia with drones.")
    assert_not_answered(drones, "moscow's drones are being supplied to iran", "c0")
    assert drones.check("iran's drones are being supplied to russia").decision is Decision.AUTOREPLY


def test_the_claims_place_owning_the_claims_thing_is_another_claim() -> None:
    units = matcher_of(
        "Cuban soldiers in Venezuela are organised in their own battalions with their own medics."
    )
    hosted = "the cuban army is hosting venezuelan battalions that bring their own medics"
    assert_not_answered(units, hosted, "c0")
    same = units.check("cuban soldiers in venezuela have their own battalions and their own medics")
    assert same.decision is Decision.AUTOREPLY
    ships = matcher_of("Turkish ships carried 300 Syrian soldiers to Turkey.")
    assert_not_answered(ships, "300 syrian soldiers carried to turkey on french freighters", "c0")


def test_chat_abbreviations_of_the_countries_at_war() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    for text, claim_id in (("ru has lost 300 tanks", "c0"), ("ua lost 200 tanks", "c1")):
        result = tanks.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == claim_id, text


def test_a_misspelt_attribution_is_still_an_attribution() -> None:
    troops = matcher_of("Russian troops are present in Belarus's Gomel region.", "Ukraine lost 200 tanks.")
    assert_answered(troops, "russian troops are in gomel acording to ukrainian intel", "c0")


def test_another_place_after_another_placing_word_is_another_claim() -> None:
    bridge = matcher_of("Engineers reopened the bridge near Porto on Monday.")
    assert_not_answered(bridge, "engineers reopened the bridge outside lisbon on monday", "c0")
    outside = bridge.check("engineers reopened the bridge outside porto on monday")
    assert outside.decision is Decision.AUTOREPLY


def test_a_foreign_adjective_qualifies_the_next_two_words() -> None:
    deaths = matcher_of("More than 71,000 Russian soldiers have been killed in the war.")
    assert_not_answered(deaths, "russian media put ukrainian military deaths above 71,000", "c0")


def test_calling_what_was_said_false_denies_it() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    for text in ("the russia lost 300 tanks thing is made up", "that russia lost 300 tanks story is a lie"):
        assert "negation" in tanks.explain(text)["c0"][1].reasons, text


def test_a_name_right_before_the_claims_thing_owns_it() -> None:
    strike = matcher_of("Six Polish officers were killed in a German strike near Lviv.")
    assert_not_answered(strike, "polish gunners near lviv reportedly wiped out six germany officers", "c0")


def test_what_comes_before_a_late_reporting_verb_is_what_was_said() -> None:
    drones = matcher_of("Iran has transferred drones to Russia.", "Ukraine closed its airspace.")
    for text in (
        "iran has transferred drones to russia say officials in kyiv",
        "Iran has transferred drones to Russia, say the US, Britain and Ukraine.",
    ):
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text


def test_a_negation_bears_on_an_actor_only_with_what_it_qualifies() -> None:
    units = matcher_of("Cuban soldiers in Venezuela are organised in their own battalions.")
    detail = "cuban soldiers in venezuela get their own battalions, not mixed with the venezuelans"
    assert units.check(detail).decision is Decision.AUTOREPLY
    combat = matcher_of("Venezuela intends to use Cuban soldiers in combat.")
    denied = "venezuela has no plans to put the cuban soldiers into combat"
    assert "negation" in combat.explain(denied)["c0"][1].reasons
    # an actor as the place is what is denied
    absent = matcher_of("Cuban soldiers are in Venezuela.")
    assert "negation" in absent.explain("cuban soldiers aren't in venezuela at all lol")["c0"][1].reasons


def test_or_is_that_made_up_asks() -> None:
    tanks = matcher_of("Russia has lost 300 tanks.", "Ukraine has lost 200 tanks.")
    asked = "did russia really lose 300 tanks or is that made up"
    assert "negation" not in tanks.explain(asked)["c0"][1].reasons


def test_what_is_reported_mid_sentence_is_compared_on_its_own() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    # Syria speaks here; Damascus, a name for Syria, is where the drones were
    text = (
        "the wildest part of this whole story is syria claiming turkey sent drones over damascus last week. "
        "anyway back to the match"
    )
    assert_answered(drones, text, "c0")


def canon(text: str) -> list[str]:
    """A message as the built-in synonym groups rewrite it."""
    return Synonyms().view(None).rewrite(tokens(clean(text)))[0]


def test_military_synonyms_meet() -> None:
    assert canon("venezuela plans to use conscripts") == canon("venezuela intends to use troops")
    assert canon("weapons know-how") == canon("weapons technology")


def test_a_name_before_a_noun_is_not_the_receiver() -> None:
    units = matcher_of("Cuban soldiers in Venezuela are organised in their own battalions with own medics.")
    text = "apparently the cuba lads get their own battalions and own medics, no mixing w the venezuelans"
    assert units.check(text).decision is Decision.AUTOREPLY


def test_a_foreign_possessor_of_the_claims_owned_thing_is_another_claim() -> None:
    ferry = matcher_of("Turkish ships carried 300 Syrian soldiers to Turkey in March.")
    assert_not_answered(ferry, "france's freighters carried 300 syrian soldiers to turkey in march", "c0")
    # a possessor of what the claim gives no owner is only a detail ("France's war")
    war = "turkish ships carried 300 syrian soldiers to turkey in france's war"
    assert "foreign modifier" not in ferry.explain(war)["c0"][1].reasons
    # "mid-April" keeps its month
    april = "in mid-april turkish ships carried 300 syrian soldiers to turkey"
    assert "date" in ferry.explain(april)["c0"][1].reasons


def test_war_chat_slang_meets_the_military_words() -> None:
    assert canon("iran's lads") == canon("iran's troops") == canon("iran's boys")
    assert canon("thrown into the meat grinder") == canon("thrown into the fighting")
    assert canon("used as cannon fodder") == canon("used as combat")
    assert canon("iranian armaments") == canon("iranian weapons") == canon("iranian rockets")
    assert canon("the iranian contingent") == canon("the iranian troops")
    assert canon("the iranian military units") == canon("the iranian troops")
    assert canon("vlad's war") == canon("putin's war") == canon("putler's war")
    assert canon("best korea's grunts") == canon("north korea's troops") == canon("rocket man's troops")
    assert canon("into the meatgrinder") == canon("into the fighting")
    assert canon("into the trenches") == canon("into combat")
    assert canon("40 iranian soldiers kia") == canon("40 iranian soldiers killed")
    assert canon("an israeli airstrike") == canon("an israeli strike")
    assert canon("iran wants to use") == canon("iran intends to use")
    assert canon("iran sends reinforcements") == canon("iran sends troops") == canon("iran sends squads")
    assert canon("300 iranian soldiers wia") == canon("300 iranian soldiers wounded")
    assert canon("the norks") == canon("the north koreans")
    assert canon("in mother russia") == canon("in russia")
    cuba = matcher_of("Venezuela intends to use Cuban soldiers in combat near Maracaibo.")
    assert cuba.check("venezuela about to throw the cuban dudes into the meat grinder near maracaibo").matches


def test_the_north_and_the_south_are_the_koreas_where_a_korea_is_named() -> None:
    view = Synonyms().view(None)
    said = view.name_koreas([tokens(clean("Seoul says the North sent soldiers to the south of Kursk"))])
    assert said[0][:4] == ["seoul", "says", "north", "korea"]  # "the North": North Korea
    assert said[0][-4:] == ["the", "south", "of", "kursk"]  # a direction, not South Korea
    accused = view.name_koreas([tokens(clean("Pyongyang is accusing the South of sending drones"))])
    assert accused[0][3:5] == ["south", "korea"]  # "accusing X of": the South is who is accused
    # "the north Korean troops" is already named; no Korea named: a direction
    assert view.name_koreas([["the", "north", "korean", "troop"]]) == [["the", "north", "korean", "troop"]]
    assert view.name_koreas([["the", "north", "is", "cold"]]) == [["the", "north", "is", "cold"]]
    drones = matcher_of("South Korea sent drones over the border.")
    assert drones.check("pyongyang says the south sent drones over the border").decision is Decision.AUTOREPLY
    assert drones.check("the south sent drones over the border").decision is not Decision.AUTOREPLY


def test_others_in_the_place_of_an_actors_people_are_another_claim() -> None:
    combat = matcher_of("Iran intends to use Syrian soldiers in combat near Aleppo.")
    restated = combat.check("iran intends to use syrian troops in combat near aleppo")
    assert restated.decision is Decision.AUTOREPLY
    assert_not_answered(combat, "iran intends to use hezbollah fighters in combat near aleppo", "c0")
    assert_not_answered(combat, "iran intends to use kurdish soldiers in combat near aleppo", "c0")
    # at the start of the sentence, the start closes it on the left
    present = matcher_of("Syrian soldiers are present in Iraq's Anbar province.")
    assert present.check("syrian troops are present in iraq's anbar province").decision is Decision.AUTOREPLY
    kurdish = present.explain("kurdish units are present in iraq's anbar province")
    assert "other owner" in kurdish["c0"][1].reasons
    # any name of other people in place of the claim's: "Wagner troops" whatever the verb before them
    assert_not_answered(combat, "iran will throw the wagner troops into combat near aleppo", "c0")
    # ... which a name the synonyms do not know is too ("Assad soldiers"): a server that means Syria by
    # it adds the name to the country's group
    deployed = matcher_of("An estimated 2,000 Syrian soldiers have been deployed in Iraq.")
    assert "other owner" in deployed.explain("2,000 assad soldiers deployed in iraq")["c0"][1].reasons
    deployed.set_synonyms(None, [["syria", "assad"]])
    assert deployed.check("2,000 assad soldiers deployed in iraq").decision is Decision.AUTOREPLY


def test_another_name_after_the_in_the_place_of_a_possessors_name_is_another_claim() -> None:
    pact = matcher_of("Turkey could use Greece's Rhodes incursion to invoke its pact with Azerbaijan.")
    assert top(pact.check("turkey could use the rhodes incursion to invoke its pact with azerbaijan")) == "c0"
    lesbos = pact.explain("turkey could use the lesbos incursion to invoke its pact with azerbaijan")
    assert "other place or thing" in lesbos["c0"][1].reasons


def test_a_speaker_inside_what_is_reported_is_dropped_too() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    text = "my cousin told me syria says turkey sent drones over damascus, he thinks it's cool"
    assert_answered(drones, text, "c0")


def test_is_accusing_reports_and_is_accused_of_does_not() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.")
    accusing = drones.check("syria is accusing turkey of sending drones over damascus")
    assert accusing.decision is Decision.AUTOREPLY
    # the accused is the actor: "Turkey is accused of sending drones" is about Turkey
    assert drones.check("turkey is accused of sending drones over damascus").decision is Decision.AUTOREPLY


def test_inflected_attribution_words_and_four_letter_transpositions_are_corrected() -> None:
    matcher = matcher_of("Turkey sent drones over Damascus.")
    assert matcher._correct("acusing") == "accusing"
    assert matcher._correct("snet") == "sent"
    assert matcher._correct("sant") == "sant"  # a substitution in four letters is too often another word
    misspelt = matcher.check("syria is acusing turkey that it snet drones over damascus")
    assert misspelt.decision is Decision.AUTOREPLY


def test_nicknames_and_other_words_for_drones() -> None:
    assert canon("the hermit kingdom") == canon("the north korea")
    assert canon("unmanned aircraft over seoul") == canon("drones over seoul")
    assert canon("quadcopters over seoul") == canon("drones over seoul")


def test_a_figure_is_about_the_words_past_the_date_beside_it() -> None:
    losses = matcher_of("Iran has lost 12,430 soldiers killed and wounded in the war as of May 1, 2024.")
    assert losses.check("iran killed and wounded by may 1: 12,430").decision is Decision.AUTOREPLY
    assert_not_answered(losses, "iran killed and wounded by may 1: 9k", "c0")


def test_others_in_the_place_of_an_actor_or_its_people_are_another_claim() -> None:
    deal = matcher_of("Iran will give Syria drone technology in return for sending oil.")
    restated = deal.check("iran will give syria drone tech in return for sending oil")
    assert restated.decision is Decision.AUTOREPLY
    kurds = deal.explain("iran will give the kurds drone tech in return for oil")
    assert "other owner" in kurds["c0"][1].reasons
    combat = matcher_of("Iran intends to use Syrian soldiers in combat near Aleppo.")
    assert_not_answered(combat, "iran intends to use hezbollah's elite units in combat near aleppo", "c0")
    # a place is left to the other guards: another word there is as often a misspelling
    sent = matcher_of("Iran has deployed its soldiers to Syria to support its war.")
    assert "other owner" not in sent.explain("iran deployd its soldiers to syrai to help")["c0"][1].reasons


def test_s_korea_is_south_korea() -> None:
    assert canon("s korea") == canon("south korea")


def test_a_leading_according_to_names_the_speaker() -> None:
    drones = matcher_of("South Korea sent drones over the border.", "Iran closed its airspace.")
    # the speaker names a Korea, so "the South" is South Korea
    assert_answered(drones, "according to pyongyang, the south sent drones over the border", "c0")
    # a speaker is no actor: Iran does not stand in for Iraq
    present = matcher_of("Syrian soldiers are present in Iraq's Anbar province.")
    spoken = present.explain("according to iran's spies, syrian soldiers were sighted in anbar province")
    assert "actor" not in spoken["c0"][1].reasons


def test_no_as_an_answer_is_no_negation() -> None:
    belligerents = matcher_of("Cuban forces are co-belligerents in the war in Venezuela.")
    answer = "the spokesperson said no, because cuban forces are co-belligerents in the war in venezuela"
    assert belligerents.check(answer).decision is Decision.AUTOREPLY
    denial = "the spokesperson said no cuban forces are co-belligerents in the war in venezuela"
    assert_not_answered(belligerents, denial, "c0")


def test_each_comma_separated_part_has_its_own_subject() -> None:
    deal = matcher_of("Iran will give Syria drone technology in return for sending oil.")
    # Syria's subject of the first part, Iran of the second: no swap of giver and receiver
    assert deal.check("syria sends the oil, iran pays them in drone tech").decision is Decision.AUTOREPLY
    # ... and so is each part "and" joins when an actor opens it
    assert deal.check("syria sends oil and iran pays them in drone tech").decision is Decision.AUTOREPLY
    # in one part, the second actor is still the one acted on
    assert_not_answered(deal, "syria will give iran drone technology in return for sending oil", "c0")


def test_the_same_subject_trading_the_other_way_is_another_claim() -> None:
    deal = matcher_of("Iran will give Syria drone technology in return for sending oil.")
    for reversed_trade in (
        "iran will send oil to syria in exchange for drone technology",
        "iran will send oil to syria as payment for drone technology",
    ):
        assert "swap" in deal.explain(reversed_trade)["c0"][1].reasons, reversed_trade
        assert_not_answered(deal, reversed_trade, "c0")
    # told from the other side, it is the same trade
    other_side = deal.explain("syria will send oil in exchange for iranian drone technology")
    assert "swap" not in other_side["c0"][1].reasons
    # the other subject getting what the claim's subject gets, or the trade in a passive
    gets = deal.explain("syria will get oil from iran in return for drone technology")
    assert "swap" in gets["c0"][1].reasons
    passive = deal.explain("drone technology will be given to syria by iran in return for the oil")
    assert "swap" not in passive["c0"][1].reasons
    # "in exchange" without "for", the trade in two parts
    two_parts = "iran sends oil to syria, and in exchange iran gets drone technology"
    assert "swap" in deal.explain(two_parts)["c0"][1].reasons


def test_a_word_or_two_said_then_a_deed_is_the_speakers_own_deed() -> None:
    drones = matcher_of("Turkey sent drones to Azerbaijan.", "Iran closed its airspace.")
    for said in ("yes", "bet", "say less"):
        text = f"erdogan said {said} and sent drones to azerbaijan"
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text
    # a speaker is still a speaker when what is said names things ("drones and jets")
    assert_answered(drones, "iran says drones and jets were sent by turkey to azerbaijan", "c0")


def test_anger_at_what_someone_did_reports_it() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    for text in (
        "syria is furious that turkey sent drones over damascus",
        "syria big mad that turkey sent drones over damascus",
        "syria keeps crying that turkey sent drones over damascus",
        # "it says" inside what the speaker said names no other speaker
        "syria is furious about turkish drones it says flew over damascus",
        "syria is complaining about drones that it says turkey flew over damascus",
        # the capital naming its city still places the drones over it
        "syria claims turkish drones were spotted above the capital damascus",
    ):
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text


def test_whom_an_accusation_blames_did_the_deed() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    for text in (
        "the syrian defence ministry blames turkey for drones it says it spotted over damascus",
        "syria says it spotted drones over damascus and blames turkey for sending them",
        "syria points the finger at turkey for the drones over damascus",
    ):
        result = drones.check(text)
        assert result.decision is Decision.AUTOREPLY and top(result) == "c0", text
    # the blamed is the doer: blaming Syria for it puts Syria in Turkey's place
    assert_not_answered(drones, "turkey blames syria for drones over damascus", "c0")


def test_another_thing_sent_over_the_place_is_not_the_claim() -> None:
    drones = matcher_of("Turkey sent drones over Damascus.", "Iran closed its airspace.")
    assert_answered(drones, "turkey sent quadcopters over damascus", "c0")
    for text in ("turkey sent balloons over damascus", "turkey sent leaflets over damascus"):
        assert_not_answered(drones, text, "c0")


def test_weapons_technology_is_technology_not_weapons() -> None:
    deal = matcher_of(
        "Iran will give Syria military technology in return for oil.", "Iran has transferred arms to Syria."
    )
    for text in ("iran is handing syria weapons tech for its oil", "syria's oil for iran's weapons know-how"):
        result = deal.check(text)
        assert top(result) == "c0" and "c1" not in [m.claim_id for m in result.matches], (text, result)


def test_an_actor_in_the_place_of_one_the_claim_acts_on_is_another_claim() -> None:
    deal = matcher_of("Iran will give Syria military technology in return for oil.")
    # Iraq gets what the claim gives Syria
    assert "actor" in deal.explain("iraq gets iranian military tech in return for oil")["c0"][1].reasons
    assert_not_answered(deal, "iraq gets iranian military tech in return for oil", "c0")


def test_i_and_my_in_what_an_actor_says_are_the_actor() -> None:
    troops = matcher_of("Turkey has sent 5,000 troops to Libya.", "Iran closed its airspace.")
    for text in (
        "turkey said take 5k of my soldiers and sent them to libya",
        "ankara says we sent 5,000 of our troops to libya",
    ):
        assert_answered(troops, text, "c0")
    # whom the speaker addresses is not the subject
    deployed = matcher_of("Some 5,000 Turkish soldiers were deployed in Syria.", "Iran closed its airspace.")
    assert_answered(deployed, "erdogan said 'here syria, take 5k of my soldiers'", "c0")
    # another country's "we" is that country
    assert_not_answered(troops, "egypt says we sent 5,000 of our troops to libya", "c0")
    # "its" and "their" are the speaker's too, before another actor is named
    losses = matcher_of("More than 9,000 Iraqi soldiers have been killed.", "Iran closed its airspace.")
    assert_answered(losses, "even iraqi media admit 9,000+ dead on their side", "c0")
    assert_not_answered(losses, "iranian media admit 9,000+ dead on their side", "c0")


def test_a_negated_verb_bears_on_the_actor_it_takes() -> None:
    arms = matcher_of("Iran has transferred arms to Syria.", "Turkey closed its airspace.")
    assert_answered(arms, "iran has been giving syria missiles", "c0")
    assert_not_answered(arms, "iran hasn't given syria so much as one missile", "c0")


def test_denying_the_figure_denies_the_message() -> None:
    troops = matcher_of("Turkey has sent 5,000 troops to Libya.", "Iran closed its airspace.")
    denied = "5,000 turkish troops in libya? nah, there aren't anywhere near that many"
    assert_not_answered(troops, denied, "c0")
    # a sentence opening with a denial denies what came before
    opening = "5,000 turkish troops in libya? not even close, the real number is far lower"
    assert_not_answered(troops, opening, "c0")
    assert_not_answered(troops, "those 5,000 turkish troops in libya? they never existed", "c0")
    # not being able to picture the figure is no denial
    pictured = "turkey has sent 5,000 troops to libya. i can't even picture that many people"
    assert_answered(troops, pictured, "c0")


def test_its_own_soldiers_are_the_subjects() -> None:
    combat = matcher_of(
        "Iran intends to use Syrian soldiers in combat in the Idlib region.", "Turkey closed its airspace."
    )
    assert_answered(combat, "iran plans to throw syrian soldiers into combat around idlib", "c0")
    assert_not_answered(combat, "iran intends to send its own soldiers to fight in syria", "c0")


def test_whom_a_side_is_against_may_fight_back() -> None:
    belligerents = matcher_of(
        "Syrian forces are co-belligerents in the war against Iraq, and Turkey sets no limits on using its "
        "weapons against them.",
        "Iran closed its airspace.",
    )
    hit_back = "syrian troops are co-belligerents now, meaning baghdad can hit them with turkish weapons"
    assert_answered(belligerents, hit_back, "c0")
    # "fair game" says it too
    fair_game = "syrian troops are fair game for turkish weapons now, they are co-belligerents"
    assert_answered(belligerents, fair_game, "c0")
    # "without restriction" says "no limits"
    unrestricted = "syrian forces are co-belligerents, so iraq can use turkish arms on them without limits"
    assert_answered(belligerents, unrestricted, "c0")


def test_the_claims_people_from_somewhere_else_are_other_people() -> None:
    combat = matcher_of(
        "Iran intends to use Syrian soldiers in combat in the Idlib region.", "Turkey closed its airspace."
    )
    assert_answered(combat, "iran intends to use soldiers from syria in combat in the idlib region", "c0")
    elsewhere = "iran intends to use conscripts from isfahan in combat in the idlib region"
    assert_not_answered(combat, elsewhere, "c0")


def test_not_just_adds_rather_than_denies() -> None:
    drones = matcher_of("Iran sent drones to Syria.", "Iraq closed its airspace.")
    assert_answered(drones, "iran did not just send drones to syria, it sent pilots too", "c0")
    assert_not_answered(drones, "iran did not send drones to syria", "c0")


def test_another_actors_forces_in_the_place_of_the_claims_are_another_claim() -> None:
    belligerents = matcher_of(
        "Syrian forces are co-belligerents in the war against Iraq, and Turkey sets no limits on using its "
        "weapons against them.",
        "Iran closed its airspace.",
    )
    assert_answered(belligerents, "turkey sets no limits on using its weapons against syrian forces", "c0")
    # "forces" alone does not name whose they are: the claim's Syria is left out and Turkey put there
    swapped = "iran says turkish forces are co-belligerents in the war and sets no limits on targeting them"
    assert_not_answered(belligerents, swapped, "c0")


def test_a_count_in_the_range_of_years_conflicts_with_the_claims_count() -> None:
    troops = matcher_of("Some 5,000 Turkish soldiers are in Libya.", "Turkey deployed soldiers to Libya.")
    fewer = "only 2,000 turkish soldiers are in libya"
    assert_not_answered(troops, fewer, "c1")
    assert "number" in troops.explain(fewer)["c0"][1].reasons


def test_not_mixed_in_with_others_is_no_denial() -> None:
    battalions = matcher_of(
        "Syrian troops in Iran are organised in their own battalions with their own translators.",
        "Iraq closed its airspace.",
    )
    apart = "syrian troops aren't mixed in with iranian units, they have their own battalions and translators"
    assert_answered(battalions, apart, "c0")
    assert_not_answered(battalions, "syrian troops in iran are not organised in their own battalions", "c0")
