"""Full-text search over the graph: an SQLite FTS5 index of every labelled resource.

Each resource is one row (see :mod:`cybergov.explore.documents`): its label, its other
names (alternative labels, the names vendors give a threat-actor group), its identifiers
(CELEX numbers, ATT&CK identifiers, ISO codes, the last segment of its IRI) and its
descriptions, ranked with BM25 (a label weighs most, then identifiers, names and
descriptions), times the weight of its kind. A query whose whole text is a resource's
name or identifier puts that resource first. The last word is also read as a prefix,
for search as you type. A word the index does not hold is corrected: the terms that
share most of its trigrams (a second FTS5 table over the vocabulary) and lie within one
or two edits of it are searched instead.

The index follows the store: it listens to the store's writes (:meth:`Store.listen`),
notes the graphs they touched, and before the next search reads those graphs again,
re-indexing only the resources whose statements changed. A remote store may be written
by others; its graph version is also checked, at most every ``recheck`` seconds.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cybergov.explore.documents import (
    KIND_NAMES,
    Document,
    alias_names,
    digests,
    documents,
    graph_statements,
    normalise,
    statements,
)
from cybergov.namespaces import PREFIXES
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)

#: BM25 weights of the columns label, names, identifiers, descriptions.
WEIGHTS = (10.0, 5.0, 8.0, 1.0)
MAX_LIMIT = 100
_WORD = re.compile(r"[^\W_]+")
_SCHEMA = """
CREATE TABLE docs (
  id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
  description TEXT NOT NULL, names TEXT NOT NULL, identifiers TEXT NOT NULL, boost REAL NOT NULL
);
CREATE INDEX docs_kind ON docs(kind);
CREATE TABLE names (norm TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX names_norm ON names(norm);
CREATE INDEX names_doc ON names(doc);
CREATE TABLE classes (class TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX classes_class ON classes(class, doc);
CREATE INDEX classes_doc ON classes(doc);
CREATE TABLE sources (graph TEXT NOT NULL, subject TEXT NOT NULL, digest TEXT NOT NULL,
  PRIMARY KEY (graph, subject));
CREATE TABLE aliases (alias TEXT NOT NULL, owner TEXT NOT NULL);
CREATE INDEX aliases_alias ON aliases(alias);
CREATE INDEX aliases_owner ON aliases(owner);
CREATE VIRTUAL TABLE fts USING fts5(
  label, names, identifiers, description,
  tokenize = "unicode61 remove_diacritics 2", prefix = '2 3'
);
CREATE TABLE starts (prefix TEXT NOT NULL, weight REAL NOT NULL, length INTEGER NOT NULL,
  kind TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX starts_rank ON starts(prefix, weight DESC, length, doc);
CREATE INDEX starts_kind ON starts(prefix, kind);
CREATE INDEX starts_doc ON starts(doc);
CREATE TABLE words (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE spelled (term TEXT PRIMARY KEY);
CREATE VIRTUAL TABLE spelling USING fts5(term, tokenize = "trigram");
"""


@dataclass(frozen=True, slots=True)
class Hit:
    """One resource found."""

    iri: str
    kind: str
    label: str
    description: str
    #: Its other names and identifiers that hold a word of the query.
    matched: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits, with the number of hits of each kind."""

    query: str
    hits: tuple[Hit, ...]
    total: int
    facets: dict[str, int]
    kinds: tuple[str, ...] = ()
    within: str | None = None
    limit: int = 20
    offset: int = 0
    #: Words the index does not hold, each with the words searched instead.
    corrections: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "kinds": list(self.kinds),
            "within": self.within,
            "facets": self.facets,
            "corrections": self.corrections,
            "results": [
                {
                    "iri": hit.iri,
                    "kind": hit.kind,
                    "label": hit.label,
                    "description": hit.description,
                    "matched": list(hit.matched),
                    "score": round(hit.score, 4),
                }
                for hit in self.hits
            ],
        }


class SearchIndex:
    """The search index of one store, built in memory and kept up to date with it.

    Args:
        store: the store to index; the index listens to its writes.
        version: the store's graph version, checked for writes made by others (remote
            stores); ``None`` when every write goes through ``store``.
        recheck: seconds between two checks of ``version``.
    """

    def __init__(
        self,
        store: Store,
        *,
        version: Callable[[], str] | None = None,
        recheck: float = 30.0,
    ) -> None:
        self.store = store
        self._version = version
        self._recheck = recheck
        self._checked_at = 0.0
        self._seen_version: str | None = None
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._pending: set[str] | None = set()
        self._pending_lock = threading.Lock()
        self._built = False
        store.listen(self._noted)

    # --- following the store ----------------------------------------------------------------

    def _noted(self, graphs: frozenset[str] | None) -> None:
        with self._pending_lock:
            if graphs is None or self._pending is None:
                self._pending = None
            else:
                self._pending |= graphs

    def close(self) -> None:
        """Stop following the store and free the index. A build under way is not waited
        for (a stopping service would wait seconds for it): its in-memory database is freed
        with the index."""
        self.store.unlisten(self._noted)
        if self._lock.acquire(blocking=False):
            try:
                self._db.close()
            finally:
                self._lock.release()

    def build(self) -> None:
        """Index every resource of the store, from scratch.

        Raises:
            StoreError: the store failed.
        """
        with self._lock:
            started = time.perf_counter()
            with self._pending_lock:
                self._pending = set()
            version = self._version() if self._version is not None else None
            found = list(statements(self.store))
            made, owned = documents(found)
            with self._db:
                for table in (
                    "docs", "names", "classes", "starts", "sources", "aliases", "fts", "words",
                    "spelled", "spelling",
                ):  # fmt: skip
                    self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                self._store_sources(digests(found).items())
                self._write(made, owned)
                self._spell(made.values())
            self._built = True
            self._seen_version, self._checked_at = version, time.monotonic()
            log.info(
                "search index: %d resources from %d statements in %.0f ms",
                len(made),
                len(found),
                (time.perf_counter() - started) * 1000,
            )

    def refresh(self) -> None:
        """Apply the writes noted since the last refresh (build the index if it is not).

        Raises:
            StoreError: the store failed.
        """
        with self._lock:
            if not self._built:
                self.build()
                return
            self._follow_others()
            with self._pending_lock:
                pending, self._pending = self._pending, set()
            if pending is not None and not pending:
                return
            started = time.perf_counter()
            graphs = self._graphs_to_read(pending)
            changed: set[str] = set()
            for graph in sorted(graphs):
                changed |= self._reread_graph(graph)
            if changed:
                self._reindex(changed)
            log.info(
                "search index: %d graphs read again, %d resources indexed again in %.0f ms",
                len(graphs),
                len(changed),
                (time.perf_counter() - started) * 1000,
            )

    def _follow_others(self) -> None:
        if self._version is None or time.monotonic() - self._checked_at < self._recheck:
            return
        version = self._version()
        self._checked_at = time.monotonic()
        if version != self._seen_version:
            self._seen_version = version
            with self._pending_lock:
                self._pending = None

    def _graphs_to_read(self, pending: set[str] | None) -> set[str]:
        if pending is not None:
            return pending
        known = {row[0] for row in self._db.execute("SELECT DISTINCT graph FROM sources")}
        return known | set(self.store.named_graphs())

    def _reread_graph(self, graph: str) -> set[str]:
        """Compare what ``graph`` says now with what was indexed; the resources that differ."""
        now = digests(graph_statements(self.store, graph))
        before = dict(
            self._db.execute("SELECT subject, digest FROM sources WHERE graph = ?", (graph,))
        )
        fresh = {subject: digest for (_, subject), digest in now.items()}
        changed = {s for s in fresh.keys() | before.keys() if fresh.get(s) != before.get(s)}
        with self._db:
            self._db.execute("DELETE FROM sources WHERE graph = ?", (graph,))
            self._store_sources(now.items())
        return changed

    def _reindex(self, changed: set[str]) -> None:
        owners = {
            owner
            for chunk in _chunks(sorted(changed))
            for (owner,) in self._db.execute(
                f"SELECT owner FROM aliases WHERE alias IN ({_marks(chunk)})",  # noqa: S608
                chunk,
            )
        }
        subjects = changed | owners
        found = list(statements(self.store, subjects))
        made, owned = documents(found, alias_names(self.store, subjects))
        with self._db:
            for chunk in _chunks(sorted(subjects)):
                marks = _marks(chunk)
                ids = [row[0] for row in self._db.execute(
                    f"SELECT id FROM docs WHERE iri IN ({marks})", chunk  # noqa: S608
                )]  # fmt: skip
                self._forget(ids)
                self._db.execute(f"DELETE FROM aliases WHERE owner IN ({marks})", chunk)  # noqa: S608
            self._write(made, owned)
            self._spell(made.values())

    def _forget(self, ids: Sequence[int]) -> None:
        for chunk in _chunks(list(ids)):
            marks = _marks(chunk)
            for table, column in (("docs", "id"), ("fts", "rowid")):
                self._db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            for table in ("names", "classes", "starts"):
                self._db.execute(f"DELETE FROM {table} WHERE doc IN ({marks})", chunk)  # noqa: S608

    def _store_sources(self, rows: Iterable[tuple[tuple[str, str], str]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)",
            ((graph, subject, digest) for (graph, subject), digest in rows),
        )

    def _write(self, made: dict[str, Document], owned: dict[str, set[str]]) -> None:
        for document in made.values():
            cursor = self._db.execute(
                "INSERT INTO docs (iri, kind, label, description, names, identifiers, boost) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    document.iri,
                    document.kind,
                    document.label,
                    document.description,
                    json.dumps(document.names, ensure_ascii=False),
                    json.dumps(document.identifiers, ensure_ascii=False),
                    document.boost,
                ),
            )
            row = cursor.lastrowid
            self._db.execute(
                "INSERT INTO fts (rowid, label, names, identifiers, description) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    row,
                    document.label,
                    "\n".join(document.names),
                    "\n".join(document.identifiers),
                    "\n".join(document.descriptions),
                ),
            )
            exact = {normalise(t) for t in (document.label, *document.names, *document.identifiers)}
            self._db.executemany("INSERT INTO names VALUES (?, ?)", ((n, row) for n in exact))
            starts = {name[:size] for name in exact for size in (1, 2, 3) if len(name) >= size}
            self._db.executemany(
                "INSERT INTO starts VALUES (?, ?, ?, ?, ?)",
                (
                    (start, document.boost, len(document.label), document.kind, row)
                    for start in starts
                ),
            )
            self._db.executemany(
                "INSERT INTO classes VALUES (?, ?)", ((c, row) for c in document.classes)
            )
        self._db.executemany(
            "INSERT INTO aliases VALUES (?, ?)",
            ((alias, owner) for owner, aliases in owned.items() for alias in aliases),
        )

    def _spell(self, made: Iterable[Document]) -> None:
        """Note the words of new documents, and add them to the table that corrects
        misspelt words (words of a document withdrawn stay: searched for, they find
        nothing)."""
        every = {
            word
            for document in made
            for text in (document.label, *document.names, *document.identifiers,
                         *document.descriptions)
            for word in _WORD.findall(normalise(text))
        }  # fmt: skip
        self._db.executemany("INSERT OR IGNORE INTO words VALUES (?)", ((w,) for w in every))
        words = {word for word in every if len(word) >= 4 and not word.isdigit()}
        known = set()
        for chunk in _chunks(sorted(words)):
            known |= {
                term
                for (term,) in self._db.execute(
                    f"SELECT term FROM spelled WHERE term IN ({_marks(chunk)})",  # noqa: S608
                    chunk,
                )
            }
        new = [(word,) for word in sorted(words - known)]
        self._db.executemany("INSERT INTO spelled VALUES (?)", new)
        self._db.executemany("INSERT INTO spelling (term) VALUES (?)", new)

    # --- searching --------------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        kinds: Sequence[str] = (),
        within: str | None = None,
        limit: int = 20,
        offset: int = 0,
        as_you_type: bool = True,
    ) -> SearchResults:
        """The resources that match ``text``, best first, and the number found of each kind.

        ``kinds`` keeps the hits of those kinds (the facets still count every kind);
        ``within`` keeps the resources of that class or concept scheme (the class of an
        IRI parameter). With ``as_you_type`` the last word is also taken as a prefix.

        Raises:
            StoreError: the store failed while the index followed it.
        """
        self.refresh()
        limit = max(0, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        words = _WORD.findall(normalise(text))
        if not words:
            return self._browse(text, kinds=kinds, within=within, limit=limit, offset=offset)
        if as_you_type and len(words) == 1 and len(words[0]) < 4 and not text.endswith(" "):
            return self._starting(text, words[0], kinds=kinds, within=within, limit=limit,
                                  offset=offset)  # fmt: skip
        with self._lock:
            named = self._named(text)
            if named is not None:
                facets = {str(named[1]): 1}
                shown = () if (kinds and named[1] not in kinds) or offset else (named,)
                found = tuple(_hit(row, set()) for row in shown)
                return SearchResults(
                    text, found, len(found), facets, tuple(kinds), within, limit, offset
                )
            alternatives, corrections = self._alternatives(words, as_you_type=as_you_type)
            if not alternatives:
                return SearchResults(
                    text, (), 0, {}, tuple(kinds), within, limit, offset, corrections
                )
            match = " AND ".join(f"({' OR '.join(choice)})" for choice in alternatives)
            hits, facets = self._run(
                match, normalise(text), kinds=kinds, within=within, limit=limit, offset=offset
            )
        total = sum(n for kind, n in facets.items() if not kinds or kind in kinds)
        terms = {w for choice in alternatives for w in choice}
        found = tuple(_hit(row, terms) for row in hits)
        return SearchResults(
            text, found, total, facets, tuple(kinds), within, limit, offset, corrections
        )

    def _browse(
        self, text: str, *, kinds: Sequence[str], within: str | None, limit: int, offset: int
    ) -> SearchResults:
        """Without words: the resources of the kinds (or class) asked for, by label."""
        if not kinds and not within:
            return SearchResults(text, (), 0, {}, tuple(kinds), within, limit, offset)
        scope, values = "", []
        if within:
            scope, values = " AND id IN (SELECT doc FROM classes WHERE class = ?)", [within]
        with self._lock:
            facets: dict[str, int] = dict(
                self._db.execute(
                    f"SELECT kind, COUNT(*) FROM docs WHERE 1 = 1{scope} "  # noqa: S608
                    "GROUP BY kind ORDER BY COUNT(*) DESC",
                    values,
                )
            )
            kind_filter = f" AND kind IN ({_marks(kinds)})" if kinds else ""
            rows = self._db.execute(
                "SELECT iri, kind, label, description, names, identifiers, 0.0, 0 "  # noqa: S608
                f"FROM docs WHERE 1 = 1{scope}{kind_filter} ORDER BY label, iri LIMIT ? OFFSET ?",
                [*values, *kinds, limit, offset],
            ).fetchall()
        total = sum(n for kind, n in facets.items() if not kinds or kind in kinds)
        hits = tuple(_hit(row, set()) for row in rows)
        return SearchResults(text, hits, total, facets, tuple(kinds), within, limit, offset)

    def _starting(
        self,
        text: str,
        start: str,
        *,
        kinds: Sequence[str],
        within: str | None,
        limit: int,
        offset: int,
    ) -> SearchResults:
        """The first letters of a name (fewer than four): the resources with a name or an
        identifier that starts with them, the weightiest kinds and shortest names first."""
        scope, values = "", []
        if within:
            scope, values = " AND doc IN (SELECT doc FROM classes WHERE class = ?)", [within]
        with self._lock:
            facets: dict[str, int] = dict(
                self._db.execute(
                    "SELECT kind, COUNT(DISTINCT doc) FROM starts "  # noqa: S608
                    f"WHERE prefix = ?{scope} GROUP BY kind ORDER BY COUNT(DISTINCT doc) DESC",
                    [start, *values],
                )
            )
            kind_filter = f" AND kind IN ({_marks(kinds)})" if kinds else ""
            ids = [
                doc
                for (doc,) in self._db.execute(
                    "SELECT doc FROM starts "  # noqa: S608
                    f"WHERE prefix = ?{scope}{kind_filter} "
                    "ORDER BY weight DESC, length, doc LIMIT ? OFFSET ?",
                    [start, *values, *kinds, (offset + limit) * 3, 0],
                )
            ]
            page = list(dict.fromkeys(ids))[offset : offset + limit]
            found = {
                row[0]: row[1:]
                for row in self._db.execute(
                    "SELECT id, iri, kind, label, description, names, identifiers, -boost, 0 "  # noqa: S608
                    f"FROM docs WHERE id IN ({_marks(page)})",
                    page,
                )
            }
        rows = [found[doc] for doc in page if doc in found]
        total = sum(n for kind, n in facets.items() if not kinds or kind in kinds)
        hits = tuple(_hit(row, {f'"{start}"*'}) for row in rows)
        return SearchResults(text, hits, total, facets, tuple(kinds), within, limit, offset)

    def _named(self, text: str) -> tuple[object, ...] | None:
        """The resource ``text`` names, when it is an IRI or a prefixed name of one."""
        stripped = text.strip().strip("<>")
        prefix, colon, rest = stripped.partition(":")
        if not colon or " " in stripped:
            return None
        iri = PREFIXES[prefix] + rest if prefix in PREFIXES else stripped
        row = self._db.execute(
            "SELECT iri, kind, label, description, names, identifiers, 0.0, 1 FROM docs "
            "WHERE iri = ?",
            (iri,),
        ).fetchone()
        return tuple(row) if row is not None else None

    def _alternatives(
        self, words: list[str], *, as_you_type: bool
    ) -> tuple[list[list[str]], dict[str, list[str]]]:
        """For each word, what to match instead: itself, as a prefix, or its corrections."""
        choices: list[list[str]] = []
        corrections: dict[str, list[str]] = {}
        for position, word in enumerate(words):
            last = position == len(words) - 1
            known = self._known(word)
            if as_you_type and last and self._has_prefix(word):
                # A word cut short is looked for in names and identifiers (descriptions
                # would match too much); as a whole word, everywhere.
                choices.append([f'"{word}"', f'{{label names identifiers}} : "{word}"*'])
            elif known:
                choices.append([f'"{word}"'])
            else:
                near = self._nearest(word)
                corrections[word] = near
                if near:
                    choices.append([f'"{term}"' for term in near])
        return choices, corrections

    def _known(self, word: str) -> bool:
        found = self._db.execute("SELECT 1 FROM words WHERE term = ?", (word,)).fetchone()
        return found is not None

    def _has_prefix(self, word: str) -> bool:
        found = self._db.execute(
            "SELECT 1 FROM words WHERE term >= ? AND term < ? LIMIT 1", (word, word + "\uffff")
        ).fetchone()
        return found is not None

    def _nearest(self, word: str) -> list[str]:
        """The index's words within one edit (two for words of seven letters or more)."""
        if len(word) < 4 or word.isdigit():
            return []
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        match = " OR ".join(f'"{gram}"' for gram in sorted(grams))
        candidates = [
            term
            for (term,) in self._db.execute(
                "SELECT term FROM spelling WHERE spelling MATCH ? ORDER BY rank LIMIT 60",
                (match,),
            )
        ]
        allowed = 1 if len(word) < 7 else 2
        scored = sorted(
            (distance, term)
            for term in candidates
            if (distance := edit_distance(word, term, allowed)) <= allowed
        )
        return [term for _, term in scored[:3]]

    def _run(
        self,
        match: str,
        whole: str,
        *,
        kinds: Sequence[str],
        within: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[object, ...]], dict[str, int]]:
        scope = ""
        scope_values: list[object] = []
        if within:
            scope = " AND d.id IN (SELECT doc FROM classes WHERE class = ?)"
            scope_values.append(within)
        facets: dict[str, int] = dict(
            self._db.execute(
                "SELECT d.kind, COUNT(*) FROM fts JOIN docs d ON d.id = fts.rowid "  # noqa: S608
                f"WHERE fts MATCH ?{scope} GROUP BY d.kind ORDER BY COUNT(*) DESC",
                (match, *scope_values),
            )
        )
        kind_filter = ""
        kind_values: list[object] = []
        if kinds:
            kind_filter = f" AND d.kind IN ({_marks(kinds)})"
            kind_values = list(kinds)
        weights = ", ".join(str(w) for w in WEIGHTS)
        # The resources the whole text names go first; found apart, so that the ranking
        # query computes nothing but BM25 for each match.
        exact = {
            doc for (doc,) in self._db.execute("SELECT doc FROM names WHERE norm = ?", (whole,))
        }
        window = offset + limit + len(exact)
        ranked = self._db.execute(
            "SELECT d.id, d.iri, d.kind, d.label, d.description, d.names, d.identifiers, "  # noqa: S608
            f"bm25(fts, {weights}) * d.boost AS score "
            "FROM fts JOIN docs d ON d.id = fts.rowid "
            f"WHERE fts MATCH ?{scope}{kind_filter} "
            "ORDER BY score, d.label LIMIT ?",
            (match, *scope_values, *kind_values, window),
        ).fetchall()
        ordered = sorted(ranked, key=lambda row: row[0] not in exact)  # stable: score kept
        rows = [(*row[1:], row[0] in exact) for row in ordered[offset : offset + limit]]
        return rows, facets

    def size(self) -> int:
        """How many resources the index holds."""
        self.refresh()
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])


def edit_distance(a: str, b: str, bound: int) -> int:
    """The Damerau-Levenshtein distance of ``a`` and ``b`` (transpositions count one), or
    ``bound + 1`` as soon as it is known to be larger than ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]


def _hit(row: tuple[object, ...], terms: set[str]) -> Hit:
    iri, kind, label, description, names, identifiers, score, _ = row
    words = {t.rpartition(":")[2].strip(' "*') for t in terms}
    prefixes = {t.rpartition(":")[2].strip(' "*') for t in terms if t.endswith("*")}
    matched = []
    for name in [*json.loads(str(names)), *json.loads(str(identifiers))]:
        tokens = _WORD.findall(normalise(name))
        if any(t in words or any(t.startswith(p) for p in prefixes) for t in tokens):
            matched.append(name)
    return Hit(
        iri=str(iri),
        kind=str(kind),
        label=str(label),
        description=str(description),
        matched=tuple(matched[:5]),
        score=float(score),  # type: ignore[arg-type]
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list[str] | list[int], size: int = 500) -> Iterable[list[object]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def index_for(store: Store, version: Callable[[], str]) -> SearchIndex:
    """The search index of ``store``: following only its own writes when it is embedded
    (nobody else writes to it), and its graph version too when it is remote."""
    return SearchIndex(store, version=None if isinstance(store, EmbeddedStore) else version)


__all__ = ["KIND_NAMES", "Hit", "SearchIndex", "SearchResults", "edit_distance", "index_for"]
