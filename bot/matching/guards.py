"""Scoring one message clause against one claim, with guards against confident wrong matches.

The base score says how much of the claim the clause restates and how much of the clause the
claim explains (idf-weighted). Guards then cut it when the two disagree on what matters:
different numbers, a different actor in the same place, actors swapped around the verb
("Russia sent troops to North Korea"), or a negation on one side only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.matching.text import MONTHS, NEGATIONS, NON_CONTENT, is_number

# Score multipliers, chosen on the labelled dev set: low enough that a guarded candidate can
# still be suggested by /check but is not answered automatically.
NUMBER_CONFLICT = 0.3
DATE_CONFLICT = 0.6
EXTRA_NUMBER = 0.55  # the message states a figure the claim does not have
MISSING_NUMBER = 0.65  # the claim's figure is the point of it and the message does not give one
ACTOR_CONFLICT = 0.5  # at full strength, when every actor of the claim was replaced
SWAPPED_ROLES = 0.3
NEGATION_MISMATCH = 0.45
NUMBER_TOLERANCE = 0.02  # "654k" restates 654,430

_TOWARDS = frozenset(["to", "into", "toward", "in", "insid", "at", "over", "against", "on", "onto", "within"])
_FROM = frozenset(("from",))
_BY = frozenset(("by",))
_NEGATION_REACH = 6  # tokens after "not" that it can be about
_SKIP = frozenset(("the", "a", "an", "'s", "of"))


class Weights(Protocol):
    def weight(self, token: str) -> float: ...


@dataclass(slots=True)
class Side:
    canon: list[str]  # canonical tokens in order, stopwords included
    adjectives: set[int]  # positions of country adjectives ("Russian")


@dataclass(frozen=True, slots=True)
class Comparison:
    d_cov: float  # idf share of the claim's words the message restates
    q_cov: float  # idf share of the message's words the claim explains
    pair_cov: float  # share of the claim's adjacent word pairs found in the message, in order
    factor: float  # product of the guard multipliers
    reasons: tuple[str, ...]  # which guards fired


NO_MATCH = Comparison(0.0, 0.0, 0.0, 0.0, ())


def compare(query: Side, doc: Side, weights: Weights, is_entity: Callable[[str], bool]) -> Comparison:
    q_content = [t for t in query.canon if t not in NON_CONTENT]
    d_content = [t for t in doc.canon if t not in NON_CONTENT]
    if not q_content or not d_content:
        return NO_MATCH
    d_numbers = [t for t in set(d_content) if is_number(t)]
    mapping = {
        t: near for t in set(q_content) if is_number(t) and (near := _near(t, d_numbers)) and near != t
    }
    if mapping:
        q_content = [mapping.get(t, t) for t in q_content]
        query = Side([mapping.get(t, t) for t in query.canon], query.adjectives)
    q_set = set(q_content)
    d_set = set(d_content)
    common = q_set & d_set
    if not common:
        return NO_MATCH
    weight = weights.weight
    matched = sum(weight(t) for t in common)
    d_cov = matched / sum(weight(t) for t in d_set)
    q_cov = matched / sum(weight(t) for t in q_set)
    d_pairs = set(zip(d_content, d_content[1:], strict=False))
    q_pairs = set(zip(q_content, q_content[1:], strict=False))
    pair_cov = len(d_pairs & q_pairs) / len(d_pairs) if d_pairs else 0.0

    negation = NEGATION_MISMATCH if _negated(query.canon, common) != _negated(doc.canon, common) else 1.0
    factor = 1.0
    reasons: list[str] = []
    for name, value in (
        *_numbers_factors(query.canon, doc.canon),
        ("actor", _actors_factor(q_set, d_set, is_entity, weight)),
        ("swap", _roles_factor(query, doc, common, is_entity)),
        ("negation", negation),
    ):
        if value < 1.0:
            factor *= value
            reasons.append(name)
    return Comparison(d_cov, q_cov, pair_cov, factor, tuple(reasons))


def _near(token: str, candidates: list[str]) -> str | None:
    try:
        value = float(token)
    except ValueError:
        return None
    for other in candidates:
        try:
            other_value = float(other)
        except ValueError:
            continue
        if abs(value - other_value) <= NUMBER_TOLERANCE * max(abs(value), abs(other_value)):
            return other
    return None


def _numbers(canon: list[str]) -> tuple[set[str], set[str]]:
    """Quantities and dates (numbers next to a month name, and years)."""
    quantities: set[str] = set()
    dates: set[str] = set()
    for i, token in enumerate(canon):
        if not is_number(token):
            continue
        beside_month = (i > 0 and canon[i - 1] in MONTHS) or (i + 1 < len(canon) and canon[i + 1] in MONTHS)
        year = len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100
        (dates if beside_month or year else quantities).add(token)
    return quantities, dates


def _numbers_factors(query: list[str], doc: list[str]) -> list[tuple[str, float]]:
    q_quantities, q_dates = _numbers(query)
    d_quantities, d_dates = _numbers(doc)
    factors = []
    extra = q_quantities - d_quantities
    missing = d_quantities - q_quantities
    if extra and missing:
        factors.append(("number", NUMBER_CONFLICT))
    elif extra:
        factors.append(("extra number", EXTRA_NUMBER))
    elif missing and not q_quantities:
        factors.append(("missing number", MISSING_NUMBER))
    if q_dates - d_dates and d_dates - q_dates:
        factors.append(("date", DATE_CONFLICT))
    return factors


def _actors_factor(q_set: set[str], d_set: set[str], is_entity: Callable[[str], bool], weight) -> float:
    """Same words about a different actor: the message names an actor the claim lacks, and vice versa."""
    d_actors = {t for t in d_set if is_entity(t)}
    missing = d_actors - q_set
    if not missing:
        return 1.0
    extra = {t for t in q_set - d_set if is_entity(t)}
    if not extra:
        return 1.0
    share = sum(weight(t) for t in missing) / sum(weight(t) for t in d_actors)
    return 1.0 - (1.0 - ACTOR_CONFLICT) * min(1.0, share * 1.5)


def _roles(side: Side, actors: set[str], is_entity: Callable[[str], bool]) -> dict[str, str]:
    """A rough role for each actor, from word order and the preposition before it.

    A: the first bare actor (usually the subject) or "by X"; O: a later bare actor; B: "to / in / over X"
    (destination or place); S: "from X"; M: an adjective ("Russian soldiers").
    """
    roles: dict[str, str] = {}
    canon = side.canon
    bare_seen = False
    for i, token in enumerate(canon):
        if token not in actors or token in roles:
            continue
        if i in side.adjectives:
            roles[token] = "M"
            continue
        j = i - 1
        # look past articles, possessives and other names: "in Russia's Kursk region" puts Kursk in B
        while j >= 0 and j > i - 4 and (canon[j] in _SKIP or is_entity(canon[j])):
            j -= 1
        before = canon[j] if j >= 0 else ""
        if before in _TOWARDS:
            roles[token] = "B"
        elif before in _FROM:
            roles[token] = "S"
        elif before in _BY:
            roles[token] = "A"
        else:
            roles[token] = "O" if bare_seen else "A"
            bare_seen = True
    return roles


def _roles_factor(query: Side, doc: Side, common: set[str], is_entity: Callable[[str], bool]) -> float:
    """Who did what to whom: shared actors whose roles were exchanged, or a different destination."""
    actors = {t for t in common if is_entity(t)}
    if len(actors) < 2:
        return 1.0
    q_roles = _roles(query, actors, is_entity)
    d_roles = _roles(doc, actors, is_entity)
    shared = sorted(actors)
    for i, x in enumerate(shared):
        for y in shared[i + 1 :]:
            dx, dy, qx, qy = d_roles.get(x), d_roles.get(y), q_roles.get(x), q_roles.get(y)
            if dx and dy and dx != dy and "O" not in (dx, dy) and qx == dy and qy == dx:
                return SWAPPED_ROLES
    d_places = {t for t in shared if d_roles.get(t) == "B"}
    q_places = {t for t in shared if q_roles.get(t) == "B"}
    if d_places and q_places and not d_places & q_places:
        return SWAPPED_ROLES
    return 1.0


def _negated(canon: list[str], common: set[str]) -> bool:
    """Is something both sides talk about negated here? ("did not send troops", not "didn't believe it")."""
    negated = False
    for i, token in enumerate(canon):
        if token in NEGATIONS and any(t in common for t in canon[i + 1 : i + 1 + _NEGATION_REACH]):
            negated = not negated
    return negated
