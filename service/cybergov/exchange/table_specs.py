"""What the research tables hold: one table per kind of record, and each of its columns.

A column says where its value comes from (an RDF property of the record, its
IRI, its most specific class) and what the value is: text, a date, a
reference to another resource (written as its short id, ``state:RU``), a
concept of a concept scheme of the graph (whose concepts are the allowed
values), or a web address (a source). The codebook and the Data Package
schemas are written from these specs, so the tables and their description
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cybergov.namespaces import CG, CGR, ORG, VOCABULARY_PREFIXES

_DCT = VOCABULARY_PREFIXES["dct"]
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_SCHEME = f"{CGR}scheme/"

#: How the values of a multi-valued column are joined in one cell.
SEPARATOR = ";"


class ValueKind(StrEnum):
    """What a column's values are."""

    ID = "id"
    """The record's short id (``incident:notpetya-2017``)."""
    IRI = "iri"
    """The record's IRI."""
    TEXT = "text"
    """A literal's text."""
    DATE = "date"
    """A day (``YYYY-MM-DD``), from an ``xsd:dateTime`` at midnight."""
    REFERENCE = "reference"
    """Another resource, as its short id (see ``entities.csv`` for its IRI and label)."""
    CONCEPT = "concept"
    """A concept of a concept scheme of the graph, as its short id."""
    URL = "url"
    """A web address, written whole (the sources)."""
    CLASS = "class"
    """The record's most specific class among the table's class and its subclasses."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a table."""

    name: str
    kind: ValueKind
    meaning: str
    predicate: str | None = None
    multiple: bool = False
    scheme: str | None = None

    @property
    def frictionless_type(self) -> str:
        """The Table Schema type of the column."""
        return "date" if self.kind is ValueKind.DATE and not self.multiple else "string"

    @property
    def source(self) -> str:
        """Where the value comes from, in words a reader of the codebook can follow."""
        if self.kind is ValueKind.ID:
            return "the record's IRI, shortened with the cybergov prefixes"
        if self.kind is ValueKind.IRI:
            return "the record's IRI"
        if self.kind is ValueKind.CLASS:
            return "rdf:type (the most specific class)"
        return f"<{self.predicate}>"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: the records of one class, one row each."""

    name: str
    title: str
    description: str
    record_class: str
    columns: tuple[ColumnSpec, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def values_filename(self) -> str:
        """The long-form table of the multi-valued columns."""
        return f"{self.name}-values.csv"

    @property
    def predicates(self) -> tuple[str, ...]:
        return tuple(sorted({c.predicate for c in self.columns if c.predicate}))

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _cg(name: str) -> str:
    return f"{CG}{name}"


def _scheme(name: str) -> str:
    return f"{_SCHEME}{name}"


_ID = ColumnSpec("id", ValueKind.ID, "Short, stable identifier of the record (its IRI shortened).")
_IRI = ColumnSpec("iri", ValueKind.IRI, "The record's IRI, which dereferences to its description.")
_LABEL = ColumnSpec("label", ValueKind.TEXT, "Name of the record (English label).", f"{_RDFS}label")
_DESCRIPTION = ColumnSpec(
    "description", ValueKind.TEXT, "Short description in English.", f"{_DCT}description"
)
_SOURCES = ColumnSpec(
    "sources", ValueKind.URL, "Public sources of the record.", f"{_DCT}source", multiple=True
)


def _type(meaning: str) -> ColumnSpec:
    return ColumnSpec("type", ValueKind.CLASS, meaning)


def _date(name: str, meaning: str, predicate: str) -> ColumnSpec:
    return ColumnSpec(name, ValueKind.DATE, meaning, _cg(predicate))


def _ref(name: str, meaning: str, predicate: str, *, multiple: bool = False) -> ColumnSpec:
    iri = predicate if predicate.startswith("http") else _cg(predicate)
    return ColumnSpec(name, ValueKind.REFERENCE, meaning, iri, multiple=multiple)


def _concept(
    name: str, meaning: str, predicate: str, scheme: str, *, multiple: bool = False
) -> ColumnSpec:
    return ColumnSpec(
        name, ValueKind.CONCEPT, meaning, _cg(predicate), multiple=multiple, scheme=_scheme(scheme)
    )


_PRECISION = _concept(
    "date_precision",
    "How precise the date is when it is not a day (month, year); empty for a day.",
    "datePrecision",
    "date-precision",
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "incidents",
        "Incidents",
        "Cyber incidents and campaigns, with their targets, types and the malware used.",
        _cg("Incident"),
        (
            _ID,
            _IRI,
            _LABEL,
            _type("Incident, or Campaign for a campaign of incidents."),
            _DESCRIPTION,
            _date("start_date", "Day the incident began (or was first seen).", "startDate"),
            _date("end_date", "Day the incident ended, when known.", "endDate"),
            _PRECISION,
            _concept(
                "incident_types",
                "Kinds of incident.",
                "incidentType",
                "incident-types",
                multiple=True,
            ),
            _ref(
                "target_countries",
                "States the incident was directed against.",
                "targetCountry",
                multiple=True,
            ),
            _concept("target_sectors", "Sectors hit.", "targetSector", "sectors", multiple=True),
            _ref(
                "targeted_actors",
                "Organisations, companies or persons targeted.",
                "targetedActor",
                multiple=True,
            ),
            _ref("malware", "Malware families used.", "usedMalware", multiple=True),
            _ref(
                "campaigns", "Campaigns the incident is part of.", "partOfCampaign", multiple=True
            ),
            ColumnSpec(
                "mitre_attack_id",
                ValueKind.TEXT,
                "MITRE ATT&CK identifier, if any.",
                _cg("mitreAttackId"),
            ),
            _SOURCES,
        ),
    ),
    TableSpec(
        "attributions",
        "Attributions",
        "Who said who was behind an incident, when, on what basis and with what confidence; "
        "derived attributions (type DerivedAttribution) were made by a rule from sourced links.",
        _cg("Attribution"),
        (
            _ID,
            _IRI,
            _LABEL,
            _type("Attribution, or one of its kinds (DerivedAttribution: made by a rule)."),
            _DESCRIPTION,
            _ref("incident", "The incident attributed.", "attributedIncident", multiple=True),
            _ref("attributed_by", "Who made the attribution.", "attributedBy", multiple=True),
            _ref(
                "attributed_to", "Who the incident is attributed to.", "attributedTo", multiple=True
            ),
            _ref(
                "attributed_to_territory_of",
                "State from whose territory it was carried out.",
                "attributedToTerritoryOf",
                multiple=True,
            ),
            _date("date", "Day of the attribution.", "attributionDate"),
            _PRECISION,
            _concept(
                "basis",
                "What the attribution rests on.",
                "attributionBasis",
                "attribution-bases",
                multiple=True,
            ),
            _concept(
                "status",
                "Standing of the attribution.",
                "attributionStatus",
                "attribution-statuses",
            ),
            _concept(
                "confidence",
                "Confidence the attributor expressed.",
                "confidence",
                "confidence-levels",
            ),
            ColumnSpec(
                "confidence_wording",
                ValueKind.TEXT,
                "The attributor's own words of confidence.",
                _cg("confidenceWording"),
            ),
            _ref(
                "coordinations",
                "Coordinated attributions it was part of.",
                "partOfCoordination",
                multiple=True,
            ),
            _ref(
                "derived_by_rule",
                "For a derived attribution: the rule that made it.",
                "derivedByRule",
            ),
            _ref(
                "derived_from",
                "For a derived attribution: the records it rests on.",
                "derivedFrom",
                multiple=True,
            ),
            _SOURCES,
        ),
    ),
    TableSpec(
        "responses",
        "Responses",
        "How states and organisations answered incidents: statements, demarches, sanctions, "
        "indictments, expulsions, advisories, countermeasures.",
        _cg("Response"),
        (
            _ID,
            _IRI,
            _LABEL,
            _type("Kind of response (Sanction, Demarche, Indictment, AttributionStatement...)."),
            _DESCRIPTION,
            _date("date", "Day of the response.", "responseDate"),
            _PRECISION,
            _ref("respondents", "Who responded.", "respondent", multiple=True),
            _ref("responds_to", "Incidents responded to.", "respondsTo", multiple=True),
            _ref("listings", "Sanctions listings the response made.", "hasListing", multiple=True),
            _ref("indicted_persons", "Persons indicted.", "indictedPerson", multiple=True),
            _ref("legal_basis", "Instruments the response rests on.", "legalBasis", multiple=True),
            _concept(
                "invokes_principles",
                "Principles of international law invoked.",
                "invokesPrinciple",
                "legal-principles",
                multiple=True,
            ),
            _concept(
                "toolbox_measures",
                "Categories of the EU cyber diplomacy toolbox.",
                "toolboxMeasure",
                "toolbox-measures",
                multiple=True,
            ),
            _SOURCES,
        ),
    ),
    TableSpec(
        "listings",
        "Sanctions listings",
        "One person, group or entity listed under a sanctions regime, with its legal acts.",
        _cg("Listing"),
        (
            _ID,
            _IRI,
            _LABEL,
            _ref("listed_actor", "Who is listed.", "listedActor"),
            _ref("sanction", "The sanction (response) the listing belongs to.", "listingOf"),
            _date("listing_date", "Day of listing.", "listingDate"),
            _date("delisting_date", "Day of delisting, if delisted.", "delistingDate"),
            _ref("listed_under", "Legal acts that made the listing.", "listedUnder", multiple=True),
            _ref("renewed_by", "Legal acts that renewed it.", "renewedBy", multiple=True),
            _concept(
                "restrictive_measures",
                "Measures imposed.",
                "restrictiveMeasure",
                "restrictive-measures",
                multiple=True,
            ),
            _ref("reasons", "Incidents given as the reason.", "listingReason", multiple=True),
            _SOURCES,
        ),
    ),
    TableSpec(
        "positions",
        "Positions on international law",
        "A state's stated position on a principle of international law in cyberspace.",
        _cg("Position"),
        (
            _ID,
            _IRI,
            _LABEL,
            _ref("held_by", "The state holding the position.", "heldBy"),
            _concept(
                "principles",
                "Principles the position is on.",
                "onPrinciple",
                "legal-principles",
                multiple=True,
            ),
            _concept("stances", "Stances taken.", "stance", "stances", multiple=True),
            _date("date", "Day the position was stated.", "positionDate"),
            _PRECISION,
            _ref("stated_in", "Documents that state it.", "statedIn", multiple=True),
            ColumnSpec(
                "paragraph",
                ValueKind.TEXT,
                "Paragraph of the document, if given.",
                _cg("paragraph"),
            ),
            _SOURCES,
        ),
    ),
    TableSpec(
        "memberships",
        "Memberships",
        "Membership of a state or organisation in an international or regional organisation.",
        f"{ORG}Membership",
        (
            _ID,
            _IRI,
            _LABEL,
            _ref("member", "The member.", f"{ORG}member"),
            _ref("organisation", "The organisation.", f"{ORG}organization"),
            _date("start_date", "Day the membership began, when recorded.", "startDate"),
            _date("end_date", "Day the membership ended, if it did.", "endDate"),
            _SOURCES,
        ),
    ),
    TableSpec(
        "participation",
        "Participation in instruments",
        "An actor's participation in a treaty, declaration, initiative or process, in a role.",
        _cg("Participation"),
        (
            _ID,
            _IRI,
            _LABEL,
            _ref("participant", "The actor taking part.", "participant"),
            _ref("instrument", "The instrument, initiative or process.", "participatesIn"),
            _concept(
                "role", "Role of the participant.", "participationRole", "participation-roles"
            ),
            _date("start_date", "Day the participation began, when recorded.", "startDate"),
            _date("end_date", "Day it ended, if it did.", "endDate"),
            _SOURCES,
        ),
    ),
    TableSpec(
        "links",
        "Links between actors",
        "Sourced records that a state sponsors a group, an organ operates it, or an organ "
        "belongs to a state.",
        _cg("ActorLink"),
        (
            _ID,
            _IRI,
            _LABEL,
            _type("Kind of link (SponsorshipLink, OperatorLink, OrganLink)."),
            _ref("linked_actor", "The actor linked (the group, or the organ).", "linkedActor"),
            _ref("linked_to", "What it is linked to (the sponsor, operator or state).", "linkedTo"),
            _ref("stated_by", "Who stated the link.", "statedBy", multiple=True),
            _date("statement_date", "Day the link was stated.", "statementDate"),
            _SOURCES,
        ),
    ),
)

#: The table of the resources the tables refer to.
ENTITIES_FILENAME = "entities.csv"
CODEBOOK_FILENAME = "codebook.csv"


def table_spec(name: str) -> TableSpec:
    """Raises: KeyError: no table has that name."""
    for spec in TABLES:
        if spec.name == name:
            return spec
    raise KeyError(name)
