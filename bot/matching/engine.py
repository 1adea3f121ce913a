"""The matcher: which stored claim, if any, does a message restate, and how sure are we?

Per message: clean and split into clauses; per clause, retrieve candidates from the inverted
index with BM25 (synonyms expanded, typos mapped to known words), then rescore the best few
by how much of the claim the clause restates and how much of the clause the claim explains,
with guards that cut the score when numbers, actors, direction or negation disagree.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.claims import Claim
from bot.matching import guards
from bot.matching.index import NO_GUILD, InvertedIndex, bigram_key, unigram_key
from bot.matching.synonyms import GROUP_PREFIX, Synonyms, SynonymView
from bot.matching.text import (
    NON_CONTENT,
    clean,
    is_number,
    split_clauses,
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
        if not (0.0 <= self.suggest <= self.autoreply <= 1.0):
            raise ValueError("thresholds need 0 <= suggest <= autoreply <= 1")


# Chosen on bench/data/labelled_dev.jsonl (see bench/labelled.py): the bot replies on its own
# only above `autoreply`; /check lists candidates above `suggest`.
DEFAULT_THRESHOLDS = Thresholds(suggest=0.35, autoreply=0.7)


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

_K1 = 0.9
_B = 0.4
_BIGRAM_WEIGHT = 0.25
_CANDIDATES = 20  # rescored per clause
_UNKNOWN_WEIGHT = 0.5  # share of the maximum idf given to message words no claim uses
_NUMBER_BOOST = 1.5  # a figure identifies a claim more than a word does
# Pseudo-documents added to the collection size for coverage weights, so that in a small collection
# a word found in two claims does not weigh a fraction of one found in a single claim.
_PRIOR_DOCS = 500
# bias, claim coverage, message coverage, pair coverage, BM25 / ideal, BM25 / best candidate's
_CALIBRATION = (-8.74, 4.2, 1.94, 1.92, -0.59, 5.88)
_MAX_TYPO_CACHE = 50_000


@dataclass(slots=True)
class _Doc:
    claim_id: str
    text: str
    tokens: tuple[str, ...]
    guild: int | None
    parties: tuple[str, ...]  # tokens naming who alleged or denied the claim


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
        self._typo_cache: dict[str, str] = {}
        self._last_comparisons: dict[str, guards.Comparison] = {}
        for word in self._synonyms.all_words():
            self._learn_word(word)

    # -- maintenance ----------------------------------------------------------------------------

    def add(self, claim: Claim) -> None:
        """Insert or replace a claim; an archived claim is removed instead."""
        self.remove(claim.id)
        if claim.archived:
            return
        # "the Pentagon says ...": words naming the claim's parties explain a message without restating it
        parties = tuple(t for s in claim.statements for t in tokens(clean(s.party or "")))
        docs = []
        for text in dict.fromkeys((claim.text, *claim.aliases)):
            if text and text.strip():
                docs.append(self._add_text(claim.id, text, claim.guild_id, parties))
        self._claim_docs[claim.id] = docs

    update = add

    def remove(self, claim_id: str) -> None:
        for doc in self._claim_docs.pop(claim_id, ()):
            self._index.remove(doc)
            self._docs[doc] = None

    def set_synonyms(self, guild_id: int | None, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym groups of one scope (None = all guilds). Takes effect at once."""
        self._synonyms.set_groups(guild_id, groups)
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
        cleaned = clean(text)
        for word in words(cleaned):
            if word not in self._surface:
                self._learn_word(word)
        seq = tuple(tokens(cleaned))
        doc = self._index.add([t for t in seq if t not in NON_CONTENT], guild)
        if doc >= len(self._docs):
            self._docs.extend([None] * (doc + 1 - len(self._docs)))
        self._docs[doc] = _Doc(claim_id, text, seq, guild, parties)
        return doc

    def _learn_word(self, word: str) -> None:
        self._surface.add(word)
        if len(word) >= 4 and word.isalpha():
            self._buckets.setdefault((word[0], len(word)), []).append(word)

    def _correct(self, word: str) -> str:
        """Map an unknown word to a close known one ("soliders" -> "soldiers"), or leave it."""
        if (
            len(word) < 4
            or word in self._surface
            or word in NON_CONTENT
            or not word.isalpha()
            or self._index.term_id(word) is not None
        ):
            return word
        cached = self._typo_cache.get(word)
        if cached is not None:
            return cached
        limit = 1 if len(word) < 8 else 2
        # A four-letter word is only taken for a longer one ("noth" -> "north"): too many short words
        # are one substitution apart ("army" / "arms").
        low = len(word) + 1 if len(word) == 4 else len(word) - limit
        choices: list[str] = []
        for size in range(low, len(word) + limit + 1):
            choices.extend(self._buckets.get((word[0], size), ()))
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit) if choices else None
        result = best[0] if best else word
        if len(self._typo_cache) >= _MAX_TYPO_CACHE:
            self._typo_cache.clear()
        self._typo_cache[word] = result
        return result

    # -- matching -------------------------------------------------------------------------------

    def match(self, text: str, guild_id: int | None = None, limit: int = 3) -> list[Match]:
        """The best `limit` claims for a message, best first, whatever their scores."""
        best, _ = self._best(text, guild_id)
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
            best, content = self._best(text if isinstance(text, str) else "", guild_id)
        except Exception:  # a matching bug must not take the message handler down with it
            log.exception("matching failed on a message of %d characters", len(text or ""))
            return CheckResult(Decision.NONE, [])
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.claim_id))
        matches = [m for m in ranked if m.score >= thresholds.suggest][: max(limit, 0)]
        if not matches:
            return CheckResult(Decision.NONE, [])
        if matches[0].score >= thresholds.autoreply and content >= MIN_CONTENT_FOR_AUTOREPLY:
            return CheckResult(Decision.AUTOREPLY, matches)
        return CheckResult(Decision.SUGGEST, matches)

    def _best(self, text: str, guild_id: int | None) -> tuple[dict[str, Match], int]:
        if not self._claim_docs or not text:
            return {}, 0
        view = self._synonyms.view(guild_id)
        self._index.prepare_query()
        clauses: list[_Clause] = []
        for part in split_clauses(clean(text)):
            canon, adjectives = view.rewrite(tokens(part, self._correct))
            content = [t for t in canon if t not in NON_CONTENT]
            if content:
                clauses.append(_Clause(canon, adjectives, content))
        if not clauses:
            return {}, 0
        distinct = {t for clause in clauses for t in clause.content}
        if len(clauses) > 1 and sum(len(c.canon) for c in clauses) <= 60:
            # A claim may run over a sentence break; the whole message is one more clause.
            canon = [t for c in clauses for t in c.canon]
            offsets = np.cumsum([0] + [len(c.canon) for c in clauses[:-1]])
            adjectives = {int(o) + i for c, o in zip(clauses, offsets, strict=True) for i in c.adjectives}
            clauses.append(_Clause(canon, adjectives, [t for c in clauses for t in c.content]))
        weights = _Weights(self._index, view)
        retrieved = []
        doc_bm25: dict[int, float] = {}  # best retrieval score of each candidate over all clauses
        for clause in clauses:
            found = self._retrieve(clause, weights, guild_id)
            if found is None:
                continue
            docs, bm25, ideal = found
            if len(docs) > _CANDIDATES:
                top = np.argpartition(-bm25, _CANDIDATES)[:_CANDIDATES]
                docs, bm25 = docs[top], bm25[top]
            retrieved.append((clause, docs.tolist(), bm25.tolist(), ideal))
            for doc_id, value in zip(retrieved[-1][1], retrieved[-1][2], strict=True):
                if value > doc_bm25.get(doc_id, 0.0):
                    doc_bm25[doc_id] = value
        best: dict[str, Match] = {}
        self._last_comparisons = comparisons = {}
        if not doc_bm25:
            return best, len(distinct)
        top_bm25 = max(doc_bm25.values())
        sides: dict[int, tuple[guards.Side, set[str]]] = {}
        for clause, docs, bm25, ideal in retrieved:
            query = guards.Side(clause.canon, clause.adjectives)
            for doc_id, value in zip(docs, bm25, strict=True):
                doc = self._docs[doc_id]
                if doc is None:
                    continue
                if doc_id not in sides:
                    canon, adjectives = view.rewrite(doc.tokens)
                    parties = set(view.rewrite(doc.parties)[0]) if doc.parties else set()
                    sides[doc_id] = (guards.Side(canon, adjectives), parties)
                side, parties = sides[doc_id]
                comparison = guards.compare(query, side, weights, view.entities, parties)
                comparison = replace(comparison, bm25=value / ideal, bm25_rel=doc_bm25[doc_id] / top_bm25)
                score = calibrate(comparison)
                previous = best.get(doc.claim_id)
                if previous is None or score > previous.score:
                    best[doc.claim_id] = Match(doc.claim_id, round(score, 4), doc.text)
                    comparisons[doc.claim_id] = comparison
        return best, len(distinct)

    def explain(self, text: str, guild_id: int | None = None) -> dict[str, tuple[float, guards.Comparison]]:
        """Every candidate claim with its score and the features behind it (for tuning and debugging)."""
        best, _ = self._best(text, guild_id)
        comparisons = self._last_comparisons
        return {claim_id: (m.score, comparisons[claim_id]) for claim_id, m in best.items()}

    def _retrieve(self, clause: _Clause, weights: _Weights, guild_id: int | None):
        """BM25 over unigrams, synonym groups and bigrams; returns (doc ids, scores) in scope."""
        index = self._index
        terms: list[tuple[list[list[int]], float]] = []  # (alternative key paths, weight)
        seen: set[str] = set()
        for token in clause.content:
            if token in seen:
                continue
            seen.add(token)
            paths = weights.paths(token)
            if paths:
                terms.append((paths, 1.0))
        plain = [t for t in clause.content if not t.startswith(GROUP_PREFIX)]
        for first, second in zip(plain, plain[1:], strict=False):
            a, b = index.term_id(first), index.term_id(second)
            if a is not None and b is not None and (first, second) not in seen:
                seen.add((first, second))  # type: ignore[arg-type]
                terms.append(([[bigram_key(a, b)]], _BIGRAM_WEIGHT))
        if not terms:
            return None
        keys = sorted({k for paths, _ in terms for path in paths for k in path})
        postings = dict(zip(keys, index.postings(keys), strict=True))
        average = index.average_length
        all_docs = []
        all_scores = []
        ideal = 0.0  # a document with every query term once, at average length
        for paths, weight in terms:
            docs, tfs = _union(paths, postings)
            live = index.alive(docs)  # removed and replaced claims keep postings until a merge
            docs, tfs = docs[live], tfs[live]
            if not len(docs):
                continue
            idf = index.idf(len(docs))
            ideal += weight * idf
            norm = _K1 * (1 - _B + _B * index.lengths(docs) / average)
            all_docs.append(docs)
            all_scores.append(weight * idf * tfs * (_K1 + 1) / (tfs + norm))
        if not all_docs:
            return None
        docs = np.concatenate(all_docs)
        scores = np.concatenate(all_scores)
        unique, inverse = np.unique(docs, return_inverse=True)
        totals = np.bincount(inverse, weights=scores)
        guild = index.guilds[unique]
        own = NO_GUILD if guild_id is None else guild_id
        in_scope = index.alive(unique) & ((guild == NO_GUILD) | (guild == own))
        return unique[in_scope], totals[in_scope], ideal


def calibrate(comparison: guards.Comparison) -> float:
    """Map the features to a 0..1 score with a logistic model, then apply the guards.

    Fitted by `python -m bench.checkthat --fit` on CheckThat 2020 train (tweets against Snopes claims)
    together with the labelled dev messages: the score is the estimated chance that the claim is the
    one the message restates.
    """
    if comparison.factor <= 0.0:
        return 0.0
    bias, w_doc, w_query, w_pairs, w_bm25, w_rel = _CALIBRATION
    z = (
        bias
        + w_doc * comparison.d_cov
        + w_query * comparison.q_cov
        + w_pairs * comparison.pair_cov
        + w_bm25 * min(comparison.bm25, 1.5)
        + w_rel * comparison.bm25_rel
    )
    return comparison.factor / (1.0 + math.exp(-z))


class _Weights:
    """idf weights and retrieval key paths of tokens, cached for one message."""

    def __init__(self, index: InvertedIndex, view: SynonymView) -> None:
        self._index = index
        self._view = view
        self._weights: dict[str, float] = {}
        self._paths: dict[str, list[list[int]]] = {}
        self.unknown = _UNKNOWN_WEIGHT * self._idf(0)

    def paths(self, token: str) -> list[list[int]]:
        """Alternative key lists for a token; a document matches a path when it has all its keys."""
        paths = self._paths.get(token)
        if paths is not None:
            return paths
        paths = []
        index = self._index
        phrasings = self._view.members.get(token) if token.startswith(GROUP_PREFIX) else ((token,),)
        for phrase in phrasings or ():
            ids = [index.term_id(t) for t in phrase]
            if any(i is None for i in ids):
                continue
            if len(ids) == 1:
                paths.append([unigram_key(ids[0])])
            else:
                paths.append([bigram_key(a, b) for a, b in zip(ids, ids[1:], strict=False)])
        self._paths[token] = paths
        return paths

    def weight(self, token: str) -> float:
        weight = self._weights.get(token)
        if weight is None:
            df = sum(self._index.df(path[0]) for path in self.paths(token))
            weight = self._idf(df) if df else self.unknown
            if is_number(token):
                weight *= _NUMBER_BOOST
            self._weights[token] = weight
        return weight

    def _idf(self, df: int) -> float:
        n = self._index.n_alive + _PRIOR_DOCS
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _union(paths: list[list[int]], postings: dict[int, tuple[np.ndarray, np.ndarray]]):
    """Documents matching any path, with the summed term frequency of the matching paths."""
    parts_docs = []
    parts_tfs = []
    for path in paths:
        docs, tfs = postings[path[0]]
        for key in path[1:]:  # a phrase of three or more words: every bigram must be there
            other, _ = postings[key]
            mask = np.isin(docs, other)
            docs, tfs = docs[mask], tfs[mask]
        parts_docs.append(docs)
        parts_tfs.append(tfs)
    if len(parts_docs) == 1:
        return parts_docs[0], parts_tfs[0].astype(np.float64)
    docs = np.concatenate(parts_docs)
    tfs = np.concatenate(parts_tfs).astype(np.float64)
    unique, inverse = np.unique(docs, return_inverse=True)
    return unique, np.bincount(inverse, weights=tfs)
