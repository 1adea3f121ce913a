"""Auto-replies through a simulated Discord (simcord): the real bot, real discord.py, a seeded SQLite store.

Covers: replies on and off, chatter, the cooldown, the ignore list, bots/webhooks/self/edits, no pings,
the /autoreply and /ignore permission matrix, the flood cap and the wrong-vote deletion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import discord
import pytest
from discord import app_commands
from simcord import SetupError
from simcord.results import to_discord_message
from sqlalchemy import select

import bot.client
from bot.checks import NotModerator
from bot.client import ClaimBot, create_bot
from bot.config import Settings
from bot.ui import FEEDBACK_WRONG_ID
from cogs.autoreply import CHANNEL_CAP, AutoReply, Outcome
from db.models import ReplyRow
from tests.conftest import SEED_PATH

pytestmark = pytest.mark.timeout(120)

CLAIM_ID = "nk-troops-10000-in-russia"
PARAPHRASE = "apparently about 10k north korean troops got deployed to russia, crazy"
PARAPHRASE_2 = "did you guys hear North Korea sent roughly 10000 troops to Russia"
CHATTER = [
    "anyone want to play some games tonight after work?",
    "the weather in Kursk is cold this time of year, my cousin says",
    "lol that meme about the cat and the printer got me good",
    "can someone share the notes from yesterday's meeting please",
]


@dataclass
class World:
    env: object
    bot: ClaimBot
    guild: object
    general: object  # auto-replies enabled here
    quiet: object  # never enabled
    admin: object  # Manage Server
    member: object  # no permissions beyond the defaults
    mod_role: object
    mod_by_permission: object  # Manage Messages
    mod_by_role: object  # the server's moderator role only
    owner: object  # Administrator

    @property
    def cog(self) -> AutoReply:
        return self.bot.get_cog("AutoReply")


def bot_replies(channel) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.bot and m.embeds]


def claim_of(message: discord.Message) -> str:
    return message.embeds[0].footer.text.removeprefix("claim ")


@pytest.fixture
def simcord_bot(tmp_path, monkeypatch: pytest.MonkeyPatch) -> ClaimBot:
    """The real bot on a new seeded SQLite store, with the extensions these tests exercise."""
    monkeypatch.setattr(bot.client, "EXTENSIONS", ("cogs.autoreply", "cogs.moderation"))
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'claimbot.sqlite3'}",
        discord_token="test-token",
        seed_claims=True,
    )
    return create_bot(settings)


@pytest.fixture
async def world(simcord_env) -> World:
    env = simcord_env
    bot: ClaimBot = env.bot
    await bot.tree.sync()
    guild = env.create_guild("Newsroom")
    general = guild.create_text_channel("general")
    quiet = guild.create_text_channel("quiet")
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    mod_role = guild.create_role("Claim desk")
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    world = World(
        env=env,
        bot=bot,
        guild=guild,
        general=general,
        quiet=quiet,
        admin=guild.add_member(env.create_user("ada"), roles=[managers]),
        member=guild.add_member(env.create_user("mel")),
        mod_role=mod_role,
        mod_by_permission=guild.add_member(env.create_user("pat"), roles=[mods]),
        mod_by_role=guild.add_member(env.create_user("rod"), roles=[mod_role]),
        owner=guild.add_member(env.create_user("olga"), roles=[admins]),
    )
    result = await world.admin.slash(general, "autoreply enable", channel=general)
    assert "now on" in result.response.content
    return world


async def age_replies(world: World, seconds: float) -> None:
    """Pretend every reply was sent `seconds` earlier (the cooldown lives in the database)."""
    async with world.bot.claims.sessions() as session, session.begin():
        for row in (await session.scalars(select(ReplyRow))).all():
            row.sent_at -= timedelta(seconds=seconds)


# -- on and off --------------------------------------------------------------------------------------


async def test_replies_to_a_restatement_in_an_enabled_channel(world: World):
    sent = await world.member.send(world.general, PARAPHRASE)
    replies = bot_replies(world.general)
    assert len(replies) == 1
    reply = replies[0]
    assert claim_of(reply) == CLAIM_ID
    assert reply.reference is not None and reply.reference.message_id == sent.id
    assert "Alleged" in reply.embeds[0].title
    assert {c.custom_id for row in reply.components for c in row.children} >= {FEEDBACK_WRONG_ID}


async def test_reply_never_pings(world: World):
    await world.member.send(world.general, f"{PARAPHRASE} @everyone <@{world.admin.id}>")
    assert len(bot_replies(world.general)) == 1
    posts = [r for r in world.env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    assert posts, "the reply went through the REST API"
    mentions = posts[-1].json["allowed_mentions"]
    assert mentions["parse"] == []
    assert mentions.get("replied_user") is False
    assert not mentions.get("users") and not mentions.get("roles")


async def test_never_replies_in_a_channel_that_is_not_enabled(world: World):
    await world.member.send(world.quiet, PARAPHRASE)
    assert bot_replies(world.quiet) == []


async def test_disable_stops_replies(world: World):
    result = await world.admin.slash(world.general, "autoreply disable", channel=world.general)
    assert "now off" in result.response.content
    await world.member.send(world.general, PARAPHRASE)
    assert bot_replies(world.general) == []


async def test_chatter_gets_no_reply(world: World):
    for text in CHATTER:
        await world.member.send(world.general, text)
    await world.member.send(world.general, "north korea troops")  # too short to matter
    assert bot_replies(world.general) == []


async def test_never_replies_in_dms(world: World):
    message = await world.member.send_dm(PARAPHRASE)
    assert await world.cog.handle(message) == Outcome.NOT_IN_GUILD
    assert [m for m in world.env.http_requests if m.method == "POST" and "/messages" in m.path] == []


# -- the cooldown ------------------------------------------------------------------------------------


async def test_cooldown_per_claim_per_channel(world: World):
    await world.member.send(world.general, PARAPHRASE)
    await world.member.send(world.general, PARAPHRASE_2)  # same claim, inside the hour
    assert len(bot_replies(world.general)) == 1

    await age_replies(world, 3599)
    await world.member.send(world.general, PARAPHRASE)
    assert len(bot_replies(world.general)) == 1  # one second short of the default hour

    await age_replies(world, 2)
    await world.member.send(world.general, PARAPHRASE_2)
    replies = bot_replies(world.general)
    assert len(replies) == 2
    assert {claim_of(r) for r in replies} == {CLAIM_ID}


async def test_cooldown_is_per_channel(world: World):
    await world.admin.slash(world.general, "autoreply enable", channel=world.quiet)
    await world.member.send(world.general, PARAPHRASE)
    await world.member.send(world.quiet, PARAPHRASE)
    assert len(bot_replies(world.general)) == 1
    assert len(bot_replies(world.quiet)) == 1


async def test_cooldown_setting_in_minutes(world: World):
    result = await world.admin.slash(world.general, "autoreply settings", cooldown=5)
    assert "cooldown: 5 min" in result.response.content
    await world.member.send(world.general, PARAPHRASE)
    await age_replies(world, 4 * 60)
    await world.member.send(world.general, PARAPHRASE_2)
    assert len(bot_replies(world.general)) == 1
    await age_replies(world, 61)
    await world.member.send(world.general, PARAPHRASE)
    assert len(bot_replies(world.general)) == 2


# -- who is never answered ---------------------------------------------------------------------------


async def test_ignored_user(world: World):
    result = await world.mod_by_permission.slash(world.general, "ignore add", user=world.member)
    assert "will not auto-reply" in result.response.content
    await world.member.send(world.general, PARAPHRASE)
    assert bot_replies(world.general) == []

    listed = await world.mod_by_permission.slash(world.general, "ignore list")
    assert f"<@{world.member.id}>" in listed.response.content

    await world.mod_by_permission.slash(world.general, "ignore remove", user=world.member)
    await world.member.send(world.general, PARAPHRASE)
    assert len(bot_replies(world.general)) == 1


async def test_ignored_role(world: World):
    muted = world.guild.create_role("Quoting bots")
    quoter = world.guild.add_member(world.env.create_user("quoter"), roles=[muted])
    await world.mod_by_permission.slash(world.general, "ignore add", role=muted)
    await quoter.send(world.general, PARAPHRASE)
    assert bot_replies(world.general) == []
    await world.member.send(world.general, PARAPHRASE)  # someone without the role still gets answered
    assert len(bot_replies(world.general)) == 1


async def test_ignore_needs_exactly_one_target(world: World):
    result = await world.mod_by_permission.slash(world.general, "ignore add")
    assert "exactly one" in result.response.content
    result = await world.mod_by_permission.slash(
        world.general, "ignore add", user=world.member, role=world.mod_role
    )
    assert "exactly one" in result.response.content
    listed = await world.mod_by_permission.slash(world.general, "ignore list")
    assert "Nobody is ignored" in listed.response.content


async def test_other_bots_are_never_answered(world: World):
    other = world.guild.add_member(world.env.create_user("newsbot", bot=True))
    await other.send(world.general, PARAPHRASE)
    assert bot_replies(world.general) == []


async def test_webhooks_are_never_answered(world: World):
    hook = world.guild.create_webhook(world.general, "RSS")
    await hook.send(PARAPHRASE)
    assert bot_replies(world.general) == []


async def test_never_answers_itself(world: World):
    channel = world.bot.get_channel(world.general.id)
    sent = await channel.send(PARAPHRASE)
    await world.env.settle()
    assert sent.author.id == world.bot.user.id
    assert await world.cog.handle(sent) == Outcome.FROM_BOT
    assert bot_replies(world.general) == []


async def test_edited_messages_are_not_answered(world: World):
    message = await world.member.send(world.general, "what is everyone doing this weekend, any plans?")
    await world.member.edit(message, PARAPHRASE)
    assert bot_replies(world.general) == []


# -- permissions ---------------------------------------------------------------------------------------


async def test_autoreply_commands_hidden_from_members_and_moderators(world: World):
    for actor in (world.member, world.mod_by_permission, world.mod_by_role):
        with pytest.raises(SetupError):
            await actor.slash(world.general, "autoreply enable", channel=world.quiet)
        with pytest.raises(SetupError):
            await actor.slash(world.general, "autoreply settings", threshold=0.9)


async def test_bot_enforces_manage_server_even_when_discord_shows_the_command(world: World):
    commands = {c.name: c for c in await world.bot.tree.fetch_commands()}
    # A server owner lets the moderator role see /autoreply; the bot still wants Manage Server.
    world.guild.set_command_permissions(commands["autoreply"], {world.mod_role: True})
    result = await world.mod_by_role.slash(world.general, "autoreply enable", channel=world.quiet)
    assert result.ephemeral
    assert "manage server" in result.response.content.lower()
    assert [type(e) for e in world.env.errors] == [app_commands.MissingPermissions]
    assert await world.bot.guilds_service.autoreply_channels(world.guild.id) == [world.general.id]


async def test_another_servers_admin_cannot_enable_here(world: World):
    other = world.env.create_guild("Elsewhere")
    boss = world.env.create_user("boss")
    other_admins = other.create_role("Admins", permissions=discord.Permissions(administrator=True))
    other.add_member(boss, roles=[other_admins])
    here = world.guild.add_member(boss)  # a plain member in this server
    with pytest.raises(SetupError):
        await here.slash(world.quiet, "autoreply enable", channel=world.quiet)
    assert await world.bot.guilds_service.autoreply_channels(world.guild.id) == [world.general.id]


async def test_settings_change_reset_and_status(world: World):
    result = await world.admin.slash(world.general, "autoreply settings", threshold=0.9, wrong_votes=2)
    assert "threshold: 0.90\n" in result.response.content + "\n"
    assert "wrong votes to delete: 2\n" in result.response.content + "\n"
    assert "cooldown: 60 min (default)" in result.response.content  # omitted: unchanged
    config = await world.bot.guilds_service.config(world.guild.id)
    assert (config.thresholds.autoreply, config.wrong_votes_to_delete) == (0.9, 2)

    status = await world.admin.slash(world.general, "autoreply status")
    assert f"<#{world.general.id}>" in status.response.content
    assert "threshold: 0.90\n" in status.response.content + "\n"

    result = await world.admin.slash(world.general, "autoreply settings", reset="threshold")
    assert "threshold: 0.70 (default)" in result.response.content
    assert "wrong votes to delete: 2\n" in result.response.content + "\n"
    result = await world.admin.slash(world.general, "autoreply settings", reset="all")
    assert result.response.content.count("(default)") == 3

    result = await world.admin.slash(world.general, "autoreply settings", threshold=0.1)
    assert "cannot be below" in result.response.content


async def test_stricter_threshold_silences_the_bot(world: World):
    await world.admin.slash(world.general, "autoreply settings", threshold=1.0)
    await world.member.send(
        world.general, "so like 10,000 soldiers from North Korea are now deployed in Russia?? wild"
    )
    assert bot_replies(world.general) == []


@pytest.mark.parametrize("who", ["mod_by_permission", "mod_by_role", "owner"])
async def test_ignore_allowed_for_moderators(world: World, who: str):
    await world.bot.guilds_service.update(world.guild.id, moderator_role_id=world.mod_role.id)
    commands = {c.name: c for c in await world.bot.tree.fetch_commands()}
    world.guild.set_command_permissions(commands["ignore"], {world.mod_role: True})
    actor = getattr(world, who)
    result = await actor.slash(world.general, "ignore add", user=world.member)
    if who == "mod_by_permission":
        # With a moderator role named, that role (or Manage Server) decides, not Manage Messages.
        assert "moderators" in result.response.content
        assert await world.bot.guilds_service.ignored(world.guild.id) == []
        assert [type(e) for e in world.env.errors] == [NotModerator]
    else:
        assert "will not auto-reply" in result.response.content
        assert await world.bot.guilds_service.ignored(world.guild.id) == [("user", world.member.id)]


async def test_ignore_refused_to_members(world: World):
    with pytest.raises(SetupError):
        await world.member.slash(world.general, "ignore add", user=world.admin)
    commands = {c.name: c for c in await world.bot.tree.fetch_commands()}
    world.guild.set_command_permissions(commands["ignore"], {world.member: True})
    result = await world.member.slash(world.general, "ignore add", user=world.admin)
    assert result.ephemeral and "moderators" in result.response.content
    assert await world.bot.guilds_service.ignored(world.guild.id) == []
    assert [type(e) for e in world.env.errors] == [NotModerator]


# -- flood ---------------------------------------------------------------------------------------------


def restatements() -> list[str]:
    """The seed claims restated word for word, with chatty framing."""
    claims = json.loads(SEED_PATH.read_text(encoding="utf-8"))["claims"]
    return [f"ok so apparently: {claim['text']}" for claim in claims]


async def burst(world: World, author, texts: list[str]) -> None:
    """Messages that arrive together: all dispatched before the bot handles any of them."""
    for text in texts:
        world.env.backend.create_message(world.general.id, author.id, text)
    await world.env.settle(timeout=60)


async def test_flood_of_one_claim_gets_one_reply(world: World):
    await burst(world, world.member, [PARAPHRASE, PARAPHRASE_2] * 50)
    replies = bot_replies(world.general)
    assert len(replies) == 1


async def test_flood_of_many_claims_is_capped_per_channel(world: World):
    await world.admin.slash(world.general, "autoreply settings", cooldown=0)
    texts = restatements()
    await burst(world, world.member, [texts[i % len(texts)] for i in range(100)])
    replies = bot_replies(world.general)
    assert len(replies) == CHANNEL_CAP
    assert len({claim_of(r) for r in replies}) >= 2  # different claims, still capped


async def test_flood_cap_counts_other_processes(world: World):
    """Another process has no in-memory count of this one's replies: the database still bounds it."""
    await world.admin.slash(world.general, "autoreply settings", cooldown=0)
    texts = restatements()
    for text in texts[:CHANNEL_CAP]:
        await world.member.send(world.general, text)
    assert len(bot_replies(world.general)) == CHANNEL_CAP
    elsewhere = AutoReply(world.bot)  # empty caches, a fresh limiter, the same database
    stored = world.env.backend.create_message(world.general.id, world.member.id, texts[-1], broadcast=False)
    assert await elsewhere.handle(to_discord_message(world.env, stored)) == Outcome.CHANNEL_CAPPED
    assert len(bot_replies(world.general)) == CHANNEL_CAP


# -- wrong votes -----------------------------------------------------------------------------------------


async def test_wrong_votes_delete_the_autoreply(world: World):
    await world.admin.slash(world.general, "autoreply settings", wrong_votes=2)
    await world.member.send(world.general, PARAPHRASE)
    [reply] = bot_replies(world.general)
    first = await world.member.click(reply, custom_id=FEEDBACK_WRONG_ID)
    assert first.ephemeral
    assert bot_replies(world.general) != []
    again = await world.member.click(reply, custom_id=FEEDBACK_WRONG_ID)  # one vote per person
    assert again.ephemeral
    assert bot_replies(world.general) != []
    second = await world.mod_by_permission.click(reply, custom_id=FEEDBACK_WRONG_ID)
    assert "removed" in second.response.content
    assert bot_replies(world.general) == []
