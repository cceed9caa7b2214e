"""The scikit-learn adapters: their cost over mlplab, their accuracy against
scikit-learn.

1. Overhead. ``MLPClassifier.fit`` against building, compiling and fitting the
   same ``Sequential`` by hand: same layers, penalty (``L2(alpha / (2 *
   batch_size))``), Adam, seed and batches, for the same number of epochs
   (``n_iter_no_change=np.inf``, so ``tol`` never stops the estimator early).
   Both must end at the same loss, bit for bit; the target is a ratio of at
   most 1.10. Medians of ``--rounds`` interleaved rounds.
2. Parity. Test accuracy of mlplab's ``MLPClassifier`` and scikit-learn's on
   digits and breast_cancer (stratified 75/25 split, ``StandardScaler``
   fitted on the training part, ``hidden_layer_sizes=(64,)``,
   ``max_iter=200``, default everything else), averaged over ``--seeds``
   random states: the two libraries draw different initial weights and batches
   from a seed, and one breast_cancer test sample is 0.7 points.
3. Engines. ``fit`` seconds of ``MLPClassifier`` with ``engine="numpy"``
   and ``engine="numba"`` (when Numba is installed) against scikit-learn's
   ``MLPClassifier`` with the same hyperparameters and epochs
   (``n_iter_no_change=np.inf``), on two-moons 500 with the tutorial's 5 tanh
   units (SGD, full batch) and on breast_cancer and digits (64 relu units,
   Adam, batches of 200). Medians of ``--rounds`` interleaved rounds.

    python benchmarks/estimators.py [--quick] [--rounds N] [--seeds N]
                                    [--readme README.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler

import mlplab as ml
from mlplab.estimators import MLPClassifier

DATASETS: dict[str, Callable[..., Any]] = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
}
HIDDEN, ALPHA, LEARNING_RATE = 64, 1e-4, 1e-3
BEGIN, END = "<!-- estimators-bench:begin -->", "<!-- estimators-bench:end -->"


def _data(name: str) -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test``, scaled on the training part."""
    X, y = DATASETS[name](return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


# -- 1. overhead ---------------------------------------------------------------------


def fit_estimator(X: np.ndarray, y: np.ndarray, epochs: int) -> tuple[float, float]:
    """Seconds of ``MLPClassifier.fit`` and its last epoch's loss."""
    est = MLPClassifier(
        (HIDDEN,), max_iter=epochs, n_iter_no_change=np.inf, random_state=0
    )
    start = time.perf_counter()
    with warnings.catch_warnings():  # max_iter is reached on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return time.perf_counter() - start, est.loss_


def fit_by_hand(X: np.ndarray, y: np.ndarray, epochs: int) -> tuple[float, float]:
    """Seconds of building, compiling and fitting the same ``Sequential``
    with mlplab's own API, and its last epoch's loss."""
    start = time.perf_counter()
    batch_size = min(200, X.shape[0])  # batch_size="auto"
    k = len(np.unique(y))
    binary = k == 2

    def dense(units: int, activation: str) -> ml.Dense:
        return ml.Dense(
            units, activation, kernel_regularizer=ml.L2(ALPHA / (2 * batch_size))
        )

    model = ml.Sequential(
        [
            dense(HIDDEN, "relu"),
            dense(1, "sigmoid") if binary else dense(k, "softmax"),
        ],
        input_dim=X.shape[1],
        seed=0,
    )
    model.compile(
        loss="binary_crossentropy" if binary else "categorical_crossentropy",
        optimizer=ml.Adam(LEARNING_RATE, beta_1=0.9, beta_2=0.999, epsilon=1e-8),
    )
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size)
    return time.perf_counter() - start, history.history["loss"][-1]


def overhead(name: str, epochs: int, rounds: int) -> dict[str, Any]:
    X, _, y, _ = _data(name)
    fit_estimator(X, y, 1)  # warm-up: imports, first allocations
    fit_by_hand(X, y, 1)
    times: dict[str, list[float]] = {"estimator": [], "by_hand": []}
    losses: dict[str, float] = {}
    for _ in range(rounds):  # interleaved, so drifts hit both
        for key, run in (("estimator", fit_estimator), ("by_hand", fit_by_hand)):
            seconds, losses[key] = run(X, y, epochs)
            times[key].append(seconds)
    seconds = {k: statistics.median(v) for k, v in times.items()}
    return {"data": name, "epochs": epochs, "seconds": seconds, "loss": losses}


def overhead_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| data set | epochs | MLPClassifier.fit | Sequential by hand | ratio | "
        "final loss: estimator, by hand |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        sec, loss = r["seconds"], r["loss"]
        same = "" if loss["estimator"] == loss["by_hand"] else " (differ!)"
        lines.append(
            f"| {r['data']} | {r['epochs']} | {sec['estimator'] * 1e3:.1f} ms "
            f"| {sec['by_hand'] * 1e3:.1f} ms "
            f"| {sec['estimator'] / sec['by_hand']:.3f}× "
            f"| {loss['estimator']:.10g}, {loss['by_hand']:.10g}{same} |"
        )
    return "\n".join(lines)


# -- 2. parity with scikit-learn -----------------------------------------------------


def parity(name: str, seeds: int, max_iter: int) -> dict[str, Any]:
    X_tr, X_te, y_tr, y_te = _data(name)
    result: dict[str, Any] = {"data": name}
    for key, cls in (("mlplab", MLPClassifier), ("sklearn", SkMLPClassifier)):
        accuracy, seconds, epochs = [], [], []
        for seed in range(seeds):
            est = cls((HIDDEN,), max_iter=max_iter, random_state=seed)
            start = time.perf_counter()
            with warnings.catch_warnings():  # reported as epochs == max_iter
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X_tr, y_tr)
            seconds.append(time.perf_counter() - start)
            accuracy.append(est.score(X_te, y_te))
            epochs.append(est.n_iter_)
        result[key] = {
            "accuracy": float(np.mean(accuracy)),
            "spread": (min(accuracy), max(accuracy)),
            "seconds": float(np.mean(seconds)),
            "epochs": float(np.mean(epochs)),
        }
    return result


def parity_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| data set | mlplab test accuracy | scikit-learn test accuracy | difference "
        "| mlplab fit | scikit-learn fit | epochs: mlplab, scikit-learn |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        a, b = r["mlplab"], r["sklearn"]

        def acc(d: dict[str, Any]) -> str:
            lo, hi = d["spread"]
            return f"{d['accuracy']:.4f} ({lo:.4f}–{hi:.4f})"

        lines.append(
            f"| {r['data']} | {acc(a)} | {acc(b)} "
            f"| {a['accuracy'] - b['accuracy']:+.4f} | {a['seconds']:.2f} s "
            f"| {b['seconds']:.2f} s | {a['epochs']:.0f}, {b['epochs']:.0f} |"
        )
    return "\n".join(lines)


# -- 3. engines -------------------------------------------------------------------

ENGINE_WORKLOADS: dict[str, dict[str, Any]] = {
    "two-moons 500, 5 tanh, SGD full batch": dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        solver="sgd",
        batch_size=500,
        learning_rate_init=0.5,
        momentum=0.0,
    ),
    "breast_cancer, 64 relu, Adam, batch 200": dict(hidden_layer_sizes=(HIDDEN,)),
    "digits, 64 relu, Adam, batch 200": dict(hidden_layer_sizes=(HIDDEN,)),
}


def _engine_data(workload: str) -> tuple[np.ndarray, np.ndarray]:
    if workload.startswith("two-moons"):
        return ml.datasets.make_moons(500, noise=0.2, seed=0)
    X, _, y, _ = _data(workload.split(",")[0])
    return X, y


def engines(epochs: int, rounds: int) -> list[dict[str, Any]]:
    """Median ``fit`` seconds of each engine and of scikit-learn, per
    workload, for ``epochs`` epochs."""
    makers: dict[str, Callable[..., Any]] = {
        "numpy": lambda **kw: MLPClassifier(engine="numpy", **kw),
        "scikit-learn": SkMLPClassifier,
    }
    if ml.engine.numba_available():
        makers["numba"] = lambda **kw: MLPClassifier(engine="numba", **kw)
    rows = []
    for workload, params in ENGINE_WORKLOADS.items():
        X, y = _engine_data(workload)
        kw = dict(params, n_iter_no_change=np.inf, random_state=0)

        def timed(make: Callable[..., Any], n: int) -> float:
            est = make(max_iter=n, **kw)  # noqa: B023 - called in this iteration
            start = time.perf_counter()
            with warnings.catch_warnings():  # max_iter is reached on purpose
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, y)  # noqa: B023
            return time.perf_counter() - start

        for make in makers.values():  # warm-up: imports, kernels, buffers
            timed(make, 1)
        times: dict[str, list[float]] = {name: [] for name in makers}
        for _ in range(rounds):
            for name, make in makers.items():
                times[name].append(timed(make, epochs))
        row = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"workload": workload, "seconds": row})
    return rows


def engines_table(rows: list[dict[str, Any]], epochs: int) -> str:
    numba = "numba" in rows[0]["seconds"]
    head = f'| MLPClassifier.fit, {epochs} epochs | engine="numpy" |'
    rule = "|---|---:|"
    if numba:
        head += ' engine="numba" | numba vs numpy |'
        rule += "---:|---:|"
    head += " scikit-learn | scikit-learn vs fastest mlplab |"
    rule += "---:|---:|"
    lines = [head, rule]
    for r in rows:
        t = r["seconds"]
        best = min(t["numpy"], t.get("numba", np.inf))
        line = f"| {r['workload']} | {t['numpy'] * 1e3:.1f} ms |"
        if numba:
            line += f" {t['numba'] * 1e3:.1f} ms | {t['numpy'] / t['numba']:.2f}× |"
        line += f" {t['scikit-learn'] * 1e3:.1f} ms | {t['scikit-learn'] / best:.2f}× |"
        lines.append(line)
    return "\n".join(lines)


def machine() -> str:
    import sklearn

    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}), Python "
        f"{platform.python_version()}, NumPy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}"
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--readme", default=None, help="write the tables into it")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 7)
    seeds = args.seeds or (1 if args.quick else 5)
    epochs = {"digits": 2, "breast_cancer": 2} if args.quick else None
    max_iter = 5 if args.quick else 200

    over = [
        overhead(name, (epochs or {"digits": 50, "breast_cancer": 100})[name], rounds)
        for name in DATASETS
    ]
    par = [parity(name, seeds, max_iter) for name in DATASETS]
    engine_epochs = 2 if args.quick else 100
    eng = engines(engine_epochs, rounds)
    text = "\n".join(
        [
            f"Measured by `benchmarks/estimators.py` on {machine()}.",
            "",
            f"MLPClassifier.fit against the same Sequential fitted by hand "
            f"(hidden {HIDDEN} relu, Adam, batch 200; medians of {rounds} "
            "round(s)):",
            "",
            overhead_table(over),
            "",
            f"Test accuracy against scikit-learn's MLPClassifier (hidden "
            f"({HIDDEN},), max_iter={max_iter}; mean over {seeds} random state(s), "
            "range in brackets; fit seconds and epochs are means too):",
            "",
            parity_table(par),
            "",
            "The training engines against scikit-learn's MLPClassifier, same "
            f"hyperparameters and epochs (medians of {rounds} round(s)):",
            "",
            engines_table(eng, engine_epochs),
        ]
    )
    print(text)
    if args.readme:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from run import write_readme

        write_readme(args.readme, text, BEGIN, END)
    return text


if __name__ == "__main__":
    main()
