"""The research pages in a real browser: search, the question forms, the incident browser,
timelines, networks and the API's documentation."""

from __future__ import annotations

import re

import httpx
import pytest

from cybergov.namespaces import shorten
from cybergov.sparql.catalogue import Catalogue
from tests.questions.expectations import load_cases

pytestmark = [pytest.mark.browser, pytest.mark.server]

CATALOGUE = Catalogue.load()
EXAMPLE_CASES = {
    name: case
    for name, _, case in load_cases()
    if "error" not in case
    and case.get("params", {})
    == {
        p.name: (p.example.isoformat() if hasattr(p.example, "isoformat") else p.example)
        for p in CATALOGUE.get(name).params
    }
}


def example_text(parameter) -> str:
    value = parameter.example
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return shorten(text) if parameter.type == "iri" else text


def test_search_finds_a_group_by_a_vendor_name(page, site):
    page.goto(site + "/")
    box = page.get_by_role("combobox", name="Search the graph")
    box.fill("Fancy Bear")
    option = page.get_by_role("option").filter(has_text="APT28")
    option.first.wait_for()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=Fancy"))
    first = page.locator("ol.hits > li").first
    assert "APT28" in first.inner_text()
    assert "Fancy Bear" in first.locator(".matched").inner_text()
    first.get_by_role("link", name="APT28").click()
    page.wait_for_url(re.compile(r"/id/group/apt28$"))


def test_search_corrects_a_misspelt_name_and_narrows_by_kind(page, site):
    page.goto(site + "/search?q=sandwrom")
    assert "sandworm" in page.get_by_role("status").inner_text()
    page.locator("aside.facets").get_by_role("link", name="threat-actor groups").click()
    hits = page.locator("ol.hits > li")
    assert hits.count() >= 1
    assert all("GROUP" in hits.nth(i).inner_text().upper() for i in range(hits.count()))


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_every_question_runs_from_its_form(page, site, question):
    page.goto(f"{site}/questions/{question.name}")
    assert page.title().startswith(question.summary[:20])
    for parameter in question.params:
        field = page.locator(f"#p-{parameter.name}")
        if parameter.type == "enumeration":
            field.select_option(example_text(parameter))
        else:
            field.fill(example_text(parameter))
            if parameter.type == "iri":
                field.press("Escape")
    page.get_by_role("button", name="Ask").click()
    page.locator("#answer-heading").wait_for()
    params = {p.name: example_text(p) for p in question.params}
    expected = httpx.get(
        f"{site}/questions/{question.name}", params={**params, "limit": 50}, timeout=60
    ).json()
    table = page.locator("table.results").last
    shown = table.locator("tbody tr")
    assert shown.count() == expected["count"], "the page shows the rows the API answers"
    first_column = expected["head"]["vars"][0]
    for number, row in enumerate(expected["rows"][:10]):
        cell = shown.nth(number).locator("td").first
        value = row[first_column]
        if isinstance(value, str) and value.startswith("https://w3id.org/cybergov/"):
            assert cell.locator("a").get_attribute("title") == shorten(value)
        elif value is not None:
            assert cell.inner_text().strip() == str(value).split("T00:00:00")[0]
    case = EXAMPLE_CASES.get(question.name)
    if case:
        text = table.inner_html()
        for wanted in case.get("includes", []) + case.get("rows", []):
            for value in wanted.values():
                if isinstance(value, str) and re.fullmatch(r"[a-z-]+:[\w.-]+", value):
                    assert value in text, f"{value} is not shown"


def test_a_question_with_required_parameters_shows_its_form_first(page, site):
    required = [q for q in CATALOGUE if any(p.required for p in q.params)]
    for question in required:
        response = page.goto(f"{site}/questions/{question.name}")
        assert response.status == 200
        assert page.locator("form.question-form").count() == 1
        assert page.locator("#answer-heading").count() == 0


def test_an_iri_field_suggests_resources_of_its_class(page, site):
    page.goto(f"{site}/questions/incidents-attributed-to-state")
    field = page.locator("#p-state")
    assert field.get_attribute("data-within") == "https://w3id.org/cybergov/ontology#State"
    field.fill("Russ")
    page.get_by_role("option").filter(has_text="Russia").first.click()
    assert field.input_value() == "state:RU"
    page.get_by_role("button", name="Ask").click()
    page.locator("#answer-heading").wait_for()
    assert page.locator("table.results tbody tr").count() > 5


def test_the_incident_browser_filters_sorts_and_exports(page, site):
    page.goto(f"{site}/incidents")
    everything = page.locator("table.incidents tbody tr").count()
    assert everything > 20
    year = page.locator("fieldset", has_text="Year of start").locator("label", has_text="2017")
    announced = int(re.search(r"\((\d+)\)", year.inner_text()).group(1))
    year.locator("input").check()
    page.wait_for_url(re.compile(r"year=2017"))
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == announced < everything
    starts = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert all(start.startswith("2017") for start in starts)
    russia = page.locator("fieldset", has_text="Attributed to (state)").locator(
        "label", has_text="Russia"
    )
    russia.locator("input").check()
    page.wait_for_url(re.compile(r"attributed=state%3ARU"))
    narrowed = page.locator("table.incidents tbody tr")
    assert 0 < narrowed.count() <= announced
    assert all(
        "Russia" in narrowed.nth(i).locator("td").nth(5).inner_text()
        for i in range(narrowed.count())
    )
    page.get_by_role("link", name="start").click()
    page.wait_for_url(re.compile(r"order=desc"))
    shared = page.url
    page.goto(shared)
    assert page.locator("table.incidents tbody tr").count() == narrowed.count()
    link = page.locator("a", has_text="CSV").get_attribute("href")
    csv = httpx.get(site + link, timeout=60)
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("incident,label,start")
    assert len(lines) - 1 == narrowed.count()


def test_the_timeline_of_notpetya(page, site):
    page.goto(f"{site}/timeline/incident/notpetya-2017")
    figure = page.locator("svg.timeline")
    assert figure.locator("circle.event-incident").count() == 1
    assert figure.locator("circle.event-attribution").count() >= 3
    assert figure.locator("circle.event-response").count() >= 3
    rows = page.locator("table.timeline-table tbody tr")
    uk = rows.filter(has_text="United Kingdom's attribution of NotPetya")
    assert uk.locator("td").nth(6).inner_text() == "233"
    assert rows.first.locator("td").first.inner_text().startswith("2017-06-27")


def test_the_timeline_of_a_state(page, site):
    page.goto(f"{site}/timeline/state/RU")
    assert page.locator("svg.timeline circle.event-incident").count() >= 10


def wait_for_nodes(page, box, *, more_than: int) -> int:
    """The number of nodes drawn, once it is more than ``more_than`` (the page's Content
    Security Policy forbids the evaluated scripts of wait_for_function)."""
    for _ in range(100):
        drawn = int(box.get_attribute("data-nodes") or 0)
        if drawn > more_than:
            return drawn
        page.wait_for_timeout(100)
    raise AssertionError(f"{more_than} nodes or fewer drawn")


def test_the_network_of_notpetya(page, site):
    page.goto(f"{site}/network/incident/notpetya-2017")
    box = page.locator("[data-network]")
    before = wait_for_nodes(page, box, more_than=10)
    assert page.locator("svg.network-canvas g[role=button]").count() == before
    assert page.locator("svg.network-canvas line").count() >= before - 1
    russia = page.locator("svg.network-canvas g[role=button]", has_text="Russia").first
    russia.focus()
    russia.press("Enter")
    wait_for_nodes(page, box, more_than=before)
    russia.press("o")
    page.wait_for_url(re.compile(r"/id/state/RU$"))


def test_the_api_documentation_lists_the_operations(page, site):
    page.goto(f"{site}/docs")
    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/sparql" in paths
    assert "/search" in paths
    assert all(f"/questions/{q.name}" in paths for q in CATALOGUE)


def test_pages_work_at_phone_width(page, site):
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/incidents", "/questions/incidents", "/timeline/incident/notpetya-2017"):
        page.goto(site + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} is wider than the phone by {overflow}px"


def test_search_forms_and_filters_work_without_scripts(script_free_page, site):
    page = script_free_page
    page.goto(site + "/")
    page.get_by_label("Search the graph").fill("Sandworm")
    page.get_by_label("Search the graph").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=Sandworm"))
    assert "Sandworm" in page.locator("ol.hits > li").first.inner_text()
    page.goto(f"{site}/questions/incident-responses")
    page.locator("#p-incident").fill("incident:notpetya-2017")
    page.get_by_role("button", name="Ask").click()
    assert page.locator("table.results tbody tr").count() >= 5
    page.goto(f"{site}/incidents")
    page.locator("fieldset", has_text="EU response").locator(
        "label", has_text="the EU responded"
    ).locator("input").check()
    page.get_by_role("button", name="Apply the filters").click()
    page.wait_for_url(re.compile(r"eu=yes"))
    assert page.locator("table.incidents tbody tr").count() >= 5
