"""A self-contained HTML report for a run folder, a comparison, a sweep or a
recipe: one ``report.html`` with every picture inlined (``data:`` URIs), its
styles inline, and no link outside the folder, so it opens anywhere, offline,
and can be mailed as one file.

A run folder's report has its configuration, its metrics, the learning
curves, the decision boundary, the neuron maps, the network diagram, the
confusion matrix and, when recorded, the training animation. A folder of
several runs (``compare``, ``sweep``, a recipe) has the results table, the
side-by-side panels and the loss curves, and links to each run's own report.

>>> import tempfile, pathlib
>>> from mlplab.config import RunConfig
>>> from mlplab.runs import train
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> _ = train(RunConfig(samples=80, epochs=20, hidden=(3,)), folder)
>>> text = (folder / "report.html").read_text()
>>> "Decision boundary" in text and "data:image/png;base64," in text
True
"""

from __future__ import annotations

import base64
import html
import json
import tomllib
from pathlib import Path
from typing import Any

from .runmetrics import RunMetrics

__all__ = ["SECTIONS", "write_report"]

# Pictures of a run folder, in the order shown, with their section titles.
SECTIONS = [
    ("learning_curves.png", "Learning curves"),
    ("decision_boundary.png", "Decision boundary"),
    ("neuron_maps.png", "Neuron maps"),
    ("network.png", "Network diagram"),
    ("confusion_matrix.png", "Confusion matrix"),
    ("train.gif", "Training animation"),
]
# Pictures of a folder of several runs.
SUMMARY_SECTIONS = [
    ("boundaries.png", "Decision boundaries side by side"),
    ("batch_modes.png", "Loss against epochs and against time"),
    ("loss.png", "Loss curves"),
]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
.muted { color: #666; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
"""


def _image(path: Path, alt: str) -> str:
    kind = "gif" if path.suffix == ".gif" else "png"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/{kind};base64,{data}">'


def _cell(value: Any) -> tuple[str, bool]:
    if value is None:
        return "&ndash;", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        return f"{value:.6g}", True
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, list):
        return html.escape(", ".join(str(v) for v in value)), False
    return html.escape(str(value)), False


def _table(header: list[str], rows: list[list[Any]]) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)]
    for row in rows:
        cells = []
        for value in row:
            text, numeric = _cell(value)
            cells.append(
                f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>"
            )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


_RUN_METRICS = [
    ("final_loss", "final training loss"),
    ("test_loss", "final test loss"),
    ("train_accuracy", "training accuracy"),
    ("test_accuracy", "test accuracy"),
    ("train_mse", "training MSE"),
    ("test_mse", "test MSE"),
    ("epochs", "epochs"),
    ("seconds", "seconds"),
    ("n_params", "weights"),
    ("n_train", "training samples"),
    ("n_test", "test samples"),
    ("classes", "classes"),
    ("diverged", "diverged"),
    ("error", "error"),
]


def _run_body(folder: Path, metrics: RunMetrics) -> list[str]:
    parts = ["<h2>Configuration</h2>"]
    config_path = folder / "config.toml"
    config = (
        tomllib.loads(config_path.read_text(encoding="utf-8"))
        if config_path.exists()
        else metrics.config
    )
    parts.append(_table(["key", "value"], [[k, v] for k, v in config.items()]))
    parts.append("<h2>Metrics</h2>")
    # The record's keys are those of the run's metrics.json (a regression
    # run's MSEs included); an error is shown when there is one.
    rows = [
        [label, metrics[key]]
        for key, label in _RUN_METRICS
        if key in metrics and not (key == "error" and metrics.error is None)
    ]
    parts.append(_table(["metric", "value"], rows))
    for name, title in SECTIONS:
        if (folder / name).exists():
            parts += [f"<h2>{title}</h2>", _image(folder / name, title)]
    return parts


def _summary_body(folder: Path, results: list[dict[str, Any]]) -> list[str]:
    parts = ["<h2>Results</h2>"]
    if results and "config" in results[0]:  # metrics of runs
        runs = [RunMetrics.from_dict(r) for r in results]
        keys = ["final_loss", "train_accuracy", "test_accuracy", "seconds"]
        if all(m.task == "regression" for m in runs):
            keys = ["final_loss", "train_mse", "test_mse", "seconds"]
        # a failed run has none of these keys: its cells stay empty
        rows = [[m.name, *(m.get(k) for k in keys)] for m in runs]
        parts.append(_table(["run", *keys], rows))
    elif results:  # a recipe's rows
        keys = [k for k in results[0] if k != "diverged"]
        parts.append(_table(keys, [[r.get(k) for k in keys] for r in results]))
    for name, title in SUMMARY_SECTIONS:
        if (folder / name).exists():
            parts += [f"<h2>{title}</h2>", _image(folder / name, title)]
    return parts


def _children(folder: Path) -> list[str]:
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and _kind(p) is not None)
    if not subs:
        return []
    items = []
    for sub in subs:
        label = sub.name
        metrics_path = sub / "metrics.json"
        if metrics_path.exists():
            label = RunMetrics.read(metrics_path).name
        items.append(
            f'<li><a href="{html.escape(sub.name)}/report.html">'
            f"{html.escape(str(label))}</a> <span class=muted>({html.escape(sub.name)}"
            ")</span></li>"
        )
    return ["<h2>Runs</h2>", "<ul>", *items, "</ul>"]


def _kind(folder: Path) -> str | None:
    if (folder / "metrics.json").exists():
        return "run"
    if (folder / "results.json").exists():
        return "summary"
    return None


def write_report(
    folder: str | Path,
    *,
    recursive: bool = True,
    title: str | None = None,
    intro: str | None = None,
    images: list[tuple[Path, str]] | None = None,
) -> Path:
    """Write ``folder/report.html`` and return its path.

    Parameters
    ----------
    folder : path
        A run folder (with ``metrics.json``) or a folder of several runs (with
        ``results.json``).
    recursive : bool, default True
        Also (re)write the reports of the run folders inside.
    title : str, optional
        The page title; by default the run's name or the folder's.
    intro : str, optional
        Text shown first, as written (a recipe's description and findings).
    images : list of (path, title), optional
        More pictures to inline after the results (a recipe's summary picture
        when it lies in a subfolder).
    """
    root = Path(folder)
    kind = _kind(root) if root.is_dir() else None
    if kind is None:
        raise ValueError(
            f"{root} is not a run folder: it needs metrics.json (from mlplab train) "
            "or results.json (from compare, sweep or a recipe)"
        )
    if recursive:
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            if _kind(sub) is not None:
                write_report(sub, recursive=True)
    heading, body = _read_body(root, kind, title)
    if intro:
        body = [f"<pre>{html.escape(intro)}</pre>", *body]
    for image, caption in images or []:
        if Path(image).exists():
            body += [f"<h2>{html.escape(caption)}</h2>", _image(Path(image), caption)]
    body += _children(root)
    path = root / "report.html"
    path.write_text(_page(heading, root.name, body) + "\n", encoding="utf-8")
    return path


def _read_body(root: Path, kind: str, title: str | None) -> tuple[str, list[str]]:
    """The heading and the sections of the report of the run folder
    (``kind`` ``"run"``) or folder of several runs (``"summary"``) ``root``."""
    try:
        if kind == "run":
            metrics = RunMetrics.read(root / "metrics.json")
            heading = title or str(metrics.name or root.name)
            return heading, _run_body(root, metrics)
        results = json.loads((root / "results.json").read_text(encoding="utf-8"))
        return title or _summary_title(root), _summary_body(root, results)
    except ValueError as exc:  # not JSON, TOML or UTF-8, or not a run's metrics
        raise ValueError(f"{root}: cannot read the run's files: {exc}") from None


def _page(heading: str, folder_name: str, body: list[str]) -> str:
    """The HTML page: the heading, the name of the folder and the body."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(heading)}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>{html.escape(heading)}</h1>",
            f'<p class="muted">mlplab report of {html.escape(folder_name)}</p>',
            *body,
            "</body></html>",
        ]
    )


def _summary_title(folder: Path) -> str:
    md = folder / "results.md"
    if md.exists():
        first = md.read_text(encoding="utf-8").splitlines()[:1]
        if first and first[0].startswith("# "):
            return first[0][2:].strip()
    return folder.name
