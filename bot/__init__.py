"""claimbot's core: settings, the claim domain, the matching engine, services and the CLI.

Only `bot.client` (the Discord client) imports discord.py; the rest knows nothing of Discord.
"""
