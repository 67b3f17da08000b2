"""The exceptions cybergov raises: one base class, grouped subclasses.

Every message names what was wrong and where (the file and line, the IRI, the
parameter), so that it can be shown to a person as it is.
"""

from __future__ import annotations

from typing import Any, Self


class CybergovError(Exception):
    """Base class of every error cybergov raises on purpose."""


# --- data and configuration -------------------------------------------------------


class DataError(CybergovError):
    """The bundled or given data could not be read."""


class DataNotFound(DataError):
    """A data folder or file does not exist."""


class Located(CybergovError):
    """An error at a known place: carries the source, and the line and column when known,
    and names them in front of its message."""

    def __init__(
        self, message: str, *, source: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {message}")

    @classmethod
    def at(cls, message: str, *, text: str, offset: int, source: str) -> Self:
        """The error at a character offset of a text, with that offset's line and column."""
        line, column = line_and_column(text, offset)
        return cls(message, source=source, line=line, column=column)


class RdfSyntaxError(Located, DataError):
    """An RDF document does not parse; carries the file, line and column."""


class OntologyImportError(DataError):
    """An owl:imports of the ontology cannot be resolved offline."""


class HeaderError(DataError):
    """The ``#+`` header of a query file is missing or malformed."""


class ImportInputError(DataError):
    """A file or folder given to an importer cannot be read at all (bad rows are reported)."""


class ReasonerError(CybergovError):
    """The OWL reasoner could not run, or found the ontology inconsistent."""


class SettingsError(CybergovError):
    """A setting has a value that cannot be used."""


# --- input from outside -------------------------------------------------------------


class InputRejected(CybergovError):
    """Input from outside was refused before it reached an engine (too big, hostile)."""


class UnsupportedFormat(InputRejected):
    """The input's format is not one cybergov reads."""


class LocatedInputRejected(Located, InputRejected):
    """Input refused at a known place: carries the source, and the line and column when known."""


class InputTooLarge(LocatedInputRejected):
    """The input, or one literal or IRI in it, is larger than the settings allow."""


class InputTooDeep(LocatedInputRejected):
    """The input nests blank nodes, collections, objects or elements deeper than allowed."""


class ExternalReferenceRefused(LocatedInputRejected):
    """The input asks to load something from outside (a JSON-LD context or import)."""


class DocumentTypeRefused(LocatedInputRejected):
    """An RDF/XML document declares a DOCTYPE or entities, which could expand without bound."""


class MalformedRequest(LocatedInputRejected):
    """An HTTP request that cannot be read as what it claims to be (a body that is not
    UTF-8, a length that is not a number, a query twice, a dataset IRI that is not one)."""


class EmptyContribution(LocatedInputRejected):
    """The contribution holds no statement."""


class UnsupportedStatement(LocatedInputRejected):
    """The contribution holds statements of a kind it may not hold (named graphs, triple terms)."""


class OutsideNamespace(UnsupportedStatement):
    """The contribution describes a resource outside the graph's own namespace, or links to
    an IRI that no resource of the graph can have."""


class ContributionRejected(CybergovError):
    """A contribution does not conform to the shapes; carries the validation report."""

    def __init__(self, message: str, report: Any) -> None:
        self.report = report
        super().__init__(message)


# --- questions and queries ------------------------------------------------------------


class QueryError(CybergovError):
    """A query could not be answered."""


class QueryNotFound(QueryError):
    """No question of the catalogue has that name."""


class QueryParameterError(QueryError):
    """A question parameter is missing, unknown or of the wrong type."""


class QuerySyntaxError(QueryError):
    """The SPARQL text does not parse; carries the position when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        super().__init__(message)


class QueryEvaluationError(QueryError):
    """The engine refused to evaluate the query (a function it does not know, a value larger
    than it can hold); the message is the engine's."""


class QueryRefused(QueryError):
    """The query asks for something the read path does not allow (update, SERVICE, LOAD...)."""


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""


class QueryStopped(QueryError):
    """The query used more memory than a query may (or brought its worker down) and was
    stopped; its worker was replaced."""


class Overloaded(CybergovError):
    """The service will not do this now; carries the seconds after which to try again."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class WriteTimeout(Overloaded):
    """A change of the store could not be finished within its deadline; nothing was changed."""


class QuotaExceeded(Overloaded):
    """A client ran too many queries at once, or spent its query time of the minute."""


class QueueTimeout(Overloaded):
    """No query worker became free for the query within the queue timeout."""


# --- stores -----------------------------------------------------------------------------


class StoreError(CybergovError):
    """The store failed to read or write."""


class StoreUnavailable(StoreError):
    """A remote store could not be reached."""


class ServiceStopping(CybergovError):
    """The service is stopping: a query in flight was stopped, new ones are refused."""


# --- serving and exchange ---------------------------------------------------------------


class ResourceNotFound(CybergovError):
    """No resource, ontology module or dump has that IRI or name."""


class ImportNotFound(ResourceNotFound):
    """No import has that identifier."""


class AuthenticationRequired(CybergovError):
    """A request that needs a bearer token came without one (or with a malformed one)."""


class AccessDenied(CybergovError):
    """The request's token does not allow what it asks, or the service does not allow it."""


class ReadOnly(AccessDenied):
    """The request asks to change data where nothing may be changed (an update sent to the
    query endpoint, a contribution sent to a read-only service)."""


class ContributionNotFound(ResourceNotFound):
    """No contribution has that identifier."""


class ContributionDuplicate(CybergovError):
    """The same contributor sent the same bytes before; carries the existing contribution."""

    def __init__(self, message: str, *, existing: str) -> None:
        self.existing = existing
        super().__init__(message)


class ContributionWithdrawn(CybergovError):
    """The contribution was withdrawn: its graph is gone, its record stays."""


class NotAcceptable(CybergovError):
    """None of the representations the client accepts is offered; carries the offered ones."""

    def __init__(self, message: str, *, offered: tuple[str, ...] = ()) -> None:
        self.offered = offered
        super().__init__(message)


class ExportError(CybergovError):
    """A dump or a dataset description could not be written."""


# --- where in a text ---------------------------------------------------------------------


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The line and column of a character offset in a text, both counted from 1."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def decode_utf8(data: bytes, *, source: str, refusal: type[Located]) -> str:
    """The text of bytes from outside, which must be UTF-8 (a leading byte-order mark is
    dropped).

    Raises:
        Located: of the class ``refusal``, naming ``source`` and the line and column of the
            first byte that is not UTF-8.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8")
        raise refusal.at("not UTF-8 text", text=good, offset=len(good), source=source) from None
    return text.removeprefix("\ufeff")
