"""Comparing one message clause with one claim, with guards against confident wrong matches.

The features say how much of the claim the clause restates and how much of the clause the
claim explains (idf-weighted). Guards then cut the score when the two disagree on what matters:
different figures, a different actor in the same sentence, actors swapped around the verb
("Russia sent troops to North Korea"), or a negation on one side only.

Guards look only at what the two sides share: a figure counts when it stands next to a word
both sides use ("50,000 troops"), a negation when it bears on such a word, an actor when it is a
known one (countries and synonym groups). An unrelated date or name elsewhere in a long message
does not trigger them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from bot.matching.synonyms import ACCUSING, FORCES, GROUP_PREFIX
from bot.matching.text import COMMA, MONTHS, NEGATIONS, NON_CONTENT, POSSESSIVE

# Score multipliers, chosen on the labelled dev set: low enough that a guarded candidate can
# still be suggested by /check but is not answered automatically.
NUMBER_CONFLICT = 0.3
DATE_CONFLICT = 0.45  # another day, month or year: another event, which /check may still suggest
EXTRA_NUMBER = 0.45  # the message gives a figure for something the claim has no figure for
MISSING_NUMBER = 0.6  # the claim's figure is not in the message
ACTOR_CONFLICT = 0.45  # an actor of the claim replaced by another
SWAPPED_ROLES = 0.3
NEGATION_MISMATCH = 0.35
NUMBER_REACH = 2  # content words on either side of a figure that say what it counts
NEGATION_REACH = 5  # tokens after "not" that it can be about

MISSING_ACTOR = 0.6  # the message leaves out the claim's subject or every actor, or one and says little else
SUBSTITUTED = 0.45  # another place or thing in the slot the claim fills ("Belgorod" for "Kursk")
MISSING_QUALIFIER = 0.75  # ... or an actor's thing the claim names ("Ukraine's Kursk incursion")
ROLE_TAKEN = 0.3  # another actor of the claim fills the role of an actor the message leaves out
ACTORS_ONLY = 0.5  # the two sides share nothing but who is involved ("North Korea and Russia are allies")
_TOWARDS = frozenset([
    "to", "into", "toward", "in", "insid", "at", "over", "above", "across", "against", "on", "onto", "within",
])
_FROM = frozenset(("from",))
_BY = frozenset(("by",))
_WITH = frozenset(("with",))
_SKIP = frozenset(("the", "a", "an", "'s", "of"))
_AND = "and"
_CALLING = frozenset(("here", "hey", "yo", "oi", "dear"))
# A later bare actor is the receiver as much as "to X" is: "North Korea gives Russia arms".
_RECEIVER = {"O": "B"}
# Verbs (as stems) whose subject receives what the sentence is about.
_RECEIVING = frozenset((
    "receiv", "get", "gets", "got", "gotten", "host", "welcom", "accept", "obtain", "acquir", "import", "buy",
))
_RECEIVED_ROLE = {"A": "B", "S": "A"}
_AGENT = ("A", "M")


class Weights(Protocol):
    def weight(self, token: str) -> float: ...


@dataclass(slots=True)
class Side:
    """One side of a comparison, with what every comparison needs computed once."""

    canon: list[str]  # canonical tokens in order, stopwords included
    adjectives: set[int]  # positions of country adjectives ("Russian")
    content: list[str] = field(default_factory=list)  # canon without stopwords
    content_set: frozenset[str] = frozenset()
    numbers: list[str] = field(default_factory=list)
    number_at: list[int] = field(default_factory=list)  # positions of the numbers in content
    values: list[tuple[str, float]] = field(default_factory=list)  # distinct numbers and their values
    pairs: frozenset[tuple[str, str]] = frozenset()
    negated: bool = False  # has a negation word at all, or a word that may call something false
    # figures that are not dates, each with the words around it that may say what it counts
    counted: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    dates: frozenset[str] = frozenset()  # figures next to a month name, and years
    names: frozenset[str] = frozenset()  # a claim's proper names ("kursk"), see text.proper_names
    name_at: list[int] = field(default_factory=list)  # their positions in canon
    receives: bool = False  # a receiving verb: its subject is the receiver ("Russia got troops from ...")
    _mass: float = -1.0
    _follows: dict[str, list[int]] | None = None
    _placed: list[int] | None = None

    @classmethod
    def of(cls, canon: list[str], adjectives: set[int], names: frozenset[str] = frozenset()) -> Side:
        content = [t for t in canon if t not in NON_CONTENT]
        number_at = [i for i, t in enumerate(content) if t[:1].isdigit()]
        numbers = [content[i] for i in number_at]
        values = [(t, _value(t)) for t in dict.fromkeys(numbers)]
        pairs = frozenset(zip(content, content[1:], strict=False))
        negated = not NEGATIONS.isdisjoint(canon) or not _MAY_DENY.isdisjoint(canon)
        counted = []
        dates = set()
        # where each figure stands among all the tokens: a range of days is not split by a comma
        figure_at = [j for j, t in enumerate(canon) if t[:1].isdigit()] if number_at else []
        for n, i in enumerate(number_at):
            token = content[i]
            # "October 8-14", "8-14 October": a day next to a day of a month is one too ("Oct 3. Six
            # officers ..." is no range)
            after_day = (
                i > 0
                and content[i - 1] in dates
                and _value(token) <= 31
                and COMMA not in canon[figure_at[n - 1] : figure_at[n]]
            )
            before_day = (
                i + 2 < len(content)
                and content[i + 2] in MONTHS
                and content[i + 1][:1].isdigit()
                and max(_value(token), _value(content[i + 1])) <= 31
            )
            if _beside_month(content, i) or _is_year(token) or after_day or before_day:
                dates.add(token)
            else:
                around = content[max(i - NUMBER_REACH, 0) : i] + content[i + 1 : i + 1 + NUMBER_REACH]
                # a month says when, not what is counted ("October 7 to 13")
                what = [t for t in around if not t[:1].isdigit() and t not in MONTHS]
                if not what and _value(token) > 31:  # no day either: look past the date ("by Oct 1: 540k")
                    words = [(j, t) for j, t in enumerate(content) if not t[:1].isdigit() and t not in MONTHS]
                    what = [t for j, t in words if j < i][-NUMBER_REACH:]
                    what += [t for j, t in words if j > i][:NUMBER_REACH]
                counted.append((token, frozenset(what)))
        content_set = frozenset(content)
        named = names & content_set  # most names are actors, rewritten to their group's token
        return cls(
            canon, adjectives, content, content_set, numbers, number_at, values, pairs, negated,
            counted, frozenset(dates), names, [i for i, t in enumerate(canon) if t in named] if named else [],
            not _RECEIVING.isdisjoint(canon),
        )

    def follows(self) -> dict[str, list[int]]:
        """Each token -> the positions of the tokens that follow it (computed once)."""
        if self._follows is None:
            self._follows = {}
            for j in range(len(self.canon) - 1):
                self._follows.setdefault(self.canon[j], []).append(j + 1)
        return self._follows

    def placed(self) -> list[int]:
        """Positions of content words placed somewhere, after another content word ("sent drones over")."""
        if self._placed is None:
            c = self.canon
            self._placed = [
                i
                for i in range(1, len(c) - 1)
                if c[i + 1] in _PLACING and c[i] not in NON_CONTENT and c[i - 1] not in NON_CONTENT
            ]
        return self._placed

    def prime(self, mass: float) -> None:
        """Set the total weight of the content words when it was computed in one go."""
        self._mass = mass

    def mass(self, weight) -> float:
        """Total weight of the content words (weights are fixed while a Side is cached)."""
        if self._mass < 0:
            self._mass = sum(map(weight, self.content_set))
        return self._mass


@dataclass(frozen=True, slots=True)
class Comparison:
    d_cov: float  # idf share of the claim's words the message restates
    q_cov: float  # idf share of the message's words the claim explains
    pair_cov: float  # share of the claim's adjacent word pairs found in the message, in order
    factor: float  # product of the guard multipliers
    reasons: tuple[str, ...]  # which guards fired
    bm25: float = 0.0  # retrieval score over the best score the message's terms could reach
    bm25_rel: float = 0.0  # retrieval score over the best candidate's


NO_MATCH = Comparison(0.0, 0.0, 0.0, 0.0, ())


@dataclass(frozen=True, slots=True)
class Overlap:
    """What a message clause and a claim share, before the guards look at how they say it."""

    query: Side  # the clause, with its figures written as the claim's where they restate them
    common: frozenset[str]
    stands_for: frozenset[str]  # the claim's forces, said by naming their people
    d_cov: float
    q_cov: float
    pair_cov: float
    # d_cov as the guards may raise it, counting the claim's actors the clause leaves out as said
    d_cov_most: float


def measure_overlap(
    query: Side,
    doc: Side,
    weights: Weights,
    actors: frozenset[str],
    parties: set[str] | frozenset[str] = frozenset(),
) -> Overlap | None:
    """How much of the claim a message clause restates and how much of the clause the claim explains;
    None when they share no word.

    `actors` are canonical tokens that name countries or other bodies (the synonym groups);
    `parties` are words naming who made or denied the claim.
    """
    d_set = doc.content_set
    common = query.content_set & d_set
    if not common:
        return None
    if query.numbers and doc.numbers:
        mapping = {
            t: near
            for t, value in query.values
            if t not in d_set and (near := _near(value, doc.values)) and near != t
        }
        if mapping:  # "654k" in the message stands for the claim's 654,430
            query = Side.of([mapping.get(t, t) for t in query.canon], query.adjectives)
            common = query.content_set & d_set
    q_set = query.content_set
    weight = weights.weight
    matched = sum(map(weight, common))
    # a people stands for its forces: "the North Koreans are in Russia" says "North Korean soldiers are
    # in Russia" less precisely, not something else
    stands_for = frozenset({
        head for head in _heads(doc, _people(query) & d_set, actors).values() if head == FORCES
    } - q_set) if query.adjectives else frozenset()
    d_cov = (matched + sum(map(weight, stands_for))) / doc.mass(weight)
    left_out = (d_set & actors) - q_set
    d_cov_most = d_cov + sum(map(weight, left_out)) / doc.mass(weight) if left_out else d_cov
    # An attribution ("the Pentagon says") neither restates the claim nor speaks against it.
    attributed = (q_set - d_set) & parties if parties else ()
    q_cov = matched / (query.mass(weight) - sum(map(weight, attributed)))
    pair_cov = len(doc.pairs & query.pairs) / len(doc.pairs) if doc.pairs else 0.0
    return Overlap(query, common, stands_for, d_cov, q_cov, pair_cov, d_cov_most)


def compare(overlap: Overlap, doc: Side, weights: Weights, actors: frozenset[str]) -> Comparison:
    """Judge a message clause against a claim from their overlap: the guards cut the score when figures,
    actors, direction or negation disagree. (They never raise a coverage, but d_cov up to d_cov_most.)"""
    query, common, stands_for, d_cov = overlap.query, overlap.common, overlap.stands_for, overlap.d_cov
    q_cov, pair_cov = overlap.q_cov, overlap.pair_cov
    d_set, q_set = doc.content_set, query.content_set
    weight = weights.weight
    factor = 1.0
    reasons: list[str] = []
    checks = []
    if query.numbers or doc.numbers:
        checks.extend(_numbers_factors(query, doc, common))
    if query.adjectives or POSSESSIVE in query.canon:
        checks.append(("foreign modifier", _foreign_modifier(query, doc, common, actors)))
    if not actors.isdisjoint(d_set):
        # The claim's own parties are not excused here: "Ukraine has lost 654,430 soldiers" names a
        # party of the Russian-losses claim, but in the place of Russia.
        checks.append(("actor", _actors_factor(query, doc, actors)))
        shared = common & actors
        if len(shared) >= 2:
            checks.append(("swap", _roles_factor(query, doc, shared, actors)))
        d_actors = d_set & actors
        missing = d_actors - q_set
        if missing:
            # "in Russia's Kursk region": naming Kursk names where it is
            places = _roles(doc, d_actors, actors)[1]
            qualified = {x: _qualified(doc, x) for x in missing}
            # (a name only: "against North Korean forces" does not say whose "forces" are)
            named = common & doc.names
            implied = {x for x in missing if x in places and all(w in named for w in qualified[x])}
            # "flying drones over the capital" for "over Pyongyang": a capital named by what it is
            implied |= {x for x in missing if x in places and _capital_in_place(query, doc, x)}
            if implied:  # ... so the message says it too
                missing -= implied
                d_cov += sum(weight(x) for x in implied) / doc.mass(weight)
            # "Ukraine's Kursk incursion" left out altogether: the message says the claim without its occasion
            if any(w not in common for x in missing for w in qualified[x]):
                checks.append(("missing qualifier", MISSING_QUALIFIER))
        if missing:
            # "North Korea's army is huge" shares two of the three words of "North Korean troops are in
            # Russia"; "Russia sent its army to Ukraine" puts Russia where North Korea was.
            # "Wagner mercenaries are present in Russia's Kursk region" says nothing of whose soldiers are
            # (the forces a people stands for count as said: "the North Koreans are co-belligerents")
            said = len(common - actors) + len(stands_for)
            if missing == d_actors or said <= 1 or _subject(doc, d_actors, actors) in missing:
                checks.append(("missing actor", MISSING_ACTOR))
            if shared:
                checks.append(("role", _taken_role(query, doc, shared, d_actors, missing, actors)))
            if _replaced(query, doc, missing, actors):
                checks.append(("other owner", SUBSTITUTED))
    if common <= actors and not stands_for:
        checks.append(("actors only", ACTORS_ONLY))
    if _trade_reversed(query, doc, common, actors):
        checks.append(("swap", SWAPPED_ROLES))
    if (doc.name_at and _substituted(query, doc, actors)) or _swapped_word(query, doc, actors):
        checks.append(("other place or thing", SUBSTITUTED))
    if (query.negated or doc.negated) and _negated(query.canon, common, actors) != _negated(
        doc.canon, common, actors
    ):
        checks.append(("negation", NEGATION_MISMATCH))
    for name, value in checks:
        if value < 1.0:
            factor *= value
            reasons.append(name)
    return Comparison(d_cov, q_cov, pair_cov, factor, tuple(reasons))


def _near(value: float, candidates: list[tuple[str, float]]) -> str | None:
    """The candidate figure that `value` restates, if any: the same figure, or the figure rounded to
    the precision `value` is written with, keeping at least two of its digits ("654k" for 654,430,
    "71k" for 71,000; not "645,430", nor "700k", nor "2k" for 1,500)."""
    for other, other_value in candidates:
        if _rounds_to(other_value, value):
            return other
    return None


def _rounds_to(exact: float, rounded: float) -> bool:
    if exact == rounded:
        return True
    if not (exact > 0 and rounded > 0) or not (math.isfinite(exact) and math.isfinite(rounded)):
        return False
    if abs(exact - rounded) > 0.1 * exact:  # two kept digits are never this far off: skip the formatting
        return False
    # the precision `rounded` is written with: the largest power of ten it is a multiple of
    written = f"{rounded:.3f}".rstrip("0").rstrip(".")
    if "." in written:
        step = 10.0 ** -len(written.partition(".")[2])
    else:
        step = 10.0 ** (len(written) - len(written.rstrip("0")))
    if step * 10 > exact:  # fewer than two digits of the exact figure kept
        return False
    return math.isclose(round(exact / step) * step, rounded, rel_tol=1e-9)


def _value(token: str) -> float:
    try:
        return float(token)
    except ValueError:  # "1e5" is a float to Python but never a token; anything odd is no figure
        return math.nan


def _quantities(side: Side, common: set[str]) -> set[str]:
    """Figures that count something both sides mention (dates aside)."""
    return {token for token, around in side.counted if not around.isdisjoint(common)}


def _numbers_factors(query: Side, doc: Side, common: set[str]) -> list[tuple[str, float]]:
    q_quantities = _quantities(query, common)
    d_quantities = _quantities(doc, common)
    factors = []
    extra = q_quantities - d_quantities
    missing = d_quantities - q_quantities
    if extra and missing:
        factors.append(("number", NUMBER_CONFLICT))
    elif extra:
        factors.append(("extra number", EXTRA_NUMBER))
    elif not query.counted and doc.counted:
        # the claim's figure is part of what it says, whatever it counts
        factors.append(("missing number", MISSING_NUMBER))
    # another day, or another year: a day given where the claim gives only the year is no conflict
    q_dates, d_dates = query.dates - doc.dates, doc.dates - query.dates
    q_months, d_months = query.content_set & MONTHS, doc.content_set & MONTHS
    if any(_is_year(q) == _is_year(d) for q in q_dates for d in d_dates) or (
        q_months and d_months and q_months.isdisjoint(d_months)
    ):
        factors.append(("date", DATE_CONFLICT))
    return factors


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100


def _beside_month(content: list[str], i: int) -> bool:
    return (i > 0 and content[i - 1] in MONTHS) or (i + 1 < len(content) and content[i + 1] in MONTHS)


def _actors_factor(query: Side, doc: Side, actors: frozenset[str]) -> float:
    """Same words about a different actor: the message puts an actor the claim lacks where the claim
    has an actor the message lacks.

    Replacing any one actor makes another claim ("Iranian troops in Russia" is not "North Korean
    troops in Russia"), however many actors stay the same. "Where" is the rough role: a place ("in
    Russia's Kursk region") is not replaced by whoever reports it ("Ukraine's intelligence saw ...").
    """
    missing = (doc.content_set & actors) - query.content_set
    extra = (query.content_set & actors) - doc.content_set
    if not (missing and extra):
        return 1.0
    d_all = _roles(doc, doc.content_set & actors, actors)[0]
    q_all = _roles(query, query.content_set & actors, actors)[0]
    d_roles = {_ROLE_CLASS[r] for x, r in d_all.items() if x in missing}
    q_roles = {_ROLE_CLASS[r] for x, r in q_all.items() if x in extra}
    if d_roles & q_roles or "any" in d_roles | q_roles:
        return ACTOR_CONFLICT
    # A chain of replacements: the new actor takes a shared actor's role, which takes the missing
    # actor's ("Belarus could invoke its pact with Russia" for "Russia could invoke its pact with NK")
    shared = doc.content_set & query.content_set & actors
    d_all = _roles(doc, missing | shared, actors)[0]
    q_all = _roles(query, extra | shared, actors)[0]
    for x in shared:
        before, after = d_all.get(x), q_all.get(x)
        if before and after and before != after and any(q_all.get(y) == before for y in extra) and any(
            d_all.get(y) == after for y in missing
        ):
            return ACTOR_CONFLICT
    return 1.0


# Roles that can stand for each other when one actor replaces another: a later bare actor may be anything.
_ROLE_CLASS = {"A": "agent", "S": "agent", "M": "agent", "B": "place", "W": "partner", "O": "any"}


def _roles(side: Side, shared: set[str], actors: frozenset[str]) -> tuple[dict[str, str], set[str]]:
    """A rough role for each shared actor, from word order and the preposition before it.

    A: the first bare actor (usually the subject) or "by X"; O: a later bare actor; B: "to / in / over X"
    (destination or place); S: "from X"; W: "with X" (the partner); M: an adjective ("Russian soldiers").
    Returns each actor's role where it first appears, and the actors that appear in B anywhere ("Russian
    ships took soldiers to Russia": Russia is first an adjective, then the destination). After a receiving
    verb or "from X" the subject is the receiver (B) and the giver acts (A); in a passive ("by X") the
    subject is acted on (B).
    """
    found: list[tuple[str, str, bool, bool]] = []  # actor, role, named by "by X", names whose noun
    canon = side.canon
    by_agent = False
    bare_seen = -1  # the comma-separated part a bare actor was last seen in
    part = 0
    for i, token in enumerate(canon):
        # a comma, or "and" before an actor, may start a part with its own subject ("Kim supplies
        # manpower and Putin pays him back")
        if token == COMMA or (token == _AND and i + 1 < len(canon) and canon[i + 1] in actors):
            part += 1
        if token not in shared:
            continue
        if i and canon[i - 1] in _CALLING:  # "here Putin, take 10k of my guys": who is spoken to
            continue
        j = i - 1
        # look past articles, possessives and other actors: "in Russia's Kursk region" puts both in B;
        # and past a capital naming its city: "above the capital Pyongyang"
        while j >= 0 and j > i - 4 and (canon[j] in _SKIP or canon[j] in actors or canon[j] == _CAPITAL):
            j -= 1
        before = canon[j] if j >= 0 else ""
        if before in _TOWARDS:  # "to Russia", "onto North Korean soil"
            role = "B"
        elif _modifies(side, i) or (i + 1 < len(canon) and canon[i + 1] == POSSESSIVE):
            role = "M"  # whose: "Russian soldiers", "Ukraine's push"
        elif (of := _of_before(canon, i)) >= 0:
            # "the Kursk region of Russia" is "Russia's Kursk region": a place after "in", else whose
            role = "B" if not _TOWARDS.isdisjoint(canon[max(of - 4, 0) : of]) else "M"
        elif before in _FROM:
            role = "S"
        elif before in _BY:
            role = "A"
            by_agent = True
        elif before in _WITH:
            role = "W"
        elif bare_seen == part or bare_seen < 0:
            role = "O" if bare_seen == part else "A"
            bare_seen = part
        else:
            # the subject of a later part ("kim sends troops, putin pays him"): its role in the claim's
            # sentence is unknown
            bare_seen = part
            continue
        # "NK officers were killed by ...", "the NK lads get their own battalions": a name before a noun
        # says whose the noun is; it is not the subject that receives or is acted on
        after = canon[i + 1] if i + 1 < len(canon) else ""
        attributive = after not in NON_CONTENT and after not in actors and after not in _RECEIVING
        found.append((token, role, before in _BY, attributive))
    # "North Korea received soldiers from Russia", "Moscow has troops from North Korea": the subject
    # receives, and whoever they came from gave
    if side.receives or any(role == "S" for _, role, _, _ in found):
        found = [
            (token, role if attributive and role == "A" else _RECEIVED_ROLE.get(role, role), by, attributive)
            for token, role, by, attributive in found
        ]
    # "Pyongyang is being supplied with shells by Moscow": the subject of a passive is acted on
    if by_agent:
        found = [
            (token, "B" if role == "A" and not (by or attributive) else role, by, attributive)
            for token, role, by, attributive in found
        ]
    roles: dict[str, str] = {}
    for token, role, _, _ in found:
        roles.setdefault(token, role)
    return roles, {token for token, role, _, _ in found if role == "B"}


def _capital_in_place(query: Side, doc: Side, actor: str) -> bool:
    """Does the message place something at "the capital" (or "its capital") where the claim places it
    at the actor ("over Pyongyang" / "above its capital")?"""
    if _CAPITAL not in query.content_set:
        return False
    d = doc.canon
    if not any(d[i] == actor and d[i - 1] in _TOWARDS for i in range(1, len(d))):
        return False
    q = query.canon
    for i, token in enumerate(q):
        if token == _CAPITAL:
            j = i - 1
            while j >= 0 and q[j] in _OWNERS:
                j -= 1
            if j >= 0 and q[j] in _TOWARDS:
                return True
    return False


_CAPITAL = "capit"  # the stem of "capital"
_OWNERS = frozenset(("the", "its", "their"))


def _of_before(canon: list[str], i: int) -> int:
    """Where "of" stands right before the actor at i ("of Russia", "of the DPRK") after a noun, or -1
    (also when the actor qualifies a noun of its own: "the clause of the NK pact")."""
    if i + 1 < len(canon) and canon[i + 1] not in NON_CONTENT:
        return -1
    j = i - 1
    if j >= 0 and canon[j] in _ARTICLES:
        j -= 1
    if j >= 1 and canon[j] == "of" and canon[j - 1] not in NON_CONTENT:
        return j
    return -1


def _roles_factor(query: Side, doc: Side, shared: set[str], actors: frozenset[str]) -> float:
    """Who did what to whom: shared actors whose roles were exchanged, or a different destination."""
    if len(shared) < 2:
        return 1.0
    q_roles, q_places = _roles(query, shared, actors)
    d_roles, d_places = _roles(doc, shared, actors)
    # a destination named as a noun ("to Russia"); "in a Ukrainian strike" says who struck
    d_nouns = {t for i, t in enumerate(doc.canon) if t in shared and i not in doc.adjectives}
    ordered = sorted(shared)
    # With two actors and nothing else, a later bare actor receives ("North Korea gives Russia arms");
    # in longer sentences it is as often a subject of its own ("Kursk push could let Russia ...").
    simple = len(shared) == 2 and len(doc.content_set & actors) == 2 and len(query.content_set & actors) == 2
    receiver = _RECEIVER if simple else {}
    for i, x in enumerate(ordered):
        for y in ordered[i + 1 :]:
            roles = (d_roles.get(x), d_roles.get(y), q_roles.get(x), q_roles.get(y))
            dx, dy, qx, qy = (receiver.get(r, r) for r in roles)
            if "O" in (dx, dy) or not (dx and dy and qx and qy):
                continue
            if dx != dy and qx == dy and qy == dx:
                return SWAPPED_ROLES
            # by kind of role where the claim's place is a noun: "Moscow's arms were sent to the DPRK"
            # swaps "the DPRK sent arms to Russia" ("in a Ukrainian strike" is no place)
            if all(z in d_nouns for z, r in ((x, dx), (y, dy)) if r == "B"):
                dx, dy, qx, qy = (_ROLE_CLASS[r] for r in (dx, dy, qx, qy))
                if dx != dy and qx == dy and qy == dx:
                    return SWAPPED_ROLES
    if d_places and q_places and not d_places & q_places:
        return SWAPPED_ROLES
    # the other side of a war: "fighting against Russia" for "its war against Ukraine" or "troops are in
    # Russia" (the claim's place, or whom it is against, opposed in the message)
    if (_opposed(query, shared) - _opposed(doc, shared)) & d_places:
        return SWAPPED_ROLES
    # the claim's destination acts in the message: "Russia sends North Korean troops into battle" is not
    # "North Korean troops are in Russia" (a receiving verb keeps it the destination, see _roles)
    # (whom the claim's side is against may fight back: "Kyiv can hit them" for "the war against Ukraine")
    d_opposed = _opposed(doc, shared)
    if any(d_roles.get(x) == "B" and q_roles.get(x) == "A" and x in d_nouns - d_opposed for x in ordered):
        return SWAPPED_ROLES
    # ... or owns what the claim's subject has there: "Russian battalions" for North Korean troops' own
    # battalions in Russia (not what the claim says is its own: "the Russian region" for "Russia's Kursk
    # region")
    q_heads = _heads(query, shared, actors)
    if any(
        d_roles.get(x) == "B" and x in d_nouns and x not in q_places and q_heads.get(x) in doc.content_set
        and not _owns(doc, x, q_heads[x])
        for x in ordered
    ):
        return SWAPPED_ROLES
    # A thing of one actor given to another: "Ukrainian officers killed in a North Korean strike" is not
    # "North Korean officers killed in a Ukrainian strike", "the Russian army" not "North Korean troops"
    d_heads = _heads(doc, shared, actors)
    people = _people(query)
    q = query.canon
    for x, head in d_heads.items():
        owners = [y for y, other in q_heads.items() if other == head]
        # a name right before the claim's thing owns it as an adjective would ("six UA officers"), and
        # one after "of" too ("six officers of the Ukrainian army")
        owners += [q[k - 1] for k in range(1, len(q)) if q[k] == head and q[k - 1] in shared]
        after_of = [k + 2 for k in range(len(q) - 2) if q[k] == head and q[k + 1] == "of"]
        owners += [y for k in after_of for y in q[k : k + 2] if y in shared]
        # "its own soldiers" are the subject's: "Russia intends to send its own soldiers to North Korea"
        if any(q[k] == head and q[k - 1] == "own" for k in range(1, len(q))):
            owners += [y for y, role in q_roles.items() if role == "A"]
        if owners and x not in owners and x not in people:
            return SWAPPED_ROLES
    return 1.0


def _opposed(side: Side, chosen: set[str]) -> set[str]:
    """The chosen actors named as whom something is against ("against Ukraine", "vs the Russians")."""
    canon = side.canon
    opposed = set()
    for i in range(1, len(canon)):
        j = i - 2 if canon[i - 1] in _ARTICLES else i - 1
        if canon[i] in chosen and j >= 0 and canon[j] in _AGAINST:
            opposed.add(canon[i])
    return opposed


_AGAINST = frozenset(("against", "vs", "versus"))


def _owns(side: Side, actor: str, word: str) -> bool:
    """Is the word in the noun phrase the actor opens ("Russia's Kursk region" owns "region")?"""
    canon = side.canon
    for i, token in enumerate(canon):
        if token == actor:
            start = i + 2 if canon[i + 1 : i + 2] == [POSSESSIVE] else i + 1
            if word in canon[start : start + _NOUN_PHRASE]:
                return True
    return False


def _people(side: Side) -> set[str]:
    """Actors named as the people themselves ("the North Koreans"), who stand for their own forces."""
    return {side.canon[i] for i in side.adjectives if i < len(side.canon) and not _modifies(side, i)}


def _heads(side: Side, chosen: set[str] | frozenset[str], actors: frozenset[str]) -> dict[str, str]:
    """The word each chosen actor qualifies as an adjective ("Ukrainian strike" -> strike), where it
    first appears as one, or else as where it comes from ("officers from Ukraine's army" -> officers)."""
    heads: dict[str, str] = {}
    canon = side.canon
    for i in sorted(side.adjectives):
        actor = canon[i] if i < len(canon) else None
        if actor in chosen and actor not in heads and _modifies(side, i):
            head = next((t for t in canon[i + 1 : i + 4] if t not in NON_CONTENT and t not in actors), None)
            if head:
                heads[actor] = head
    for i in range(2, len(canon)):
        actor = canon[i]
        if actor in chosen and actor not in heads:
            j = i - 1
            while j > 1 and canon[j] in _SKIP:
                j -= 1
            if canon[j] in _FROM and canon[j - 1] not in NON_CONTENT and canon[j - 1] not in actors:
                heads[actor] = canon[j - 1]
    return heads


def _modifies(side: Side, i: int) -> bool:
    """Is the country adjective at i an adjective ("Russian ships"), not a noun ("the Russians are")?"""
    return i in side.adjectives and i + 1 < len(side.canon) and side.canon[i + 1] not in NON_CONTENT


def _foreign_modifier(query: Side, doc: Side, common: set[str], actors: frozenset[str]) -> float:
    """The message says whose a shared thing is with an actor the claim never names: "654,430
    Ukrainian soldiers" is not the claim about (Russia's) "654,430 soldiers", nor "Beijing's freighters"
    its Russian ships."""
    canon = query.canon
    owners = _heads(doc, doc.content_set & actors, actors)
    starts = []  # where the words a foreign actor qualifies begin
    for i, token in enumerate(canon):
        if token in actors and token not in doc.content_set:
            if _modifies(query, i):
                starts.append(i + 1)
            # a possessor only of what the claim gives an owner ("Russia's war" is the war, "Beijing's
            # cargo boats" are boats)
            elif i + 2 < len(canon) and canon[i + 1] == POSSESSIVE and any(
                w in owners.values() for w in canon[i + 2 : i + 2 + _NOUN_PHRASE]
            ):
                starts.append(i + 2)
    if not starts:
        return 1.0
    # the claim's own owner of that thing, named in the message as its owner too or as the people
    # themselves ("the North Koreans ... against Ukrainian forces"), keeps it the claim's
    owned_here = _heads(query, set(owners) & query.content_set, actors)
    people = _people(query)
    for start in starts:
        # the words it qualifies: "Ukrainian military deaths" are deaths as much as "Ukrainian deaths"
        qualified = []
        for word in canon[start : start + _NOUN_PHRASE]:
            if word in NON_CONTENT or word in actors:
                break
            qualified.append(word)
        for head in qualified:
            if head in common and not any(
                h == head and (owned_here.get(x) == head or x in people) for x, h in owners.items()
            ):
                return ACTOR_CONFLICT
    return 1.0


_NOUN_PHRASE = 2  # words an adjective may qualify


def _subject(side: Side, chosen: set[str], actors: frozenset[str]) -> str | None:
    """The first chosen actor that acts or owns ("North Korean soldiers are ...", "Russia could use ...")."""
    return next((x for x, role in _roles(side, chosen, actors)[0].items() if role in _AGENT), None)


def _taken_role(
    query: Side, doc: Side, shared: set[str], d_actors: set[str], missing: set[str], actors: frozenset[str]
) -> float:
    """The claim's subject (or whose forces, "North Korean troops") is absent from the message, and
    another actor of the claim stands in that role there ("Russian army", "Russia sent troops")."""
    d_roles, _ = _roles(doc, d_actors, actors)
    q_roles, _ = _roles(query, shared, actors)
    # a subject and a modifier both say whose act or forces it is: "Russia has deployed soldiers" takes
    # the place of "North Korean soldiers"
    if any(d_roles.get(x) in _AGENT for x in missing) and any(
        r in _AGENT and d_roles.get(x) not in (None, *_AGENT) for x, r in q_roles.items()
    ):
        return ROLE_TAKEN
    return 1.0


def _trade_reversed(query: Side, doc: Side, common: set[str], actors: frozenset[str]) -> bool:
    """The same subject trading the other way: "Russia will send troops to North Korea in return for
    technology" is not "Russia will give North Korea technology in return for troops". With another
    subject it is the same trade told from the other side, unless that subject gives what the claim's
    gives: "North Korea will get troops from Russia in return for technology"."""
    if _IN_RETURN[1] not in doc.content_set or _IN_RETURN[1] not in query.content_set:
        return False
    sides = []
    for side in (doc, query):
        canon = side.canon
        at = next((i for i in range(len(canon) - 1) if canon[i : i + 2] == _IN_RETURN), None)
        # who gives: "by X" in a passive ("... provided to North Korea by Russia"), else the first actor
        agents = [t for i, t in enumerate(canon[1:], 1) if t in actors and canon[i - 1] in _BY]
        subject = agents[0] if agents else next((t for t in canon if t in actors), None)
        if at is None or subject is None:
            return False
        given = {t for t in canon[:at] if t in common and t not in actors}
        received = {t for t in canon[at + 2 :] if t in common and t not in actors}
        if not _RECEIVING.isdisjoint(canon[:at]):  # "gets troops in return for ...": what it gets comes first
            given, received = received, given
        sides.append((subject, given, received))
    (d_subject, d_given, d_received), (q_subject, q_given, q_received) = sides
    if d_subject != q_subject:
        d_given, d_received = d_received, d_given  # the claim told from the message's subject's side
    return bool(d_given & q_received) and bool(d_received & q_given)


_IN_RETURN = ["in", "return"]  # text.clean writes "in exchange" so too


def _replaced(query: Side, doc: Side, missing: set[str], actors: frozenset[str]) -> bool:
    """The message puts others in the place of a missing actor of the claim, or of the people or
    things it qualifies: "give the Houthis military technology" for "give North Korea military
    technology", "use Kadyrov's Chechen units in combat" for "use North Korean soldiers in combat".
    The place is known by the claim's words on both sides of it, or by the start of the sentence and
    the claim's word after it ("Chechen units are in ...")."""
    d, q = doc.canon, query.canon
    after = query.follows()
    for i, actor in enumerate(d):
        if actor not in missing:
            continue
        # the claim's people with a name of other people: "the Wagner guys", "conscripts from Siberia" or
        # "US forces" for "North Korean soldiers"
        if _modifies(doc, i) and any(
            _word_of_its_own(q[j - 1], doc, actors) or q[j - 1] in actors or _from_other(q, j, doc, actors)
            for j in range(1, len(q))
            if q[j] == d[i + 1]
        ):
            return True
        end = i + 2 if i in doc.adjectives else i + 1  # past the word an adjective qualifies
        if end == i + 1 and i > 0 and d[i - 1] in _TOWARDS:
            # "drones over the border" for "drones over Damascus"; a place after "to" or "in" is left to
            # the other guards: there another word is as often a misspelling
            placed = after.get(d[i - 1], ()) if d[i - 1] in _PLACING else ()
            if any(_placed_other(q, j, doc, actors) for j in placed):
                return True
            continue
        if end >= len(d):
            continue
        right = d[end]
        if i == 0:
            first = next((j for j, t in enumerate(q) if t not in NON_CONTENT), None)
            starts = [] if first is None else [first]
        else:
            starts = [j + (q[j] in _ARTICLES) for j in after.get(d[i - 1], ()) if j + 1 < len(q)]
        for j in starts:
            if not _word_of_its_own(q[j], doc, actors):
                continue
            if right in q[j + 1 : j + 5]:  # up to four words in place of the claim's
                return True
    return False


_ARTICLES = frozenset(("the", "a", "an"))


def _word_of_its_own(word: str, doc: Side, actors: frozenset[str]) -> bool:
    """A content word that is none of the claim's, no actor and no figure: something else named in a
    place of the claim's ("Wagner guys", "over the border", "near Kharkiv")."""
    return not (word in NON_CONTENT or word in doc.content_set or word in actors or word[:1].isdigit())


def _from_other(q: list[str], j: int, doc: Side, actors: frozenset[str]) -> bool:
    """Does the word at j come "from" a place of its own ("conscripts from Siberia"; "from the North"
    names a direction, or a Korea the message did not name)?"""
    if j + 1 >= len(q) or q[j + 1] not in _FROM:
        return False
    k = _past_owners(q, j + 2)
    return k < len(q) and _word_of_its_own(q[k], doc, actors) and q[k] not in _DIRECTIONS


_DIRECTIONS = frozenset(("north", "south", "east", "west"))


def _placed_other(q: list[str], j: int, doc: Side, actors: frozenset[str]) -> bool:
    """Is the word placed at j (articles and owners skipped) a thing of its own, not one of the claim's?"""
    j = _past_owners(q, j)
    return j < len(q) and _word_of_its_own(q[j], doc, actors)


def _past_owners(q: list[str], j: int) -> int:
    """The first position from j that is no article or owner ("the", "its", "their")."""
    while j < len(q) and q[j] in _OWNERS:
        j += 1
    return j


def _substituted(query: Side, doc: Side, actors: frozenset[str]) -> bool:
    """The message puts another word where the claim has a proper name: "in Russia's Belgorod region"
    for "in Russia's Kursk region", "near Kharkiv" for "near Donetsk". The slot is known by the
    claim's words on both sides of the name, or by a preposition that places things ("near X")."""
    missing = (doc.names & doc.content_set) - query.content_set - actors
    if not missing:  # every name is there: nothing was put in its place
        return False
    d, q = doc.canon, query.canon
    after = None
    for i in doc.name_at:
        if i == 0 or d[i] not in missing:
            continue
        after = after or query.follows()
        left, right = d[i - 1], d[i + 1] if i + 1 < len(d) else None
        # "outside Kharkiv" fills the slot of "near Donetsk" as well as "near Kharkiv" does
        # "the Belgorod incursion" fills the slot of "Ukraine's Kursk incursion"
        placing = left in _PLACING
        lefts = _PLACING if placing else (left, "the") if left == POSSESSIVE else (left,)
        for word_before in lefts:
            for j in after.get(word_before, ()):
                in_slot = placing or (right is not None and j + 1 < len(q) and q[j + 1] == right)
                if in_slot and _word_of_its_own(q[j], doc, actors):
                    return True
    return False


def _swapped_word(query: Side, doc: Side, actors: frozenset[str]) -> bool:
    """The message has a word of its own where the claim has a thing placed somewhere, between the same
    two words: "sent balloons over Pyongyang" for "sent drones over Pyongyang"."""
    d, q = doc.canon, query.canon
    after = None
    for i in doc.placed():
        if d[i] in query.content_set or d[i] in actors or d[i - 1] in actors:
            continue
        after = after or query.follows()
        for j in after.get(d[i - 1], ()):
            if j + 1 < len(q) and q[j + 1] == d[i + 1] and _word_of_its_own(q[j], doc, actors):
                return True
    return False


# Prepositions after which a word names where something is, whatever precedes them.
_PLACING = frozenset(("near", "outsid", "around", "above", "across", "over", "insid", "within"))


def _qualified(side: Side, actor: str) -> list[str | None]:
    """For each place the actor appears: the word it qualifies as a possessor ("Russia's Kursk") or an
    adjective ("Ukrainian strike"), or None where it stands on its own."""
    canon = side.canon
    words: list[str | None] = []
    for i, token in enumerate(canon):
        if token != actor:
            continue
        if i + 2 < len(canon) and canon[i + 1] == POSSESSIVE and canon[i + 2] not in NON_CONTENT:
            words.append(canon[i + 2])
        elif _modifies(side, i):
            words.append(canon[i + 1])
        else:
            words.append(None)
    return words


def _negated(canon: list[str], common: set[str], actors: frozenset[str] = frozenset()) -> bool:
    """Is something both sides talk about negated here? ("did not send troops", not "didn't believe it").

    Any negation counts, with no parity: "no, troops were not sent" is a denial, not a double negative,
    and a rare true double negative misread this way costs only an auto-reply.
    """
    if not NEGATIONS.isdisjoint(canon) and any(
        token in NEGATIONS
        and not (i == 1 and _asks(canon))
        and not _answers(canon, i)
        and canon[i + 1 : i + 2] not in _NOT_JUST  # "not just filler for Russian units" adds, not denies
        and _bears_on(canon, i, common, actors)
        for i, token in enumerate(canon)
    ):
        return True
    return not _MAY_DENY.isdisjoint(canon) and _called_false(canon, common)


_NOT_JUST = (["just"], ["only"], ["simpli"], ["mere"])

# Nouns a negation denies a whole clause through (as stems)
_EVIDENCE = frozenset(("evid", "proof", "sign", "indic", "trace"))


def _answers(canon: list[str], i: int) -> bool:
    """Is the "no" at i an answer ("the spokesperson said no, because ..."), not a negation ("said no
    troops were sent")?"""
    after = canon[i + 1] if i + 1 < len(canon) else ""
    return canon[i] == "no" and (i == 0 or canon[i - 1] in _REPORTING) and after in _AFTER_ANSWER


_AFTER_ANSWER = frozenset(
    ("", COMMA, "because", "but", "and", "so", "the", "it", "they", "he", "she", "we", "i", "that")
)


def _bears_on(canon: list[str], i: int, common: set[str], actors: frozenset[str]) -> bool:
    """Does the negation at i bear on a shared word just after it? An actor counts as a place ("aren't
    in Russia"), with what it qualifies ("no plans to use North Korean soldiers") or as the object of
    the negated verb ("hasn't given Moscow a shell"), not alone ("no mixing with the Russians")."""
    for k in range(i + 1, min(i + 1 + NEGATION_REACH, len(canon))):
        t = canon[k]
        if t in _EVIDENCE and not common.isdisjoint(canon[k + 1 :]):
            return True  # "no evidence that ...", "no sign Russia intends to ...": the whole clause
        if t not in common:
            continue
        if t not in actors:
            return True
        j = k - 1
        while j > i and canon[j] in _SKIP:
            j -= 1
        following = next((w for w in canon[k + 1 :] if w not in NON_CONTENT), None)
        if canon[j] in _TOWARDS or (following in common and following not in actors):
            return True
        # the negated verb's object: "hasn't given Moscow a shell" (not "can't expect the Americans to ...")
        if j == i + 1 and canon[j] not in NON_CONTENT and canon[k + 1 : k + 2] != ["to"]:
            return True
    return False


def _called_false(canon: list[str], common: set[str]) -> bool:
    """What was said, then called false: "the 10k troops thing is made up", "that story is a lie",
    "... ? never happened"."""
    for i, word in enumerate(canon):
        if word not in _MAY_DENY:
            continue
        denied = word in _FALSE or (word == "make" and canon[i + 1 : i + 2] == ["up"])
        before = canon[max(i - 3, 0) : i]
        # "... or is that made up?" asks; it does not deny
        asked = "or" in before
        called = denied and not _COPULAS.isdisjoint(before)
        if word == _HAPPEN and i and canon[i - 1] in NEGATIONS:  # "never happened", "did not happen"
            called = True
        if called and not asked and not common.isdisjoint(canon[:i]):
            return True
    return False


def denial(canon: list[str]) -> bool:
    """A sentence that only calls what was said false: "never happened", "that's a lie", "not true", or
    opens by denying it ("not even close, the real toll is far lower")."""
    if COMMA in canon[1:] and _negation_denies(canon[: canon.index(COMMA, 1)]):
        return True
    return _negation_denies(canon) or (not _FALSE.isdisjoint(canon) and _says_little(canon))


def _says_little(canon: list[str]) -> bool:
    return sum(1 for t in canon if t not in NON_CONTENT) <= _DENIAL_CONTENT


def _negation_denies(canon: list[str]) -> bool:
    """A negation that denies all that was said: "not true", "never happened", "not even close",
    "there aren't anywhere near that many" (not "can't picture that many")."""
    if NEGATIONS.isdisjoint(canon) or not _says_little(canon):
        return False
    after = [canon[i : i + 2] for i in range(1, len(canon)) if canon[i - 1] in NEGATIONS]
    if any(words[0] in _DENIED or words == ["even", "close"] for words in after):
        return True
    negated = [i for i in range(1, len(canon)) if canon[i] in NEGATIONS and canon[i - 1] in _COPULAS]
    return bool(negated) and any(canon[i : i + 2] in _THAT_MANY for i in range(negated[0] + 1, len(canon)))


_DENIAL_CONTENT = 4  # content words of a sentence that only denies ("never died, the story is invented")
_DENIED = frozenset(("happen", "true", "exist"))  # "never happened", "not true", "never existed"
_THAT_MANY = (["that", "mani"], ["that", "much"], ["so", "mani"])


# as stems: "false", "untrue", "a lie", "a hoax" and "made up"; not "fake", which tweets and chat say
# of anything ("fake news") and which cost CheckThat dev MAP@5
# "fabric": "a fabrication", "fabricated"; "invent": "the story is invented"
_FALSE = frozenset(("fals", "untru", "lie", "hoax", "fabric", "invent"))
_COPULAS = frozenset(("is", "are", "was", "were", "'s", "its", "it's"))
_HAPPEN = "happen"
_MAY_DENY = _FALSE | {"make", _HAPPEN}


def _asks(canon: list[str]) -> bool:
    """A question that expects "yes": an auxiliary, "not", then its subject ("wasn't there a report ...",
    "didn't North Korea send ..."). A bare "didn't send any troops" has no subject: a denial."""
    return (
        len(canon) > 2
        and canon[0] in _AUXILIARIES
        and (canon[2] in _SUBJECTS or canon[2].startswith(GROUP_PREFIX))
    )


_AUXILIARIES = frozenset((
    "is", "are", "was", "were", "do", "does", "did", "has", "have", "had",
    "can", "could", "will", "would", "should",
))
_SUBJECTS = frozenset((
    "there", "it", "they", "he", "she", "we", "you", "i", "the", "a", "an", "this", "that", "these", "those",
))


# Verbs that report speech or belief ("Kyiv says ...", "Pyongyang accuses Seoul of ..."), as tokens. Denials
# are left out: "Moscow denies that ..." does not restate what follows.
_REPORTING = frozenset((
    "say", "says", "said", "saying", "claims", "claimed", "claim", "claiming", "told", "tell", "tells",
    "thinks", "think", "believes", "believe", "reckon", "alleg", "accus", "confirm", "announc", "warn",
    "insist", "admit", "reveal", "estim", "suggest",
    # anger at what someone did reports it too: "NK big mad that ROK flew drones over Pyongyang"
    "mad", "angri", "furious", "upset", "complain", "fume", "rage", "outrag", "livid", "seeth",
    "cri", "whine", "screech", "moan", "scream", "blame",
))
# The words above as written, so that typos of them are corrected to them.
ATTRIBUTION_WORDS = frozenset((
    "according", "says", "said", "claims", "claimed", "reckons", "believes", "thinks", "alleges", "accuses",
    "confirms", "announced", "warns", "insists", "admits", "reveals", "estimates", "suggests", "reportedly",
    "saying", "claiming", "alleging", "accusing", "accused", "confirmed", "warned", "insisted", "admitted",
))
_PASSIVE_BEFORE = frozenset(["is", "are", "was", "were", "be", "been", "being"])
_PASSIVE_AFTER = frozenset(["to", "in", "at", "near", "on", "by", "as"])
_SPEAKER_MAX = 6  # tokens before the reporting verb that can name a speaker
_SPEAKER_CONTENT = 3  # ... of which content words
_TRAILING_MAX = 6  # tokens after a closing "per" / "according to"


def _reports(canon: list[str], i: int) -> bool:
    """Does the reporting verb at i report what follows? Not in a passive: "NK is said to ...", "NK is
    accused of ..." (the stems of "is accusing" and "is accused" are one: what follows tells them apart)."""
    after = canon[i + 1] if i + 1 < len(canon) else ""
    if after in _PASSIVE_AFTER:
        return False
    # "Kim said bet and sent ...", "said say less and sent ...": a word or two said, then a deed of the
    # speaker's own (not "says troops and tanks were sent")
    for end in (i + 2, i + 3):
        said = canon[i + 1 : end]
        named = any(t.startswith(GROUP_PREFIX) or t[:1].isdigit() for t in said)
        if end < len(canon) and canon[end] == "and" and not named:
            return False
    return canon[i - 1] not in _PASSIVE_BEFORE or after not in ("of", "")


def drop_attribution(
    canon: list[str], adjectives: set[int], actors: frozenset[str] = frozenset()
) -> tuple[list[str], set[int]]:
    """Drop who said it from a message clause: a short speaker span before a reporting verb at the
    start ("Kyiv's intelligence says that ...") and a closing "per X" / "according to X".

    The speaker is not an actor of what was said ("Pyongyang accuses Seoul of flying drones" is about
    Seoul), and its words do not restate the claim. But a speaker that is one of the `actors` is who
    "I" and "my" are in what it says: "Kim said take 10k of my guys" is about Kim's soldiers.
    """
    start = 0
    speaker_span: list[str] = []
    # "my cousin told me Syria says ...": a speaker may report another
    for _ in range(2):
        speaker_start = start
        for i in range(start, min(start + _SPEAKER_MAX + 1, len(canon))):
            token = canon[i]
            if token in NEGATIONS:
                break
            if token in _REPORTING and i > start and not _inner(canon, start, i) and _reports(canon, i):
                rest = i + 1 + (i + 1 < len(canon) and canon[i + 1] == "that")
                # a speaker is a few words ("South Korea's spy agency"); more is what was said
                speaker = sum(1 for t in canon[start:i] if t not in NON_CONTENT)
                if speaker <= _SPEAKER_CONTENT and sum(1 for t in canon[rest:] if t not in NON_CONTENT) >= 2:
                    speaker_span = canon[start:i]
                    start = rest
                break
        # whom an accusation names did the deed: "blames Seoul for drones it says ..." has no speaker
        if start == speaker_start or canon[start - 1] in ACCUSING:
            break
    end = len(canon)
    first = end  # the last _TRAILING_MAX words, commas aside
    while first > start + 3 and end - first - canon[first:end].count(COMMA) < _TRAILING_MAX:
        first -= 1
    for i in range(first, end):
        if canon[i] == "per" or (canon[i] == "according" and i + 1 < end and canon[i + 1] == "to"):
            end = i
            break
    while start < end and canon[start] == COMMA:  # "according to Kyiv, ..." / "..., per the Pentagon"
        start += 1
    while end > start and canon[end - 1] == COMMA:
        end -= 1
    if start == 0 and end == len(canon):
        return canon, adjectives
    kept, kept_adjectives = canon[start:end], {i - start for i in adjectives if start <= i < end}
    speaking = set(speaker_span) & actors
    if len(speaking) == 1 and not _SPEAKERS_OWN.isdisjoint(kept):
        return _speaker_is(speaking.pop(), kept, kept_adjectives, actors)
    return kept, kept_adjectives


_FIRST_PERSON = frozenset(("i", "we", "my", "our"))
_SPEAKERS_OWN = _FIRST_PERSON | {"its", "their"}


def _inner(canon: list[str], start: int, i: int) -> bool:
    """Is the reporting verb at i part of what is said, not of who says it? "... detected drones and
    blames Seoul" (a second deed), "... furious about drones it says flew over ..." (a speaker already
    named: a word of what was said comes before "it says")."""
    if canon[i - 1] == "and":
        return True
    return start > 0 and canon[i - 1] in _PRONOUNS and any(t not in NON_CONTENT for t in canon[start : i - 1])


_PRONOUNS = frozenset(("it", "they", "he", "she", "we", "i"))


def _speaker_is(
    actor: str, canon: list[str], adjectives: set[int], actors: frozenset[str]
) -> tuple[list[str], set[int]]:
    """Read "I"/"we" as the speaking actor and "my"/"our" as the actor's; "its"/"their" too before any
    other actor is named ("Russian media admit 71,000 dead on their side")."""
    out: list[str] = []
    moved: set[int] = set()
    named = False
    for i, token in enumerate(canon):
        if i in adjectives:
            moved.add(len(out))
        named = named or token in actors
        if token in _FIRST_PERSON or (token in _SPEAKERS_OWN and not named):
            out.extend((actor,) if token in ("i", "we") else (actor, POSSESSIVE))
        else:
            out.append(token)
    return out, moved


def reported(
    canon: list[str], adjectives: set[int], actors: frozenset[str] = frozenset()
) -> tuple[list[str], set[int]] | None:
    """What a reporting verb later in a clause reports ("lowkey the wild part is North Korea claiming
    South Korea sent drones ..."), when it says enough to be compared on its own."""
    for i in range(1, len(canon) - 1):
        if canon[i] in _REPORTING and _reports(canon, i):
            rest = i + 1 + (canon[i + 1] == "that")
            if sum(1 for t in canon[rest:] if t not in NON_CONTENT) >= _REPORTED_CONTENT:
                # "I told him North Korea says South Korea sent drones": what is reported has a speaker too
                return drop_attribution(canon[rest:], {j - rest for j in adjectives if j >= rest}, actors)
            return None
    return None


_REPORTED_CONTENT = 3
