"""Which shape results an import waives: exactly the incident type and the target, and only
for the incidents of its own source that it marked as given neither by the source."""

from __future__ import annotations

from cybergov.contribute.validation_report import Finding
from cybergov.importers.model import Record
from cybergov.importers.run import waived
from cybergov.namespaces import CGSH, SH

INCIDENT = "https://w3id.org/cybergov/id/incident/attack-c0001"
MIN_COUNT = str(SH.MinCountConstraintComponent)
SPARQL = str(SH.SPARQLConstraintComponent)


def _finding(shape: str, constraint: str, *, focus: str = INCIDENT, sparql: str = "") -> Finding:
    return Finding(
        focus=focus,
        focus_label=None,
        path=None,
        path_label=None,
        value=None,
        value_label=None,
        expected="",
        message="",
        severity="violation",
        shape=shape,
        constraint=constraint,
        source_constraint=sparql,
    )


def _record(*, untyped: bool) -> Record:
    return Record("1", "campaign", INCIDENT, "A campaign", untyped=untyped)


def test_the_type_and_target_are_waived_for_a_marked_record() -> None:
    record = _record(untyped=True)
    assert waived(_finding(str(CGSH["Incident-incidentType"]), MIN_COUNT), record)
    target = _finding(str(CGSH.IncidentShape), SPARQL, sparql=str(CGSH["Incident-target"]))
    assert waived(target, record)


def test_nothing_else_and_no_other_record_is_waived() -> None:
    record = _record(untyped=True)
    # another demand of the same shape
    assert not waived(_finding(str(CGSH["Incident-startDate"]), MIN_COUNT), record)
    # a wrong type is no missing type
    assert not waived(
        _finding(str(CGSH["Incident-incidentType"]), str(SH.InConstraintComponent)), record
    )
    # another SPARQL constraint of the incident shape
    other = _finding(str(CGSH.IncidentShape), SPARQL, sparql=str(CGSH["Dates-endNotBeforeStart"]))
    assert not waived(other, record)
    # another resource of the record (an attribution)
    elsewhere = _finding(
        str(CGSH["Incident-incidentType"]), MIN_COUNT, focus=f"{INCIDENT}-attribution"
    )
    assert not waived(elsewhere, record)
    # a record its source gave a type and a target
    assert not waived(
        _finding(str(CGSH["Incident-incidentType"]), MIN_COUNT), _record(untyped=False)
    )
