"""Synonym groups: phrases that name the same thing ("NK" = "DPRK" = "North Korea").

Groups are applied to token sequences, not to the index: a phrase from any group is rewritten
to one canonical token on both sides when a message is compared with a claim, and expanded
to all its phrasings when candidates are retrieved. Editing a guild's groups therefore only
rebuilds this small table, never the index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.matching.text import NON_CONTENT, clean, tokens, words

log = logging.getLogger(__name__)

GROUP_PREFIX = "="
MAX_PHRASE_TOKENS = 8

# Countries most often named in claims: names, abbreviations and the capital used for the government
# ("Moscow denies", "Seoul says"; news metonymy), then adjectives ("demonyms"). An adjective names the
# country as a modifier ("Russian soldiers"), which the role guard needs to know. Capitals whose name is
# just as often a person, a state or history (Washington, Rome, Jerusalem) are left out. Long-serving
# leaders stand for their country the same way in chat ("Kim sent troops to help Putin").
_COUNTRIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # lower-case "us" is the pronoun, "the us" is the country
    (("united states", "usa", "united states of america", "america", "the us"), ("american",)),
    (("united kingdom", "uk", "britain", "great britain", "london"), ("british",)),
    (
        ("north korea", "n korea", "nk", "dprk", "democratic people's republic of korea", "pyongyang",
         "kim jong un", "kim", "korean people's army", "kpa", "hermit kingdom", "best korea", "rocket man"),
        ("north korean", "n korean", "nork"),
    ),
    (("south korea", "s korea", "sk", "rok", "republic of korea", "seoul"), ("south korean", "s korean")),
    (("russia", "russian federation", "mother russia", "moscow", "kremlin", "putin", "vladimir putin", "vlad",
      "putler", "ruzzia", "ru"),
     ("russian", "ruzzian", "russki", "russkie", "ruski", "ruskie")),
    (("ukraine", "kyiv", "kiev", "zelensky", "zelenskyy", "zelenskiy", "ua", "ukr"), ("ukrainian",)),
    (("china", "prc", "people's republic of china", "beijing", "xi jinping"), ("chinese",)),
    (("taiwan", "taipei"), ("taiwanese",)),
    (("japan", "tokyo"), ("japanese",)),
    (("iran", "tehran"), ("iranian",)),
    (("iraq", "baghdad"), ("iraqi",)),
    (("israel",), ("israeli",)),
    (("palestine",), ("palestinian",)),
    (("syria", "damascus"), ("syrian",)),
    (("turkey", "turkiye", "ankara", "erdogan"), ("turkish",)),
    (("belarus", "minsk", "lukashenko"), ("belarusian",)),
    (("poland", "warsaw"), ("polish",)),
    (("germany", "berlin"), ("german",)),
    (("france", "paris"), ("french",)),
    (("italy",), ("italian",)),
    (("spain", "madrid"), ("spanish",)),
    (("india",), ("indian",)),
    (("pakistan", "islamabad"), ("pakistani",)),
    (("afghanistan", "kabul"), ("afghan",)),
    (("saudi arabia", "riyadh"), ("saudi",)),
    (("egypt", "cairo"), ("egyptian",)),
    (("mexico",), ("mexican",)),
    (("canada", "ottawa"), ("canadian",)),
    (("brazil",), ("brazilian",)),
    (("australia",), ("australian",)),
    (("venezuela", "caracas"), ("venezuelan",)),
    (("cuba", "havana"), ("cuban",)),
    (("european union", "eu"), ()),
    (("nato", "north atlantic treaty organization"), ()),
    (("united nations", "un"), ()),
)

# General-purpose equivalences and chat abbreviations: each one must hold wherever its words are used.
# Most are the vocabulary of conflict reporting (soldiers, weapons, ships, combat), where claims bots
# like this one are asked about; a word that only sometimes means the same ("men", "military",
# "present") is left out, since an equivalence applies to every claim of every guild. Chat's "boys",
# "lads", "guys" for soldiers are in: claims, written by moderators, do not use them for anyone else.
_GENERAL: tuple[tuple[str, ...], ...] = (
    ("soldiers", "troops", "army", "armies", "servicemen", "forces", "units", "personnel",
     "military personnel", "service members", "conscripts", "boots on the ground", "manpower",
     "boys", "lads", "guys", "dudes", "grunts", "contingent", "infantry", "recruits", "draftees",
     "military units", "military forces", "reinforcements", "squad"),
    ("weapons", "arms", "weaponry", "guns", "ammunition", "ammo", "munitions", "shells", "artillery",
     "artillery shells", "artillery rounds", "missiles", "armaments", "rockets", "materiel",
     "military hardware"),
    ("send", "deploy", "dispatch"),
    ("technology", "tech", "know how", "knowhow",
     "weapons technology", "weapons tech", "weapons know how", "arms technology", "arms tech"),
    ("translators", "interpreters"),
    ("region", "oblast", "province", "area"),
    ("drones", "uavs", "unmanned aircraft", "unmanned aerial vehicles", "quadcopters"),
    # "71,000 soldiers killed" / "71,000 soldiers dead" ("dead" stems to "die")
    ("killed", "died", "kia", "slain", "eliminated", "neutralized", "neutralised"),
    ("wounded", "injured", "wia"),
    ("combat", "battle", "fighting", "battlefield", "front line", "frontline", "front lines", "the front",
     "meat grinder", "meatgrinder", "cannon fodder", "meat shields", "the trenches"),
    ("transfer", "supply", "provide", "hand over"),
    ("ships", "vessels", "boats", "freighters", "cargo ships"),
    ("invoke", "activate", "trigger"),
    ("intend", "plan", "intention", "want"),
    ("strike", "hit", "airstrike", "air strike", "attack"),
    ("co belligerents", "cobelligerents"),
    ("defence", "defense"),
    ("present", "presence"),
    ("government", "govt", "gov"),
    ("limits", "restrictions"),
    ("people", "ppl"),
    ("president", "prez"),
    ("percent", "pct"),
)


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(tokens(clean(phrase)))[:MAX_PHRASE_TOKENS]


def _canonical(phrases: Iterable[tuple[str, ...]]) -> str:
    """The token a group's phrases are rewritten to: its shortest phrase, prefixed."""
    return GROUP_PREFIX + "_".join(min(phrases, key=lambda p: (len(p), p)))


# The token of the soldiers group: a people named as such ("the North Koreans") stands for its forces.
FORCES = _canonical(filter(None, map(phrase_tokens, _GENERAL[0])))


def content_of(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in phrase if t not in NON_CONTENT)


@dataclass
class _Group:
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    demonyms: set[tuple[str, ...]] = field(default_factory=set)
    entity: bool = False  # names a country or body: the actor guards apply


@dataclass(frozen=True)
class SynonymView:
    """The groups one guild sees (built-in + global + its own), ready to rewrite token sequences."""

    by_first: dict[str, list[tuple[tuple[str, ...], str]]]
    members: dict[str, tuple[tuple[str, ...], ...]]  # canonical -> content tokens of each phrasing
    demonyms: frozenset[tuple[str, ...]]
    entities: frozenset[str]  # canonical tokens that name actors

    def rewrite(self, seq: Sequence[str]) -> tuple[list[str], set[int]]:
        """Replace every phrase of a group by its canonical token, longest phrase first.

        Returns the new sequence and the positions whose phrase was an adjective ("Russian").
        """
        out: list[str] = []
        adjectives: set[int] = set()
        i = 0
        n = len(seq)
        by_first = self.by_first
        while i < n:
            candidates = by_first.get(seq[i])
            if candidates:
                for phrase, canonical in candidates:
                    size = len(phrase)
                    if tuple(seq[i : i + size]) == phrase:
                        if phrase in self.demonyms:
                            adjectives.add(len(out))
                        out.append(canonical)
                        i += size
                        break
                else:
                    out.append(seq[i])
                    i += 1
            else:
                out.append(seq[i])
                i += 1
        return out, adjectives

    def name_koreas(self, clauses: list[list[str]], context: Sequence[str] = ()) -> list[list[str]]:
        """Read "the North" and "the South" as the Koreas in a message that names either of them
        ("the South flew drones over Pyongyang", news usage); elsewhere they stay directions.
        `context`: canonical tokens of the message outside the clauses (who said it)."""
        if not any(t in _KOREAS for clause in clauses for t in clause):
            return clauses
        koreas = {self.rewrite(phrase)[0][0] for phrase in _KOREAS.values()}
        named_in = [t for clause in clauses for t in self.rewrite(clause)[0]]
        if koreas.isdisjoint(named_in) and koreas.isdisjoint(context):
            return clauses
        named = []
        for clause in clauses:
            clause = list(clause)
            for i in range(len(clause) - 1):
                after = clause[i + 2] if i + 2 < len(clause) else ""
                # "the south of the country" is a direction; "accusing the South of ..." names it
                of_ok = after != "of" or (i > 0 and clause[i - 1] in ACCUSING)
                if clause[i] == "the" and clause[i + 1] in _KOREAS and of_ok and "korea" not in after:
                    clause[i : i + 2] = _KOREAS[clause[i + 1]]
            named.append(clause)
        return named


_KOREAS = {"north": ("north", "korea"), "south": ("south", "korea")}
# Verbs (as stems) that name who did a deed: "accusing the South of ...", "blames Seoul for ..."
ACCUSING = frozenset(("accus", "suspect", "blame"))


class Synonyms:
    """Built-in groups plus the groups moderators set per scope (None = every guild)."""

    def __init__(self) -> None:
        self._builtin: list[_Group] = []
        for names, adjectives in _COUNTRIES:
            group = _Group(entity=True)
            group.phrases.update(filter(None, map(phrase_tokens, names + adjectives)))
            group.demonyms.update(filter(None, map(phrase_tokens, adjectives)))
            self._builtin.append(group)
        for general in _GENERAL:
            self._builtin.append(_Group(phrases=set(filter(None, map(phrase_tokens, general)))))
        self._scoped: dict[int | None, list[_Group]] = {}
        self._views: dict[int | None, SynonymView] = {}

    def set_groups(self, guild_id: int | None, groups: Iterable[Sequence[str]]) -> None:
        parsed = []
        for members in groups:
            phrases = (phrase_tokens(m) for m in members if isinstance(m, str))
            # a phrase of stopwords only ("the", "us") would turn every "the" into a shared word
            group = _Group(phrases={p for p in phrases if content_of(p)})
            if len(group.phrases) >= 2:
                parsed.append(group)
        if parsed:
            self._scoped[guild_id] = parsed
        else:
            self._scoped.pop(guild_id, None)
        # A global change affects every guild's view; a guild change only its own.
        if guild_id is None:
            self._views.clear()
        else:
            self._views.pop(guild_id, None)
        log.debug("synonyms for scope %s: %d groups", guild_id, len(parsed))

    def view(self, guild_id: int | None) -> SynonymView:
        view = self._views.get(guild_id)
        if view is None:
            groups = self._builtin + self._scoped.get(None, [])
            if guild_id is not None:
                groups = groups + self._scoped.get(guild_id, [])
            view = self._views[guild_id] = _build_view(groups)
        return view

    @staticmethod
    def surface_words() -> set[str]:
        """Words of the built-in phrases as written (known words are never taken for typos)."""
        phrases = [p for names, adjectives in _COUNTRIES for p in names + adjectives]
        # the people as a noun: "rusians" is a typo of "russians" before it is one of "russian"
        phrases += [a + "s" for _, adjectives in _COUNTRIES for a in adjectives if a.endswith("n")]
        phrases += [p for group in _GENERAL for p in group]
        return {w for p in phrases for w in words(clean(p))}


def _build_view(groups: list[_Group]) -> SynonymView:
    # Groups that share a phrase are one group: a guild's {"Pyongyang", "NK"} joins the built-in NK group.
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, ...], int] = {}
    for index, group in enumerate(groups):
        for phrase in group.phrases:
            if phrase in owner:
                parent[find(index)] = find(owner[phrase])
            else:
                owner[phrase] = index
    merged: dict[int, _Group] = {}
    for index, group in enumerate(groups):
        target = merged.setdefault(find(index), _Group())
        target.phrases |= group.phrases
        target.demonyms |= group.demonyms
        target.entity |= group.entity

    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    members: dict[str, tuple[tuple[str, ...], ...]] = {}
    demonyms: set[tuple[str, ...]] = set()
    entities: set[str] = set()
    for group in merged.values():
        ordered = sorted(group.phrases, key=lambda p: (-len(p), p))
        canonical = _canonical(group.phrases)
        for phrase in ordered:
            by_first.setdefault(phrase[0], []).append((phrase, canonical))
        members[canonical] = tuple(c for c in (content_of(p) for p in ordered) if c)
        demonyms |= group.demonyms
        if group.entity:
            entities.add(canonical)
    for candidates in by_first.values():
        candidates.sort(key=lambda item: -len(item[0]))
    return SynonymView(by_first, members, frozenset(demonyms), frozenset(entities))
