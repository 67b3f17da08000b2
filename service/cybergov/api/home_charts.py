"""The charts of the home page: each the answer of a question of the catalogue, drawn."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from cybergov.api.service import Service
from cybergov.api.svg import chart_svg
from cybergov.errors import QueryNotFound
from cybergov.explore.charts import Chart, draw, home_charts


@dataclass(frozen=True, slots=True)
class Drawn:
    chart: Chart
    svg: Markup


def drawn_charts(service: Service, root: str) -> list[Drawn]:
    """The home page's charts, their questions answered once per graph version.

    Raises:
        QueryTimeout, StoreError: a question could not be answered.
    """
    charts = service.cached("home charts", lambda: _charts(service))
    return [Drawn(chart, chart_svg(chart, root)) for chart in charts]


def _charts(service: Service) -> list[Chart]:
    made = []
    for spec in home_charts():
        try:
            question = service.catalogue.get(spec.question)
        except QueryNotFound:
            continue
        answer = service.runner.select(question.text(), substitutions=question.bind({}))
        made.append(draw(spec, answer))
    return made
