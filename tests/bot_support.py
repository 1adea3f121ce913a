"""Shared helpers for tests that drive the real bot through simcord.

`build_world(env)` syncs the commands and builds two servers:

- `guild` with `channel`, and members `member` (no permissions), `moderator` (Manage Messages),
  `role_moderator` (has `mod_role`, no Manage Messages), `admin` (Administrator);
- `other_guild` with `other_channel` and `other_moderator` (Manage Messages there).

`await world.use_moderator_role()` makes `mod_role` the server's moderator role and, like a server
admin in Server Settings > Integrations, lets that role use the moderator commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle, GuildHandle, RoleHandle
from simcord.env import Env

from bot.client import ClaimBot

MODERATOR_COMMANDS = ("claim", "synonyms", "ignore", "autoreply")


@dataclass
class BotWorld:
    env: Env
    guild: GuildHandle
    channel: ChannelHandle
    member: MemberActor
    moderator: MemberActor
    mod_role: RoleHandle
    role_moderator: MemberActor
    admin: MemberActor
    other_guild: GuildHandle
    other_channel: ChannelHandle
    other_moderator: MemberActor
    errors_seen: int = 0

    def take_errors(self) -> list[BaseException]:
        """Errors the bot's handlers saw since the last look (reading them tells simcord they're expected)."""
        errors = self.env.errors[self.errors_seen :]
        self.errors_seen += len(errors)
        return errors

    def raise_unexpected_errors(self) -> None:
        """At teardown: errors the tree handler answered as expected are fine, any other fails the test."""
        from bot.client import error_message

        unexpected = [e for e in self.take_errors() if error_message(e) is None]
        if unexpected:
            raise ExceptionGroup("the bot raised unexpected errors", unexpected)  # noqa: F821

    @property
    def bot(self) -> ClaimBot:
        return self.env.bot  # after a restart this is the new bot

    def command_id(self, name: str, type: int = 1) -> int:
        found = self.env.backend.find_command(name, self.guild.id, type=type)
        assert found is not None, f"/{name} is not synced"
        return int(found["id"])

    async def use_moderator_role(self) -> None:
        await self.bot.guild_service.update(self.guild.id, moderator_role_id=self.mod_role.id)
        for name in MODERATOR_COMMANDS:
            if self.env.backend.find_command(name, self.guild.id, type=1) is not None:
                self.guild.set_command_permissions(self.command_id(name), {self.mod_role: True})

    async def restart(self, bot: ClaimBot) -> None:
        """Replace the bot by a new instance (same database, same Discord world) and sync again."""
        old = self.bot
        await self.env.restart_bot(bot)
        await old.close()  # simcord detaches the old bot; closing it releases its database engine
        await bot.tree.sync()


async def build_world(env: Env) -> BotWorld:
    await env.bot.tree.sync()
    guild = env.create_guild("Claims Server")
    channel = guild.create_text_channel("general")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    mod_role = guild.create_role("Claim team")
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    other_guild = env.create_guild("Other Server")
    other_channel = other_guild.create_text_channel("general")
    other_mods = other_guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    return BotWorld(
        env=env,
        guild=guild,
        channel=channel,
        member=guild.add_member(env.create_user("member")),
        moderator=guild.add_member(env.create_user("moderator"), roles=[mods]),
        mod_role=mod_role,
        role_moderator=guild.add_member(env.create_user("teammate"), roles=[mod_role]),
        admin=guild.add_member(env.create_user("admin"), roles=[admins]),
        other_guild=other_guild,
        other_channel=other_channel,
        other_moderator=other_guild.add_member(env.create_user("othermod"), roles=[other_mods]),
    )


def embed_text(embed: discord.Embed) -> str:
    """Everything an embed shows, as one string."""
    parts: list[Any] = [embed.title, embed.description, embed.footer.text if embed.footer else None]
    for field in embed.fields:
        parts += [field.name, field.value]
    return "\n".join(str(p) for p in parts if p)


def message_payloads(env: Env) -> list[dict[str, Any]]:
    """Every message body the bot sent or edited over REST: channel messages, interaction answers."""
    bodies = []
    for request in env.http_requests:
        body = request.json
        if isinstance(body, dict) and isinstance(body.get("data"), dict):  # interaction callbacks
            body = body["data"]
        if isinstance(body, dict) and ({"content", "embeds", "components"} & body.keys()):
            bodies.append(body)
    return bodies


def assert_no_pings(env: Env) -> None:
    """Every message the bot sent allows no mentions at all."""
    bodies = message_payloads(env)
    assert bodies, "the bot sent nothing"
    for body in bodies:
        assert body.get("allowed_mentions") == {"parse": []}, body
