"""The one error handler on the command tree (and the views): short answers for expected errors,
an apology and a logged traceback for the rest, never internals."""

from __future__ import annotations

import logging

import pytest
from discord import app_commands

from bot.client import APOLOGY, error_message
from bot.errors import ClaimNotFound
from bot.formats import FormatError
from tests.bot_support import assert_no_pings

SECRET = "postgresql://admin:hunter2@db.internal/claims"


class Boom(RuntimeError):
    pass


def boom(*args, **kwargs):
    raise Boom(f"could not connect to {SECRET}")


def unexpected_logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.client" and r.levelno == logging.ERROR and r.exc_info]


async def test_an_expected_error_gets_a_short_private_answer(world) -> None:
    result = await world.moderator.slash(world.channel, "claim show", claim="no-such-claim")

    assert result.ephemeral
    assert result.response.content == "No claim with id `no-such-claim`."
    assert_no_pings(world.env)


async def test_an_unexpected_error_in_a_command_is_logged_and_apologised_for(
    world, caplog, monkeypatch
) -> None:
    monkeypatch.setattr(world.bot.claims, "check", boom)

    with caplog.at_level(logging.ERROR):
        result = await world.member.slash(world.channel, "check", statement="anything at all here")

    assert result.ephemeral
    assert result.response.content == APOLOGY
    assert "hunter2" not in result.response.content
    records = unexpected_logged(caplog)
    assert records and records[0].exc_info[0] is Boom
    assert "unexpected error in check" in records[0].getMessage()
    assert [type(getattr(e, "original", e)) for e in world.take_errors()] == [Boom]


async def test_an_unexpected_error_after_deferring_is_a_follow_up(world, caplog, monkeypatch) -> None:
    monkeypatch.setattr(world.bot.claims, "import_claims", boom)
    data = b'{"format": "claims/v1", "claims": [{"id": "a", "text": "A.", "status": "denied"}]}'

    with caplog.at_level(logging.ERROR):
        result = await world.moderator.slash(world.channel, "claim import", file=("c.json", data))

    assert result.response.content == APOLOGY
    assert unexpected_logged(caplog)
    assert len(world.take_errors()) == 1


async def test_an_unexpected_error_in_a_button_is_logged_and_apologised_for(
    world, caplog, monkeypatch
) -> None:
    from tests.test_bot_feedback import bot_reply

    message = await bot_reply(world, "check")
    monkeypatch.setattr(world.bot.guild_service, "vote", boom)

    with caplog.at_level(logging.ERROR):
        result = await world.member.click(message, label="Helpful")

    assert result.ephemeral
    assert result.response.content == APOLOGY
    assert unexpected_logged(caplog)
    assert len(world.take_errors()) == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ClaimNotFound("x"), "No claim with id `x`."),
        (ClaimNotFound("@everyone"), "No claim with id `@\u200beveryone`."),
        (FormatError("claim 'a': text: is required"), "claim 'a': text: is required"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.2), "Try again in 12 s."),
        (
            app_commands.MissingPermissions(["manage_guild"]),
            "You need the manage server permission for that.",
        ),
        (app_commands.NoPrivateMessage(), "That only works in a server."),
        (app_commands.CheckFailure("Only moderators."), "Only moderators."),
    ],
)
def test_expected_errors_have_short_messages(error: Exception, expected: str) -> None:
    assert expected in error_message(error)


def test_anything_else_is_unexpected() -> None:
    assert error_message(RuntimeError(SECRET)) is None
    assert error_message(KeyError("x")) is None
