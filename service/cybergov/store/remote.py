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
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.client import HTTPResponse
from typing import BinaryIO

from pyoxigraph import (
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
from cybergov.store.endpoints import DeadlineReader, Endpoints, GraphStore, http_error

log = logging.getLogger(__name__)

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
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
    """

    def __init__(
        self, endpoints: Endpoints, *, timeout: float = 30.0, transfer_timeout: float = 600.0
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.transfer_timeout = transfer_timeout
        self._graph_store = (
            GraphStore(endpoints.graph_store, timeout=transfer_timeout)
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
        wrapper = SPARQLWrapper(self.endpoints.query)
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
            raise http_error(error, "query") from error
        except TimeoutError as error:
            raise QueryTimeout(
                f"the server did not answer within the query's deadline of {seconds:g} s"
            ) from error
        except (urllib.error.URLError, OSError) as error:
            raise StoreUnavailable(
                f"cannot reach the SPARQL endpoint {self.endpoints.query}: {error}"
            ) from error
        return response

    def _read_answer(
        self, response: HTTPResponse, form: str, max_rows: int | None, deadline: float
    ) -> QueryAnswer:
        media_type = response.headers.get_content_type()
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
                return collect_solutions(parsed, max_rows)
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
        wrapper = SPARQLWrapper(self.endpoints.query, updateEndpoint=self.endpoints.update)
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
            triples = {quad.triple for quad in parse(data, format)}
        except SyntaxError as error:
            raise syntax_error(error, source) from error
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        if self._graph_store is not None:
            self._graph_store.request("PUT", graph, body=body)
        else:
            target = term_text(NamedNode(graph), name="graph")
            self.update(
                f"DROP SILENT GRAPH {target} ;\n"
                f"CREATE SILENT GRAPH {target} ;\n"
                f"INSERT DATA {{ GRAPH {target} {{\n{body.decode()}\n}} }}"
            )
        return len(triples)

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
        answer = self._raw_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
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


__all__ = ["Endpoints", "RemoteStore"]
