"""Fixtures of the browser tests: a real ``cybergov serve`` and Debian's Chromium driven by
Playwright, every request and console message of every page recorded."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from benchmarks.servers import cybergov_service
from tools.screenshots import ARGUMENTS, CHROMIUM


@dataclass
class Record:
    """What the pages of a test asked for and said."""

    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        """Requests to any host but the service (data: URLs are no requests)."""
        host = urlsplit(self.base).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).netloc != host
        ]


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """A real server over the bundled data."""
    with cybergov_service() as (base, _):
        yield base


@pytest.fixture(scope="module")
def playwright():
    """Playwright for one test file: its event loop stays in this thread while it runs, and
    would break a later test of the same process that runs one of its own (asyncio.run)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install chromium"
    with sync_playwright() as started:
        yield started


def chromium(playwright, **options):
    """Debian's Chromium, headless, with a fresh profile, never a downloaded browser."""
    profile = tempfile.mkdtemp(prefix="cybergov-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        args=ARGUMENTS,
        headless=True,
        viewport={"width": 1280, "height": 900},
        **options,
    )
    context.set_default_timeout(20_000)
    return context, profile


@pytest.fixture(scope="module")
def browser_context(playwright):
    context, profile = chromium(playwright)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def script_free_context(playwright):
    """The same browser with JavaScript turned off."""
    context, profile = chromium(playwright, java_script_enabled=False)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def watch(page, record: Record) -> None:
    page.on("request", lambda request: record.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            record.errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: record.errors.append(f"{page.url}: {error}"))


@pytest.fixture
def record(site) -> Record:
    return Record(site)


@pytest.fixture
def page(browser_context, record):
    """A fresh page whose requests and console errors are checked when the test ends."""
    opened = browser_context.new_page()
    watch(opened, record)
    yield opened
    opened.close()
    assert record.elsewhere() == [], "requests to another host"
    assert record.errors == [], "console errors"


@pytest.fixture
def script_free_page(script_free_context, record):
    opened = script_free_context.new_page()
    watch(opened, record)
    yield opened
    opened.close()
    assert record.elsewhere() == [], "requests to another host"
    assert record.errors == [], "console errors"
