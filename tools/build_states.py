"""Build ``kg/states.ttl`` and ``kg/memberships.ttl`` of the cybergov knowledge graph.

``states.ttl`` holds every one of the 193 member states of the United Nations as
a ``cg:State``: its usual short English name as ``rdfs:label``, its official and
other well-known names as ``skos:altLabel``, its ISO 3166-1 alpha-2 and alpha-3
codes (from pycountry) and, where certain, its Wikidata item (from the Our World
in Data country table kept in ``../shared/data/country-codes/``).

``memberships.ttl`` holds the ``org:Membership`` of states in the organisations
of ``kg/organisations.ttl`` (UN, EU, NATO, G7, ASEAN, Council of Europe, OSCE),
with accession dates where they are certain and a source for each one. The
membership lists are data in this script, each with the official page it comes
from; the script checks every member against the UN list.

Usage (from the repository root)::

    python tools/build_states.py [--data-dir ../shared/data] [--kg-dir kg]
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pycountry
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS, SKOS, XSD

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "service"))
from cybergov.namespaces import bind_prefixes  # noqa: E402  (the project's one prefix list)

BASE = "https://w3id.org/cybergov/"
CG = Namespace(f"{BASE}ontology#")
STATE = Namespace(f"{BASE}id/state/")
ORGANISATION = Namespace(f"{BASE}id/organisation/")
MEMBERSHIP = Namespace(f"{BASE}id/membership/")
WIKIDATA = "http://www.wikidata.org/entity/"
COUNTRY_CSV = Path("country-codes/owid_countries_regions.csv")

# --- the 193 member states of the United Nations ---------------------------------
# Source: https://www.un.org/en/about-us/member-states (ISO 3166-1 alpha-2 codes).
# Observer states (the Holy See, VA; the State of Palestine, PS) are not members,
# and neither Kosovo (XK) nor Taiwan (TW) is a member; the script refuses them.
UN_SOURCE = "https://www.un.org/en/about-us/member-states"


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


UN_MEMBERS: tuple[str, ...] = _codes(
    """
    AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN
    BG BF BI CV KH CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM
    DO EC EG SV GQ ER EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN
    HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA LV LB LS LR LY LI LT
    LU MG MW MY MV ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR NP NL NZ NI NE
    NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN LC VC WS SM ST
    SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT
    TN TR TM TV UG UA AE GB TZ US UY UZ VU VE VN YE ZM ZW
    """
)
NOT_UN_MEMBERS = frozenset({"VA", "PS", "XK", "TW"})

# --- names ---------------------------------------------------------------------------
# The label is pycountry's common_name, else its name, except where the usual short
# English name differs from both.
LABELS: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "RU": "Russia",
}
# Official names where pycountry has none, or has one that is not the official name
# (None drops pycountry's value: Bosnia and Herzegovina and Iceland have no longer
# name than their short one).
OFFICIAL_NAMES: dict[str, str | None] = {
    "BA": None,
    "ER": "State of Eritrea",
    "GY": "Co-operative Republic of Guyana",
    "IS": None,
    "KR": "Republic of Korea",
    "MM": "Republic of the Union of Myanmar",
    "RW": "Republic of Rwanda",
}
# Other English names in common use.
OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "CD": ("DR Congo",),
    "CG": ("Congo",),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "TR": ("Turkey",),
}
# States whose short name takes "the" in running text (used in membership labels).
WITH_ARTICLE = frozenset(_codes("AE BS CD CF CG DO GB GM KM MH MV NL PH SB SC US"))
# Wikidata: the country table's item is kept only where it is the state itself. Two
# rows are left out because the table's item is not certainly the UN member state:
# the Netherlands row points at the Kingdom of the Netherlands (Q29999, which also
# comprises Aruba, Curaçao and Sint Maarten), while Q55 is the Netherlands as a
# constituent country of that Kingdom; Denmark's item (Q35) likewise stands beside
# an item for the Kingdom of Denmark with Greenland and the Faroe Islands. Which item
# of each pair is the UN member state is not certain here, so neither state gets an
# owl:sameAs.
WIKIDATA_EXCLUDED = frozenset({"NL", "DK"})


@dataclass(frozen=True)
class Member:
    """One state's membership of an organisation, with the dates known for certain."""

    code: str
    start: str | None = None
    end: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisation:
    """An organisation of ``kg/organisations.ttl`` and the states that belong to it."""

    key: str
    name: str
    sources: tuple[str, ...]
    members: tuple[Member, ...]
    expected: int
    noun: str = "Membership"


def _members(codes: str, start: str | None = None) -> tuple[Member, ...]:
    return tuple(Member(code, start) for code in _codes(codes))


EU_SOURCE = "https://european-union.europa.eu/principles-countries-history/eu-countries_en"
# Council Decision (EU) 2020/135 concluding the withdrawal agreement of the UK.
BREXIT_SOURCE = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32020D0135"
NATO_SOURCE = "https://www.nato.int/cps/en/natohq/topics_52044.htm"
ASEAN_SOURCE = "https://asean.org/member-states/"
COE_SOURCE = "https://www.coe.int/en/web/portal/46-members-states"
COE_RUSSIA_SOURCE = "https://www.coe.int/en/web/ccpe/-/the-russian-federation-is-excluded-from-the-council-of-europe"
G7_SOURCE = (
    "https://www.international.gc.ca/world-monde/international_relations-relations_internationales"
    "/g7/index.aspx?lang=eng"
)
OSCE_SOURCE = "https://www.osce.org/participating-states"

ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation("un", "the United Nations", (UN_SOURCE,), _members(" ".join(UN_MEMBERS)), 193),
    # EU dates are membership of the European Communities, as the EU counts it: the
    # six founders from the entry into force of the EEC Treaty (1 January 1958).
    Organisation(
        "eu",
        "the European Union",
        (EU_SOURCE,),
        (
            *_members("BE DE FR IT LU NL", "1958-01-01"),
            *_members("DK IE", "1973-01-01"),
            Member("GB", "1973-01-01", "2020-01-31", (BREXIT_SOURCE,)),
            *_members("GR", "1981-01-01"),
            *_members("ES PT", "1986-01-01"),
            *_members("AT FI SE", "1995-01-01"),
            *_members("CY CZ EE HU LV LT MT PL SK SI", "2004-05-01"),
            *_members("BG RO", "2007-01-01"),
            *_members("HR", "2013-07-01"),
        ),
        28,
    ),
    # The twelve founders from the entry into force of the North Atlantic Treaty
    # (24 August 1949); the others from the day they acceded.
    Organisation(
        "nato",
        "NATO",
        (NATO_SOURCE,),
        (
            *_members("BE CA DK FR IS IT LU NL NO PT GB US", "1949-08-24"),
            *_members("GR TR", "1952-02-18"),
            *_members("DE", "1955-05-06"),
            *_members("ES", "1982-05-30"),
            *_members("CZ HU PL", "1999-03-12"),
            *_members("BG EE LV LT RO SK SI", "2004-03-29"),
            *_members("AL HR", "2009-04-01"),
            *_members("ME", "2017-06-05"),
            *_members("MK", "2020-03-27"),
            *_members("FI", "2023-04-04"),
            *_members("SE", "2024-03-07"),
        ),
        32,
    ),
    # The EU takes part in the G7 without being one of its members; Russia's past
    # membership of the G8 is left out (its dates are not certain enough here).
    Organisation("g7", "the G7", (G7_SOURCE,), _members("CA FR DE IT JP GB US"), 7),
    # Brunei's accession date is given as 7 or 8 January 1984 by different sources:
    # left without a date.
    Organisation(
        "asean",
        "ASEAN",
        (ASEAN_SOURCE,),
        (
            *_members("ID MY PH SG TH", "1967-08-08"),
            *_members("BN"),
            *_members("VN", "1995-07-28"),
            *_members("LA MM", "1997-07-23"),
            *_members("KH", "1999-04-30"),
            *_members("TL", "2025-10-26"),
        ),
        11,
    ),
    # The 46 members, without dates, and Russia's past membership.
    Organisation(
        "council-of-europe",
        "the Council of Europe",
        (COE_SOURCE,),
        (
            *_members(
                "AL AD AM AT AZ BE BA BG HR CY CZ DK EE FI FR GE DE GR HU IS IE IT LV LI LT LU"
                " MT MD MC ME NL MK NO PL PT RO SM RS SK SI ES SE CH TR UA GB"
            ),
            Member("RU", "1996-02-28", "2022-03-16", (COE_RUSSIA_SOURCE,)),
        ),
        47,
    ),
    # 57 participating States; the Holy See is one of them but not a UN member state,
    # so it has no state: IRI and is left out here.
    Organisation(
        "osce",
        "the OSCE",
        (OSCE_SOURCE,),
        _members(
            "AL AD AM AT AZ BY BE BA BG CA HR CY CZ DK EE FI FR GE DE GR HU IS IE IT KZ KG"
            " LV LI LT LU MT MD MC MN ME NL MK NO PL PT RO RU SM RS SK SI ES SE CH TJ TR TM"
            " UA GB US UZ"
        ),
        56,
        noun="Participation",
    ),
)


def check_un_members() -> None:
    """Fail unless the UN list has 193 distinct ISO codes and no non-member."""
    codes = set(UN_MEMBERS)
    problems = []
    if len(UN_MEMBERS) != 193 or len(codes) != 193:
        problems.append(f"{len(UN_MEMBERS)} codes, {len(codes)} distinct (expected 193)")
    if codes & NOT_UN_MEMBERS:
        problems.append(f"non-members listed: {sorted(codes & NOT_UN_MEMBERS)}")
    unknown = sorted(c for c in codes if pycountry.countries.get(alpha_2=c) is None)
    if unknown:
        problems.append(f"codes unknown to ISO 3166-1: {unknown}")
    if problems:
        raise SystemExit("error: UN member list: " + "; ".join(problems))


def read_wikidata(csv_path: Path) -> dict[str, tuple[str, str]]:
    """Map alpha-2 code to (alpha-3 code, Wikidata IRI) from the country table."""
    if not csv_path.is_file():
        raise SystemExit(
            f"error: country table not found: {csv_path}\n"
            "  It is in shared/data beside the repository; pass --data-dir to point at it."
        )
    rows: dict[str, tuple[str, str]] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alpha2, uri = row["iso_alpha2"].strip(), row["wikidata_uri"].strip()
            if alpha2 and uri.startswith(WIKIDATA):
                rows[alpha2] = (row["iso_alpha3"].strip(), uri)
    return rows


def names(code: str) -> tuple[str, list[str]]:
    """The label and the other names of a state."""
    country = pycountry.countries.get(alpha_2=code)
    assert country is not None
    label = LABELS.get(code) or getattr(country, "common_name", None) or country.name
    official = OFFICIAL_NAMES.get(code, getattr(country, "official_name", None))
    candidates = [official]
    if "," not in country.name:  # "Korea, Republic of" is an index form, not a name
        candidates.append(country.name)
    candidates.extend(OTHER_NAMES.get(code, ()))
    others: list[str] = []
    for name in candidates:
        if name and name != label and name not in others:
            others.append(name)
    return label, others


def build_states(wikidata: dict[str, tuple[str, str]]) -> tuple[Graph, dict[str, str]]:
    """The graph of the 193 states, and each state's label."""
    graph = Graph()
    labels: dict[str, str] = {}
    for code in sorted(UN_MEMBERS):
        country = pycountry.countries.get(alpha_2=code)
        assert country is not None
        state = STATE[code]
        label, others = names(code)
        labels[code] = label
        graph.add((state, RDF.type, CG.State))
        graph.add((state, RDFS.label, Literal(label, lang="en")))
        for other in others:
            graph.add((state, SKOS.altLabel, Literal(other, lang="en")))
        graph.add((state, CG.iso3166Alpha2, Literal(code)))
        graph.add((state, CG.iso3166Alpha3, Literal(country.alpha_3)))
        row = wikidata.get(code)
        if row is None:
            print(f"warning: no Wikidata item for {code} in the country table", file=sys.stderr)
        elif code not in WIKIDATA_EXCLUDED:
            if row[0] != country.alpha_3:
                raise SystemExit(
                    f"error: country table gives {row[0]} for {code}, not {country.alpha_3}"
                )
            graph.add((state, OWL.sameAs, URIRef(row[1])))
    return graph, labels


def build_memberships(labels: dict[str, str]) -> Graph:
    """The graph of the memberships of states in organisations."""
    graph = Graph()
    for organisation in ORGANISATIONS:
        codes = [m.code for m in organisation.members]
        if len(codes) != organisation.expected or len(set(codes)) != len(codes):
            raise SystemExit(
                f"error: {organisation.key}: {len(codes)} members, {len(set(codes))} distinct"
                f" (expected {organisation.expected})"
            )
        outside = sorted(set(codes) - set(UN_MEMBERS))
        if outside:
            raise SystemExit(f"error: {organisation.key}: not UN member states: {outside}")
        for member in organisation.members:
            node = MEMBERSHIP[f"{organisation.key}--{member.code}"]
            graph.add((node, RDF.type, ORG.Membership))
            article = "the " if member.code in WITH_ARTICLE else ""
            state = f"{article}{labels[member.code]}"
            text = f"{organisation.noun} of {state} in {organisation.name}"
            graph.add((node, RDFS.label, Literal(text, lang="en")))
            graph.add((node, ORG.member, STATE[member.code]))
            graph.add((node, ORG.organization, ORGANISATION[organisation.key]))
            for day, prop in ((member.start, CG.startDate), (member.end, CG.endDate)):
                if day is not None:
                    date.fromisoformat(day)
                    # A day is published as midnight xsd:dateTime: OWL 2 DL has no xsd:date.
                    midnight = f"{day}T00:00:00"
                    graph.add((node, prop, Literal(midnight, datatype=XSD.dateTime)))
            for source in organisation.sources + member.sources:
                graph.add((node, DCTERMS.source, URIRef(source)))
    return graph


def write(graph: Graph, path: Path) -> None:
    """Serialise a graph in the project's canonical Turtle form (see ``cybergov fmt``)."""
    canonical = Graph(bind_namespaces="none")
    bind_prefixes(canonical.namespace_manager)
    for triple in graph:
        canonical.add(triple)
    path.write_text(canonical.serialize(format="longturtle"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build both files and report what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="the shared data folder (default: ../shared/data beside the repository)",
    )
    parser.add_argument(
        "--kg-dir", type=Path, default=REPO / "kg", help="where to write (default: kg/)"
    )
    args = parser.parse_args(argv)

    check_un_members()
    wikidata = read_wikidata(args.data_dir / COUNTRY_CSV)
    states, labels = build_states(wikidata)
    memberships = build_memberships(labels)
    write(states, args.kg_dir / "states.ttl")
    write(memberships, args.kg_dir / "memberships.ttl")
    counts = ", ".join(f"{o.key} {len(o.members)}" for o in ORGANISATIONS)
    print(f"{len(labels)} states; memberships: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
