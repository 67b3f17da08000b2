"""The query runner: every query from outside goes through it.

It screens the text (:mod:`cybergov.sparql.guard`), refuses dataset IRIs
that are not graphs of the store, and runs the query under a deadline with a
cap on rows:

- on an embedded store, in worker processes that hold a replica of it and are
  killed at the deadline (:mod:`cybergov.execution.pool`): pyoxigraph cannot
  stop a query from Python, and a query keeps running after its caller gave up;
- on a remote store, with the deadline as the HTTP timeout (the server should
  also stop abandoned queries itself: ``oxigraph serve --timeout-s``).

A timeout is always :class:`~cybergov.errors.QueryTimeout`, never an empty
answer; a cut answer says so (``Solutions.truncated``, ``Triples.truncated``).

The runner is safe to share between threads (the HTTP service calls it from
many requests at once). Start it before use and close it after, or use it as
a context manager::

    with QueryRunner(store, settings=settings) as runner:
        answer = runner.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import TypedDict, Unpack

from cybergov.errors import StoreError, UnsupportedFormat
from cybergov.execution.admission import SPARQL, Admission, Fairness
from cybergov.execution.cache import AnswerCache
from cybergov.execution.pool import WorkerPool
from cybergov.execution.replica import OUTPUTS
from cybergov.execution.results import flag_truncation, serialise_results
from cybergov.execution.wire import Request, Serialised
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Question
from cybergov.sparql.guard import QueryLimits, ScreenedQuery, refuse_unknown_graphs, screen
from cybergov.sparql.lexer import bind_values, with_base
from cybergov.store.base import (
    Bindings,
    QueryAnswer,
    Solutions,
    Store,
    Triples,
    expect_solutions,
    expect_triples,
)
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.remote import RemoteStore

log = logging.getLogger(__name__)


class QueryOptions(TypedDict, total=False):
    """How a query from outside is run; each option may be left out.

    ``timeout`` and ``max_rows`` default to the settings' and can only be lowered: a
    caller may ask for less than the service allows, not more. ``substitutions`` bind
    variables to RDF terms through a ``VALUES`` block placed first in the query's WHERE
    group (the same on every store, and much faster on pyoxigraph than its own
    substitutions, which filter late); the query is screened before the block is added,
    and the block's terms are written by pyoxigraph, so they cannot change the query's
    structure. ``default_graphs`` and ``named_graphs`` give the dataset beside the query,
    as the SPARQL protocol does; given, they replace the query's ``FROM`` and ``FROM
    NAMED`` (what is not given is empty), and they too may only name graphs of the store.
    ``lane`` is ``"sparql"`` for ad-hoc SPARQL, which runs within its share of the
    workers and the budget of its ``client`` (:mod:`cybergov.execution.admission`).
    ``whole`` is for the service's own reading of every row (an export: the STIX bundle,
    the research tables), never for a query from outside: its answer is cut neither at
    the row cap nor at the answer size cap (``max_rows`` is then ignored); the deadline
    still holds.
    """

    substitutions: Bindings | None
    timeout: float | None
    max_rows: int | None
    default_graphs: Sequence[str] | None
    named_graphs: Sequence[str] | None
    lane: str
    client: str | None
    whole: bool


def fairness_of(settings: Settings) -> Fairness:
    """The limits of fair use of the workers, from the settings."""
    workers = settings.query_workers
    return Fairness(
        sparql_workers=settings.sparql_workers or max(1, workers - 1),
        client_queries=settings.client_queries,
        client_query_seconds=settings.client_query_seconds,
        queue_timeout=settings.queue_timeout,
    )


class QueryRunner:
    """Runs queries from outside: screened, under a deadline, with a row cap.

    Args:
        store: the store to query (embedded or remote).
        settings: where the limits, the deadline and the number of query workers come from.
    """

    def __init__(self, store: Store, *, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.limits = QueryLimits.from_settings(self.settings)
        #: What relative IRIs in a query resolve against: the service's public base.
        self.base_iri = f"{self.settings.base_url()}/"
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        cache_bytes = self.settings.answer_cache_bytes
        #: Answers kept for identical queries (embedded store only); ``None`` when off.
        self.answers = AnswerCache(cache_bytes) if cache_bytes else None
        self.admission = Admission(fairness_of(self.settings))
        self._started = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> QueryRunner:
        """Start the worker processes (embedded store); nothing to do for a remote one.

        Raises:
            StoreError: the workers could not be started.
        """
        with self._lock:
            if self._started:
                return self
            if isinstance(self.store, EmbeddedStore):
                pool = WorkerPool(
                    self.store,
                    size=self.settings.query_workers,
                    memory=self.settings.query_memory_bytes,
                )
                try:
                    pool.start()
                except BaseException:
                    pool.close()
                    raise
                self._pool = pool
            elif not isinstance(self.store, RemoteStore):
                raise StoreError(f"no way to run guarded queries on {type(self.store).__name__}")
            self._started = True
        return self

    def interrupt(self) -> None:
        """Stop the queries in flight at once and refuse new ones (the service is stopping);
        :meth:`close` still follows. Safe to call from a signal handler."""
        pool = self._pool
        if pool is not None:
            pool.interrupt()

    def close(self) -> None:
        """Stop the worker processes. The runner cannot be used afterwards."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            self._started = False

    def __enter__(self) -> QueryRunner:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def network_isolated(self) -> bool:
        """Whether the workers run without any network (where the system allows it)."""
        return self._pool is not None and self._pool.isolated

    def refresh(self) -> None:
        """Bring the workers' replica up to date now (after writes the store did not count).

        Raises:
            StoreError: the replica could not be refreshed.
        """
        if isinstance(self.store, EmbeddedStore):
            self.store.mark_changed()
        if self._pool is not None:
            self._pool.refresh()

    # --- queries ----------------------------------------------------------------------------

    def screen(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> ScreenedQuery:
        """Screen a query without running it; ``default_graphs`` and ``named_graphs`` are a
        dataset given beside the query (the protocol's ``default-graph-uri`` and
        ``named-graph-uri``), held to the same rule as its ``FROM`` clauses.

        Raises:
            QueryRefused: the query is refused (see :func:`~cybergov.sparql.guard.screen`),
                or its dataset names a graph the store does not hold.
        """
        screened = screen(sparql, self.limits)
        given = ScreenedQuery(
            screened.form,
            (*screened.default_graphs, *(default_graphs or ())),
            (*screened.named_graphs, *(named_graphs or ())),
            screened.depth,
            screened.chain,
        )
        if given.default_graphs or given.named_graphs:
            refuse_unknown_graphs(given, self.store.named_graphs())
        return screened

    def query(self, sparql: str, **options: Unpack[QueryOptions]) -> QueryAnswer:
        """Screen and answer a query, under a deadline and a cap on rows (see
        :class:`QueryOptions`). Code that knows the form of its query calls :meth:`select`
        or :meth:`construct`, which say what they return.

        Raises:
            QueryRefused: the query was refused before it reached the engine.
            QueryParameterError: a substitution cannot be written in VALUES (a blank node).
            QuerySyntaxError: the engine could not parse the query (or it has no
                WHERE group to bind substitutions in).
            QueryTimeout: the query ran past its deadline and was stopped.
            StoreUnavailable: the remote store cannot be reached.
            StoreError: the engine failed or the runner is not started.
        """
        answer = self._run(sparql, None, options)
        if isinstance(answer, Serialised):  # only asked for with an output format
            raise StoreError("the query workers wrote an answer that was not asked for")
        return answer

    def select(self, sparql: str, **options: Unpack[QueryOptions]) -> Solutions:
        """The rows of a SELECT query, as :meth:`query` answers it.

        Raises:
            QueryError: the query is not a SELECT query; and what :meth:`query` raises.
        """
        return expect_solutions(self.query(sparql, **options))

    def construct(self, sparql: str, **options: Unpack[QueryOptions]) -> Triples:
        """The triples of a CONSTRUCT or DESCRIBE query, as :meth:`query` answers it.

        Raises:
            QueryError: the query is a SELECT or an ASK query; and what :meth:`query` raises.
        """
        return expect_triples(self.query(sparql, **options))

    def answer(
        self,
        question: Question,
        values: Mapping[str, object] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        timeout: float | None = None,
    ) -> Solutions:
        """Answer a question of the catalogue: check and bind its parameters, then run it.

        Raises:
            QueryParameterError: a parameter is unknown, missing or of the wrong type.
            QueryTimeout: the question ran past its deadline.
            StoreError: the store failed.
        """
        bound = question.bind(values or {})
        return self.select(
            question.text(limit=limit, offset=offset), substitutions=bound, timeout=timeout
        )

    def query_results(
        self, sparql: str, output: str, **options: Unpack[QueryOptions]
    ) -> Serialised:
        """As :meth:`query`, for a SELECT or ASK query whose answer is wanted in a results
        format (``json``, ``xml``, ``csv``, ``tsv``), as the engine writes it.

        On the embedded store the worker writes it, so that no term of a large answer
        is ever made in this process, and the answer is kept for the same query until the
        store is next written to (see :mod:`cybergov.execution.cache`). A JSON answer of
        rows carries the ``truncated`` member, as
        :func:`cybergov.execution.results.serialise_results` writes it.

        Raises:
            UnsupportedFormat: ``output`` is not a results format, or the query is a
                CONSTRUCT or DESCRIBE query (whose answer is a graph: see :meth:`construct`).
            and what :meth:`query` raises.
        """
        if output not in OUTPUTS:
            raise UnsupportedFormat(f"unknown results format {output!r}; use {', '.join(OUTPUTS)}")
        form = screen(sparql, self.limits).form
        if form not in ("SELECT", "ASK"):
            raise UnsupportedFormat(
                f"a {form} query answers with a graph, which no results format ({output}) "
                "holds; ask for an RDF format"
            )
        key = self._cache_key(sparql, output, options)
        if key is not None and self.answers is not None:
            kept = self.answers.get(key)
            if isinstance(kept, Serialised):
                return kept
        answer = self._run(sparql, output, options)
        if isinstance(answer, Serialised):
            if output == "json" and not answer.boolean:
                answer = replace(answer, body=flag_truncation(answer.body, answer.truncated))
            if key is not None and self.answers is not None:
                self.answers.put(key, answer)
            return answer
        if isinstance(answer, Triples):
            raise StoreError(f"the store answered a {form} query with triples")
        truncated = isinstance(answer, Solutions) and answer.truncated
        body = serialise_results(answer, output)
        return Serialised(body, output, truncated, isinstance(answer, bool))

    def _cache_key(self, sparql: str, output: str, options: QueryOptions) -> Hashable | None:
        """What identifies an answer of the embedded store, its generation first; ``None``
        where answers are not kept.

        The generation is read before the query runs, and the workers' replica is
        brought up to the store's generation after that: an answer is never kept under
        a generation newer than the data it was computed on.
        """
        substitutions = options.get("substitutions") or {}
        bound = tuple(sorted((name, str(term)) for name, term in substitutions.items()))
        rows = (
            None
            if options.get("whole")
            else min(options.get("max_rows") or self.settings.max_rows, self.settings.max_rows)
        )
        default_graphs, named_graphs = options.get("default_graphs"), options.get("named_graphs")
        return self.answer_key(
            "results",
            sparql,
            output,
            bound,
            rows,
            None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs),
        )

    def answer_key(self, *parts: Hashable) -> Hashable | None:
        """The key of an answer made of ``parts`` in :attr:`answers`, valid until the store
        is next written to; ``None`` where answers are not kept (the cache is off, or the
        store is remote). Read it before the answer is computed (see :meth:`_cache_key`)."""
        if self.answers is None or not isinstance(self.store, EmbeddedStore):
            return None
        return (self.store.generation, *parts)

    def _run(
        self, sparql: str, output: str | None, options: QueryOptions
    ) -> QueryAnswer | Serialised:
        """Run a query as :meth:`query` says; a SELECT or ASK answer written in ``output``
        by the query workers, when it is given and the store is embedded."""
        default_graphs, named_graphs = options.get("default_graphs"), options.get("named_graphs")
        timeout, max_rows = options.get("timeout"), options.get("max_rows")
        if not self._started:
            raise StoreError("the query runner is not started (call start() or use 'with')")
        screened = self.screen(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
        seconds = min(timeout or self.settings.query_timeout, self.settings.query_timeout)
        whole = options.get("whole", False)
        rows = None if whole else min(max_rows or self.settings.max_rows, self.settings.max_rows)
        text = bind_values(sparql, options.get("substitutions") or {})
        with self.admission.enter(options.get("lane", ""), options.get("client")):
            return self._dispatch(
                text, screened, options, seconds=seconds, rows=rows, output=output
            )

    def _dispatch(
        self,
        text: str,
        screened: ScreenedQuery,
        options: QueryOptions,
        *,
        seconds: float,
        rows: int | None,
        output: str | None,
    ) -> QueryAnswer | Serialised:
        default_graphs, named_graphs = options.get("default_graphs"), options.get("named_graphs")
        given = default_graphs is not None or named_graphs is not None
        has_dataset = given or bool(screened.default_graphs or screened.named_graphs)
        if self._pool is not None:
            request = Request(
                sparql=text,
                max_rows=rows,
                default_graphs=tuple(default_graphs or ()) if given else None,
                named_graphs=tuple(named_graphs or ()) if given else None,
                union=not has_dataset,
                seconds=seconds,
                base_iri=self.base_iri,
                output=output,
                max_bytes=None if options.get("whole") else self.settings.max_answer_bytes,
                nice=self.settings.sparql_nice if options.get("lane") == SPARQL else 0,
            )
            return self._pool.run(request)
        assert isinstance(self.store, RemoteStore)
        # A server resolves relative IRIs against its own address: they get the service's.
        text = with_base(text, self.base_iri)
        # A server whose default graph is the union ignores FROM in the text (as pyoxigraph
        # does): the dataset is sent again as protocol parameters, which it does follow.
        if not given:
            default_graphs, named_graphs = screened.default_graphs, screened.named_graphs
        return self.store.query(
            text,
            max_rows=rows,
            timeout=seconds,
            default_graphs=tuple(default_graphs or ()) if has_dataset else None,
            named_graphs=tuple(named_graphs or ()) if has_dataset else None,
        )
