"""The whole site crawled: every link of every page leads somewhere, no page loads anything
from another host, and pages of every kind, opened in Chromium, ask nothing of another host
and log no error.

Every link is followed over HTTP (some 9,000 pages: each resource, its network and
timeline, the incident browser's facets and sorts, every question and its downloads, the
ontology, the dumps); each page is read for its links and for what it would load. The
other formats of a resource page (``?format=ttl`` and six more, the same code for every
resource) are fetched for the first resources met, not for all 2,000 of them. In
Chromium, the first pages of each kind (the first segment of their path) are opened
with every request and console message recorded.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from benchmarks.servers import cybergov_service

from tests.browser.conftest import Record, watch

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

LINK = re.compile(r'(?:href|src|action)="([^"]*)"')
#: Elements whose address a browser loads by itself.
LOADED = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|track)\b[^>]*?"
    r'\b(?:src|href|data)="([^"]+)"',
    re.IGNORECASE,
)
PAGES_PER_KIND = 12
#: Resources whose other formats are fetched too.
FORMATS_OF = 40


def family(path: str) -> str:
    return path.split("?", maxsplit=1)[0].split("/")[1] or "home"


class Crawl:
    def __init__(self, base: str) -> None:
        self.base = base
        self.host = urlsplit(base).netloc
        self.client = httpx.Client(timeout=120, limits=httpx.Limits(max_connections=8))
        self.seen: dict[str, None] = {"/": None}
        self.broken: list[str] = []
        self.loads_elsewhere: list[str] = []
        self.pages: list[str] = []
        self.lock = threading.Lock()
        self.slowest: tuple[float, str] = (0.0, "")
        self.formats_of: set[str] = set()
        self.resolved: dict[str, str | None] = {}

    def wanted(self, link: str) -> bool:
        """Whether to fetch a link: every one but the other formats of most resources."""
        path, _, query = link.partition("?")
        if family(path) not in ("id", "graph") or "format=" not in query:
            return True
        if path in self.formats_of or len(self.formats_of) < FORMATS_OF:
            self.formats_of.add(path)
            return True
        return False

    def local(self, page: str, link: str) -> str | None:
        """The path (and query) of the page ``link`` of ``page`` leads to on this site, or
        None for another site. A link from the root (``/id/...``) leads to the same page
        from every page: it is resolved once (a page has some 70 links, most of them seen
        on other pages, and resolving them was most of the crawler's own time)."""
        from_the_root = link.startswith("/") and not link.startswith("//")
        if from_the_root and link in self.resolved:
            return self.resolved[link]
        target = urlsplit(urljoin(self.base + page, link.replace("&amp;", "&")))
        found = None
        if target.scheme in ("http", "https") and target.netloc == self.host:
            found = target.path + (f"?{target.query}" if target.query else "")
        if from_the_root:
            self.resolved[link] = found
        return found

    def fetch(self, path: str) -> list[str]:
        started = time.monotonic()
        try:
            response = self.client.get(self.base + path, headers={"Accept": "text/html"})
        except httpx.HTTPError as error:
            with self.lock:
                self.broken.append(f"{path}: {error!r}")
            return []
        finally:
            with self.lock:
                self.slowest = max(self.slowest, (time.monotonic() - started, path))
        if response.status_code >= 400:
            with self.lock:
                self.broken.append(f"{path}: {response.status_code}")
            return []
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        html = response.text
        with self.lock:
            self.pages.append(path)
            for loaded in LOADED.findall(html):
                target = urlsplit(urljoin(self.base + path, loaded.replace("&amp;", "&")))
                if target.scheme in ("http", "https") and target.netloc != self.host:
                    self.loads_elsewhere.append(f"{path} loads {loaded}")
        return [found for link in LINK.findall(html) if (found := self.local(path, link))]

    def run(self) -> None:
        frontier = ["/"]
        with ThreadPoolExecutor(6) as pool:
            while frontier:
                following = []
                for links in pool.map(self.fetch, frontier):
                    for link in links:
                        if link not in self.seen:
                            self.seen[link] = None
                            if self.wanted(link):
                                following.append(link)
                frontier = following


@pytest.fixture(scope="module")
def crawled() -> Iterator[Crawl]:
    # Two server processes (a read-only service may run several) answer the crawl sooner.
    # The crawler is one client that follows every link, the SPARQL links of the charts
    # among them, in a few minutes: a bulk reader, whose per-client budget of query time
    # (tested in tests/api/test_fair_use.py) is lifted here.
    bulk = {"client_queries": "16", "client_query_seconds": "100000"}
    with cybergov_service("--workers", "2", settings=bulk) as (base, _):
        crawl = Crawl(base)
        crawl.run()
        yield crawl


def test_no_link_is_broken(crawled):
    assert len(crawled.pages) > 1000
    kinds = {family(path) for path in crawled.pages}
    assert {"home", "id", "incidents", "questions", "search", "timeline", "network"} <= kinds
    assert crawled.broken == [], f"the slowest page: {crawled.slowest}"


def test_no_page_loads_anything_from_another_host(crawled):
    assert crawled.pages
    assert crawled.loads_elsewhere == []


def test_pages_of_every_kind_in_a_browser(crawled, browser_context):
    record = Record(crawled.base)
    page = browser_context.new_page()
    watch(page, record)
    opened: Counter[str] = Counter()
    statuses: dict[str, int] = defaultdict(int)
    try:
        for path in crawled.pages:
            kind = family(path)
            if opened[kind] >= PAGES_PER_KIND:
                continue
            opened[kind] += 1
            response = page.goto(crawled.base + path, wait_until="load")
            statuses[path] = response.status if response else 0
    finally:
        page.close()
    assert sum(opened.values()) >= 80, opened
    assert [p for p, status in statuses.items() if status >= 400] == []
    assert record.elsewhere() == []
    assert record.errors == []
