"""schema.org ClaimReview JSON-LD, the markup fact-checkers publish.

Import mapping (one ClaimReview gives one claim):
  identifier                       -> id, when it is a valid claim id; otherwise derived from the text
  claimReviewed                    -> text
  reviewRating.alternateName       -> status (ours, case-insensitive, or through a status map)
  itemReviewed.author              -> one `alleges` statement per author (string, {name}, or a list)
  itemReviewed.datePublished       -> stated_on of those statements (a datetime keeps its date)
  itemReviewed.appearance.url, url -> source_url of those statements
  itemReviewed.alternateName       -> aliases

schema.org has no place for denials, quotes, per-statement dates and sources, or our note, so the
export carries them in extension properties under the `claimbot:` prefix (IRI `urn:claimbot:`),
declared in the @context. When present they take precedence on import:
  claimbot:statements  the full statement list in claims/v1 shape (a JSON literal, `@type: @json`)
  claimbot:note        the claim's note
  claimbot:guildId     the server the claim belongs to (absent: every server)
  claimbot:archived    true when the claim is archived
The standard fields are still filled (authors and appearances of the `alleges` statements, the
earliest date they were made), so other ClaimReview consumers see a sensible claim.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from bot.claims import CLAIM_ID_PATTERN, STATUS_MEANINGS, Claim, Stance, Statement, Status
from bot.formats.errors import FormatError, Problems
from bot.formats.fields import (
    aliases_adapter,
    date_adapter,
    guild_id_adapter,
    kind,
    note_adapter,
    party_adapter,
    show,
    statements_adapter,
    strict_bool_adapter,
    text_adapter,
    url_adapter,
    validate,
)
from bot.formats.ids import derive_claim_id
from bot.formats.native import statement_to_json

log = logging.getLogger(__name__)

NAMESPACE = "urn:claimbot:"
EXT_STATEMENTS = "claimbot:statements"
EXT_NOTE = "claimbot:note"
EXT_GUILD_ID = "claimbot:guildId"
EXT_ARCHIVED = "claimbot:archived"
CONTEXT = ["https://schema.org", {"claimbot": NAMESPACE, EXT_STATEMENTS: {"@type": "@json"}}]

_STATUS_CHOICES = ", ".join(Status)


def looks_like_claimreview(document: Any) -> bool:
    if isinstance(document, list):
        return True
    markers = ("@context", "@graph", "@type", "claimReviewed")
    return isinstance(document, dict) and any(key in document for key in markers)


def parse_claimreview(document: Any, status_map: Mapping[str, Status] | None = None) -> list[Claim]:
    statuses = _status_lookup(status_map)
    problems = Problems()
    claims: list[Claim] = []
    first_seen: dict[str, int] = {}
    nodes = _nodes(document)
    for number, node in enumerate(nodes, start=1):
        if not isinstance(node, dict):
            problems.add(f"claim {number}: expected an object, got {kind(node)}")
            continue
        if not _is_claim_review(node):
            log.debug("skipping JSON-LD node %d of type %r", number, node.get("@type"))
            continue
        identifier = node.get("identifier")
        where = f"claim {number}"
        if isinstance(identifier, str):
            where += f" (id {show(identifier)})"
        claim = _parse_review(node, where, statuses, problems)
        if claim is None:
            continue
        if claim.id in first_seen:
            problems.add(f"{where}: id: {claim.id!r} is already used by claim {first_seen[claim.id]}")
            continue
        first_seen[claim.id] = number
        claims.append(claim)
    problems.raise_if_any()
    if nodes and not claims:
        # Nodes but no reviews: most likely some other JSON-LD, not an empty export.
        raise FormatError("the file contains no ClaimReview objects")
    log.debug("parsed %d ClaimReview claims", len(claims))
    return claims


def _status_lookup(status_map: Mapping[str, Status] | None) -> dict[str, Status]:
    lookup = {str(status): status for status in Status}
    for label, status in (status_map or {}).items():
        try:
            lookup[label.strip().casefold()] = Status(status)
        except ValueError:
            raise FormatError(f"status map: {show(status)} is not one of {_STATUS_CHOICES}") from None
    return lookup


def _nodes(document: Any) -> list[Any]:
    """A single object, an array, or an object with an @graph."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise FormatError(f"expected a ClaimReview object or array at the top level, got {kind(document)}")
    if "@graph" not in document:
        return [document]
    graph = document["@graph"]
    if isinstance(graph, dict):
        return [graph]
    if not isinstance(graph, list):
        raise FormatError(f"@graph: expected a list, got {kind(graph)}")
    return graph


def _is_claim_review(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    if types is None:
        return "claimReviewed" in node
    names = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]
    # Accept "ClaimReview", "schema:ClaimReview" and "https://schema.org/ClaimReview".
    return any(name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "ClaimReview" for name in names)


def _parse_review(
    node: dict[str, Any], where: str, statuses: dict[str, Status], problems: Problems
) -> Claim | None:
    before = len(problems.found)
    if "claimReviewed" not in node:
        problems.add(f"{where}: claimReviewed: is required")
        text = None
    else:
        text = validate(text_adapter, node["claimReviewed"], where, "claimReviewed", problems)
    status = _status(node.get("reviewRating"), where, statuses, problems)

    item = node.get("itemReviewed", {})
    if not isinstance(item, dict):
        problems.add(f"{where}: itemReviewed: expected an object, got {kind(item)}")
        item = {}
    alternate_names = _as_list(item.get("alternateName"))
    aliases = validate(aliases_adapter, alternate_names, where, "itemReviewed.alternateName", problems)
    note = validate(note_adapter, node.get(EXT_NOTE), where, EXT_NOTE, problems)
    guild_id = validate(guild_id_adapter, node.get(EXT_GUILD_ID), where, EXT_GUILD_ID, problems)
    archived = validate(strict_bool_adapter, node.get(EXT_ARCHIVED, False), where, EXT_ARCHIVED, problems)
    if EXT_STATEMENTS in node:
        models = validate(statements_adapter, node[EXT_STATEMENTS], where, EXT_STATEMENTS, problems)
        statements = [model.to_domain() for model in models or []]
    else:
        statements = _statements_from_item(node, item, where, problems)

    if len(problems.found) > before or text is None or status is None:
        return None
    return Claim(
        id=_claim_id(node.get("identifier"), text),
        text=text,
        status=status,
        guild_id=guild_id,
        note=note,
        aliases=tuple(aliases or ()),
        statements=tuple(statements),
        archived=bool(archived),
    )


def _claim_id(identifier: Any, text: str) -> str:
    if isinstance(identifier, str) and CLAIM_ID_PATTERN.match(identifier.strip()):
        return identifier.strip()
    return derive_claim_id(text)


def _status(rating: Any, where: str, statuses: dict[str, Status], problems: Problems) -> Status | None:
    if not isinstance(rating, dict):
        got = "is missing" if rating is None else f"expected an object, got {kind(rating)}"
        problems.add(f"{where}: reviewRating: {got}")
        return None
    name = rating.get("alternateName")
    if not isinstance(name, str) or not name.strip():
        got = "is missing" if name is None else f"expected a string, got {kind(name)}"
        problems.add(f"{where}: reviewRating.alternateName: {got}")
        return None
    status = statuses.get(name.strip().casefold())
    if status is None:
        label = name.strip()
        problems.add(
            f"{where}: reviewRating.alternateName {show(label)} is not a claimbot status "
            f'({_STATUS_CHOICES}); map it with --status-map "{label}=<status>"'
        )
    return status


def _statements_from_item(
    node: dict[str, Any], item: dict[str, Any], where: str, problems: Problems
) -> list[Statement]:
    authors = item.get("author")
    if authors is None:
        return []
    published = item.get("datePublished")
    stated_on = validate(date_adapter, published, where, "itemReviewed.datePublished", problems)
    url, url_path = _appearance_url(node, item)
    source_url = validate(url_adapter, url, where, url_path, problems)

    statements = []
    listed = isinstance(authors, list)
    for index, author in enumerate(authors if listed else [authors]):
        path = f"itemReviewed.author[{index}]" if listed else "itemReviewed.author"
        if isinstance(author, dict):
            name, path = author.get("name"), f"{path}.name"
        else:
            name = author
        if not isinstance(name, str):
            expected = "expected a name (a string or an object with a name)"
            problems.add(f"{where}: {path}: {expected}, got {kind(name)}")
            continue
        party = validate(party_adapter, name, where, path, problems)
        if party is not None:
            statements.append(Statement(party, Stance.ALLEGES, stated_on=stated_on, source_url=source_url))
    return statements


def _appearance_url(node: dict[str, Any], item: dict[str, Any]) -> tuple[Any, str]:
    """The first appearance's url, else the review's own url, with the path to name in messages."""
    for index, appearance in enumerate(_as_list(item.get("appearance"))):
        if isinstance(appearance, str):
            return appearance, f"itemReviewed.appearance[{index}]"
        if isinstance(appearance, dict) and "url" in appearance:
            return appearance["url"], f"itemReviewed.appearance[{index}].url"
    return node.get("url"), "url"


def _as_list(value: Any) -> list[Any]:
    """JSON-LD allows one value or a list of them."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# -- export ---------------------------------------------------------------------------------------


def dump_claimreview(claims: Iterable[Claim]) -> dict[str, Any]:
    return {"@context": CONTEXT, "@graph": [_review(claim) for claim in claims]}


def _review(claim: Claim) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "identifier": claim.id,
        "claimReviewed": claim.text,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": str(claim.status),
            "ratingExplanation": STATUS_MEANINGS[claim.status],
        },
        "itemReviewed": _item(claim),
        EXT_STATEMENTS: [statement_to_json(statement) for statement in claim.statements],
    }
    if claim.note is not None:
        review[EXT_NOTE] = claim.note
    if claim.guild_id is not None:
        review[EXT_GUILD_ID] = claim.guild_id
    if claim.archived:
        review[EXT_ARCHIVED] = True
    return review


def _item(claim: Claim) -> dict[str, Any]:
    """The schema.org view: who made the claim, when first, and where it was reported."""
    alleging = [statement for statement in claim.statements if statement.stance is Stance.ALLEGES]
    item: dict[str, Any] = {"@type": "Claim"}
    # Parties may be people or organisations; we cannot tell which, so no @type on authors.
    parties = list(dict.fromkeys(statement.party for statement in alleging))
    if parties:
        item["author"] = [{"name": party} for party in parties]
    dates = [statement.stated_on for statement in alleging if statement.stated_on]
    if dates:
        item["datePublished"] = min(dates).isoformat()
    appearances = {}
    for statement in alleging:
        if statement.source_url and statement.source_url not in appearances:
            appearances[statement.source_url] = _appearance(statement)
    if appearances:
        item["appearance"] = list(appearances.values())
    if claim.aliases:
        item["alternateName"] = list(claim.aliases)
    return item


def _appearance(statement: Statement) -> dict[str, Any]:
    appearance: dict[str, Any] = {"@type": "CreativeWork", "url": statement.source_url}
    if statement.source_title:
        appearance["name"] = statement.source_title
    if statement.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": statement.publisher}
    return appearance
