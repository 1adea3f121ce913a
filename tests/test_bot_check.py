"""/check and the "Check claim" menu, driven through simcord against the real bot and a seeded database."""

from __future__ import annotations

import logging

from bot.claims import Claim, Stance, Statement, Status
from bot.ui import FEEDBACK_HELPFUL_ID, FEEDBACK_WRONG_ID, STATUS_COLOURS
from tests.bot_support import assert_no_pings, embed_text

SEEDED = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
SEEDED_ID = "nk-troops-10000-in-russia"
NONSENSE = "My grandmother's sourdough starter prefers classical music on Tuesdays."


def button_ids(response) -> list[str]:
    return [c.get("custom_id") for row in response.components for c in row.get("components", [])]


async def test_check_answers_publicly_with_status_attribution_and_buttons(world) -> None:
    result = await world.member.slash(world.channel, "check", statement=SEEDED)

    assert not result.ephemeral
    embed = result.response.embeds[0]
    text = embed_text(embed)
    assert embed.colour == STATUS_COLOURS[Status.ALLEGED]
    assert "Alleged" in embed.title
    assert "10,000 North Korean soldiers" in text
    assert Status.ALLEGED.meaning in text
    assert "**Alleged by** United States Department of Defense (Pentagon), 28 Oct 2024" in text
    assert "**Denied by** Kremlin spokesman Dmitry Peskov" in text
    assert "Strong match" in text
    assert SEEDED_ID in text
    assert button_ids(result.response) == [FEEDBACK_HELPFUL_ID, FEEDBACK_WRONG_ID]
    assert_no_pings(world.env)


async def test_check_private_is_ephemeral_without_buttons(world) -> None:
    result = await world.member.slash(world.channel, "check", statement=SEEDED, private=True)

    assert result.ephemeral
    assert SEEDED_ID in embed_text(result.response.embeds[0])
    assert button_ids(result.response) == []


async def test_check_without_a_match_says_no_stored_claim_matches(world) -> None:
    result = await world.member.slash(world.channel, "check", statement=NONSENSE)

    text = embed_text(result.response.embeds[0])
    assert "No stored claim matches" in text
    assert button_ids(result.response) == []


async def test_check_shows_other_candidates_when_unsure(world) -> None:
    actor = "test"
    for suffix, status in (("one", Status.ALLEGED), ("two", Status.DENIED), ("three", Status.UNEVIDENCED)):
        await world.bot.claims.create(
            Claim(
                id=f"zorblax-{suffix}",
                text=f"The zorblax pipeline near Varna exploded in {suffix} places.",
                status=status,
                statements=(Statement("Someone", Stance.ALLEGES),),
            ),
            actor=actor,
        )
    # Raise the auto-reply bar so the best candidate is only a suggestion in this server.
    await world.bot.guild_service.update(world.guild.id, autoreply_threshold=1.0)

    result = await world.member.slash(world.channel, "check", statement="zorblax pipeline Varna exploded")

    text = embed_text(result.response.embeds[0])
    assert "Possible match" in text
    assert "Other possible claims" in text
    assert sum(f"zorblax-{s}" in text for s in ("one", "two", "three")) == 3


async def test_check_claim_menu_checks_the_message(world) -> None:
    message = await world.member.send(world.channel, SEEDED)

    result = await world.moderator.context_menu(world.channel, "Check claim", message)

    text = embed_text(result.response.embeds[0])
    assert SEEDED_ID in text
    assert message.jump_url in text
    assert_no_pings(world.env)


async def test_claim_text_with_mentions_renders_escaped_and_pings_nobody(world) -> None:
    await world.bot.claims.create(
        Claim(
            id="pinging-claim",
            text="@everyone <@123> <@&456> the quuxbridge tower collapsed on purpose",
            status=Status.UNEVIDENCED,
            statements=(Statement("@here [a party](https://evil.example)", Stance.ALLEGES),),
        ),
        actor="test",
    )

    result = await world.member.slash(
        world.channel, "check", statement="the quuxbridge tower collapsed on purpose"
    )

    text = embed_text(result.response.embeds[0])
    assert "pinging-claim" in text
    for raw in ("@everyone", "<@123>", "<@&456>", "@here", "[a party](https://evil.example)"):
        assert raw not in text
    assert_no_pings(world.env)


async def test_check_logs_ids_and_decision_but_no_content_at_info(world, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="cogs.check"):
        await world.member.slash(world.channel, "check", statement=SEEDED)

    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and r.name == "cogs.check"]
    assert any("decision=autoreply" in m and SEEDED_ID in m and "latency_ms=" in m for m in info)
    assert not any("North Korean" in m for m in info)


async def test_check_is_rate_limited_per_person(world) -> None:
    for _ in range(5):
        await world.member.slash(world.channel, "check", statement=NONSENSE, private=True)

    result = await world.member.slash(world.channel, "check", statement=NONSENSE)

    assert result.ephemeral
    assert "Slow down" in result.response.content


async def test_a_huge_claim_fits_discords_embed_limits(world) -> None:
    text = ("The glorp reservoir dam near Ruse was sabotaged " + "and " * 300)[:1000].strip()
    statements = tuple(
        Statement(
            f"Party {i} " + "with an extremely long descriptive name " * 4,
            Stance.ALLEGES if i % 2 else Stance.DENIES,
            quote="q " * 240,
            source_url=f"https://example.com/{'x' * 300}/{i}",
        )
        for i in range(30)
    )
    await world.bot.claims.create(
        Claim(id="huge", text=text, status=Status.ALLEGED, note="n " * 500, statements=statements),
        actor="test",
    )

    result = await world.member.slash(
        world.channel, "check", statement="glorp reservoir dam near Ruse sabotaged"
    )

    embed = result.response.embeds[0]
    assert "huge" in embed_text(embed)
    assert len(embed) <= 6000 and len(embed.description) <= 4096
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert "more statements" in embed_text(embed)
