"""Hostile input through Discord (simcord, the real bot): /check, the "Check claim" menu, auto-replies,
and hostile claim text from moderators. Every statement gets an answer or a clean refusal, nothing
the bot sends can ping anyone, and hostile claim text is stored as text and shown escaped.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.client import error_message
from bot.ui import safe_text
from tests.bot_support import assert_no_pings, embed_text, message_payloads
from tests.test_hostile_engine import hostile_cases

pytestmark = pytest.mark.timeout(180)

MAX_STATEMENT = 1000


def _no_unexpected_errors(world) -> None:
    errors = world.take_errors()
    assert all(error_message(e) is not None for e in errors), errors


async def test_check_gives_every_hostile_statement_an_answer_or_a_clean_refusal(world) -> None:
    world.bot.get_cog("Check").limits = _NoLimits()  # the corpus is bigger than a person's allowance
    answered = refused = 0
    for kind, text in hostile_cases():
        try:
            result = await world.member.slash(world.channel, "check", statement=text, private=True)
        except Exception as refusal:  # what Discord itself refuses: empty or over 1000 characters
            assert not text.strip() or len(text) > MAX_STATEMENT, (kind, text[:80], refusal)
            refused += 1
            continue
        assert result.ephemeral, (kind, text[:80])
        assert result.response.embeds or result.response.content, (kind, text[:80])
        _no_unexpected_errors(world)
        answered += 1
    assert answered + refused == len(hostile_cases()) and answered > 20 and refused > 0
    assert_no_pings(world.env)


class _NoLimits:
    def hit(self, *_args) -> None:
        return None


async def test_auto_replies_survive_hostile_messages_and_never_ping(world) -> None:
    enabled = await world.admin.slash(world.channel, "autoreply enable", channel=world.channel)
    assert "now on" in enabled.response.content
    sent = 0
    for _kind, text in hostile_cases():
        if not text.strip() or len(text) > 2000:  # Discord refuses such messages itself
            continue
        await world.member.send(world.channel, text)
        sent += 1
        _no_unexpected_errors(world)
    assert sent > 20
    assert not [e for e in world.env.errors if error_message(e) is None]
    for body in message_payloads(world.env):
        assert body.get("allowed_mentions", {}).get("parse") == [], body


async def test_check_claim_menu_on_hostile_messages(world) -> None:
    world.bot.get_cog("Check").limits = _NoLimits()
    for _kind, text in hostile_cases():
        if not text.strip() or len(text) > 2000:
            continue
        message = await world.member.send(world.channel, text)
        result = await world.member.context_menu(world.channel, "Check claim", message)
        assert result.response.embeds or result.response.content
        _no_unexpected_errors(world)
    assert_no_pings(world.env)


HOSTILE_CLAIM_TEXTS = [
    "@everyone the Blorv dam was sabotaged by @here <@123> <@!123> <@&456> <#789>",
    "**The Blorv dam** __was__ *sabotaged* ~~by~~ ||divers|| `at night` > from the river",
    "The Blorv dam was sabotaged, [read the proof](http://evil.example/x) now",
    "```py\nimport os; os.system('rm -rf /')\n``` The Blorv dam was sabotaged",
    "# The Blorv dam was sabotaged\n-# by divers\n- at night",
    "'; DROP TABLE claims;-- The Blorv dam {0}{__class__}%s%n was sabotaged .*(a+)+$",
]
RAW_PINGS = re.compile(r"@everyone|@here|<@[!&]?\d+>|<#\d+>")


@pytest.mark.parametrize("raw", HOSTILE_CLAIM_TEXTS)
async def test_hostile_claim_text_from_a_moderator_is_stored_and_shown_escaped(world, raw: str) -> None:
    added = await world.moderator.slash(
        world.channel, "claim add", status="alleged", party=raw[:200], stance="alleges", text=raw,
        note=raw, quote=raw[:500], id="hostile-claim",
    )
    assert "Added claim" in added.response.content, added.response.content
    stored = await world.bot.claims.get("hostile-claim", guild_id=world.guild.id)
    assert stored.text == " ".join(raw.split())  # /claim add folds whitespace, nothing else
    assert stored.note == raw and stored.statements[0].party == raw[:200].strip()
    assert stored.statements[0].quote == raw[:500]

    checked = await world.member.slash(world.channel, "check", statement="the Blorv dam was sabotaged")
    shown = embed_text(checked.response.embeds[0])
    assert "hostile-claim" in shown
    assert not RAW_PINGS.search(shown), shown
    assert not re.search(r"(?<!\\)\]\(http://evil", shown), shown  # a masked link only when escaped
    shown_plain = shown.replace("\u200b", "").replace("\\", "")
    assert "Blorv dam" in shown_plain  # escaped, not dropped
    assert_no_pings(world.env)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("@everyonhr<>#&!0123456789[]()*_~|`>-: \nx")), max_size=80))
def test_escaped_text_never_holds_a_live_mention_or_masked_link(text: str) -> None:
    shown = safe_text(text, 2000)
    assert not RAW_PINGS.search(shown), (text, shown)
    assert not re.search(r"(?<!\\)\]\(", shown), (text, shown)


@pytest.mark.parametrize("bad", ["\ud800", "\udcff", "\x00", "\x1b[31m"])
async def test_unstorable_characters_in_moderator_input_are_refused_cleanly(world, bad: str) -> None:
    # Lone surrogates can arrive as JSON escapes; SQLite and PostgreSQL cannot store them (nor NUL).
    added = await world.moderator.slash(
        world.channel, "claim add", status="alleged", party="A council", stance="alleges",
        text=f"The Blorv dam {bad} was sabotaged.", id="bad-chars",
    )
    assert added.ephemeral and "control character" in added.response.content, added.response.content
    _no_unexpected_errors(world)
    synonyms = await world.moderator.slash(world.channel, "synonyms add", terms=f"blorv, bl{bad}orv")
    assert synonyms.ephemeral
    _no_unexpected_errors(world)
    for group in await world.bot.claims.synonyms(world.guild.id):
        assert all(bad not in term for term in group)
    with pytest.raises(Exception):  # noqa: B017, PT011 - the claim was never stored
        await world.bot.claims.get("bad-chars", guild_id=world.guild.id)
