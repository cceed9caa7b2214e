"""The playground's page in a real browser (headless Chromium through
Playwright): it loads without script errors, learns XOR and draws it, keeps
one thumbnail per hidden unit, takes an uploaded CSV with three classes,
reports a malformed one and keeps working, exports a TOML file that
``mlplab train`` turns into the same loss, refuses requests without the
token, and resets to the same first loss.

The module is skipped when the ``playwright`` package or a Chromium
executable is missing. Playwright's own browsers are not used: the tests
drive the system's Chromium (``chromium`` or ``chromium-browser`` on the
``PATH``, or ``/usr/bin/chromium``).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlplab.playground import Playground

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the page tests need the playwright package"
)


def _chromium() -> str | None:
    """The system's Chromium executable, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
if CHROMIUM is None:
    pytest.skip(
        "the page tests need Chromium (chromium or chromium-browser on the PATH, "
        "or /usr/bin/chromium)",
        allow_module_level=True,
    )

expect = sync_api.expect
TIMEOUT_MS = 20_000  # one action of the page (a request and its frame)
LEARN_MS = 60_000  # training until a loss threshold

# The class colours of the page (playground.js): two classes orange / blue,
# more from the Okabe-Ito palette.
THREE_CLASS_RGB = [(0xE6, 0x9F, 0x00), (0x56, 0xB4, 0xE9), (0x00, 0x9E, 0x73)]


@pytest.fixture(scope="module")
def server() -> Iterator[Playground]:
    pg = Playground(port=0).start()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pw = sync_api.sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    except Exception as exc:  # a Chromium that does not start: say why
        pw.stop()
        pytest.skip(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield chromium
    chromium.close()
    pw.stop()


class Watched:
    """A page of the playground with what it reported: script errors,
    console errors, and the last session *Info* the server answered."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.info: dict[str, Any] | None = None
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, msg: Any) -> None:
        # Chromium logs every 4xx answer as "Failed to load resource"; the
        # page shows those in #error, which the tests check themselves.
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"console error: {msg.text}")

    def _response(self, resp: Any) -> None:
        if resp.request.method != "POST" or resp.status != 200:
            return
        if re.search(r"/api/sessions(/[^/]+/config)?$", resp.url.split("?")[0]):
            try:
                self.info = resp.json()
            except Exception as exc:  # recorded: fails the test
                self.errors.append(f"session answer is not JSON: {exc}")

    def text(self, id_: str) -> str:
        return str(self.page.locator(f"#{id_}").text_content())

    def epoch_is(self, n: int) -> None:
        expect(self.page.locator("#epoch")).to_have_text(str(n), timeout=TIMEOUT_MS)

    def set_hidden(self, units: list[int]) -> None:
        """The hidden layers set with the page's buttons: all removed, then
        added one by one and sized with + and -."""
        p = self.page
        while int(self.text("layer-count")) > 0:
            p.click("#remove-layer")
        for layer, n in enumerate(units):
            p.click("#add-layer")
            expect(p.locator("#layer-count")).to_have_text(str(layer + 1))
            shown = int(self.text(f"units-{layer}").split()[0])
            for _ in range(abs(n - shown)):
                p.click(f"#units-{'plus' if n > shown else 'minus'}-{layer}")
            expect(p.locator(f"#units-{layer}")).to_have_text(
                f"{n} {'unit' if n == 1 else 'units'}"
            )

    def step(self, n: int = 1) -> None:
        """``n`` single epochs, each waited for."""
        for _ in range(n):
            before = int(self.text("epoch"))
            self.page.click("#step")
            self.epoch_is(before + 1)


@pytest.fixture
def page(server: Playground, browser: Any) -> Iterator[Watched]:
    context = browser.new_context(
        viewport={"width": 1500, "height": 1000},
        device_scale_factor=1,
        accept_downloads=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    watched = Watched(pg)
    pg.goto(server.url)
    # the session exists once the export links point at it
    expect(pg.locator("#export-toml")).to_have_attribute(
        "href", re.compile(r"/api/sessions/"), timeout=TIMEOUT_MS
    )
    yield watched
    context.close()
    assert not watched.errors, "\n".join(watched.errors)


def _float(text: str) -> float:
    assert text.strip(), "an empty number on the page"
    return float(text)


def _pixels(page: Any, canvas: str, points: list[tuple[float, float]]) -> list:
    """The RGB of ``canvas`` at ``points`` given as fractions of its width
    and height."""
    return page.evaluate(
        """([id, pts]) => {
            const c = document.getElementById(id);
            const ctx = c.getContext("2d");
            return pts.map(([fx, fy]) => {
                const x = Math.min(c.width - 1, Math.floor(fx * c.width));
                const y = Math.min(c.height - 1, Math.floor(fy * c.height));
                const d = ctx.getImageData(x, y, 1, 1).data;
                return [d[0], d[1], d[2]];
            });
        }""",
        [canvas, points],
    )


def _plane_fraction(bounds: list[float], x1: float, x2: float) -> tuple[float, float]:
    """Where the point ``(x1, x2)`` lies on the heatmap, as fractions."""
    return (
        (x1 - bounds[0]) / (bounds[1] - bounds[0]),
        (bounds[3] - x2) / (bounds[3] - bounds[2]),
    )


def _blue_or_orange(rgb: list[int]) -> str:
    """The binary class a heatmap colour shows: blue (class 1) has more blue
    than red, orange (class 0) the other way round."""
    return "blue" if rgb[2] > rgb[0] else "orange"


def _quadrant_class(watched: Watched, sx: int, sy: int) -> str:
    """The majority colour of the heatmap in the quadrant of the input plane
    with signs ``(sx, sy)``, sampled on a 4 x 4 grid away from the axes."""
    assert watched.info is not None
    b = watched.info["bounds"]
    xs = [sx * f * (b[1] if sx > 0 else -b[0]) for f in (0.3, 0.45, 0.6, 0.75)]
    ys = [sy * f * (b[3] if sy > 0 else -b[2]) for f in (0.3, 0.45, 0.6, 0.75)]
    pts = [_plane_fraction(b, x, y) for x in xs for y in ys]
    votes = [_blue_or_orange(rgb) for rgb in _pixels(watched.page, "heatmap", pts)]
    blue = votes.count("blue")
    assert blue != len(votes) - blue, f"quadrant {(sx, sy)} is undecided: {votes}"
    return "blue" if blue > len(votes) - blue else "orange"


def _hue(rgb: list[int] | tuple[int, int, int]) -> tuple[float, float]:
    """Hue in degrees and saturation (max - min over max) of a colour."""
    r, g, b = (c / 255 for c in rgb)
    hi, lo = max(r, g, b), min(r, g, b)
    if hi - lo < 1e-9:
        return 0.0, 0.0
    if hi == r:
        h = 60 * (((g - b) / (hi - lo)) % 6)
    elif hi == g:
        h = 60 * ((b - r) / (hi - lo) + 2)
    else:
        h = 60 * ((r - g) / (hi - lo) + 4)
    return h, (hi - lo) / hi


# -------------------------------------------------------------------- tests


def test_page_loads_with_its_controls(page: Watched) -> None:
    p = page.page
    assert p.title() == "mlplab playground"
    for id_ in (
        "dataset", "play", "pause", "step", "reset", "epoch", "train-loss",
        "test-loss", "heatmap", "upload", "error", "export-toml",
        "export-command", "export-python", "export-model", "explain",
        "optimizer", "lr", "batch-size", "add-layer", "feature-0", "thumbnails",
    ):  # fmt: skip
        assert p.locator(f"#{id_}").count() == 1, f"#{id_} is missing"
    assert page.text("epoch") == "0"
    assert page.text("error") == ""
    # the data sets came from the server's options
    options = p.locator("#dataset option").evaluate_all("os => os.map(o => o.value)")
    assert {"xor", "moons", "circles", "spirals"} <= set(options)
    expect(p.locator("#status")).to_have_text("paused")


def test_xor_two_layers_learns_the_checkerboard(page: Watched) -> None:
    p = page.page
    p.select_option("#dataset", "xor")
    page.set_hidden([4, 4])
    p.select_option("#optimizer", "adam")
    p.select_option("#lr", "0.03")
    p.select_option("#batch-size", "10")
    expect(p.locator("#thumbnails canvas.unit")).to_have_count(8)
    p.click("#play")
    p.wait_for_function(
        """() => {
            const t = document.getElementById("test-loss").textContent;
            return t !== "" && Number(t) < 0.1;
        }""",
        timeout=LEARN_MS,
    )
    p.click("#pause")
    expect(p.locator("#status")).to_have_text("paused")
    assert page.info is not None and page.info["layers"] == [4, 4, 1]
    assert page.info["config"]["optimizer"] == "adam"
    corners = {
        (sx, sy): _quadrant_class(page, sx, sy) for sx in (1, -1) for sy in (1, -1)
    }
    # the colour of the upper right quadrant is that of its training points
    x, y = page.info["train"]["x"], page.info["train"]["y"]
    upper_right = [label for (a, b), label in zip(x, y, strict=True) if a > 0 and b > 0]
    ones = sum(1 for label in upper_right if label == 1)
    assert len(upper_right) > 20 and 2 * ones != len(upper_right)
    assert corners[1, 1] == ("blue" if 2 * ones > len(upper_right) else "orange")
    # XOR: the diagonal quadrants agree, neighbouring ones differ
    assert corners[1, 1] == corners[-1, -1], corners
    assert corners[1, -1] == corners[-1, 1], corners
    assert corners[1, 1] != corners[1, -1], corners


def test_one_thumbnail_per_hidden_unit(page: Watched) -> None:
    p = page.page
    units = p.locator("#thumbnails canvas.unit")
    p.select_option("#dataset", "moons")
    while int(page.text("layer-count")) > 0:
        p.click("#remove-layer")
    expect(units).to_have_count(0)
    p.click("#add-layer")  # a first layer of 2 units
    expect(units).to_have_count(2)
    for _ in range(4):
        p.click("#units-plus-0")
    expect(p.locator("#units-0")).to_have_text("6 units")
    expect(units).to_have_count(6)
    p.click("#add-layer")  # a second layer of min(6, 8) units
    expect(units).to_have_count(12)
    p.click("#units-minus-1")
    p.click("#units-minus-1")
    p.click("#units-minus-1")
    expect(p.locator("#units-1")).to_have_text("3 units")
    expect(units).to_have_count(9)
    assert units.evaluate_all("cs => cs.map(c => c.dataset.layer).join('')") == (
        "000000111"
    )
    # the server agrees, and draws every unit once the network is trained
    p.wait_for_function("() => document.getElementById('epoch').textContent === '0'")
    page.step()
    p.wait_for_function(
        """() => [...document.querySelectorAll('#thumbnails canvas.unit')].every(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] === 0) return false;
            return true;
        })"""
    )
    assert page.info is not None and page.info["layers"][:-1] == [6, 3]
    p.click("#remove-layer")
    expect(units).to_have_count(6)


def _three_class_csv(path: Path) -> Path:
    """Three separated clusters, labelled x, y, z, with a noise column."""
    import numpy as np

    rng = np.random.default_rng(7)
    centres = {"x": (-3.0, -2.0), "y": (3.0, -2.0), "z": (0.0, 3.0)}
    lines = ["a,b,noise,kind"]
    for _ in range(60):
        for kind, (cx, cy) in centres.items():
            a, b = rng.normal((cx, cy), 0.6)
            lines.append(f"{a:.4f},{b:.4f},{rng.normal():.4f},{kind}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_upload_of_three_classes_draws_three_colours(
    page: Watched, tmp_path: Path
) -> None:
    p = page.page
    p.set_input_files("#upload", str(_three_class_csv(tmp_path / "clusters.csv")))
    expect(p.locator("#upload-columns")).to_be_visible()
    expect(p.locator("#dataset")).to_have_value("upload")
    expect(p.locator("#upload-name")).to_contain_text("clusters.csv")
    p.select_option("#feature-column-1", "a")
    p.select_option("#feature-column-2", "b")
    p.select_option("#label-column", "kind")
    expect(p.locator("#dataset-task")).to_contain_text("3 classes")
    assert page.info is not None
    assert page.info["classes"] == ["x", "y", "z"]
    assert page.info["layers"][-1] == 3
    p.select_option("#lr", "0.3")
    page.step(5)
    assert _float(page.text("train-accuracy")) > 0.9
    # sample the heatmap on a grid: each class colour covers a good share
    n = 30
    grid = [((i + 0.5) / n, (j + 0.5) / n) for i in range(n) for j in range(n)]
    counts = [0, 0, 0]
    class_hues = [_hue(c)[0] for c in THREE_CLASS_RGB]
    for rgb in _pixels(p, "heatmap", grid):
        h, s = _hue(rgb)
        if s < 0.1:
            continue
        dist = [min(abs(h - ch), 360 - abs(h - ch)) for ch in class_hues]
        k = min(range(3), key=dist.__getitem__)
        if dist[k] < 12:
            counts[k] += 1
    assert all(c > 0.1 * n * n for c in counts), counts
    assert page.text("error") == ""


def test_malformed_csv_shows_an_error_and_the_server_keeps_working(
    page: Watched, tmp_path: Path
) -> None:
    p = page.page
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b,label\n1,2,0\n3,4\n5,6,1,7\n")
    p.set_input_files("#upload", str(bad))
    expect(p.locator("#error")).to_contain_text("ragged.csv")
    assert page.text("error").strip() != "ragged.csv"  # says what is wrong
    expect(p.locator("#upload-columns")).to_be_hidden()
    p.select_option("#dataset", "moons")
    page.step()
    expect(p.locator("#error")).to_have_text("")
    assert page.info is not None and page.info["config"]["dataset"] == "moons"
    assert math.isfinite(_float(page.text("train-loss")))


def test_exported_toml_reproduces_the_training_loss(
    page: Watched, tmp_path: Path
) -> None:
    p = page.page
    p.select_option("#dataset", "circles")
    p.click("#units-minus-0")
    p.select_option("#lr", "0.1")
    page.step(3)
    shown = _float(page.text("train-loss"))
    with p.expect_download() as dl:
        p.click("#export-toml")
    path = tmp_path / "config.toml"
    dl.value.save_as(path)
    text = path.read_text()
    m = re.search(r"^# training loss (\S+), test loss (\S+)$", text, re.M)
    assert m, text
    header_loss = float(m.group(1))
    # the page shows 4 significant digits of the server's loss
    assert header_loss == pytest.approx(shown, rel=5e-4, abs=0)
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "mlplab", "train", "--config", str(path),
         "--out", str(out), "--no-progress"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final_loss"] == header_loss
    assert metrics["final_loss"] == pytest.approx(shown, rel=5e-4, abs=0)
    assert metrics["test_loss"] == float(m.group(2))


@pytest.mark.parametrize(
    "query", ["", "?token=wrong", "api/options", "api/options?token=wrong"]
)
def test_requests_without_the_token_are_refused(server: Playground, query: str) -> None:
    base = f"http://127.0.0.1:{server.port}/"
    path = query.split("?")[0]
    assert _status(base + query) == 403
    assert _status(f"{base}{path}?token={server.token}") == 200


def _status(url: str) -> int:
    """The HTTP status of a GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        with err:
            return err.code


def test_reset_repeats_the_first_loss_and_new_seed_changes_it(page: Watched) -> None:
    p = page.page
    p.select_option("#dataset", "spirals")
    page.step()
    first = page.text("train-loss")
    assert math.isfinite(_float(first))
    page.step(3)
    assert page.text("train-loss") != first
    p.click("#reset")
    page.epoch_is(0)
    page.step()
    assert page.text("train-loss") == first
    seed = page.info["config"]["seed"] if page.info else None
    with p.expect_response(re.compile(r"/api/sessions/[^/]+/config")):
        p.click("#new-seed")
    page.epoch_is(0)
    assert page.info is not None and page.info["config"]["seed"] != seed
    page.step()
    assert page.text("train-loss") != first
