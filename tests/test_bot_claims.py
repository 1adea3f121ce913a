"""/claim, /synonyms and /claimbot through simcord: every command, and who may use them."""

from __future__ import annotations

import json

import pytest
from simcord import SetupError

from bot.claims import Status
from bot.formats import parse_claims
from tests.bot_support import assert_no_pings, embed_text

SEEDED_ID = "nk-troops-10000-in-russia"


async def add_claim(actor, channel, claim_id: str = "local-claim", **options):
    options = {
        "status": "alleged",
        "party": "The Ministry of Tests",
        "stance": "alleges",
        "text": "The frobnicator factory in Plovdiv doubled its output.",
        "id": claim_id,
        **options,
    }
    return await actor.slash(channel, "claim add", **options)


# -- the permission matrix ---------------------------------------------------------------------------


async def test_discord_shows_moderator_commands_to_moderators_only(world) -> None:
    assert "claim show" not in world.member.available_commands(world.channel)
    assert "synonyms list" not in world.member.available_commands(world.channel)
    assert "claimbot settings" not in world.moderator.available_commands(world.channel)
    assert "claim show" in world.moderator.available_commands(world.channel)
    assert "claim show" in world.admin.available_commands(world.channel)
    assert "claimbot settings" in world.admin.available_commands(world.channel)
    assert "check" in world.member.available_commands(world.channel)
    with pytest.raises(SetupError):
        await world.member.slash(world.channel, "claim show", claim=SEEDED_ID)


async def test_the_bot_refuses_a_member_the_server_let_see_the_commands(world) -> None:
    # A server admin could let everyone use /claim in Integrations; the bot still refuses.
    world.guild.set_command_permissions(world.command_id("claim"), {world.member: True})

    result = await world.member.slash(world.channel, "claim status", claim=SEEDED_ID, status="denied")

    assert result.ephemeral
    assert "Only this server's claim moderators" in result.response.content
    assert (await world.bot.claims.get(SEEDED_ID)).status == Status.ALLEGED


@pytest.mark.parametrize("who", ["moderator", "admin"])
async def test_moderators_by_permission_and_admins_manage_claims(world, who: str) -> None:
    result = await getattr(world, who).slash(world.channel, "claim show", claim=SEEDED_ID)

    assert result.ephemeral
    assert SEEDED_ID in embed_text(result.response.embeds[0])


async def test_a_moderator_role_replaces_manage_messages(world) -> None:
    result = await world.admin.slash(world.channel, "claimbot moderator-role", role=world.mod_role)
    assert "Claim moderators are now members with" in result.response.content
    assert (await world.bot.guild_service.config(world.guild.id)).moderator_role_id == world.mod_role.id
    await world.use_moderator_role()  # the admin also lets the role see the commands

    by_role = await world.role_moderator.slash(world.channel, "claim show", claim=SEEDED_ID)
    by_permission = await world.moderator.slash(world.channel, "claim show", claim=SEEDED_ID)
    by_admin = await world.admin.slash(world.channel, "claim show", claim=SEEDED_ID)

    assert SEEDED_ID in embed_text(by_role.response.embeds[0])
    assert "Only this server's claim moderators" in by_permission.response.content
    assert SEEDED_ID in embed_text(by_admin.response.embeds[0])

    cleared = await world.admin.slash(world.channel, "claimbot moderator-role")
    assert "Manage Messages" in cleared.response.content
    assert (await world.bot.guild_service.config(world.guild.id)).moderator_role_id is None


async def test_only_manage_server_members_change_the_moderator_role(world) -> None:
    world.guild.set_command_permissions(world.command_id("claimbot"), {world.moderator: True})

    result = await world.moderator.slash(world.channel, "claimbot moderator-role", role=world.mod_role)

    assert result.ephemeral
    assert "manage server" in result.response.content.lower()
    assert (await world.bot.guild_service.config(world.guild.id)).moderator_role_id is None


async def test_another_servers_moderator_cannot_see_or_change_this_servers_claims(world) -> None:
    await add_claim(world.moderator, world.channel, "ours")

    shown = await world.other_moderator.slash(world.other_channel, "claim show", claim="ours")
    changed = await world.other_moderator.slash(
        world.other_channel, "claim status", claim="ours", status="denied"
    )
    choices = await world.other_moderator.autocomplete(
        world.other_channel, "claim show", "claim", "frobnicator"
    )
    checked = await world.other_moderator.slash(
        world.other_channel, "check", statement="The frobnicator factory in Plovdiv doubled its output."
    )
    listed = await world.other_moderator.slash(world.other_channel, "claim list")
    history = await world.other_moderator.slash(world.other_channel, "claim history", claim="ours")

    assert "No claim with id `ours`" in shown.response.content
    assert "No claim with id `ours`" in changed.response.content
    assert "ours" not in [c["value"] for c in choices]
    assert "ours" not in embed_text(checked.response.embeds[0])
    assert "`ours`" not in listed.response.embeds[0].description
    assert "No claim with id `ours`" in history.response.content
    assert (await world.bot.claims.get("ours", guild_id=world.guild.id)).status == Status.ALLEGED


async def test_any_servers_moderator_may_change_a_shared_claim(world) -> None:
    result = await world.other_moderator.slash(
        world.other_channel, "claim status", claim=SEEDED_ID, status="denied"
    )

    assert "is now 🔴 Denied" in result.response.content
    assert (await world.bot.claims.get(SEEDED_ID)).status == Status.DENIED


# -- each command --------------------------------------------------------------------------------------


async def test_claim_add_creates_a_server_claim_that_check_finds(world) -> None:
    result = await add_claim(
        world.moderator,
        world.channel,
        "frob",
        stated_on="2024-10-28",
        quote="doubled, no less",
        source_url="https://example.com/frob",
        note="Output figures are the ministry's own.",
    )

    assert result.ephemeral
    assert "Added claim `frob`" in result.response.content
    stored = await world.bot.claims.get("frob", guild_id=world.guild.id)
    assert stored.guild_id == world.guild.id
    assert stored.statements[0].quote == "doubled, no less"
    assert stored.statements[0].stated_on.isoformat() == "2024-10-28"
    rows = await world.bot.claims.history("frob", guild_id=world.guild.id)
    assert rows[0].actor == str(world.moderator.id)

    checked = await world.member.slash(
        world.channel, "check", statement="The frobnicator factory in Plovdiv doubled its output."
    )
    assert "frob" in embed_text(checked.response.embeds[0])


async def test_claim_add_derives_an_id_from_the_text(world) -> None:
    result = await world.moderator.slash(
        world.channel, "claim add", status="denied", party="Someone", stance="denies", text="Cats can fly."
    )

    assert "Added claim `cats-can-fly-" in result.response.content


async def test_claim_add_without_text_opens_a_form(world) -> None:
    shown = await world.moderator.slash(
        world.channel, "claim add", status="unevidenced", party="A blog", stance="alleges", id="from-form"
    )
    assert shown.modal is not None

    submitted = await world.moderator.submit_modal(
        shown, {"claim_text": "A long claim written in the form.", "claim_note": "With a note."}
    )

    assert "Added claim `from-form`" in submitted.response.content
    stored = await world.bot.claims.get("from-form", guild_id=world.guild.id)
    assert (stored.text, stored.note) == ("A long claim written in the form.", "With a note.")


async def test_a_form_submission_error_gets_the_same_short_answer(world) -> None:
    shown = await world.moderator.slash(
        world.channel, "claim add", status="denied", party="X", stance="denies", id=SEEDED_ID
    )

    submitted = await world.moderator.submit_modal(shown, {"claim_text": "Clashes with a seeded id."})

    assert submitted.ephemeral
    assert submitted.response.content == f"A claim with id `{SEEDED_ID}` already exists."


async def test_claim_add_refuses_an_existing_id_and_a_bad_date_or_url(world) -> None:
    duplicate = await add_claim(world.moderator, world.channel, SEEDED_ID)
    bad_date = await add_claim(world.moderator, world.channel, "x1", stated_on="28/10/2024")
    bad_url = await add_claim(world.moderator, world.channel, "x2", source_url="javascript:alert(1)")
    bad_id = await add_claim(world.moderator, world.channel, "Not A Slug!")

    assert f"A claim with id `{SEEDED_ID}` already exists." in duplicate.response.content
    assert "is not a date like 2024-10-28" in bad_date.response.content
    assert "is not a link starting with http" in bad_url.response.content
    assert "is not a slug" in bad_id.response.content
    assert all(r.ephemeral for r in (duplicate, bad_date, bad_url, bad_id))


async def test_claim_edit_changes_text_and_note_and_clears_the_note(world) -> None:
    await add_claim(world.moderator, world.channel, "ed", note="old note")

    edited = await world.moderator.slash(
        world.channel, "claim edit", claim="ed", text="New   text here.", note="new"
    )
    assert "Updated claim `ed`" in edited.response.content
    stored = await world.bot.claims.get("ed", guild_id=world.guild.id)
    assert (stored.text, stored.note) == ("New text here.", "new")

    await world.moderator.slash(world.channel, "claim edit", claim="ed", clear_note=True)
    assert (await world.bot.claims.get("ed", guild_id=world.guild.id)).note is None


async def test_claim_edit_without_changes_opens_a_prefilled_form(world) -> None:
    await add_claim(world.moderator, world.channel, "ed2")

    shown = await world.moderator.slash(world.channel, "claim edit", claim="ed2")

    assert "frobnicator" in json.dumps(shown.modal)
    submitted = await world.moderator.submit_modal(shown, {"claim_text": "Rewritten in the form."})
    assert "Updated claim `ed2`" in submitted.response.content
    assert (await world.bot.claims.get("ed2", guild_id=world.guild.id)).text == "Rewritten in the form."


async def test_claim_status_attribute_and_alias(world) -> None:
    await add_claim(world.moderator, world.channel, "multi")

    await world.moderator.slash(world.channel, "claim status", claim="multi", status="denied")
    attributed = await world.moderator.slash(
        world.channel,
        "claim attribute",
        claim="multi",
        party="The factory",
        stance="denies",
        stated_on="2024-11-01",
        publisher="Plovdiv Daily",
        source_url="https://example.com/denial",
    )
    again = await world.moderator.slash(
        world.channel,
        "claim attribute",
        claim="multi",
        party="The factory",
        stance="denies",
        stated_on="2024-11-01",
        publisher="Plovdiv Daily",
        source_url="https://example.com/denial",
    )
    await world.moderator.slash(
        world.channel, "claim alias", claim="multi", action="add", text="Plovdiv output doubled"
    )

    stored = await world.bot.claims.get("multi", guild_id=world.guild.id)
    assert stored.status == Status.DENIED
    assert [s.party for s in stored.statements] == ["The Ministry of Tests", "The factory"]
    assert stored.aliases == ("Plovdiv output doubled",)
    assert "**Denied by** The factory, 1 Nov 2024" in embed_text(attributed.response.embeds[0])
    assert "already has exactly this statement" in again.response.content

    missing = await world.moderator.slash(
        world.channel, "claim alias", claim="multi", action="remove", text="nope"
    )
    assert "has no such wording" in missing.response.content
    await world.moderator.slash(
        world.channel, "claim alias", claim="multi", action="remove", text="Plovdiv output doubled"
    )
    assert (await world.bot.claims.get("multi", guild_id=world.guild.id)).aliases == ()


async def test_claim_archive_stops_matching_and_restore_brings_it_back(world) -> None:
    statement = "An estimated 10,000 North Korean soldiers have been deployed in Russia."

    archived = await world.moderator.slash(world.channel, "claim archive", claim=SEEDED_ID)
    after_archive = await world.member.slash(world.channel, "check", statement=statement, private=True)
    restored = await world.moderator.slash(world.channel, "claim restore", claim=SEEDED_ID)
    after_restore = await world.member.slash(world.channel, "check", statement=statement, private=True)

    assert "Archived" in archived.response.content
    assert SEEDED_ID not in embed_text(after_archive.response.embeds[0])
    assert "Restored" in restored.response.content
    assert SEEDED_ID in embed_text(after_restore.response.embeds[0])


async def test_claim_show_has_everything_and_feedback_counts(world) -> None:
    checked = await world.member.slash(
        world.channel,
        "check",
        statement="An estimated 10,000 North Korean soldiers have been deployed in Russia.",
    )
    await world.member.click(checked.response, label="Helpful")
    await world.admin.click(checked.response, label="Wrong claim")

    result = await world.moderator.slash(world.channel, "claim show", claim=SEEDED_ID)

    text = embed_text(result.response.embeds[0])
    assert "North Korea has sent about 10,000 troops to Russia." in text  # the alias
    assert "every server (shared)" in text
    assert "👍 1 helpful · 👎 1 wrong" in text


async def test_claim_list_pages_with_buttons_only_the_invoker_can_use(world) -> None:
    first = await world.moderator.slash(world.channel, "claim list", private=False)
    first_page = first.response.embeds[0].description

    refused = await world.admin.click(first.response, label="Next")
    assert "Only the person who asked" in refused.response.content

    turned = await world.moderator.click(first.response, label="Next")
    second_page = turned.response.embeds[0].description
    assert "page 2" in turned.response.embeds[0].title
    assert second_page != first_page

    alleged = await world.moderator.slash(world.channel, "claim list", status="denied")
    assert "🔴" in alleged.response.embeds[0].description
    assert "🟡" not in alleged.response.embeds[0].description


async def test_claim_list_buttons_are_disabled_when_the_view_times_out(world) -> None:
    listed = await world.moderator.slash(world.channel, "claim list")
    buttons = [c for row in listed.response.components for c in row["components"]]
    assert [b.get("disabled", False) for b in buttons] == [True, False]  # on page 1: only "Next"

    for _ in range(11):  # in steps: the index refresh runs every second of virtual time
        await world.env.advance_time(30)

    buttons = [c for row in listed.response.components for c in row["components"]]
    assert all(b.get("disabled") for b in buttons)
    assert_no_pings(world.env)


async def test_claim_history_lists_changes_newest_first(world) -> None:
    await world.moderator.slash(world.channel, "claim status", claim=SEEDED_ID, status="denied")

    result = await world.moderator.slash(world.channel, "claim history", claim=SEEDED_ID)

    lines = result.response.embeds[0].description.splitlines()
    assert "**update** claim: status" in lines[0]
    assert f"<@{world.moderator.id}>" in lines[0]
    assert "**create**" in lines[-1]
    assert_no_pings(world.env)


async def test_claim_export_and_import_round_trip_within_the_server(world) -> None:
    await add_claim(world.moderator, world.channel, "mine")

    exported = await world.moderator.slash(world.channel, "claim export")
    attachment = exported.response.attachments[0]
    data = await attachment.read()
    claims = parse_claims(data)
    assert [c.id for c in claims] == ["mine"]

    visible = await world.moderator.slash(
        world.channel, "claim export", scope="visible", format="claimreview"
    )
    assert len(parse_claims(await visible.response.attachments[0].read())) > 1

    changed = data.replace(b"doubled its output", b"tripled its output")
    imported = await world.moderator.slash(world.channel, "claim import", file=("claims.json", changed))
    assert (
        "Imported 1 claims for this server: 0 created, 1 updated, 0 unchanged." in imported.response.content
    )
    assert "tripled" in (await world.bot.claims.get("mine", guild_id=world.guild.id)).text


async def test_claim_import_cannot_take_over_shared_or_other_servers_claims(world) -> None:
    await add_claim(world.moderator, world.channel, "theirs")
    document = {
        "format": "claims/v1",
        "claims": [
            {"id": "theirs", "text": "Hijacked.", "status": "denied", "statements": []},
            {"id": SEEDED_ID, "text": "Hijacked too.", "status": "denied", "statements": []},
            {"id": "new-one", "text": "A fresh claim.", "status": "denied", "statements": []},
        ],
    }

    result = await world.other_moderator.slash(
        world.other_channel, "claim import", file=("c.json", json.dumps(document).encode())
    )

    message = result.response.content
    assert "Nothing imported" in message and "theirs" in message and SEEDED_ID in message
    assert (await world.bot.claims.get("theirs", guild_id=world.guild.id)).text.startswith("The frobnicator")
    assert (await world.bot.claims.find(guild_id=world.other_guild.id, limit=None)) == (
        await world.bot.claims.find(guild_id=None, limit=None)
    )


async def test_claim_import_reports_a_broken_file(world) -> None:
    result = await world.moderator.slash(world.channel, "claim import", file=("c.json", b"{not json"))

    assert result.response.ephemeral
    assert "not valid JSON" in result.response.content
    assert len(result.response.content) < 500


async def test_claim_autocomplete_fuzzy_matches_visible_claims(world) -> None:
    await add_claim(world.moderator, world.channel, "frob")

    choices = await world.moderator.autocomplete(world.channel, "claim show", "claim", "frobnicator plovdiv")
    everything = await world.moderator.autocomplete(world.channel, "claim show", "claim", "")

    assert choices[0]["value"] == "frob"
    assert 0 < len(everything) <= 25
    assert all(len(c["name"]) <= 100 for c in everything)


# -- synonyms -----------------------------------------------------------------------------------------


async def test_synonyms_add_list_remove(world) -> None:
    empty = await world.moderator.slash(world.channel, "synonyms list")
    added = await world.moderator.slash(world.channel, "synonyms add", terms="Plovdiv, Filipopol, Trimontium")
    listed = await world.moderator.slash(world.channel, "synonyms list")
    too_few = await world.moderator.slash(world.channel, "synonyms add", terms="alone, alone")
    missing = await world.moderator.slash(world.channel, "synonyms remove", number=5)

    assert "no synonym groups" in empty.response.content
    assert "Added synonym group 1" in added.response.content
    assert "**1.** Plovdiv, Filipopol, Trimontium" in listed.response.content
    assert "at least two different terms" in too_few.response.content
    assert "There is no group 5" in missing.response.content
    assert await world.bot.claims.synonyms(world.guild.id) == [["Plovdiv", "Filipopol", "Trimontium"]]
    assert await world.bot.claims.synonyms(world.other_guild.id) == []

    removed = await world.moderator.slash(world.channel, "synonyms remove", number=1)
    assert "Removed synonym group 1" in removed.response.content
    assert await world.bot.claims.synonyms(world.guild.id) == []


async def test_claimbot_settings_shows_the_servers_settings(world) -> None:
    result = await world.admin.slash(world.channel, "claimbot settings")

    assert result.ephemeral
    assert "Manage Messages members" in result.response.embeds[0].description
