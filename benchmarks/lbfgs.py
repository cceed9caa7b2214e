"""L-BFGS against full-batch gradient descent and Adam on the README's tutorial.

Two-moons (500 points, noise 0.2, seed 0) and the tour's network: 5 tanh units
(He-normal initialization), a sigmoid output, binary cross-entropy, seed 0, the
full batch every epoch. Gradient descent (learning rate 0.3, the tour's) and Adam
(learning rate 0.01) run their epochs; L-BFGS (defaults: ``tol=1e-4``) runs until
SciPy stops it, one iteration per epoch, at most as many.

For each optimizer the loss after every epoch and the wall-clock seconds at its
end are recorded; the table gives the final loss, the loss evaluations, the time,
and the epochs and seconds each needed to reach the loss gradient descent ends
at. The losses are the same bits every round; the seconds are those of the round
with the median total time (``--rounds``, run side by side, after a warm-up run of
each). ``--plot`` draws the loss against epochs and against seconds.

    python benchmarks/lbfgs.py [--quick] [--rounds N] [--epochs N]
                               [--readme README.md] [--plot docs/lbfgs.png]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import mlplab as ml

BEGIN, END = "<!-- lbfgs:begin -->", "<!-- lbfgs:end -->"
OPTIMIZERS: dict[str, Callable[[], ml.optimizers.Optimizer]] = {
    "gradient descent (learning rate 0.3)": lambda: ml.SGD(0.3),
    "Adam (learning rate 0.01)": lambda: ml.Adam(0.01),
    "L-BFGS (tol 1e-4)": lambda: ml.LBFGS(),
}
GD = "gradient descent (learning rate 0.3)"


class Clock(ml.Callback):
    """Seconds since ``start`` at the end of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.start = time.perf_counter()
        self.times: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.times.append(time.perf_counter() - self.start)


def model(opt: ml.optimizers.Optimizer) -> ml.Sequential:
    net = ml.Sequential(
        [
            ml.Dense(5, activation="tanh", kernel_initializer="he_normal"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    net.compile("binary_crossentropy", opt, metrics=["accuracy"])
    return net


def train(name: str, epochs: int, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """One run: the loss per epoch, the seconds at the end of each, and more."""
    net = model(OPTIMIZERS[name]())
    clock = Clock()
    history = net.fit(X, y, epochs=epochs, callbacks=[clock])
    evaluations = len(history.history["loss"])  # one per epoch, full batch
    result = getattr(net.optimizer, "result", None)
    if result is not None:
        evaluations = int(result.nfev)
    return {
        "loss": list(history.history["loss"]),
        "times": clock.times,
        "accuracy": float(net.evaluate(X, y)["accuracy"]),
        "evaluations": evaluations,
        "stop": None if result is None else str(result.message),
    }


def measure(epochs: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Every optimizer's run, timed: the round with the median total time."""
    X, y = ml.datasets.make_moons(500, noise=0.2, seed=0)
    for name in OPTIMIZERS:  # warm-up: imports, first-call costs
        train(name, 3, X, y)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in OPTIMIZERS}
    for _ in range(rounds):
        for name in OPTIMIZERS:
            runs[name].append(train(name, epochs, X, y))
    chosen = {}
    for name, done in runs.items():
        assert all(r["loss"] == done[0]["loss"] for r in done), "not the same bits"
        median = statistics.median_low(r["times"][-1] for r in done)
        chosen[name] = next(r for r in done if r["times"][-1] == median)
    return chosen


def reached(run: dict[str, Any], target: float) -> tuple[int, float] | None:
    """The first epoch (from 1) whose loss is at most ``target``, and its
    seconds; None if none is."""
    for i, loss in enumerate(run["loss"]):
        if loss <= target:
            return i + 1, run["times"][i]
    return None


def table(runs: dict[str, dict[str, Any]]) -> str:
    target = runs[GD]["loss"][-1]
    lines = [
        "| optimizer | epochs | loss evaluations | final loss | train accuracy "
        "| seconds | epochs to gradient descent's final loss | seconds to it |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        hit = reached(run, target)
        to = ("—", "—") if hit is None else (str(hit[0]), f"{hit[1]:.3f}")
        lines.append(
            f"| {name} | {len(run['loss'])} | {run['evaluations']} "
            f"| {run['loss'][-1]:.4f} | {100 * run['accuracy']:.1f}% "
            f"| {run['times'][-1]:.3f} | {to[0]} | {to[1]} |"
        )
    return "\n".join(lines)


def summary(runs: dict[str, dict[str, Any]], epochs: int) -> str:
    """The sentences under the table, every number from ``runs``."""
    gd, lbfgs = runs[GD], runs["L-BFGS (tol 1e-4)"]
    target = gd["loss"][-1]
    lines = []
    hit = reached(lbfgs, target)
    if hit is not None:
        gd_hit = reached(gd, target)
        assert gd_hit is not None
        lines.append(
            f"L-BFGS reached gradient descent's final loss ({target:.4f} after "
            f"{epochs} epochs) in {hit[0]} iterations and {hit[1]:.3f} s, "
            f"{gd_hit[1] / hit[1]:.0f}× sooner; SciPy stopped it after "
            f"{len(lbfgs['loss'])} iterations ({lbfgs['stop']})."
        )
    best = min(runs, key=lambda name: runs[name]["loss"][-1])
    lines.append(
        f"Lowest final loss: {best}, {runs[best]['loss'][-1]:.4f}. An iteration "
        f"of L-BFGS costs {lbfgs['evaluations'] / len(lbfgs['loss']):.2f} loss "
        "evaluations on average (its line search), and "
        f"{1e3 * lbfgs['times'][-1] / len(lbfgs['loss']):.2f} ms against "
        f"{1e3 * gd['times'][-1] / len(gd['loss']):.3f} ms for an epoch of "
        "gradient descent."
    )
    return " ".join(lines)


def plot(runs: dict[str, dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mlplab import plots

    fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 4.2))
    curves = {name: run["loss"] for name, run in runs.items()}
    plots.loss_curves(curves, ax=by_epoch, log=True, xlabel="epoch (L-BFGS: iteration)")
    plots.loss_curves(
        curves,
        x={name: run["times"] for name, run in runs.items()},
        ax=by_time,
        log=True,
        xlabel="seconds",
    )
    for ax, title in ((by_epoch, "loss per epoch"), (by_time, "loss against time")):
        ax.set_xscale("log")
        ax.set_title(title)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def machine() -> str:
    import scipy

    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}), Python "
        f"{platform.python_version()}, NumPy {np.__version__}, SciPy "
        f"{scipy.__version__}"
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--readme", default=None, help="write the table into it")
    parser.add_argument("--plot", default=None, help="draw the curves here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 5)
    epochs = args.epochs or (200 if args.quick else 5000)
    runs = measure(epochs, rounds)
    text = "\n".join(
        [
            f"Measured by `benchmarks/lbfgs.py` on {machine()}; two-moons 500, "
            f"2-5-1 tanh/sigmoid, full batch, at most {epochs} epochs; seconds of "
            f"the median of {rounds} round(s).",
            "",
            table(runs),
            "",
            summary(runs, epochs),
        ]
    )
    if args.plot:
        plot(runs, args.plot)
        text += f"\n\n![L-BFGS, Adam and gradient descent]({args.plot})"
    print(text)
    if args.readme:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from run import write_readme

        write_readme(args.readme, text, BEGIN, END)
    return text


if __name__ == "__main__":
    main()
