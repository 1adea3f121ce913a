"""bot/ui.py without Discord: escaping, truncation, embed limits, the answer embed's content."""

from __future__ import annotations

from datetime import date

import pytest
from rapidfuzz import fuzz

from bot.claims import Claim, Stance, Statement, Status
from bot.matching import Decision, Match, Thresholds
from bot.service import Answer
from bot.ui import (
    EMBED_TOTAL_LIMIT,
    STATUS_COLOURS,
    STATUS_EMOJI,
    answer_embed,
    claim_choices,
    safe_text,
    truncate,
)
from tests.bot_support import embed_text

THRESHOLDS = Thresholds(suggest=0.35, autoreply=0.7)


def answer(*pairs: tuple[float, Claim], decision: Decision = Decision.AUTOREPLY, query: str = "q") -> Answer:
    return Answer(query, decision, [(Match(c.id, score, c.text), c) for score, c in pairs])


def claim(claim_id: str = "c1", text: str = "North Korea sent troops.", **fields) -> Claim:
    fields.setdefault("status", Status.ALLEGED)
    return Claim(id=claim_id, text=text, **fields)


def assert_within_limits(embed) -> None:
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 0 < len(field.value) <= 1024
        assert len(field.name) <= 256


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("@here look", "@\u200bhere look"),
        ("hi <@123>", "hi \\<@\u200b123\\>"),
        ("hi <@&456>", "hi \\<@\u200b&456\\>"),
        ("[click me](https://evil.example)", "\\[click me\\](https://evil.example)"),
        ("pro-Russian (sic): yes", "pro-Russian (sic): yes"),
        ("**bold** and __under__", "\\*\\*bold\\*\\* and \\_\\_under\\_\\_"),
        ("# Heading", "\\# Heading"),
        ("-# small", "\\-# small"),
        ("a\n- b", "a\n\\- b"),
        ("> quote", "\\> quote"),
        ("`code`", "\\`code\\`"),
        ("||spoiler||", "\\|\\|spoiler\\|\\|"),
        ("\\*not bold*", "\\\\\\*not bold\\*"),
    ],
)
def test_safe_text_neutralises_markup_and_mentions(raw: str, shown: str) -> None:
    assert safe_text(raw, 200) == shown


def test_safe_text_keeps_urls_and_plain_words() -> None:
    text = safe_text("See https://example.com/a_b_c for 10,000 troops", 200)
    assert "https://example.com/a_b_c" in text
    assert "10,000 troops" in text


def test_escaped_mentions_read_the_same_once_discord_drops_the_escapes() -> None:
    shown = safe_text("@everyone <@123> <@&456>", 100)
    assert shown.replace("\u200b", "").replace("\\", "") == "@everyone <@123> <@&456>"


def test_truncate_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "The quick brown fox jumps over the lazy dog " * 5
    cut = truncate(text, 50)
    assert len(cut) <= 50
    assert cut.endswith("…")
    assert text.startswith(cut[:-1])
    assert cut[-2] != " " and text[len(cut) - 1] == " "  # the cut falls between two words


def test_safe_text_respects_the_limit_after_escaping() -> None:
    raw = "*_~" * 500
    out = safe_text(raw, 100)
    assert len(out) <= 100
    assert out.endswith("…")
    assert not out[:-1].endswith("\\") or out[:-1].endswith("\\\\")


def test_answer_embed_shows_status_meaning_attribution_note_and_confidence() -> None:
    found = claim(
        status=Status.DENIED,
        note="Context here.",
        statements=(
            Statement(
                "the Pentagon",
                Stance.ALLEGES,
                date(2024, 10, 28),
                "a significant escalation",
                "https://example.com/report",
                publisher="Reuters",
            ),
            Statement("Kremlin spokesman Dmitry Peskov", Stance.DENIES),
        ),
    )
    embed = answer_embed(answer((0.92, found)), THRESHOLDS)
    text = embed_text(embed)
    assert embed.colour == STATUS_COLOURS[Status.DENIED]
    assert STATUS_EMOJI[Status.DENIED] in embed.title and "Denied" in embed.title
    assert "North Korea sent troops." in text
    assert Status.DENIED.meaning in text
    assert (
        "**Alleged by** the Pentagon, 28 Oct 2024 — “a significant escalation” — [Reuters](https://example.com/report)"
        in text
    )
    assert "**Denied by** Kremlin spokesman Dmitry Peskov" in text
    assert "Context here." in text
    assert "Strong match (92%)" in text
    assert "Other possible claims" not in text


def test_each_status_has_its_own_colour_and_emoji() -> None:
    assert len(set(STATUS_COLOURS.values())) == len(Status) == len(set(STATUS_EMOJI.values()))


def test_below_the_autoreply_threshold_up_to_two_more_candidates_are_shown() -> None:
    pairs = [
        (0.6, claim("a", "First claim")),
        (0.5, claim("b", "Second claim")),
        (0.4, claim("c", "Third claim")),
    ]
    embed = answer_embed(answer(*pairs, decision=Decision.SUGGEST), THRESHOLDS)
    text = embed_text(embed)
    assert "Possible match (60%)" in text
    assert "Other possible claims" in text
    assert "Second claim" in text and "Third claim" in text


def test_no_match_says_so_plainly_and_escapes_the_query() -> None:
    embed = answer_embed(answer(decision=Decision.NONE, query="@everyone is **lying**"), THRESHOLDS)
    text = embed_text(embed)
    assert "No stored claim matches" in text
    assert "@everyone" not in text and "**lying**" not in text


def test_a_huge_claim_stays_within_discord_limits() -> None:
    statements = tuple(
        Statement(
            f"Party number {i} with a long name " + "x" * 150,
            Stance.ALLEGES if i % 2 else Stance.DENIES,
            date(2024, 1, 1 + i % 28),
            "q" * 500,
            f"https://example.com/{'p' * 200}/{i}",
            publisher="P" * 200,
        )
        for i in range(40)
    )
    huge = claim(text=("word " * 200).strip(), note="n" * 1000, statements=statements, aliases=("a" * 1000,))
    others = [(0.5, claim(f"o{i}", "other " * 200)) for i in range(2)]
    embed = answer_embed(answer((0.6, huge), *others, decision=Decision.SUGGEST), THRESHOLDS)
    assert_within_limits(embed)
    assert "more statements" in embed_text(embed)


def test_claim_choices_fuzzy_match_ids_and_texts_within_discord_limits() -> None:
    claims = [claim(f"id-{i}", f"Claim text {i} " + "long " * 50) for i in range(40)]
    claims.append(claim("nk-troops", "North Korean soldiers are in Kursk"))
    choices = claim_choices(claims, "korean kursk")
    assert choices[0].value == "nk-troops"
    assert len(choices) <= 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in claim_choices(claims, ""))
    assert fuzz.WRatio("a", "a") == 100  # rapidfuzz is the engine behind the choices
