"""Screenshots of the main pages for the README, taken in Debian's Chromium.

Starts ``cybergov serve`` on a free port of 127.0.0.1 over the bundled data, opens each
page in headless Chromium (through Playwright, with the browser of the system: apt-get
install chromium), waits until its charts and network are drawn, and writes
``docs/screenshots/<name>.png``. Needs the test extra (``pip install -e '.[test]'``).

Usage: ``python tools/screenshots.py [--out docs/screenshots]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cybergov.errors import StoreUnavailable
from cybergov.store.local_servers import free_port, stop_process, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent
#: Debian's Chromium and the switches that keep it headless and off the network but for
#: the pages it is sent to (also those of the browser tests).
CHROMIUM = "/usr/bin/chromium"
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The pages shown in the README: file name, path, width, what to wait for.
PAGES = (
    ("home", "/", 1280, "svg.chart"),
    ("search", "/search?q=Fancy+Bear", 1280, "ol.hits"),
    ("incidents", "/incidents?attributed=state%3ARU&eu=yes", 1280, "table.incidents"),
    ("question", "/questions/incident-responses?incident=incident%3Anotpetya-2017", 1280, "table"),
    ("timeline", "/timeline/incident/notpetya-2017", 1280, "svg.timeline"),
    ("network", "/network/incident/notpetya-2017", 1280, "[data-settled]"),
    ("sparql", "/sparql?example=incidents-by-type", 1280, ".editor.highlighting"),
    ("docs", "/docs", 1280, ".opblock"),
    ("phone", "/incidents?year=2017", 390, "table.incidents"),
)


def serve(port: int, log: object) -> subprocess.Popen[bytes]:
    command = shutil.which("cybergov", path=str(Path(sys.executable).parent))
    arguments = [command] if command else [sys.executable, "-m", "cybergov"]
    process = subprocess.Popen(
        [*arguments, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", process, 180)
    except StoreUnavailable as error:
        stop_process(process, 10)
        raise SystemExit(f"cybergov serve did not become ready: {error}") from error
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    options.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    profile = tempfile.mkdtemp(prefix="cybergov-screenshots-")
    with tempfile.TemporaryFile() as log:
        process = serve(port, log)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    profile, executable_path=CHROMIUM, args=ARGUMENTS, headless=True
                )
                page = context.new_page()
                for name, path, width, ready in PAGES:
                    page.set_viewport_size({"width": width, "height": 1000 if width > 800 else 800})
                    page.goto(base + path)
                    page.locator(ready).first.wait_for(timeout=30_000)
                    target = options.out / f"{name}.png"
                    page.screenshot(path=str(target))
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                context.close()
        finally:
            stop_process(process, 30)
            shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
