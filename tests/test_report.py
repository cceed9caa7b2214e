"""Self-contained HTML reports of runs, comparisons, sweeps and recipes."""

import base64
import json
import re
from html.parser import HTMLParser

import pytest

import mlplab as ml
from mlplab import recipes, sweep
from mlplab.cli import main
from mlplab.report import SECTIONS, write_report
from mlplab.runs import train

SMALL = {"samples": 80, "epochs": 15}


class _Page(HTMLParser):
    """Collects headings, every URL-bearing attribute and table cells."""

    def __init__(self):
        super().__init__()
        self.h2, self.urls, self.cells, self.images = [], [], [], []
        self._tag = None

    def handle_starttag(self, tag, attrs):
        self._tag = tag
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "poster", "srcset"):
                self.urls.append(value)
            if tag == "img" and name == "src":
                self.images.append(value)

    def handle_endtag(self, tag):
        self._tag = None

    def handle_data(self, data):
        if self._tag == "h2":
            self.h2.append(data.strip())
        elif self._tag == "td":
            self.cells.append(data.strip())


def _parse(path):
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    return text, page


def _assert_self_contained(text, page, folder):
    assert "<link" not in text and "<script" not in text
    assert "url(" not in text.split("</style>")[0]  # no fetched CSS resources
    for url in page.urls:
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", url) or url.startswith("data:"), url
        if not url.startswith("data:"):  # a relative link to a file in the folder
            assert (folder / url).exists(), url
    for src in page.images:
        kind, _, data = src.partition(";base64,")
        assert kind in ("data:image/png", "data:image/gif")
        raw = base64.b64decode(data, validate=True)
        assert raw[:4] in (b"\x89PNG", b"GIF8")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "run"
    train(ml.RunConfig(**SMALL, hidden=(3,)), folder)
    return folder


def test_a_run_report_has_every_section_and_nothing_external(run_folder):
    text, page = _parse(run_folder / "report.html")
    expected = ["Configuration", "Metrics"] + [
        title for name, title in SECTIONS if name != "train.gif"
    ]
    assert page.h2 == expected
    assert len(page.images) == len(expected) - 2  # one picture per picture section
    _assert_self_contained(text, page, run_folder)


def test_the_report_shows_the_runs_numbers(run_folder):
    _, page = _parse(run_folder / "report.html")
    metrics = json.loads((run_folder / "metrics.json").read_text())
    assert f"{metrics['final_loss']:.6g}" in page.cells
    assert f"{metrics['test_accuracy']:.6g}" in page.cells
    assert "moons" in page.cells  # the configuration table: dataset = "moons"


def test_a_comparison_report_links_each_run_and_shows_the_panels(tmp_path):
    out = tmp_path / "cmp"
    sweep.compare([ml.RunConfig(**SMALL, hidden=(3,))], out=out, title="two runs")
    text, page = _parse(out / "report.html")
    assert page.h2[:3] == ["Results", "Decision boundaries side by side", "Loss curves"]
    assert "Runs" in page.h2
    links = [u for u in page.urls if u.endswith("report.html")]
    assert len(links) == 2 and all((out / u).exists() for u in links)
    assert "logistic regression" in page.cells
    _assert_self_contained(text, page, out)


def test_a_recipe_report_has_its_findings_and_summary_picture(tmp_path):
    result = recipes.run("moons-he-tanh", tmp_path / "r", epochs_factor=0.01)
    text, page = _parse(tmp_path / "r" / "report.html")
    assert "cost after iteration" in text  # the recipe's printed findings
    assert "Summary" in page.h2 and result.figure is not None
    _assert_self_contained(text, page, tmp_path / "r")


def test_report_command_regenerates_every_report(run_folder, tmp_path, capsys):
    (run_folder / "report.html").unlink()
    assert main(["report", str(run_folder)]) == 0
    assert (run_folder / "report.html").exists()
    assert str(run_folder / "report.html") in capsys.readouterr().out


def test_report_of_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "metrics.json" in err[0]
    with pytest.raises(ValueError, match="not a run folder"):
        write_report(tmp_path / "missing")


def test_demo_ends_with_the_report_path(tmp_path, capsys):
    assert main(["demo", "--quick", "--out", str(tmp_path / "demo")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith(str(tmp_path / "demo" / "report.html"))
    assert (tmp_path / "demo" / "report.html").exists()


def test_train_animate_adds_a_gif_and_its_report_section(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "anim"
    code = main(
        [
            "train",
            "--samples",
            "60",
            "--epochs",
            "12",
            "--animate",
            "4",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with Image.open(out / "train.gif") as gif:
        assert gif.n_frames == 5  # epochs 0, 3, 6, 9, 12
    text, page = _parse(out / "report.html")
    assert page.h2[-1] == "Training animation"
    assert sum(src.startswith("data:image/gif") for src in page.images) == 1
    _assert_self_contained(text, page, out)
