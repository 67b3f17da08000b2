"""A remote store: any server that speaks the SPARQL 1.1 Protocol and Graph Store Protocol.

Queries go through SPARQLWrapper (this is the only module that imports it);
their results are parsed by pyoxigraph into the same answers the embedded
store gives, with pyoxigraph terms. Updates use the SPARQL 1.1 Update
protocol; whole graphs are written, read and dropped with the Graph Store
Protocol (``PUT``, ``GET``, ``DELETE`` on ``?graph=IRI``), or with SPARQL
Update when the server has no Graph Store endpoint.

Queries expect the server's default graph to be the union of its named
graphs, as cybergov writes everything into named graphs: start Oxigraph with
``oxigraph serve --union-default-graph`` (Fuseki: ``tdb2:unionDefaultGraph
true``). The store checks this on its first query and refuses to answer
otherwise (:class:`~cybergov.errors.StoreError`), rather than answer wrongly.

A server cannot bind variables for us, so substitutions are sent as a
``VALUES`` block of terms serialised by pyoxigraph (:func:`cybergov.sparql.lexer.bind_values`).
"""

from __future__ import annotations

import logging
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http.client import HTTPResponse
from typing import BinaryIO

from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from cybergov.errors import (
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)
from cybergov.namespaces import GRAPH
from cybergov.rdf_formats import syntax_error
from cybergov.sparql.lexer import bind_values, query_form, term_text
from cybergov.store.base import (
    QueryAnswer,
    Solutions,
    Store,
    Term,
    collect_solutions,
    collect_triples,
    expect_solutions,
    expect_triples,
)
from cybergov.store.endpoints import (
    Credentials,
    DeadlineReader,
    Endpoints,
    GraphStore,
    error_text,
    http_error,
    opener,
)

log = logging.getLogger(__name__)

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: Where a graph's new content is written before it replaces the old in one update.
STAGING_GRAPH_PREFIX = f"{GRAPH}staging/"
#: Triples per request when a graph is written with SPARQL Update (no Graph Store endpoint).
_INSERT_BATCH = 5_000
#: Virtuoso's answer header when it stopped a query at its own time limit and sent what it had.
_PARTIAL_ANSWER_STATE = "X-SQL-State"
#: Virtuoso's errors for a query stopped at its time limit (MaxQueryExecutionTime).
_VIRTUOSO_TIMEOUT = re.compile(r"\bS1T00\b|\bSR171\b")
_UNION_HELP = (
    "cybergov keeps everything in named graphs and expects the server's default graph to be "
    "their union: start Oxigraph with 'oxigraph serve --union-default-graph' "
    "(Fuseki: tdb2:unionDefaultGraph true)"
)


class RemoteStore(Store):
    """A store on a SPARQL 1.1 server.

    Args:
        endpoints: where the server answers queries, updates and graph requests.
        timeout: seconds a query may take (unless the call says otherwise).
        transfer_timeout: seconds an update or a graph transfer may take.
        credentials: the account every request is made as (Basic or Digest),
            when the server's endpoints ask for one.
    """

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = 30.0,
        transfer_timeout: float = 600.0,
        credentials: Credentials | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.transfer_timeout = transfer_timeout
        self._open: Callable[[], urllib.request.OpenerDirector] = lambda: opener(
            endpoints, credentials
        )
        self._graph_store = (
            GraphStore(endpoints.graph_store, timeout=transfer_timeout, open=self._open)
            if endpoints.graph_store
            else None
        )
        self._union_checked = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoints.query!r})"

    # --- queries ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        max_rows: int | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> QueryAnswer:
        """Answer a query on the server (see :meth:`Store.query`).

        Raises:
            QuerySyntaxError: the query does not parse here or on the server.
            QueryTimeout: the server did not answer within ``timeout`` seconds.
            StoreUnavailable: the server cannot be reached.
            StoreError: the server failed, or its default graph is not the
                union of its named graphs.
        """
        seconds = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + seconds
        if not self._union_checked:
            self._check_union(seconds)
        form = query_form(sparql)
        if form is None:
            raise QuerySyntaxError(
                "the text is not a SPARQL query (SELECT, CONSTRUCT, DESCRIBE, ASK)"
            )
        text = bind_values(sparql, substitutions or {})
        response = self._send_query(text, form, seconds, default_graphs, named_graphs)
        try:
            return self._read_answer(response, form, max_rows, deadline)
        finally:
            response.close()

    def _send_query(
        self,
        text: str,
        form: str,
        seconds: float,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> HTTPResponse:
        wrapper = _Wrapper(self.endpoints.query, self._open)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(text)
        wrapper.queryType = form
        wrapper.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        wrapper.addCustomHttpHeader(
            "Accept", _RESULTS_ACCEPT if form in ("SELECT", "ASK") else _GRAPH_ACCEPT
        )
        wrapper.setTimeout(seconds)  # type: ignore[arg-type]  # a float is what urllib takes
        for graph in default_graphs or ():
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph)
        try:
            response: HTTPResponse = wrapper.query().response
        except SPARQLWrapperException as error:
            raise self._translate(error) from error
        except urllib.error.HTTPError as error:
            raise self._query_error(error) from error
        except TimeoutError as error:
            raise QueryTimeout(
                f"the server did not answer within the query's deadline of {seconds:g} s"
            ) from error
        except (urllib.error.URLError, OSError) as error:
            raise StoreUnavailable(
                f"cannot reach the SPARQL endpoint {self.endpoints.query}: {error}"
            ) from error
        return response

    def _query_error(self, error: urllib.error.HTTPError) -> Exception:
        detail = error_text(error)
        if error.code == 400:
            return QuerySyntaxError(f"the server refused the query as malformed: {detail}")
        if error.code == 404:
            return StoreUnavailable(f"no SPARQL endpoint at {self.endpoints.query}")
        if _VIRTUOSO_TIMEOUT.search(detail):
            return QueryTimeout(f"the server stopped the query at its own time limit: {detail}")
        return http_error(error, "query", detail=detail)

    def _read_answer(
        self, response: HTTPResponse, form: str, max_rows: int | None, deadline: float
    ) -> QueryAnswer:
        media_type = response.headers.get_content_type()
        if response.headers.get(_PARTIAL_ANSWER_STATE):
            # Virtuoso's "anytime" answer: what it found before its own time limit, not all
            raise QueryTimeout(
                "the server stopped the query at its own time limit and sent only a part of "
                f"the answer ({response.headers.get(_PARTIAL_ANSWER_STATE)}: "
                f"{response.headers.get('X-SQL-Message', '').strip()})"
            )
        body = DeadlineReader(response, deadline)
        try:
            if form in ("SELECT", "ASK"):
                results_format = (
                    QueryResultsFormat.from_media_type(media_type) or QueryResultsFormat.JSON
                )
                parsed = parse_query_results(body, results_format)  # type: ignore[arg-type]
                if isinstance(parsed, QueryBoolean):
                    return bool(parsed)
                assert isinstance(parsed, QuerySolutions)
                solutions = _canonical_solutions(collect_solutions(parsed, max_rows))
                return _boolean(solutions) if form == "ASK" else solutions
            graph_format = RdfFormat.from_media_type(media_type) or RdfFormat.TURTLE
            quads = parse(body, graph_format)  # type: ignore[arg-type]
            return collect_triples((quad.triple for quad in quads), max_rows)
        except SyntaxError as error:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoints.query} sent an answer that does not "
                f"parse: {error}"
            ) from error
        except OSError as error:
            raise StoreUnavailable(
                f"the answer of {self.endpoints.query} was cut off: {error}"
            ) from error

    def _check_union(self, seconds: float) -> None:
        """Make sure the server's default graph includes the content of its named graphs."""
        sample = self._raw_select(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1",
            seconds,
        )
        if not sample.rows:
            return  # nothing in any named graph: nothing to tell yet
        s, p, o = sample.rows[0]
        assert s is not None and p is not None and o is not None
        ask = (
            f"ASK {{ {term_text(s, name='s')} {term_text(p, name='p')} {term_text(o, name='o')} }}"
        )
        response = self._send_query(ask, "ASK", seconds, None, None)
        try:
            in_default = self._read_answer(response, "ASK", None, time.monotonic() + seconds)
        finally:
            response.close()
        if not in_default:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoints.query} does not show its named graphs in its "
                f"default graph; {_UNION_HELP}"
            )
        self._union_checked = True

    def _raw_select(self, sparql: str, seconds: float | None = None) -> Solutions:
        response = self._send_query(sparql, "SELECT", seconds or self.timeout, None, None)
        try:
            return expect_solutions(
                self._read_answer(
                    response, "SELECT", None, time.monotonic() + (seconds or self.timeout)
                )
            )
        finally:
            response.close()

    def _translate(self, error: SPARQLWrapperException) -> Exception:
        detail = str(error).strip()
        name = type(error).__name__
        if name == "QueryBadFormed":
            return QuerySyntaxError(f"the server refused the query as malformed: {detail}")
        if name == "EndPointNotFound":
            return StoreUnavailable(f"no SPARQL endpoint at {self.endpoints.query}: {detail}")
        return StoreError(f"the SPARQL endpoint {self.endpoints.query} failed: {detail}")

    # --- updates and graphs -----------------------------------------------------------------

    def update(self, sparql: str) -> None:
        wrapper = _Wrapper(self.endpoints.query, self._open, update=self.endpoints.update)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(sparql)
        wrapper.setTimeout(self.transfer_timeout)  # type: ignore[arg-type]
        if not wrapper.isSparqlUpdateRequest():
            raise QuerySyntaxError("the text is not a SPARQL update")
        try:
            wrapper.query().response.close()
        except SPARQLWrapperException as error:
            raise self._translate(error) from error
        except urllib.error.HTTPError as error:
            raise http_error(error, "update") from error
        except (urllib.error.URLError, OSError) as error:
            raise StoreUnavailable(
                f"cannot reach the SPARQL update endpoint {self.endpoints.update}: {error}"
            ) from error

    def replace_graph(self, graph: str, data: bytes, *, format: RdfFormat, source: str) -> int:
        try:
            # each triple once, in the order of the document
            triples = list(dict.fromkeys(q.triple for q in parse(data, format)))
        except SyntaxError as error:
            raise syntax_error(error, source) from error
        target = term_text(NamedNode(graph), name="graph")
        if not triples:
            self.update(f"DROP SILENT GRAPH {target}")
            return 0
        # The new content goes to a graph of its own first, then replaces the old one in a
        # single update: a transfer cut short, or refused half-way (Virtuoso keeps what it
        # had read of a refused Graph Store PUT), leaves the old content as it was.
        staging = f"{STAGING_GRAPH_PREFIX}{uuid.uuid4().hex}"
        try:
            self._write_new_graph(staging, triples)
            self.update(
                f"MOVE SILENT GRAPH {term_text(NamedNode(staging), name='graph')} TO GRAPH {target}"
            )
        except BaseException:
            self._drop_quietly(staging)
            raise
        return len(triples)

    def _write_new_graph(self, graph: str, triples: list[Triple]) -> None:
        """Write triples into a graph that does not exist yet."""
        if self._graph_store is not None:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            self._graph_store.request("PUT", graph, body=body)
            return
        target = term_text(NamedNode(graph), name="graph")
        for start in range(0, len(triples), _INSERT_BATCH):
            batch = serialize(triples[start : start + _INSERT_BATCH], format=RdfFormat.N_TRIPLES)
            self.update(f"INSERT DATA {{ GRAPH {target} {{\n{(batch or b'').decode()}\n}} }}")

    def _drop_quietly(self, graph: str) -> None:
        try:
            self.drop_graph(graph)
        except Exception:  # the error that brought us here is the one to report
            log.warning("could not drop the staging graph %s", graph, exc_info=True)

    def drop_staging_graphs(self) -> list[str]:
        """Drop what an interrupted write left in staging graphs; return their IRIs."""
        left = [g for g in self._all_graphs() if g.startswith(STAGING_GRAPH_PREFIX)]
        for graph in left:
            self.drop_graph(graph)
        return left

    def add_triples(self, graph: str, triples: Iterable[Triple]) -> int:
        wanted = sorted({(t.subject, t.predicate, t.object) for t in triples}, key=str)
        if not wanted:
            return 0
        before = self.graph_size(graph)
        rows = "\n".join(
            f"({term_text(s, name='subject')} {term_text(p, name='predicate')} "
            f"{term_text(o, name='object')})"
            for s, p, o in wanted
        )
        target = term_text(NamedNode(graph), name="graph")
        self.update(  # every term above was written by pyoxigraph's serialiser
            f"INSERT {{ GRAPH {target} {{ ?s ?p ?o }} }}\n"  # noqa: S608
            f"WHERE {{ VALUES (?s ?p ?o) {{\n{rows}\n}} MINUS {{ GRAPH ?held {{ ?s ?p ?o }} }} }}"
        )
        return self.graph_size(graph) - before

    def drop_graph(self, graph: str) -> None:
        if self._graph_store is not None:
            self._graph_store.request("DELETE", graph)
        else:
            self.update(f"DROP SILENT GRAPH {term_text(NamedNode(graph), name='graph')}")

    def named_graphs(self) -> list[str]:
        return [g for g in self._all_graphs() if not g.startswith(STAGING_GRAPH_PREFIX)]

    def _all_graphs(self) -> list[str]:
        # Not GRAPH ?g {}: Virtuoso answers that with one row that binds nothing. GROUP BY
        # rather than DISTINCT: Virtuoso 7.2 took 6.5 s for DISTINCT on 30k quads, 0.2 s so.
        answer = self._raw_select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(row[0].value for row in answer.rows if isinstance(row[0], NamedNode))

    def graph_triples(self, graph: str) -> Iterator[Triple]:
        if self._graph_store is not None:
            data = self._graph_store.request("GET", graph, accept=_GRAPH_ACCEPT)
            if data:
                yield from (quad.triple for quad in parse(data, RdfFormat.N_TRIPLES))
            return
        target = term_text(NamedNode(graph), name="graph")
        response = self._send_query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}",
            "CONSTRUCT",
            self.timeout,
            None,
            None,
        )
        try:
            answer = self._read_answer(response, "CONSTRUCT", None, time.monotonic() + self.timeout)
        finally:
            response.close()
        yield from expect_triples(answer)

    def graph_size(self, graph: str) -> int:
        target = term_text(NamedNode(graph), name="graph")
        answer = self._raw_select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}"
        )
        return int(answer.only().value)

    def export(self, output: BinaryIO, format: RdfFormat, *, graph: str | None = None) -> None:
        if graph is not None:
            serialize(self.graph_triples(graph), output, format)
        elif format.supports_datasets:
            quads = (
                Quad(t.subject, t.predicate, t.object, NamedNode(name))
                for name in self.named_graphs()
                for t in self.graph_triples(name)
            )
            serialize(quads, output, format)
        else:
            serialize(
                (t for name in self.named_graphs() for t in self.graph_triples(name)),
                output,
                format,
            )

    def __len__(self) -> int:
        answer = self._raw_select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(answer.only().value)


_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL_BOOLEAN = {
    "1": Literal("true", datatype=_BOOLEAN),
    "0": Literal("false", datatype=_BOOLEAN),
}


def _canonical(term: Term | None) -> Term | None:
    """A term in its canonical form: Virtuoso writes every boolean as ``"1"`` or ``"0"``."""
    if isinstance(term, Literal) and term.datatype == _BOOLEAN:
        return _CANONICAL_BOOLEAN.get(term.value, term)
    return term


def _canonical_solutions(solutions: Solutions) -> Solutions:
    if not any(
        isinstance(t, Literal) and t.datatype == _BOOLEAN for row in solutions.rows for t in row
    ):
        return solutions
    rows = tuple(tuple(_canonical(term) for term in row) for row in solutions.rows)
    return Solutions(solutions.variables, rows, solutions.truncated)


def _boolean(solutions: Solutions) -> bool | Solutions:
    """The answer of an ASK query sent back as one row of one value (Virtuoso 7.2 does so)."""
    if len(solutions.variables) == 1 and len(solutions.rows) <= 1:
        value = solutions.rows[0][0] if solutions.rows else None
        return value is not None and value.value not in ("0", "false", "")
    return solutions


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending its requests through the store's opener (its credentials)."""

    def __init__(
        self,
        endpoint: str,
        open: Callable[[], urllib.request.OpenerDirector],
        *,
        update: str | None = None,
    ) -> None:
        super().__init__(endpoint, updateEndpoint=update)
        self._opener = open

    def _query(self) -> tuple[HTTPResponse, str]:
        request = self._createRequest()
        response: HTTPResponse = self._opener().open(request, timeout=self.timeout)
        return response, self.returnFormat


__all__ = ["Credentials", "Endpoints", "RemoteStore"]
