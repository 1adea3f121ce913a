"""The matcher: which stored claim, if any, does a message restate, and how sure are we?

Per message: clean it and split it into clauses; retrieve candidates once for the whole message
from the inverted index with BM25 (synonyms expanded, typos mapped to known words); then compare
each candidate with the clauses it shares most with: how much of the claim a clause restates,
how much of the clause the claim explains, with guards that cut the score when figures, actors,
direction or negation disagree. A logistic model turns those features into a 0..1 score.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import accumulate

import numpy as np
from rapidfuzz.distance import OSA

from bot.claims import Claim
from bot.matching import guards
from bot.matching.index import NO_GUILD, UNIGRAM, InvertedIndex, bigram_key, unigram_key
from bot.matching.synonyms import GROUP_PREFIX, Synonyms, SynonymView
from bot.matching.text import (
    COMMA,
    NON_CONTENT,
    NUMBER_WORDS,
    clean,
    common_words,
    coordinated_parts,
    is_number,
    proper_names,
    split_clauses,
    split_speaker,
    stems,
    tokens,
    words,
)

log = logging.getLogger(__name__)


class Decision(StrEnum):
    AUTOREPLY = "autoreply"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    suggest: float
    autoreply: float

    def __post_init__(self) -> None:
        # suggest above autoreply is allowed (a guild may raise one setting alone): a match must
        # clear both to be answered automatically.
        if not (0.0 <= self.suggest <= 1.0 and 0.0 <= self.autoreply <= 1.0):
            raise ValueError("thresholds must be between 0 and 1")


# Chosen on the tuning sets (`bench.labelled --split tuning --sweep`): the bot replies on its own only
# above `autoreply`, the lowest value that keeps their precision; /check lists candidates above `suggest`.
DEFAULT_THRESHOLDS = Thresholds(suggest=0.3, autoreply=0.5)


@dataclass(frozen=True)
class Match:
    claim_id: str
    score: float  # calibrated, 0..1
    matched_text: str  # the claim text or the alias that matched


@dataclass(frozen=True)
class CheckResult:
    decision: Decision
    matches: list[Match]  # best first, at or above the suggest threshold


# A message needs this many distinct content words before the bot may reply on its own.
MIN_CONTENT_FOR_AUTOREPLY = 3
# ... and its best claim must lead the next one by this much.
AMBIGUITY_MARGIN = 0.1

_K1 = 1.2
_B = 0.4
_CANDIDATES = 4  # best BM25 candidates rescored per message (one more than asked for when more are asked)
_RESCORE_FLOOR = 0.3  # ... unless their BM25 is below this share of the best
_FIRST_SHARE = 0.6  # candidates are looked for above this share of the best first (a shortcut only)
_POSTINGS_BUDGET = 10_000
_SPARSE_RATIO = 16  # sort-and-sum below one posting per 4 documents, dense bincount above
_ALWAYS_RETRIEVED = 4  # rarest terms retrieved whatever their postings
_CLAUSES_PER_CANDIDATE = 2  # clauses each phrasing is compared with, those sharing most words
_PHRASINGS_PER_CLAIM = 8  # claim text and aliases compared per candidate claim
_MAX_CACHED_SIDES = 20_000
_MAX_CACHED_GUILDS = 64
_UNKNOWN_WEIGHT = 0.5  # share of the maximum idf given to message words no claim uses
_NUMBER_BOOST = 1.5  # a figure identifies a claim more than a word does
# Pseudo-documents added to the collection size for coverage weights, so that in a small collection
# a word found in two claims does not weigh a fraction of one found in a single claim.
_PRIOR_DOCS = 500
# bias, claim coverage, message coverage, pair coverage, BM25 / ideal, BM25 / best candidate's
_CALIBRATION = (-14.70, 4.17, 2.37, 0.22, -1.14, 12.75)
# A message and a claim that share less than this much of what they say, counted from both sides
# (claim coverage + message coverage), are about different things however rare their shared words.
_MIN_OVERLAP = 0.9
_LOW_OVERLAP = 0.7  # the guard's factor
_ROUNDING = 1e-4  # scores are compared rounded to four places
_MAX_TYPO_CACHE = 50_000
_TYPO_LOOKUPS_PER_MESSAGE = 12  # unknown words per message that may be taken for typos


@dataclass(slots=True)
class _Doc:
    claim_id: str
    text: str
    tokens: tuple[str, ...]
    guild: int | None
    parties: tuple[str, ...]  # tokens naming who alleged or denied the claim
    names: tuple[str, ...]  # its proper names (text.proper_names), found once rather than per message


@dataclass(slots=True)
class _Clause:
    canon: list[str]
    adjectives: set[int]
    content: list[str]


class Matcher:
    """In-memory claim index for one bot process. Not thread-safe; use it from the event loop."""

    def __init__(self, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.thresholds = thresholds
        self._index = InvertedIndex()
        self._synonyms = Synonyms()
        self._docs: list[_Doc | None] = []
        self._claim_docs: dict[str, list[int]] = {}
        self._surface: set[str] = set()
        self._buckets: dict[tuple[str, int], list[str]] = {}
        self._bucket_letters: dict[tuple[str, int], array] = {}  # _letters() of each bucket word
        # per first letter: its bucket words in one list, shortest first, their _letters() as an array,
        # and where each length's words lie; built on the first lookup after a word is learned
        self._typo_tables: dict[str, tuple[list[str], np.ndarray, dict[int, tuple[int, int]]]] = {}
        self._typo_cache: dict[str, str] = {}
        self._common_words = common_words()  # never taken for typos
        self._lookups_left = _TYPO_LOOKUPS_PER_MESSAGE
        self._last_comparisons: dict[str, guards.Comparison] = {}
        # Weights and rewritten claims are cached per guild; any change to claims or synonyms bumps
        # the version and drops them.
        self._version = 0
        self._cache_version = (0, 0)  # (version, index merges)
        self._cache: dict[int | None, tuple[_Weights, dict]] = {}
        self._masks: dict[int | None, tuple[int, np.ndarray | None, int]] = {}
        self._norms: tuple[int, np.ndarray] = (-1, np.empty(0))
        self._scratch_ids = np.empty(0, np.int32)
        # a misspelt "acording to" must still read as an attribution, "thousnad" as a figure
        for word in sorted(self._synonyms.surface_words() | guards.ATTRIBUTION_WORDS | NUMBER_WORDS):
            self._learn_word(word)

    # -- maintenance ----------------------------------------------------------------------------

    def add(self, claim: Claim) -> None:
        """Insert or replace a claim; an archived claim is removed instead."""
        self.remove(claim.id)  # also bumps the cache version
        if claim.archived:
            return
        # "the Pentagon says ...": words naming the claim's parties explain a message without restating it
        parties = tuple(t for s in claim.statements for t in tokens(clean(s.party or "")))
        docs = []
        for text in dict.fromkeys((claim.text, *claim.aliases, *coordinated_parts(claim.text))):
            if text and text.strip():
                docs.append(self._add_text(claim.id, text, claim.guild_id, parties))
        self._claim_docs[claim.id] = docs

    update = add

    def remove(self, claim_id: str) -> None:
        self._version += 1
        for doc in self._claim_docs.pop(claim_id, ()):
            entry = self._docs[doc]
            self._index.remove(doc, [t for t in entry.tokens if t not in NON_CONTENT] if entry else None)
            self._docs[doc] = None

    def set_synonyms(self, guild_id: int | None, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym groups of one scope (None = all guilds). Takes effect at once."""
        self._synonyms.set_groups(guild_id, groups)
        self._version += 1
        for group in groups:
            for member in group:
                if isinstance(member, str):
                    for word in words(clean(member)):
                        self._learn_word(word)
        self._typo_cache.clear()

    def __len__(self) -> int:
        return len(self._claim_docs)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claim_docs

    def _add_text(self, claim_id: str, text: str, guild: int | None, parties: tuple[str, ...]) -> int:
        surface = words(clean(text))
        for word in surface:
            if word not in self._surface:
                self._learn_word(word)
        seq = tuple(stems(surface))
        doc = self._index.add([t for t in seq if t not in NON_CONTENT], guild)
        if doc >= len(self._docs):
            self._docs.extend([None] * (doc + 1 - len(self._docs)))
        self._docs[doc] = _Doc(claim_id, text, seq, guild, parties, tuple(proper_names(text)))
        return doc

    def _learn_word(self, word: str) -> None:
        self._surface.add(word)
        if len(word) >= 4 and word.isalpha():
            self._buckets.setdefault((word[0], len(word)), []).append(word)
            self._bucket_letters.setdefault((word[0], len(word)), array("I")).append(_letters(word))
            self._typo_tables.pop(word[0], None)

    def _correct(self, word: str) -> str:
        """Map an unknown word to a close known one ("soliders" -> "soldiers"), or leave it."""
        if (
            len(word) < 4
            or word in self._surface
            or word in NON_CONTENT
            or not word.isalpha()
            or self._index.term_id(word) is not None
            or word in self._common_words
        ):
            return word
        # Only the first unknown words of a message are looked at, cached or not, so that a long
        # message full of unknown words stays cheap and answers do not depend on the cache.
        if self._lookups_left <= 0:
            return word
        self._lookups_left -= 1
        cached = self._typo_cache.get(word)
        if cached is not None:
            return cached
        result = self._closest(word)
        # a plural is corrected as its singular: "battels" -> "battles", as "battel" -> "battle"
        if result == word and word.endswith("s") and len(word) > 4:
            singular = self._closest(word[:-1])
            if singular != word[:-1]:
                result = singular + "s"
        if len(self._typo_cache) >= _MAX_TYPO_CACHE:
            self._typo_cache.clear()
        self._typo_cache[word] = result
        return result

    def _closest(self, word: str) -> str:
        """The first closest known word within the edit limit, shortest first, or the word itself."""
        limit = 1 if len(word) < 8 else 2
        # A four-letter word is only taken for a longer one ("noth" -> "north") or its own letters in
        # another order ("snet" -> "sent"): too many short words are one substitution apart ("army" / "arms").
        low = len(word) if len(word) == 4 else len(word) - limit
        # The first closest word within the limit, shortest first. Words within `limit` edits differ
        # in at most 2 * limit letters: the others are passed over by their letters alone, without
        # reading the words themselves (seldom in a CPU cache).
        known, letters, spans = self._typo_table(word[0])
        within = [spans[size] for size in range(low, len(word) + limit + 1) if size in spans]
        result = word
        if within:
            start, end = within[0][0], within[-1][1]
            differing = np.bitwise_count(letters[start:end] ^ _letters(word))
            distance = limit + 1
            for i in np.flatnonzero(differing <= 2 * limit).tolist():
                other = known[start + i]
                if len(other) == len(word) == 4 and sorted(other) != sorted(word):
                    continue
                found = OSA.distance(word, other, score_cutoff=limit)
                if found < distance:
                    result, distance = other, found
        return result

    def _typo_table(self, first: str) -> tuple[list[str], np.ndarray, dict[int, tuple[int, int]]]:
        table = self._typo_tables.get(first)
        if table is None:
            known: list[str] = []
            letters = array("I")
            spans = {}
            for size in sorted(size for letter, size in self._buckets if letter == first):
                spans[size] = (len(known), len(known) + len(self._buckets[first, size]))
                known.extend(self._buckets[first, size])
                letters.extend(self._bucket_letters[first, size])
            table = self._typo_tables[first] = (known, np.frombuffer(letters, np.uint32), spans)
        return table

    # -- matching -------------------------------------------------------------------------------

    def match(self, text: str, guild_id: int | None = None, limit: int = 3) -> list[Match]:
        """The best `limit` claims for a message, best first, whatever their scores."""
        best, _ = self._best(text, guild_id, limit)
        return sorted(best.values(), key=lambda m: (-m.score, m.claim_id))[: max(limit, 0)]

    def check(
        self,
        text: str,
        guild_id: int | None = None,
        limit: int = 3,
        thresholds: Thresholds | None = None,
    ) -> CheckResult:
        """Decide whether to reply on our own, suggest candidates, or stay silent. Never raises."""
        thresholds = thresholds or self.thresholds
        try:
            text = text if isinstance(text, str) else ""
            best, content = self._best(text, guild_id, limit, suggest=thresholds.suggest)
        except Exception:  # a matching bug must not take the message handler down with it
            log.exception("matching failed on a message of %d characters", len(text or ""))
            return CheckResult(Decision.NONE, [])
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.claim_id))
        matches = [m for m in ranked if m.score >= thresholds.suggest][: max(limit, 0)]
        if not matches:
            return CheckResult(Decision.NONE, [])
        # Two claims nearly as likely: the message is ambiguous between them, so ask rather than answer.
        clear = len(ranked) < 2 or ranked[0].score - ranked[1].score >= AMBIGUITY_MARGIN
        if matches[0].score >= thresholds.autoreply and content >= MIN_CONTENT_FOR_AUTOREPLY and clear:
            return CheckResult(Decision.AUTOREPLY, matches)
        return CheckResult(Decision.SUGGEST, matches)

    def _best(
        self,
        text: str,
        guild_id: int | None,
        limit: int = 3,
        suggest: float | None = None,
        explain: bool = False,
    ) -> tuple[dict[str, Match], int]:
        """The score of each candidate claim, and the message's number of distinct content words.

        With `suggest` (check()), a claim that provably scores below it and well below the best is left
        out or scored lower than it would be: check() answers the same without it.
        """
        if not self._claim_docs or not text:
            return {}, 0
        view = self._synonyms.view(guild_id)
        self._index.prepare_query()
        clauses: list[_Clause] = []
        self._lookups_left = _TYPO_LOOKUPS_PER_MESSAGE
        speakers: list[str] = []  # words of "X says" spans: retrieved on, not compared
        reports: list[tuple[int, _Clause]] = []
        parts = []
        for part in split_clauses(clean(text)):
            part, speaker = split_speaker(part)
            if speaker:
                spoken, _ = view.rewrite(tokens(speaker, self._correct))
                speakers.extend(t for t in spoken if t not in NON_CONTENT)
            parts.append(tokens(part, self._correct))
        for part in view.name_koreas(parts, speakers):
            full, full_adjectives = view.rewrite(part)
            canon, adjectives = guards.drop_attribution(full, full_adjectives, view.entities)
            content = [t for t in canon if t not in NON_CONTENT]
            if content:
                clauses.append(_Clause(canon, adjectives, content))
                if len(canon) < len(full):
                    speakers.extend(t for t in full if t not in NON_CONTENT)
                elif said := guards.reported(canon, adjectives, view.entities):
                    report = _Clause(*said, [t for t in said[0] if t not in NON_CONTENT])
                    reports.append((len(clauses), report))
        if not clauses:
            return {}, 0
        # "... ? never happened": a sentence that only denies denies the rest of the message
        denied = len(clauses) > 1 and any(guards.denial(clause.canon) for clause in clauses)
        distinct = {t for clause in clauses for t in clause.content}
        if len(clauses) > 1 and sum(len(c.canon) for c in clauses) <= 60:
            # A claim may run over a sentence break; the whole message is one more clause (its sentences
            # parted as clauses of one sentence are).
            canon = [t for c in clauses for t in (COMMA, *c.canon)][1:]
            offsets = accumulate([0] + [len(c.canon) + 1 for c in clauses[:-1]])
            adjectives = {o + i for c, o in zip(clauses, offsets, strict=True) for i in c.adjectives}
            clauses.append(_Clause(canon, adjectives, [t for c in clauses for t in c.content]))
        # What is reported mid-sentence is compared on its own too, placed after its sentence (ties go
        # to the earlier clause).
        for position, report in reversed(reports):
            clauses.insert(position, report)
        weights, sides = self._caches(guild_id, view)
        best: dict[str, Match] = {}
        self._last_comparisons = comparisons = {}
        # One retrieval for the whole message; each candidate is then compared with the clauses
        # that share most with it (a claim is often one sentence of a longer message).
        # a caller asking for many matches gets one more candidate than it asked for
        found = self._retrieve(clauses, weights, guild_id, max(_CANDIDATES, min(limit, 50) + 1), speakers)
        if found is None:
            return best, len(distinct)
        docs, bm25, ideal, score_of = found
        top_bm25 = float(bm25.max())
        # A claim is as retrievable as its best phrasing, and every phrasing (text and aliases) of a
        # candidate claim is compared: "North Korean troops are in Russia" may restate the message
        # best even when the claim text itself scored higher in retrieval.
        claim_bm25: dict[str, float] = {}
        for doc_id, value in zip(docs.tolist(), bm25.tolist(), strict=True):
            doc = self._docs[doc_id]
            if doc is not None and doc.claim_id not in claim_bm25:
                phrasings = self._claim_docs.get(doc.claim_id, [])[:_PHRASINGS_PER_CLAIM]
                claim_bm25[doc.claim_id] = value if len(phrasings) == 1 else max(score_of(phrasings))
        # Each clause's side is made when a candidate is first compared with it: most candidates share
        # most with the same few clauses of a long message.
        clause_words = [frozenset(c.content) for c in clauses]
        queries: list[guards.Side | None] = [None] * len(clauses)
        self._prepare_sides(claim_bm25, view, weights, sides)
        entities = view.entities
        # Each phrasing of each candidate with the clauses it shares most with, in a fixed order, and the
        # claim's retrieval score over the ideal and over the best candidate's.
        pairs: list[tuple[str, tuple[float, float], _Doc, guards.Side, guards.Overlap | None]] = []
        for claim_id, value in claim_bm25.items():
            retrieval = (value / ideal, value / top_bm25)
            for doc_id in self._claim_docs.get(claim_id, ())[:_PHRASINGS_PER_CLAIM]:
                doc = self._docs[doc_id]
                if doc is None:
                    continue
                side, parties = sides[doc_id]
                chosen = range(len(clauses))
                if len(clauses) > _CLAUSES_PER_CANDIDATE:
                    shared = [len(words & side.content_set) for words in clause_words]
                    chosen = sorted(chosen, key=lambda i: -shared[i])[:_CLAUSES_PER_CANDIDATE]
                for i in chosen:
                    query = queries[i]
                    if query is None:
                        query = queries[i] = guards.Side.of(clauses[i].canon, clauses[i].adjectives)
                    overlap = guards.measure_overlap(query, side, weights, entities, parties)
                    pairs.append((claim_id, retrieval, doc, side, overlap))

        def judge(k: int) -> tuple[guards.Comparison, float]:
            _, retrieval, _, side, overlap = pairs[k]
            comparison = guards.compare(overlap, side, weights, entities) if overlap else guards.NO_MATCH
            if denied and not side.negated:
                comparison = replace(
                    comparison,
                    factor=comparison.factor * guards.NEGATION_MISMATCH,
                    reasons=(*comparison.reasons, "denied"),
                )
            return comparison, calibrate(comparison, *retrieval)

        def bound(k: int) -> float:
            """The score of pair k if no guard fired: the guards only lower it (d_cov up to d_cov_most)."""
            _, retrieval, _, _, overlap = pairs[k]
            if overlap is None:
                return 0.0
            unguarded = guards.Comparison(overlap.d_cov_most, overlap.q_cov, overlap.pair_cov, 1.0, ())
            return calibrate(unguarded, *retrieval)

        judged = _judge_all(len(pairs), judge, bound, suggest)
        for (claim_id, (bm25, bm25_rel), doc, _, _), found in zip(pairs, judged, strict=True):
            if found is None:
                continue
            comparison, score = found
            previous = best.get(claim_id)
            if previous is None or score > previous.score:
                best[claim_id] = Match(claim_id, round(score, 4), doc.text)
                if explain:
                    comparisons[claim_id] = replace(comparison, bm25=bm25, bm25_rel=bm25_rel)
        return best, len(distinct)

    def _prepare_sides(self, claim_ids, view: SynonymView, weights: _Weights, sides: dict) -> None:
        """Rewrite the candidates' phrasings not compared yet, with the total weight of their words."""
        for claim_id in claim_ids:
            for doc_id in self._claim_docs.get(claim_id, ())[:_PHRASINGS_PER_CLAIM]:
                doc = self._docs[doc_id]
                if doc is not None and doc_id not in sides:
                    canon, adjectives = view.rewrite(doc.tokens)
                    parties = set(view.rewrite(doc.parties)[0]) if doc.parties else set()
                    side = guards.Side.of(canon, adjectives, frozenset(doc.names))
                    side.prime(weights.mass(side.content_set))
                    sides[doc_id] = (side, parties)

    def _caches(self, guild_id: int | None, view: SynonymView) -> tuple[_Weights, dict]:
        """Term weights and rewritten claims for one guild, kept until the index or synonyms change."""
        # a merge drops removed documents' postings, which the cached unions may hold
        state = (self._version, self._index.merges)
        if self._cache_version != state:
            self._cache.clear()
            self._cache_version = state
        cached = self._cache.get(guild_id)
        if cached is None or cached[0].view is not view or len(cached[1]) > _MAX_CACHED_SIDES:
            if len(self._cache) > _MAX_CACHED_GUILDS:
                self._cache.clear()
            cached = self._cache[guild_id] = (_Weights(self._index, view), {})
        return cached

    def explain(self, text: str, guild_id: int | None = None) -> dict[str, tuple[float, guards.Comparison]]:
        """Every candidate claim with its score and the features behind it (for tuning and debugging)."""
        best, _ = self._best(text, guild_id, explain=True)
        comparisons = self._last_comparisons
        return {claim_id: (m.score, comparisons[claim_id]) for claim_id, m in best.items()}

    def _retrieve(
        self,
        clauses: list[_Clause],
        weights: _Weights,
        guild_id: int | None,
        candidates: int,
        extra: list[str],
    ):
        """BM25 over words and synonym groups, vectorised over all terms. (Adjacent words as terms of their
        own measured no better on CheckThat train/dev: the rescoring counts word pairs itself. Word-pair
        postings serve multi-word synonyms, "north korea".)

        Returns the best candidates in scope (doc ids), their scores, and the score an average-length
        document holding every term once would get (to normalise).
        """
        index = self._index
        terms: list[tuple[str, list[list[int]]]] = []  # (token, alternative key paths)
        # the clauses' words, then a speaker's: a speaker can be part of a claim ("Trump said ...")
        for token in dict.fromkeys([t for clause in clauses for t in clause.content] + extra):
            paths = weights.paths(token)
            if paths:
                terms.append((token, paths))
        if not terms:
            return None
        unions = weights.unions
        keys = list({k for token, paths in terms if token not in unions for path in paths for k in path})
        postings = dict(zip(keys, index.postings(keys), strict=True))
        parts = []
        for token, paths in terms:
            if len(paths) == 1 == len(paths[0]):  # most terms are one word with one key
                parts.append(postings[paths[0][0]])
            else:  # synonym groups recur from message to message: their postings are kept
                if token not in unions:
                    unions[token] = _union(paths, postings)
                parts.append(unions[token])
        counts = [len(d) for d, _ in parts]
        # A budget of postings, rarest terms first: the commonest words of a long message add little
        # to the ranking and most of the cost, so past the budget they only count in the rescoring.
        # (A few terms: plain Python is quicker here than numpy.)
        kept = []
        total = 0
        for rank, i in enumerate(sorted(range(len(parts)), key=counts.__getitem__)):  # a stable sort
            total += counts[i]
            if total <= _POSTINGS_BUDGET or rank < _ALWAYS_RETRIEVED:
                kept.append(i)
        kept.sort()
        kept_counts = [counts[i] for i in kept]
        if not sum(kept_counts):
            return None
        docs = np.concatenate([parts[i][0] for i in kept])
        tfs = np.concatenate([parts[i][1] for i in kept])  # small integers: exact in any arithmetic
        df = np.array(counts, np.int64)
        term_of = None  # each posting's term, needed only to drop removed documents' postings
        if index.has_removed:  # until a merge, removed and replaced claims keep their postings
            term_of = np.repeat(kept, kept_counts)
            live = index.alive(docs)
            docs, tfs, term_of = docs[live], tfs[live], term_of[live]
            if not len(docs):
                return None
            df[kept] = np.bincount(term_of, minlength=len(parts))[kept]
            for i in sorted(set(range(len(parts))) - set(kept)):
                df[i] = int(np.count_nonzero(index.alive(parts[i][0])))
        # The same pseudo-documents as the coverage weights: in a small collection a word most claims
        # share would otherwise weigh nothing, and one rare word would decide the ranking alone.
        n = index.n_alive + _PRIOR_DOCS
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        ideal = float(idf[df > 0].sum())
        # idf * tf * (k1 + 1) / (tf + norm), in place: the same operations in the same order
        scores = np.repeat(idf[kept], kept_counts) if term_of is None else idf[term_of]
        scores *= tfs
        scores *= _K1 + 1
        denominator = self._length_norms()[docs]
        denominator += tfs
        scores /= denominator
        mask = self._scope_mask(guild_id)
        if mask is not None:
            scores *= mask[docs]
        if len(docs) * _SPARSE_RATIO < index.n_docs:
            # Few postings: sum them per document after a sort, touching only those documents.
            order = np.argsort(docs)  # the order of equal ids does not matter for a sum
            docs, scores = docs[order], scores[order]
            starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
            docs = docs[starts]
            totals = np.add.reduceat(scores, starts)
            best = totals.max()
            chosen = np.flatnonzero(totals >= best * _RESCORE_FLOOR)
            chosen, chosen_totals = docs[chosen], totals[chosen]

            def score_of(doc_ids: list[int]) -> list[float]:
                """Retrieval score of any document (0 when it shares no retrieved term)."""
                at = np.minimum(np.searchsorted(docs, doc_ids), len(docs) - 1)
                return np.where(docs[at] == doc_ids, totals[at], 0.0).tolist()
        else:
            # Many postings: one dense bincount over all documents beats sorting them; the best are
            # then looked for among the documents with postings, not over the whole collection.
            totals = np.bincount(docs, scores, minlength=index.n_docs)
            touched = totals[docs]
            best = touched.max()
            # Near the best first: most messages have enough candidates there, and the many postings
            # further down need not be deduplicated.
            scratch = self._scratch(index.n_docs)
            for share in (_FIRST_SHARE, _RESCORE_FLOOR):
                chosen = _distinct(docs[touched >= best * share], scratch)
                if len(chosen) >= candidates:
                    break
            chosen_totals = totals[chosen]

            def score_of(doc_ids: list[int]) -> list[float]:
                return totals[doc_ids].tolist()
        if best <= 0.0:
            return None
        if len(chosen) > candidates:
            chosen, chosen_totals = _top(chosen, chosen_totals, candidates)
        return chosen, chosen_totals, ideal, score_of

    def _scope_mask(self, guild_id: int | None) -> np.ndarray | None:
        """1.0 for live documents the guild may see (global or its own), else 0.0, or None when it may
        see every document; cached per version."""
        cached = self._masks.get(guild_id)
        if cached is not None and cached[0] == self._version and cached[2] == self._index.n_docs:
            return cached[1]
        index = self._index
        guilds = index.guilds[: index.n_docs]
        own = NO_GUILD if guild_id is None else guild_id
        visible = index.alive(np.arange(index.n_docs)) & ((guilds == NO_GUILD) | (guilds == own))
        mask = None if visible.all() else visible.astype(np.float64)
        if len(self._masks) > _MAX_CACHED_GUILDS:
            self._masks.clear()
        self._masks[guild_id] = (self._version, mask, index.n_docs)
        return mask

    def _scratch(self, size: int) -> np.ndarray:
        """A reusable int array of at least `size` entries, contents undefined."""
        if len(self._scratch_ids) < size:
            self._scratch_ids = np.empty(max(size, 2 * len(self._scratch_ids)), np.int32)
        return self._scratch_ids

    def _length_norms(self) -> np.ndarray:
        """BM25's length normalisation of every document; cached per version."""
        version, norms = self._norms
        if version != self._version or len(norms) != self._index.n_docs:
            index = self._index
            norms = _K1 * (1 - _B + _B * index.lengths(np.arange(index.n_docs)) / index.average_length)
            self._norms = (self._version, norms)
        return norms


def _letters(word: str) -> int:
    """A bit for each letter a-z the word has, and one shared by all other characters."""
    bits = 0
    for char in word:
        bits |= _LETTER_BITS.get(char, _OTHER_LETTER)
    return bits


_LETTER_BITS = {char: 1 << i for i, char in enumerate("abcdefghijklmnopqrstuvwxyz")}
_OTHER_LETTER = 1 << 26


def calibrate(comparison: guards.Comparison, bm25: float, bm25_rel: float) -> float:
    """Map the features to a 0..1 score with a logistic model, then apply the guards.

    `bm25` is the retrieval score over the best the message's terms could reach, `bm25_rel` over the
    best candidate's. Fitted by `python -m bench.checkthat --fit` on CheckThat 2020 train (tweets
    against Snopes claims) together with the labelled dev messages: the score estimates the chance
    that the claim is the one the message restates.
    """
    if comparison.factor <= 0.0:
        return 0.0
    bias, w_doc, w_query, w_pairs, w_bm25, w_rel = _CALIBRATION
    z = (
        bias
        + w_doc * comparison.d_cov
        + w_query * comparison.q_cov
        + w_pairs * comparison.pair_cov
        + w_bm25 * min(bm25, 1.5)
        + w_rel * bm25_rel
    )
    factor = comparison.factor
    if comparison.d_cov + comparison.q_cov < _MIN_OVERLAP:
        factor *= _LOW_OVERLAP
    return factor / (1.0 + math.exp(-z))


class _Weights(dict):
    """idf weights of tokens (the dict itself: token -> weight, each computed on its first lookup)
    and their retrieval key paths, cached per guild."""

    # a plain dict lookup once a token's weight is known: the guards call it often
    weight = dict.__getitem__

    def __init__(self, index: InvertedIndex, view: SynonymView) -> None:
        super().__init__()
        self._index = index
        self._view = view
        self.view = view
        self._paths: dict[str, list[list[int]]] = {}
        self.unions: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # postings of synonym groups
        self.unknown = _UNKNOWN_WEIGHT * self._idf(0)

    def paths(self, token: str) -> list[list[int]]:
        """Alternative key lists for a token; a document matches a path when it has all its keys."""
        paths = self._paths.get(token)
        if paths is not None:
            return paths
        index = self._index
        if not token.startswith(GROUP_PREFIX):  # a plain word: one key, if any document has it
            term_id = index.term_id(token)
            paths = self._paths[token] = [] if term_id is None else [[unigram_key(term_id)]]
            return paths
        paths = []
        for phrase in self._view.members.get(token) or ():
            ids = [index.term_id(t) for t in phrase]
            if any(i is None for i in ids):
                continue
            if len(ids) == 1:
                paths.append([unigram_key(ids[0])])
            else:
                paths.append([bigram_key(a, b) for a, b in zip(ids, ids[1:], strict=False)])
        self._paths[token] = paths
        return paths

    def mass(self, tokens: frozenset[str]) -> float:
        """Total weight of a set of words (the same sum as adding weight() over them, in their order)."""
        return sum(map(self.__getitem__, tokens))

    def __missing__(self, token: str) -> float:
        index = self._index
        if token.startswith(GROUP_PREFIX):
            df = sum(
                index.unigram_df(path[0] >> 32) if path[0] & UNIGRAM == UNIGRAM else index.df(path[0])
                for path in self.paths(token)
            )
        else:  # a plain word: its document frequency is kept by the index
            term_id = index.term_id(token)
            df = index.unigram_df(term_id) if term_id is not None else 0
        weight = self._idf(df) if df else self.unknown
        if is_number(token):
            weight *= _NUMBER_BOOST
        self[token] = weight
        return weight

    def _idf(self, df: int) -> float:
        n = self._index.n_alive + _PRIOR_DOCS
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _union(paths: list[list[int]], postings: dict[int, tuple[np.ndarray, np.ndarray]]):
    """Documents matching any path, with the summed term frequency of the matching paths.

    A key's postings list its documents in ascending order (documents are added in id order and
    merges are stable), which the intersections and the union below rely on.
    """
    parts_docs = []
    parts_tfs = []
    for path in paths:
        docs, tfs = postings[path[0]]
        for key in path[1:]:  # a phrase of three or more words: every bigram must be there
            if not len(docs):
                break
            mask = _member(docs, postings[key][0])
            docs, tfs = docs[mask], tfs[mask]
        if len(docs):
            parts_docs.append(docs)
            parts_tfs.append(tfs)
    if len(parts_docs) <= 1:
        return (parts_docs[0], parts_tfs[0]) if parts_docs else (_NO_DOCS, _NO_TFS)
    docs = np.concatenate(parts_docs)
    tfs = np.concatenate(parts_tfs, dtype=np.float64)
    # sorted runs: a stable sort merges them, and equal documents keep the order of the paths
    order = np.argsort(docs, kind="stable")
    docs, tfs = docs[order], tfs[order]
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[starts], np.add.reduceat(tfs, starts)


def _judge_all(
    count: int, judge: Callable[[int], tuple], bound: Callable[[int], float], suggest: float | None
) -> list:
    """judge(k) for each k below count; with `suggest` (check()), None for those that cannot change what
    check() answers: judged best bound first, the rest are left once a bound is below both `suggest`
    (never listed) and the best score so far less the ambiguity margin (never a close second)."""
    if suggest is None:
        return [judge(k) for k in range(count)]
    bounds = [bound(k) for k in range(count)]
    judged: list[tuple | None] = [None] * count
    best = 0.0
    for k in sorted(range(count), key=lambda k: -bounds[k]):
        if bounds[k] < min(suggest, best - AMBIGUITY_MARGIN) - _ROUNDING:
            break
        judged[k] = judge(k)
        best = max(best, judged[k][1])
    return judged


def _top(docs: np.ndarray, totals: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The `count` documents with the highest totals, the oldest first among equal totals: which of equally
    scored documents are compared must not depend on the order they were found in."""
    last = np.partition(totals, len(totals) - count)[len(totals) - count]
    above = np.flatnonzero(totals > last)
    tied = np.flatnonzero(totals == last)
    tied = tied[np.argsort(docs[tied], kind="stable")[: count - len(above)]]
    keep = np.concatenate([above, tied])
    return docs[keep], totals[keep]


def _distinct(docs: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """The distinct values of `docs` (non-negative ids below len(scratch)) in time linear in len(docs):
    each id writes its position into `scratch`, and the position that stayed picks it once."""
    positions = np.arange(len(docs), dtype=scratch.dtype)
    scratch[docs] = positions
    return docs[scratch[docs] == positions]


_NO_DOCS = np.empty(0, np.int32)
_NO_TFS = np.empty(0, np.uint8)


def _member(docs: np.ndarray, other: np.ndarray) -> np.ndarray:
    """np.isin(docs, other) for two ascending arrays, by binary search when one of them is short."""
    if not len(other):
        return np.zeros(len(docs), bool)
    if min(len(docs), len(other)) > 3000:
        return np.isin(docs, other)
    if len(other) <= len(docs):
        at = np.minimum(np.searchsorted(docs, other), len(docs) - 1)
        mask = np.zeros(len(docs), bool)
        mask[at[docs[at] == other]] = True
        return mask
    at = np.minimum(np.searchsorted(other, docs), len(other) - 1)
    return other[at] == docs
