"""Every slash command against every kind of person, in one table.

Two layers, both checked: what Discord shows (`default_permissions`, and the per-role overrides a
server sets in Integrations) and what the bot itself allows (its checks, for a server that lets
everyone see every command). Then: nobody changes or reads a claim that belongs to another server.

People (tests/bot_support.py): a member; a moderator by permission (Manage Messages); a moderator
by role (the server's moderator role, no Manage Messages); an admin (Administrator); another
server's moderator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from discord import app_commands
from simcord import SetupError
from sqlalchemy import inspect, text

from bot.claims import Claim, Stance, Statement, Status
from bot.client import error_message

pytestmark = pytest.mark.timeout(120)

LOCAL = "local-blorv"  # a claim of the first server
SEEDED = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
UNANSWERED = "The zentrofax bridge in Plovdiv collapsed under a parade of goats."

EVERYONE, MODERATORS, MANAGERS = "everyone", "moderators", "managers"
PEOPLE = ("member", "moderator", "role_moderator", "admin")
# Who each level admits, on the bot's side, once the server named a moderator role. Manage
# Messages then no longer makes a claim moderator: the role does (and Manage Server, Administrator).
ADMITS = {
    EVERYONE: {"member", "moderator", "role_moderator", "admin"},
    MODERATORS: {"role_moderator", "admin"},
    MANAGERS: {"admin"},
}
ADMITS_WITHOUT_ROLE = {**ADMITS, MODERATORS: {"moderator", "admin"}}


def _import_file(world) -> tuple[str, bytes]:
    claims = [{"id": "imported-one", "text": "The imported river Zub froze in May.", "status": "denied"}]
    return ("claims.json", json.dumps({"format": "claims/v1", "claims": claims}).encode())


Args = Callable[[Any], dict[str, Any]]
COMMANDS: dict[str, tuple[str, Args]] = {
    "check": (EVERYONE, lambda w: {"statement": SEEDED}),
    "privacy info": (EVERYONE, lambda w: {}),
    "privacy forget-me": (EVERYONE, lambda w: {}),
    "claim add": (MODERATORS, lambda w: {
        "status": "alleged", "party": "A council", "stance": "alleges", "text": "The river Zub burst."
    }),
    "claim edit": (MODERATORS, lambda w: {"claim": LOCAL, "note": "edited"}),
    "claim status": (MODERATORS, lambda w: {"claim": LOCAL, "status": "denied"}),
    "claim attribute": (MODERATORS, lambda w: {"claim": LOCAL, "party": "The mayor", "stance": "denies"}),
    "claim alias": (MODERATORS, lambda w: {"claim": LOCAL, "action": "add", "text": "Blorv flooded it"}),
    "claim archive": (MODERATORS, lambda w: {"claim": LOCAL}),
    "claim restore": (MODERATORS, lambda w: {"claim": LOCAL}),
    "claim show": (MODERATORS, lambda w: {"claim": LOCAL}),
    "claim list": (MODERATORS, lambda w: {}),
    "claim history": (MODERATORS, lambda w: {"claim": LOCAL}),
    "claim stats": (MODERATORS, lambda w: {}),
    "claim import": (MODERATORS, lambda w: {"file": _import_file(w)}),
    "claim export": (MODERATORS, lambda w: {}),
    "synonyms list": (MODERATORS, lambda w: {}),
    "synonyms add": (MODERATORS, lambda w: {"terms": "blorv, blorvish"}),
    "synonyms remove": (MODERATORS, lambda w: {"number": 1}),
    "ignore add": (MODERATORS, lambda w: {"user": w.member}),
    "ignore remove": (MODERATORS, lambda w: {"user": w.member}),
    "ignore list": (MODERATORS, lambda w: {}),
    "review list": (MODERATORS, lambda w: {}),
    "review promote": (MODERATORS, lambda w: {"entry": w.entry_id, "status": "alleged"}),
    "review link": (MODERATORS, lambda w: {"entry": w.entry_id, "claim": LOCAL}),
    "review dismiss": (MODERATORS, lambda w: {"entry": w.entry_id}),
    "review digest": (MODERATORS, lambda w: {"channel": w.channel}),
    "autoreply enable": (MANAGERS, lambda w: {"channel": w.channel}),
    "autoreply disable": (MANAGERS, lambda w: {"channel": w.channel}),
    "autoreply settings": (MANAGERS, lambda w: {"cooldown": 30}),
    "autoreply status": (MANAGERS, lambda w: {}),
    "claimbot moderator-role": (MANAGERS, lambda w: {}),
    "claimbot settings": (MANAGERS, lambda w: {}),
}
# Discord's side: who sees a level's commands by default (Manage Messages / Manage Server bits).
SHOWN_BY_DEFAULT = {
    EVERYONE: {"member", "moderator", "role_moderator", "admin"},
    MODERATORS: {"moderator", "admin"},
    MANAGERS: {"admin"},
}
GROUPS = sorted({name.split()[0] for name in COMMANDS})


async def prepare(world) -> None:
    """The state every command needs: a local claim (archived for restore), a queue entry, a synonym group."""
    await world.bot.claims.create(
        Claim(
            id=LOCAL,
            text="The river Blorv flooded the town hall twice in 2023.",
            status=Status.ALLEGED,
            guild_id=world.guild.id,
            statements=(Statement(party="A council", stance=Stance.ALLEGES),),
        ),
        actor="test",
    )
    await world.bot.claims.set_synonyms(world.guild.id, [["zub", "zubby"]], actor="test")
    await world.member.slash(world.channel, "check", statement=UNANSWERED)  # queued for review
    page, _ = await world.bot.review.page(world.guild.id)
    world.entry_id = page[0].id


async def dump(bot) -> dict[str, list[tuple]]:
    async with bot.store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            t: sorted(map(tuple, await conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables
        }


def test_the_table_covers_every_command(simcord_bot) -> None:
    import asyncio

    from bot.client import EXTENSIONS

    async def names() -> set[str]:
        for extension in EXTENSIONS:
            await simcord_bot.load_extension(extension)
        tree = simcord_bot.tree
        found = {c.qualified_name for c in tree.walk_commands() if isinstance(c, app_commands.Command)}
        for extension in EXTENSIONS:
            await simcord_bot.unload_extension(extension)
        return found

    assert asyncio.run(names()) == set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
async def test_discord_shows_each_command_to_the_right_people(world, name: str) -> None:
    level, _ = COMMANDS[name]
    for who in PEOPLE:
        shown = name in getattr(world, who).available_commands(world.channel)
        assert shown == (who in SHOWN_BY_DEFAULT[level]), (name, who)
    assert (name in world.other_moderator.available_commands(world.other_channel)) == (level != MANAGERS)


async def test_discord_shows_moderator_commands_to_the_moderator_role_once_allowed(world) -> None:
    await world.use_moderator_role()
    world.guild.set_command_permissions(world.command_id("review"), {world.mod_role: True})
    shown = set(world.role_moderator.available_commands(world.channel))
    assert {n for n, (level, _) in COMMANDS.items() if level in (EVERYONE, MODERATORS)} <= shown


@pytest.mark.parametrize("with_role", [False, True], ids=["no-moderator-role", "moderator-role"])
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", COMMANDS)
async def test_the_bot_enforces_each_command_for_each_person(world, name: str, who: str, with_role: bool):
    level, args = COMMANDS[name]
    await prepare(world)
    if with_role:
        await world.use_moderator_role()
    person = getattr(world, who)
    # The server lets this person see every command, so only the bot's own checks decide.
    for group in GROUPS:
        world.guild.set_command_permissions(world.command_id(group), {person: True})
    world.take_errors()
    before = await dump(world.bot)

    result = await person.slash(world.channel, name, **args(world))

    errors = world.take_errors()
    assert all(error_message(e) is not None for e in errors), errors  # nothing unexpected went wrong
    refusals = [e for e in errors if isinstance(e, app_commands.CheckFailure)]
    admitted = who in (ADMITS if with_role else ADMITS_WITHOUT_ROLE)[level]
    if admitted:
        assert not refusals, (name, who, refusals)
        assert result.acknowledged
    else:
        assert refusals, (name, who, "was let through")
        assert result.ephemeral
        assert await dump(world.bot) == before, "a refused command changed the database"


# ---- another server --------------------------------------------------------------------------------

CROSS_SERVER: dict[str, Args] = {
    "claim edit": lambda w: {"claim": LOCAL, "text": "Hijacked text.", "note": "hijacked"},
    "claim status": lambda w: {"claim": LOCAL, "status": "denied"},
    "claim attribute": lambda w: {"claim": LOCAL, "party": "Hijacker", "stance": "denies"},
    "claim alias": lambda w: {"claim": LOCAL, "action": "add", "text": "hijacked wording of the claim"},
    "claim archive": lambda w: {"claim": LOCAL},
    "claim restore": lambda w: {"claim": LOCAL},
    "claim show": lambda w: {"claim": LOCAL},
    "claim history": lambda w: {"claim": LOCAL},
    "claim stats": lambda w: {"claim": LOCAL},
    "claim add": lambda w: {"status": "denied", "party": "Hijacker", "stance": "denies", "id": LOCAL,
                            "text": "The river Blorv never flooded anything."},
    "claim import": lambda w: {"file": ("c.json", json.dumps({"format": "claims/v1", "claims": [
        {"id": LOCAL, "text": "Hijacked by import.", "status": "denied"}]}).encode())},
    "review link": lambda w: {"entry": w.other_entry_id, "claim": LOCAL},
    "review dismiss": lambda w: {"entry": w.entry_id},
    "review promote": lambda w: {"entry": w.entry_id, "status": "denied"},
}


@pytest.mark.parametrize("name", CROSS_SERVER)
async def test_another_servers_moderator_never_touches_this_servers_claims(world, name: str) -> None:
    await prepare(world)
    await world.other_moderator.slash(world.other_channel, "check", statement="Quorblewomp ate the moon.")
    other_page, _ = await world.bot.review.page(world.other_guild.id)
    world.other_entry_id = other_page[0].id
    claim_before = await world.bot.claims.get(LOCAL, guild_id=world.guild.id)
    history_before = [r.id for r in await world.bot.claims.history(LOCAL, guild_id=world.guild.id)]
    entry_before = await world.bot.review.get(world.guild.id, world.entry_id)
    world.take_errors()

    result = await world.other_moderator.slash(world.other_channel, name, **CROSS_SERVER[name](world))

    assert result.ephemeral
    shown = (result.response.content or "") + json.dumps([e.to_dict() for e in result.response.embeds])
    assert any(word in shown for word in ("No claim with id", "No open review entry", "already exists",
                                          "another server")), shown
    assert "Blorv" not in shown and "town hall" not in shown  # nothing of the claim leaks
    assert await world.bot.claims.get(LOCAL, guild_id=world.guild.id) == claim_before
    assert [r.id for r in await world.bot.claims.history(LOCAL, guild_id=world.guild.id)] == history_before
    assert await world.bot.review.get(world.guild.id, world.entry_id) == entry_before
    assert LOCAL in world.bot.claims.matcher
    errors = world.take_errors()
    assert all(error_message(e) is not None for e in errors), errors
    assert not any(isinstance(e, app_commands.CheckFailure) for e in errors)  # they are a moderator there


async def test_a_server_moderator_cannot_act_in_a_server_they_are_not_in(world) -> None:
    with pytest.raises(SetupError):
        await world.other_moderator.slash(world.channel, "claim status", claim=LOCAL, status="denied")
    joined = world.guild.add_member(world.env.create_user("visitor"))  # a plain member here
    with pytest.raises(SetupError):
        await joined.slash(world.channel, "claim status", claim=LOCAL, status="denied")


async def test_choosing_a_moderator_role_names_every_command_group_the_role_needs(world) -> None:
    result = await world.admin.slash(world.channel, "claimbot moderator-role", role=world.mod_role)
    needed = {name.split()[0] for name, (level, _) in COMMANDS.items() if level == MODERATORS}
    for group in needed:
        assert f"`/{group}`" in result.response.content, group
