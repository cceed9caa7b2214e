"""The playground's picture for the README: the page after a short run on XOR.

Starts a playground in this process, opens its page in headless Chromium
(the system's ``chromium``, driven by the ``playwright`` package; Playwright's
own browsers are not needed), sets XOR with two hidden tanh layers of 4 units
through the page's URL hash, plays until the test loss is under
``--loss`` (and at least ``--min-seconds``, at most ``--max-seconds``),
pauses, and saves a screenshot of the page.

    python benchmarks/screenshots.py docs/playground.png [--chromium PATH]

Exits with status 2 and a message when playwright or Chromium is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from mlplab.playground import Playground

# the page configuration, as the page keeps it in its URL hash
HASH = (
    "dataset=xor&samples=500&noise=0.1&test_ratio=0.5&features=x1,x2"
    "&hidden=4:tanh:0,4:tanh:0&optimizer=sgd&lr=0.1&batch_size=10&seed=0"
)
WIDTH, HEIGHT = 1500, 1000


def find_chromium(given: str | None) -> str | None:
    """The Chromium executable: ``given``, else ``chromium`` or
    ``chromium-browser`` on the PATH, else ``/usr/bin/chromium``."""
    if given:
        return given if Path(given).exists() else shutil.which(given)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def test_loss(page: Any) -> float | None:
    """The test loss the page shows, or None while it shows none."""
    text = (page.locator("#test-loss").text_content() or "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def train(page: Any, args: argparse.Namespace) -> None:
    """Play until the test loss is under ``args.loss`` and ``args.min_seconds``
    have passed (or ``args.max_seconds`` have), then pause."""
    page.click("#play")
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        loss = test_loss(page)
        reached = loss is not None and loss < args.loss
        if (reached and elapsed >= args.min_seconds) or elapsed >= args.max_seconds:
            break
        page.wait_for_timeout(100)
    page.click("#pause")
    page.locator("#status").filter(has_text="paused").wait_for(timeout=10_000)
    if not reached:
        print(
            f"note: the test loss is {loss} after {args.max_seconds} s, not under "
            f"{args.loss}",
            file=sys.stderr,
        )


def shoot(chromium: str, out: Path, args: argparse.Namespace) -> None:
    """Open the page, train, and save the screenshot to ``out``."""
    from playwright.sync_api import sync_playwright

    with Playground(port=0) as pg, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(
                viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1
            )
            page.set_default_timeout(20_000)
            page.goto(f"{pg.url}#{HASH}")
            page.wait_for_selector("#export-toml[href*='/api/sessions/']")
            page.wait_for_function(
                "() => document.getElementById('layer-count').textContent === '2'"
            )
            train(page, args)
            error = (page.locator("#error").text_content() or "").strip()
            if error:
                raise RuntimeError(f"the page shows an error: {error}")
            page.wait_for_timeout(300)  # the last frame drawn
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            epoch = page.locator("#epoch").text_content()
            print(f"{out}: epoch {epoch}, test loss {test_loss(page)}")
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the PNG file to write")
    parser.add_argument("--chromium", help="the Chromium executable")
    parser.add_argument("--loss", type=float, default=0.15, help="test loss to reach")
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    if not re.search(r"\.png$", str(args.out), re.I):
        parser.error(f"the output must be a .png file; received {args.out}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print(
            "screenshots.py needs the playwright package: pip install playwright "
            "(its browsers are not needed; the system's Chromium is used)",
            file=sys.stderr,
        )
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print(
            "screenshots.py needs Chromium: install Debian's chromium package, or "
            "pass --chromium PATH",
            file=sys.stderr,
        )
        return 2
    shoot(chromium, args.out, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
