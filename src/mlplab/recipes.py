"""The classic experiments of the from-scratch tutorials, one command each.

``mlplab recipe list`` names them; ``mlplab recipe run NAME --out DIR`` runs
one and writes its folder: a run folder per trained network (see
:mod:`mlplab.runs`), a results table (``results.md``, ``results.json``) and
the recipe's pictures. ``mlplab recipe readme`` runs them all and writes the
results table of the README, so its numbers always come from a run.

>>> [r.name for r in RECIPES.values()][:3]
['moons-vs-logistic', 'moons-tanh-softmax', 'logic-gates']
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import sweep
from .config import RunConfig
from .report import write_report
from .runfolder import slug, write_summary
from .runresult import RunResult
from .runs import train
from .runtable import format_table

__all__ = ["RECIPES", "Recipe", "RecipeResult", "get", "run"]


@dataclass
class RecipeResult:
    """What a recipe found: one row per trained network, the text printed
    for the user, the folder written and the picture that sums it up."""

    name: str
    rows: list[dict[str, Any]]
    text: str
    folder: Path | None = None
    figure: Path | None = None
    results: list[RunResult] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    description: str
    function: Callable[[Path | None, float], RecipeResult]

    def run(
        self, out: str | Path | None = None, epochs_factor: float = 1.0
    ) -> RecipeResult:
        """Run the recipe; ``epochs_factor`` scales every epoch count (the tests
        use a small one)."""
        if (
            isinstance(epochs_factor, bool)
            or not isinstance(epochs_factor, int | float)
            or not 0 < epochs_factor <= 1
        ):
            raise ValueError(
                f"epochs_factor must be in (0, 1]; received {epochs_factor!r}"
            )
        folder = None if out is None else Path(out)
        result = self.function(folder, float(epochs_factor))
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "results.md").write_text(
                f"# {self.name}: {self.title}\n\n{table(result.rows, markdown=True)}\n",
                encoding="utf-8",
            )
            (folder / "results.json").write_text(
                json.dumps(result.rows, indent=2) + "\n", encoding="utf-8"
            )
            figure = result.figure
            elsewhere = figure is not None and figure.parent != folder
            write_report(
                folder,
                recursive=False,
                title=f"{self.name}: {self.title}",
                intro=f"{self.description}\n\n{result.text}",
                images=[(figure, "Summary")] if elsewhere and figure else None,
            )
        result.folder = folder
        return result


def _epochs(n: int, factor: float) -> int:
    return max(10, round(n * factor))


def _row(result: RunResult, run: str | None = None, note: str = "") -> dict[str, Any]:
    m = result.metrics
    hist = m.loss_history
    return {
        "run": run or result.label,
        "epochs": m.epochs,
        "first_loss": hist[0] if hist else None,
        "final_loss": m.final_loss,
        "train_accuracy": m.train_accuracy,
        "test_accuracy": m.test_accuracy,
        "diverged": m.diverged,
        "note": note,
    }


def _pct(value: float | None) -> str:
    """An accuracy in percent, as the recipes print it."""
    assert value is not None  # the recipes' runs have one
    return f"{100 * value:.1f}%"


def _with_sizes(
    base: RunConfig,
    name: str,
    sizes: list[int],
    out: Path | None,
    title: str,
    note: str = "",
) -> tuple[RunResult, list[RunResult], list[dict[str, Any]]]:
    """The run ``name`` of ``base`` (in ``out/01-hidden-3``), the sweep of
    its hidden layer over ``sizes`` (in ``out/sweep``), and their rows."""
    main = train(base.replace(name=name), None if out is None else out / "01-hidden-3")
    swept = sweep.run(
        base,
        {"hidden": sizes},
        out=None if out is None else out / "sweep",
        title=title,
    )
    rows = [_row(main, note=note)]
    rows += [_row(r, f"hidden={h}", "sweep") for h, r in zip(sizes, swept, strict=True)]
    return main, swept.succeeded, rows


def table(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """The rows of one or several recipes as a table."""

    def pct(v: Any) -> str:
        return "-" if v is None else f"{100 * v:.1f}%"

    def num(v: Any) -> str:
        return "-" if v is None else f"{v:.4g}"

    header = [
        "run",
        "epochs",
        "first loss",
        "final loss",
        "train acc",
        "test acc",
        "note",
    ]
    if any("recipe" in r for r in rows):
        header.insert(0, "recipe")
    body = []
    for r in rows:
        final = "diverged" if r["diverged"] else num(r["final_loss"])
        line = [
            r["run"],
            str(r["epochs"]),
            num(r["first_loss"]),
            final,
            pct(r["train_accuracy"]),
            pct(r["test_accuracy"]),
            r["note"],
        ]
        if "recipe" in header:
            line.insert(0, r.get("recipe", ""))
        body.append(line)
    return format_table(header, body, markdown=markdown)


def _save_fig(fig: Any, folder: Path | None, name: str) -> Path | None:
    from . import plots

    if folder is None:
        return None
    return Path(plots.save(fig, folder / name))


# -- the recipes ------------------------------------------------------------------
MOONS: dict[str, Any] = {"dataset": "moons", "samples": 500, "noise": 0.2}


def _moons_vs_logistic(out: Path | None, k: float) -> RecipeResult:
    net = RunConfig(
        **MOONS,
        hidden=(10,),
        activation="sigmoid",
        lr=2.0,
        epochs=_epochs(5000, k),
        test_size=0.2,
        seed=0,
        name="2-10-1 sigmoid network",
    )
    results = sweep.compare(
        [net], out=out, title="two-moons: network vs logistic regression"
    )
    nn, base = results
    rows = [_row(nn), _row(base)]
    text = (
        f"two-moons ({net.samples} points, noise {net.noise}), 20% held out\n"
        f"network:             test accuracy {_pct(nn.metrics.test_accuracy)}"
        f", loss {nn.metrics.final_loss:.4f}\n"
        f"logistic regression: test accuracy "
        f"{_pct(base.metrics.test_accuracy)}, loss "
        f"{base.metrics.final_loss:.4f}\n"
        "logistic regression draws a straight line; the hidden layer bends it."
    )
    fig = None if out is None else out / "boundaries.png"
    return RecipeResult("moons-vs-logistic", rows, text, figure=fig, results=results)


def _moons_tanh_softmax(out: Path | None, k: float) -> RecipeResult:
    # The tutorial's step 0.01 and reg_lambda 0.01 act on a summed loss; for
    # mlplab's mean loss over 200 samples they are lr = 0.01 * 200 and
    # l2 = 0.01 / (2 * 200) (L2 adds l2 * sum(W**2)).
    base = RunConfig(
        **{**MOONS, "samples": 200},
        hidden=(3,),
        activation="tanh",
        output_activation="softmax",
        loss="categorical_crossentropy",
        l2=2.5e-5,
        lr=2.0,
        epochs=_epochs(20000, k),
        test_size=0.0,
        seed=0,
    )
    sizes = [1, 2, 3, 4, 5, 20, 50]
    main, swept, rows = _with_sizes(
        base,
        "2-3-2 tanh/softmax",
        sizes,
        out,
        "hidden layer size: under- and over-fitting",
        note="the tutorial's network",
    )
    accs = ", ".join(
        f"{h}: {_pct(r.metrics.train_accuracy)}"
        for h, r in zip(sizes, swept, strict=True)
    )
    text = (
        f"2-3-2 network, tanh and softmax, L2 {base.l2}: training accuracy "
        f"{_pct(main.metrics.train_accuracy)}, loss "
        f"{main.metrics.final_loss:.4f}\n"
        f"training accuracy by hidden size: {accs}\n"
        "In sweep/boundaries.png, too few units cannot bend the boundary around "
        "the moons (underfitting);\nmany units bend it around single noisy points "
        "(overfitting)."
    )
    fig = None if out is None else out / "sweep" / "boundaries.png"
    return RecipeResult(
        "moons-tanh-softmax", rows, text, figure=fig, results=[main, *swept]
    )


def _predictions(result: RunResult) -> str:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    p = result.model.predict(X)[:, 0]
    return " ".join(f"{v:.2f}" for v in p)


def _logic_gates(out: Path | None, k: float) -> RecipeResult:
    gate: dict[str, Any] = {
        "hidden": (),
        "output_activation": "sigmoid",
        "loss": "squared_error",
        "test_size": 0.0,
        "seed": 0,
        "lr": 1.0,
    }
    configs = [
        RunConfig(
            dataset="gate:or", **gate, epochs=_epochs(5000, k), name="single neuron, OR"
        ),
        RunConfig(
            dataset="gate:xor",
            **gate,
            epochs=_epochs(5000, k),
            name="single neuron, XOR",
        ),
        RunConfig(
            dataset="gate:xor",
            **{**gate, "hidden": (3,)},
            activation="sigmoid",
            epochs=_epochs(5000, k),
            name="2-3-1 network, XOR",
        ),
        RunConfig(
            dataset="gate:xor",
            **gate,
            features=("x1", "x2", "x1*x2"),
            epochs=_epochs(5000, k),
            name="single neuron + x1*x2, XOR",
        ),
    ]
    results = []
    for i, c in enumerate(configs, 1):
        folder = None if out is None else out / f"{i:02d}-{slug(c.label)}"
        results.append(train(c, folder))
    notes = ["learns OR", "cannot learn XOR", "learns XOR", "learns XOR"]
    rows = []
    lines = ["outputs for (0,0) (0,1) (1,0) (1,1), squared error, learning rate 1:"]
    for r, note in zip(results, notes, strict=True):
        learned = r.metrics.train_accuracy == 1.0
        verdict = "learned" if learned else "not learned"
        rows.append(_row(r, note=f"{verdict}; outputs {_predictions(r)}"))
        lines.append(
            f"  {r.label:<28} {_predictions(r)}  ({verdict}; expected: {note})"
        )
    if out is not None:
        write_summary(results, out, title="logic gates")
    fig = None if out is None else out / "boundaries.png"
    return RecipeResult(
        "logic-gates", rows, "\n".join(lines), figure=fig, results=results
    )


def _moons_elu(out: Path | None, k: float) -> RecipeResult:
    base = RunConfig(
        **MOONS,
        hidden=(3,),
        activation="elu:2",
        init="glorot_uniform",
        lr=0.1,
        epochs=_epochs(10000, k),
        test_size=0.3,
        seed=0,
    )
    main, swept, rows = _with_sizes(
        base, "2-3-1 ELU(2)", [2, 5, 10, 25, 50], out, "ELU units: hidden layer size"
    )
    text = "\n".join(
        f"{r['run']:<14} train {100 * r['train_accuracy']:.1f}%  "
        f"test {100 * r['test_accuracy']:.1f}%"
        for r in rows
    )
    fig = None if out is None else out / "sweep" / "boundaries.png"
    return RecipeResult("moons-elu", rows, text, figure=fig, results=[main, *swept])


def _moons_he_tanh(out: Path | None, k: float) -> RecipeResult:
    config = RunConfig(
        **MOONS,
        hidden=(5,),
        activation="tanh",
        init="he_normal",
        lr=0.3,
        epochs=_epochs(5000, k),
        test_size=0.0,
        seed=0,
        name="2-5-1 tanh, He init",
    )
    result = train(config, None if out is None else out / "run")
    hist = result.metrics.loss_history
    marks = sorted({0, *range(0, len(hist), max(1, len(hist) // 5)), len(hist) - 1})
    lines = [f"cost after iteration {i + 1:>5}: {hist[i]:.6f}" for i in marks]
    lines.append(f"training accuracy {_pct(result.metrics.train_accuracy)}")
    fig = None if out is None else out / "run" / "decision_boundary.png"
    return RecipeResult(
        "moons-he-tanh", [_row(result)], "\n".join(lines), figure=fig, results=[result]
    )


def _learning_rates(out: Path | None, k: float) -> RecipeResult:
    base = RunConfig(
        **MOONS,
        hidden=(5,),
        activation="relu",
        init="he_normal",
        epochs=_epochs(2000, k),
        test_size=0.0,
        seed=0,
        loss="mse",
        output_activation="linear",
    )
    rates = {"too small": 1e-4, "good": 0.05, "too large": 2.0}
    configs = [
        base.replace(lr=lr, name=f"lr={lr:g} ({what})") for what, lr in rates.items()
    ]
    results = sweep.compare(
        configs,
        baseline=False,
        out=out,
        title="learning rate: too small, good, too large",
    )
    rows, lines = [], []
    for (what, lr), r in zip(rates.items(), results, strict=True):
        if r.diverged:
            note = f"diverged in epoch {r.metrics.diverged_epoch}"
        else:
            hist = r.metrics.loss_history
            note = f"loss {hist[0]:.3g} -> {hist[-1]:.3g}"
        rows.append(_row(r, note=note))
        lines.append(f"learning rate {lr:<7g} ({what}): {note}")
    lines.append("(the diverging run keeps its last weights with a finite loss)")
    fig = None if out is None else out / "loss.png"
    return RecipeResult(
        "learning-rates", rows, "\n".join(lines), figure=fig, results=results
    )


def _time_axis(fig: Any) -> Any:
    """Seconds on a log scale: a full-batch epoch takes a hundredth of a
    stochastic one, and both must stay readable."""
    fig.axes[0].set_xscale("log")
    return fig


def _batch_modes(out: Path | None, k: float) -> RecipeResult:
    base = RunConfig(
        **MOONS,
        hidden=(5,),
        activation="tanh",
        lr=0.1,
        epochs=_epochs(300, k),
        test_size=0.2,
        seed=0,
    )
    modes = {"full batch": "full", "mini-batch 32": 32, "stochastic (1)": 1}
    configs = [base.replace(batch_size=bs, name=name) for name, bs in modes.items()]
    results = sweep.compare(
        configs,
        baseline=False,
        out=out,
        title="full-batch, mini-batch and stochastic gradient descent",
    )
    fig_path = (
        None
        if out is None
        else _epoch_and_time_figures(results.succeeded, out, "batch_modes.png")
    )
    rows, lines = [], []
    for r in results.succeeded:
        m = r.metrics
        steps = -(-m.n_train // (r.config.batch_size or m.n_train))
        note = f"{steps} steps/epoch, {m.seconds:.2f} s"
        rows.append(_row(r, note=note))
        lines.append(
            f"{r.label:<16} final loss {m.final_loss:.4f}, "
            f"test accuracy {_pct(m.test_accuracy)}, {note}"
        )
    return RecipeResult(
        "batch-modes", rows, "\n".join(lines), figure=fig_path, results=results
    )


def _optimizers(out: Path | None, k: float) -> RecipeResult:
    base = RunConfig(
        **MOONS,
        hidden=(5,),
        activation="tanh",
        epochs=_epochs(2000, k),
        test_size=0.2,
        seed=0,
    )
    configs = [
        base.replace(optimizer="sgd", lr=0.3, name="gradient descent (0.3)"),
        base.replace(optimizer="adam", lr=0.01, name="Adam (0.01)"),
        base.replace(optimizer="lbfgs", name="L-BFGS"),
    ]
    results = sweep.compare(
        configs,
        baseline=False,
        out=out,
        title="gradient descent, Adam and L-BFGS",
    )
    fig_path = (
        None
        if out is None
        else _epoch_and_time_figures(results.succeeded, out, "optimizers.png")
    )
    rows, lines = [], []
    for r in results.succeeded:
        m = r.metrics
        note = f"{m.epochs} epochs in {m.seconds:.2f} s"
        rows.append(_row(r, note=note))
        lines.append(
            f"{r.label:<22} final loss {m.final_loss:.4f}, "
            f"test accuracy {_pct(m.test_accuracy)}, {note}"
        )
    lines.append("(L-BFGS stops on its own once the gradient is below its tol)")
    return RecipeResult(
        "optimizers", rows, "\n".join(lines), figure=fig_path, results=results
    )


def _epoch_and_time_figures(
    results: list[RunResult], out: Path, name: str
) -> Path | None:
    """The loss of each run against epochs and against wall-clock time,
    apart and side by side (the summary picture ``name``, returned)."""
    from . import plots
    from .plots._common import new_figure

    curves = {r.label: r.metrics.loss_curve() for r in results}
    times = {r.label: r.metrics.time_history for r in results}
    by_time_title = "loss against wall-clock time"
    xlabel = "seconds (log scale)"
    _save_fig(
        plots.loss_curves(curves, log=True, title="loss per epoch"),
        out,
        "loss_vs_epoch.png",
    )
    _save_fig(
        _time_axis(
            plots.loss_curves(
                curves, x=times, log=True, xlabel=xlabel, title=by_time_title
            )
        ),
        out,
        "loss_vs_time.png",
    )
    # Both views side by side: the summary picture.
    fig = new_figure(11, 4.2)
    by_epoch, by_time = fig.subplots(1, 2)
    plots.loss_curves(curves, log=True, ax=by_epoch, title="loss per epoch")
    plots.loss_curves(
        curves, x=times, log=True, ax=by_time, xlabel=xlabel, title=by_time_title
    )
    by_time.set_xscale("log")
    return _save_fig(fig, out, name)


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe(
            "moons-vs-logistic",
            "a hidden layer against logistic regression",
            "Two-moons; a 2-10-1 network of sigmoid units with a sigmoid output "
            "and cross-entropy, against logistic regression (the same engine, "
            "no hidden layer): losses side by side and both decision "
            "boundaries.",
            _moons_vs_logistic,
        ),
        Recipe(
            "moons-tanh-softmax",
            "tanh units, softmax output, L2",
            "Two-moons (200 samples, noise 0.2); 3 tanh units, a 2-unit softmax "
            "output, cross-entropy, L2 (2.5e-5), full-batch gradient descent "
            "(learning rate 2.0) for 20000 passes; then hidden sizes 1, 2, 3, "
            "4, 5, 20, 50 as a grid of decision boundaries.",
            _moons_tanh_softmax,
        ),
        Recipe(
            "logic-gates",
            "OR, XOR and the feature cross",
            "A single sigmoid neuron with squared error learns OR but not XOR; a "
            "2-3-1 sigmoid network (learning rate 1, 5000 epochs) learns XOR; "
            "so does the single neuron given the feature x1*x2.",
            _logic_gates,
        ),
        Recipe(
            "moons-elu",
            "ELU units, Xavier init, train and test accuracy",
            "Two-moons with a 30% test split; 3 ELU units (alpha 2), sigmoid "
            "output, cross-entropy, Xavier-uniform initialization, learning "
            "rate 0.1; then hidden sizes 2, 5, 10, 25, 50.",
            _moons_elu,
        ),
        Recipe(
            "moons-he-tanh",
            "He initialization, first and last cost",
            "Two-moons (500 samples, noise 0.2); 5 tanh units, sigmoid output, "
            "cross-entropy, He initialization, learning rate 0.3, 5000 "
            "iterations; the cost along the way.",
            _moons_he_tanh,
        ),
        Recipe(
            "learning-rates",
            "too small, good, too large",
            "The same ReLU regression network on two-moons' labels with a "
            "too-small, a good and a too-large learning rate; the last "
            "diverges and is reported as such.",
            _learning_rates,
        ),
        Recipe(
            "batch-modes",
            "full-batch, mini-batch, stochastic",
            "Full-batch, mini-batch (32) and stochastic gradient descent on "
            "two-moons at the same learning rate: loss against epochs and "
            "against wall-clock time.",
            _batch_modes,
        ),
        Recipe(
            "optimizers",
            "gradient descent, Adam, L-BFGS",
            "Two-moons with a 2-5-1 tanh network, full batch: gradient descent "
            "(learning rate 0.3), Adam (0.01) and L-BFGS (SciPy's L-BFGS-B, "
            "which stops on its own): loss against epochs and against "
            "wall-clock time.",
            _optimizers,
        ),
    ]
}


def get(name: str) -> Recipe:
    """The recipe called ``name``; an unknown name lists the valid ones."""
    if not isinstance(name, str) or name not in RECIPES:
        raise ValueError(
            f"unknown recipe {name!r}. Valid recipes: " + ", ".join(RECIPES)
        )
    return RECIPES[name]


def run(
    name: str, out: str | Path | None = None, epochs_factor: float = 1.0
) -> RecipeResult:
    """Run the recipe called ``name``."""
    return get(name).run(out, epochs_factor)


README_BEGIN = "<!-- recipes:begin -->"
README_END = "<!-- recipes:end -->"


def readme_section(
    results: list[RecipeResult], figures: Path | None, readme_dir: Path | None = None
) -> str:
    """The README's recipe section: one table of every recipe's runs, and a
    link to each recipe's summary picture (copied into ``figures``)."""
    rows = []
    for res in results:
        rows += [{"recipe": res.name, **row} for row in res.rows]
    parts = [
        README_BEGIN,
        "<!-- generated by `make recipes` (mlplab recipe readme); do not edit -->",
        "",
        table(rows, markdown=True),
        "",
    ]
    if figures is not None:
        figures.mkdir(parents=True, exist_ok=True)
        for res in results:
            if res.figure is not None and res.figure.exists():
                target = figures / f"{res.name}.png"
                shutil.copyfile(res.figure, target)
                link = Path(os.path.relpath(target, readme_dir or Path.cwd()))
                parts.append(f"![{res.name}]({link.as_posix()})")
        parts.append("")
    parts.append(README_END)
    return "\n".join(parts)


def write_readme(path: str | Path, section: str) -> None:
    """Replace the text between the recipe markers of ``path``."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(
            f"{p} has no {README_BEGIN} ... {README_END} section to replace"
        )
    p.write_text(
        text[:start] + section + text[end + len(README_END) :], encoding="utf-8"
    )
