"""A vectorised inverted index that grows and shrinks without full rebuilds.

Postings live in three parallel numpy arrays sorted by term key (the "base") plus an
append-only "delta" that new documents go to, their words counted into postings in batches.
Removed documents are tombstoned; their postings are dropped when the delta is merged into the
base. A merge is a stable sort of sorted runs (linear), and happens only when the delta has grown
to a fraction of the base, so its cost is amortised over many additions. Lookups are binary
searches, never a scan over all documents.

Term keys: a unigram with id `a` is `a << 32 | UNIGRAM`, a bigram `a b` is `a << 32 | b`.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)

UNIGRAM = (1 << 32) - 1
NO_GUILD = -1  # guild value of global documents
_MERGE_MIN = 200_000  # delta postings before add() merges
_QUERY_DELTA_MAX = 20_000  # a query merges first when the delta is larger than this
_TF_MAX = 255
_PENDING_MAX = 50_000  # words of added documents counted into postings at once


def unigram_key(term_id: int) -> int:
    return (term_id << 32) | UNIGRAM


def bigram_key(first: int, second: int) -> int:
    return (first << 32) | second


class InvertedIndex:
    def __init__(self) -> None:
        self.term_ids: dict[str, int] = _Vocabulary()
        self._keys = np.empty(0, np.int64)
        self._docs = np.empty(0, np.int32)
        self._tfs = np.empty(0, np.uint8)
        # where each word's postings start and end; Python arrays: a query reads a few entries
        self._unigram_start = array("q", [0])  # of term id 0 too before the first merge: empty
        self._unigram_end = array("q", [0])
        self._delta_keys = array("q")
        self._delta_docs = array("i")
        self._delta_tfs = array("B")
        # term ids of the documents added since the last _flush(), and how many each has
        self._pending_terms = array("i")
        self._pending_lengths = array("i")
        self._alive = np.zeros(1024, bool)
        self._lengths = np.zeros(1024, np.float32)
        self.guilds = np.zeros(1024, np.int64)
        self.n_docs = 0  # documents ever added; doc ids are never reused
        self.n_alive = 0
        self._total_length = 0.0
        self._dead_in_base = 0
        self.merges = 0
        # live documents per unigram term id, kept up to date by add() and remove()
        self._unigram_df = array("i")  # a Python array: add() updates a few entries at a time
        self._df_exact = True  # False once a document was removed without its content

    # -- building -------------------------------------------------------------------------------

    def term_id(self, term: str) -> int | None:
        return self.term_ids.get(term)

    def add(self, content: list[str], guild: int | None) -> int:
        """Index one document given its content tokens in order; returns its doc id."""
        doc = self.n_docs
        if doc >= len(self._alive):
            self._grow()
        self.n_docs += 1
        ids = [self.term_ids[term] for term in content]  # a new term gets the next id
        unigram_df = self._unigram_df
        if len(self.term_ids) > len(unigram_df):
            unigram_df.frombytes(bytes(unigram_df.itemsize * (len(self.term_ids) - len(unigram_df))))
        for term_id in set(ids):
            unigram_df[term_id] += 1
        # Postings are counted in batches (numpy), not per document: see _flush().
        self._pending_terms.extend(ids)
        self._pending_lengths.append(len(ids))
        length = max(len(ids), 1)
        self._alive[doc] = True
        self._lengths[doc] = length
        self.guilds[doc] = NO_GUILD if guild is None else guild
        self.n_alive += 1
        self._total_length += length
        if len(self._pending_terms) >= _PENDING_MAX:
            self._flush()
            if len(self._delta_keys) > max(_MERGE_MIN, len(self._keys) // 4):
                self.merge()
        return doc

    def remove(self, doc: int, content: list[str] | None = None) -> None:
        """Tombstone a document; `content` (the tokens it was added with) keeps the unigram
        document frequencies exact without storing every document's terms."""
        if 0 <= doc < self.n_docs and self._alive[doc]:
            self._alive[doc] = False
            self.n_alive -= 1
            self._total_length -= float(self._lengths[doc])
            self._dead_in_base += 1
            if content is None:
                self._df_exact = False
            else:
                for term in set(content):
                    self._unigram_df[self.term_ids[term]] -= 1

    def _grow(self) -> None:
        size = len(self._alive) * 2
        for name in ("_alive", "_lengths", "guilds"):
            old = getattr(self, name)
            new = np.zeros(size, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _flush(self) -> None:
        """Count the words and word pairs of the pending documents into delta postings, sorted by
        (key, doc) as merges and lookups expect."""
        if not self._pending_lengths:
            return
        ids = np.frombuffer(self._pending_terms, np.int32).astype(np.int64)
        lengths = np.frombuffer(self._pending_lengths, np.int32)
        first = self.n_docs - len(lengths)  # pending documents are the last ones added
        doc_of = np.repeat(np.arange(first, self.n_docs, dtype=np.int32), lengths)
        pair = doc_of[1:] == doc_of[:-1]  # adjacent words of one document
        keys = np.concatenate([(ids << 32) | UNIGRAM, (ids[:-1][pair] << 32) | ids[1:][pair]])
        docs = np.concatenate([doc_of, doc_of[:-1][pair]])
        self._pending_terms = array("i")
        self._pending_lengths = array("i")
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        starts = np.flatnonzero(np.concatenate(([True], (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1]))))
        tfs = np.minimum(np.diff(np.append(starts, len(keys))), _TF_MAX).astype(np.uint8)
        self._delta_keys.frombytes(keys[starts].tobytes())
        self._delta_docs.frombytes(docs[starts].tobytes())
        self._delta_tfs.frombytes(tfs.tobytes())

    def merge(self) -> None:
        """Fold the delta into the sorted base and drop postings of removed documents."""
        self._flush()
        delta_keys = np.frombuffer(self._delta_keys, np.int64) if self._delta_keys else np.empty(0, np.int64)
        keys = np.concatenate([self._keys, delta_keys])
        docs = np.concatenate([self._docs, np.frombuffer(self._delta_docs, np.int32)])
        tfs = np.concatenate([self._tfs, np.frombuffer(self._delta_tfs, np.uint8)])
        del delta_keys  # release the buffer views before the arrays are resized
        self._delta_keys = array("q")
        self._delta_docs = array("i")
        self._delta_tfs = array("B")
        keep = self._alive[docs]
        if not keep.all():
            keys, docs, tfs = keys[keep], docs[keep], tfs[keep]
        # Two sorted runs: a stable sort (timsort) merges them in linear time.
        order = np.argsort(keys, kind="stable")
        self._keys, self._docs, self._tfs = keys[order], docs[order], tfs[order]
        # where each word's postings start and end: a query's words are looked up without a search
        words = unigram_key(np.arange(max(len(self.term_ids), 1), dtype=np.int64))
        self._unigram_start = array("q", np.searchsorted(self._keys, words, "left").tobytes())
        self._unigram_end = array("q", np.searchsorted(self._keys, words, "right").tobytes())
        self._dead_in_base = 0
        self.merges += 1
        log.debug("index merged: %d postings, %d live documents", len(self._keys), self.n_alive)

    # -- querying -------------------------------------------------------------------------------

    def prepare_query(self) -> None:
        self._flush()
        if len(self._delta_keys) > _QUERY_DELTA_MAX or self._dead_in_base > max(1000, self.n_alive // 2):
            self.merge()

    def postings(self, keys: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each key, the doc ids and term frequencies of its postings (removed docs included)."""
        self._flush()
        starts, ends = self._unigram_start, self._unigram_end
        ranges = []
        searched = []  # word pairs, and words new since the last merge, are searched for
        for i, key in enumerate(keys):
            term_id = key >> 32
            if key & UNIGRAM == UNIGRAM and term_id < len(starts):
                ranges.append((starts[term_id], ends[term_id]))
            else:
                ranges.append((0, 0))
                searched.append(i)
        if searched:
            query = np.array([keys[i] for i in searched], np.int64)
            lo = np.searchsorted(self._keys, query, "left").tolist()
            hi = np.searchsorted(self._keys, query, "right").tolist()
            for i, a, b in zip(searched, lo, hi, strict=True):
                ranges[i] = (a, b)
        result = [(self._docs[a:b], self._tfs[a:b]) for a, b in ranges]
        if self._delta_keys:
            query = np.array(keys, np.int64)
            delta_keys = np.frombuffer(self._delta_keys, np.int64)
            hits = np.flatnonzero(np.isin(delta_keys, query))
            if len(hits):
                delta_docs = np.frombuffer(self._delta_docs, np.int32)[hits]
                delta_tfs = np.frombuffer(self._delta_tfs, np.uint8)[hits]
                hit_keys = delta_keys[hits]
                for i, key in enumerate(query.tolist()):
                    mine = hit_keys == key
                    if mine.any():
                        docs, tfs = result[i]
                        docs = np.concatenate([docs, delta_docs[mine]])
                        result[i] = (docs, np.concatenate([tfs, delta_tfs[mine]]))
            del delta_keys
        return result

    @property
    def has_removed(self) -> bool:
        """Do removed documents still have postings (until the next merge)?"""
        return self._dead_in_base > 0

    def unigram_df(self, term_id: int) -> int:
        """Number of live documents with the unigram `term_id` (without touching the postings)."""
        if not self._df_exact:
            return self.df(unigram_key(term_id))
        return int(self._unigram_df[term_id]) if term_id < len(self._unigram_df) else 0

    def unigram_dfs(self, term_ids: np.ndarray) -> np.ndarray:
        """unigram_df of many term ids at once (ids past the table count 0)."""
        if not self._df_exact:
            return np.array([self.unigram_df(int(i)) for i in term_ids], np.int64)
        table = np.frombuffer(self._unigram_df, np.int32) if self._unigram_df else np.zeros(1, np.int32)
        known = term_ids < len(self._unigram_df)
        return np.where(known, table[np.where(known, term_ids, 0)], 0)

    def df(self, key: int) -> int:
        """Number of live documents with the term (removed ones are skipped, so answers do not
        depend on whether a merge has happened yet)."""
        (docs, _), = self.postings([key])
        return int(np.count_nonzero(self._alive[docs])) if self.has_removed else len(docs)

    def idf(self, df: float) -> float:
        n = max(self.n_alive, 1)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    @property
    def average_length(self) -> float:
        return self._total_length / self.n_alive if self.n_alive else 1.0

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        return self._lengths[docs]

    def alive(self, docs: np.ndarray) -> np.ndarray:
        return self._alive[docs]

    def memory_postings(self) -> int:
        self._flush()
        return len(self._keys) + len(self._delta_keys)


class _Vocabulary(dict):
    """Term -> id; looking up a new term gives it the next id."""

    def __missing__(self, term: str) -> int:
        term_id = self[term] = len(self)
        return term_id
