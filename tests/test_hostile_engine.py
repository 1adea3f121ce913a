"""Hostile statements given to the matching engine: every one gets an answer, never an exception.

`HOSTILE` is the shared corpus (also used by the CLI and /check tests and by `bench/hostile.py`):
input class -> statements. "Bounded time" is proven structurally here (the engine reads at most
`MAX_CHARS` characters, so a longer statement gets exactly the answer of its prefix); the timings
are measured by `bench/hostile.py`, never asserted.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.claims import Claim
from bot.formats import parse_claims
from bot.matching import CheckResult, Decision, Matcher
from bot.matching.text import MAX_CHARS
from tests.conftest import SEED_PATH

ACCEPTANCE = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
_CLAIM_WORDS = "north korean soldiers deployed russia estimated troops ukraine missile strike 10,000 "
_ZALGO_MARKS = "".join(chr(c) for c in range(0x300, 0x370))

HOSTILE: dict[str, list[str]] = {
    "empty": ["", " ", "   \t  ", "\n\n\n", "\u3000\u00a0\u2003", "\r\n\t\v\f"],
    "long": [
        ACCEPTANCE + " " + "x" * 4_000,
        "word " * 1_000,
        _CLAIM_WORDS * 60,  # ~5k characters of words the claims use: the most retrieval work
        (_CLAIM_WORDS.strip() + ". ") * 1_200,  # ~100k characters, many clauses
        "a" * 100_000,
        "🇷🇺" * 50_000,
    ],
    "control": [
        "\x00",
        "\x00" * 5_000,
        "North\x00Korean\x00soldiers\x00deployed\x00in\x00Russia",
        "".join(chr(c) for c in range(32)) * 10,
        "\x1b[31mred\x1b[0m \x7f\x08\x08 bell\x07",
        "\ud800\udfff lone surrogates \udcff",  # what surrogateescape decoding of bad bytes gives
    ],
    "unicode_tricks": [
        "\u202eaisuR ni deyolped sreidlos naeroK htroN\u202c",
        "North\u200bKorean\u200csoldiers\u200ddeployed\u2060in\ufeffRussia",
        "\u200b" * 10_000,
        "".join(ch + _ZALGO_MARKS[: (i * 7) % 60] for i, ch in enumerate(ACCEPTANCE)),
        "Z" + _ZALGO_MARKS * 60,
        "\u2066\u2067\u2068\u2069\u202a\u202b\u202d\u061c" * 200,
        "𝐍𝐨𝐫𝐭𝐡 𝐊𝐨𝐫𝐞𝐚𝐧 𝐬𝐨𝐥𝐝𝐢𝐞𝐫𝐬 𝐝𝐞𝐩𝐥𝐨𝐲𝐞𝐝 𝐢𝐧 𝐑𝐮𝐬𝐬𝐢𝐚",
    ],
    "emoji": [
        "😀" * 4_000,
        "👨‍👩‍👧‍👦" * 1_000,
        "🔥💯 North Korean soldiers 🇰🇵 deployed in Russia 🇷🇺 " * 50,
        ":fire: " * 1_000 + "<:custom:123456789012345678>" * 100,
    ],
    "scripts": [
        "نشرت كوريا الشمالية عشرة آلاف جندي في روسيا",
        "朝鲜向俄罗斯派遣了一万名士兵",
        "北朝鮮は1万人の兵士をロシアに派遣した",
        "Северная Корея направила в Россию 10 000 солдат",
        "उत्तर कोरिया ने रूस में 10,000 सैनिक तैनात किए",
        "북한은 러시아에 병력 1만 명을 배치했다",
        "נשלחו 10,000 חיילים צפון קוריאנים לרוסיה",
        "ⲁⲃⲅ ᚠᚢᚦ ꦲꦤꦕ 𓀀𓀁𓀂",
    ],
    "injection": [
        ".*(a+)+$",
        "(a+)+$" + "a" * 5_000 + "!",
        "((((((((((((((((((((x))))))))))))))))))))" * 50,
        "[" * 3_000,
        "\\" * 3_000,
        "'; DROP TABLE claims;--",
        "\" OR 1=1; DELETE FROM claims WHERE '1'='1",
        "{0}{__class__}%s%n",
        "{0.__class__.__mro__[1].__subclasses__()}" * 20,
        "%s%s%s%s%n%n%x%x" * 100,
        "${jndi:ldap://evil/a} $(rm -rf /) `id`",
        "<script>alert(1)</script> <img src=x onerror=alert(1)>",
        "@everyone @here <@123> <@&456> <#789> [x](http://evil) ||spoiler|| **bold** ```py\nprint(1)\n```",
    ],
}


def hostile_cases() -> list[tuple[str, str]]:
    return [(kind, text) for kind, texts in HOSTILE.items() for text in texts]


def seed_claims() -> list[Claim]:
    return parse_claims(SEED_PATH.read_bytes())


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    built = Matcher()
    for claim in seed_claims():
        built.add(claim)
    return built


def _assert_well_formed(result: CheckResult, limit: int = 3) -> None:
    assert isinstance(result, CheckResult)
    assert result.decision in set(Decision)
    assert len(result.matches) <= limit
    scores = [m.score for m in result.matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert (result.decision is Decision.NONE) == (not result.matches)


@pytest.mark.parametrize(("kind", "text"), hostile_cases(), ids=lambda v: v if len(v) < 20 else None)
def test_every_hostile_statement_gets_an_answer(matcher: Matcher, kind: str, text: str, caplog) -> None:
    # `match` has no safety net, so a bug in matching would raise here rather than be logged away.
    matcher.match(text)
    with caplog.at_level(logging.ERROR, logger="bot.matching"):
        result = matcher.check(text)
        matcher.check(text, guild_id=123)
    _assert_well_formed(result)
    assert not caplog.records, "check had to swallow an exception"
    if kind in {"empty", "injection", "scripts"}:
        # None of these restates a claim well enough for the bot to speak up on its own.
        assert result.decision is not Decision.AUTOREPLY, (kind, text[:80])


def test_empty_and_whitespace_get_no_match(matcher: Matcher) -> None:
    for text in HOSTILE["empty"]:
        assert matcher.check(text) == CheckResult(Decision.NONE, [])


def test_hidden_characters_do_not_stop_a_real_claim_being_recognised(matcher: Matcher) -> None:
    plain = matcher.check(ACCEPTANCE)
    assert plain.decision is Decision.AUTOREPLY
    top = plain.matches[0].claim_id
    for text in (
        "North\u200bKorean\u200csoldiers\u200d deployed\u2060 in\ufeff Russia, an estimated 10,000 of them",
        "An estimated 10,000 North\x00 Korean soldiers have been deployed in Russia.",
        "𝐀𝐧 𝐞𝐬𝐭𝐢𝐦𝐚𝐭𝐞𝐝 10,000 𝐍𝐨𝐫𝐭𝐡 𝐊𝐨𝐫𝐞𝐚𝐧 𝐬𝐨𝐥𝐝𝐢𝐞𝐫𝐬 𝐡𝐚𝐯𝐞 𝐛𝐞𝐞𝐧 𝐝𝐞𝐩𝐥𝐨𝐲𝐞𝐝 𝐢𝐧 𝐑𝐮𝐬𝐬𝐢𝐚.",
        "".join(ch + "\u0301" for ch in ACCEPTANCE),  # lightly zalgo'd: accents are folded away
    ):
        result = matcher.check(text)
        assert result.matches and result.matches[0].claim_id == top, text


def test_non_strings_get_no_match(matcher: Matcher) -> None:
    for value in (None, 5, b"North Korean soldiers", ["a"]):
        assert matcher.check(value) == CheckResult(Decision.NONE, [])  # type: ignore[arg-type]


def test_an_empty_index_answers_everything_with_no_match() -> None:
    empty = Matcher()
    for _, text in hostile_cases():
        assert empty.check(text) == CheckResult(Decision.NONE, [])


@pytest.mark.parametrize("text", [t for t in HOSTILE["long"] if len(t) > MAX_CHARS])
def test_only_the_first_max_chars_are_read(matcher: Matcher, text: str) -> None:
    # The bound on the work: everything past MAX_CHARS is ignored, so 100k costs what 4k does.
    assert matcher.match(text, limit=10) == matcher.match(text[:MAX_CHARS], limit=10)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=600))
def test_arbitrary_text_gets_a_well_formed_answer(matcher: Matcher, text: str) -> None:
    matcher.match(text)  # raises on a matching bug (check would log and swallow it)
    _assert_well_formed(matcher.check(text))


_PIECES = st.sampled_from(
    [ACCEPTANCE, "North", "Korean", "soldiers", "10,000", "10k", "not", "never", ".", "—", "-", "!", "?",
     "\u200b", "\u202e", "\x00", "\u0301", "😀", "🇷🇺", "@everyone", "<@123>", "**", "||", "```", "`",
     "http://x.y/z", "[a](http://evil)", "%", "per cent", "1st", "U.S.", "can't", "'s", "{0}", "(a+)+$",
     "١٢٣", "一万", "١٠٬٠٠٠", "1e308", "9" * 400, "0." + "0" * 300 + "1"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_PIECES, max_size=40), glue=st.sampled_from([" ", "", "\n", ", "]))
def test_claim_fragments_mixed_with_hostile_pieces_get_a_well_formed_answer(
    matcher: Matcher, parts: list[str], glue: str
) -> None:
    text = glue.join(parts)
    matcher.match(text)
    _assert_well_formed(matcher.check(text))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.text(max_size=300), tail=st.text(min_size=1, max_size=300))
def test_arbitrary_long_text_is_read_up_to_the_bound(matcher: Matcher, head: str, tail: str) -> None:
    # (a text of over MAX_CHARS random characters is more than hypothesis generates reliably)
    text = (head + " North Korea sent troops to Russia" * 200)[:MAX_CHARS] + tail
    assert matcher.match(text, limit=10) == matcher.match(text[:MAX_CHARS], limit=10)


def test_a_figure_too_big_for_a_float_is_indexed_and_matched() -> None:
    # Regression: "9" * 400 parsed to inf and format_number raised OverflowError, both when a claim
    # was added (after its import had committed) and on every message containing such a figure.
    huge = "9" * 400
    built = Matcher()
    built.add(Claim(id="huge", text=f"There are {huge} stars in the galaxy.", status="alleged"))
    assert built.match(f"there are {huge} stars in the galaxy")[0].claim_id == "huge"
    assert built.check(f"{huge} {huge}e{huge} 0.{'0' * 400}1").decision in set(Decision)


def test_replacing_claims_leaves_the_answers_unchanged() -> None:
    # Regression: removed documents stayed in the postings and were counted in the document
    # frequency, so after a store seeded its claims (update) and loaded its index (add again) the
    # idf went negative, candidates lost their BM25 entry and _best raised KeyError: the bot then
    # answered "no match" to the acceptance claim written in bold letters.
    fresh = Matcher()
    replaced = Matcher()
    for claim in seed_claims():
        fresh.add(claim)
        for _ in range(3):
            replaced.update(claim)
    for _, text in hostile_cases():
        # Coverage weights may still count removed documents until a merge (a documented, small
        # overestimate), so scores may move a little, but answers may not.
        got, want = replaced.check(text), fresh.check(text)
        assert got.decision is want.decision, text[:80]
        assert [m.claim_id for m in got.matches[:1]] == [m.claim_id for m in want.matches[:1]], text[:80]
        pairs = zip(got.matches, want.matches, strict=False)
        assert all(abs(a.score - b.score) < 0.05 for a, b in pairs), text[:80]
    assert replaced.check(ACCEPTANCE).matches[0].claim_id == "nk-troops-10000-in-russia"
