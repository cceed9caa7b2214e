"""mlplab's speed and memory benchmarks.

``make bench`` runs this file and prints the tables; ``make bench-readme`` also
writes them into README.md (between the ``bench`` markers) and draws the
scaling curves into ``docs/bench-scaling.png``. Every number comes from this
run: each implementation is timed side by side in this process, and the
median over ``--rounds`` rounds is reported together with the final loss of
each run, to show that they did the same work.

Implementations: mlplab's ``Sequential.fit``; the hand-written NumPy loop of
``reference.py`` (the same math, same initial weights, same batch order);
scikit-learn's ``MLPClassifier`` from the same initial weights; PyTorch on
the CPU when it is installed (optional, never a dependency); and, at MNIST
scale, the floor: an epoch of only the matrix products.

    python benchmarks/run.py [--quick] [--rounds N] [--only tutorial,digits]
                             [--no-sklearn] [--no-torch]
                             [--readme README.md] [--plot docs/bench-scaling.png]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import competitors
import reference

import mlplab as ml

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclasses.dataclass
class Workload:
    name: str
    title: str
    data: Callable[[bool], tuple[np.ndarray, np.ndarray]]
    hidden: list[tuple[int, str]]  # (units, activation) per hidden layer
    optimizer: str
    learning_rate: float
    epochs: int
    quick_epochs: int
    batch_size: int | None = None
    momentum: float = 0.0
    dtype: str = "float64"
    init: str = "glorot_uniform"
    floor: bool = False  # also time the matrix-products floor

    def model(self, X: np.ndarray, y: np.ndarray) -> ml.Sequential:
        k = int(y.max()) + 1
        layers = [
            ml.Dense(u, activation=a, kernel_initializer=self.init)
            for u, a in self.hidden
        ]
        layers.append(
            ml.Dense(1, activation="sigmoid")
            if k == 2
            else ml.Dense(k, activation="softmax")
        )
        model = ml.Sequential(layers, input_dim=X.shape[1], seed=0, dtype=self.dtype)
        opt = (
            ml.Adam(self.learning_rate)
            if self.optimizer == "adam"
            else ml.SGD(self.learning_rate, momentum=self.momentum)
        )
        loss = "binary_crossentropy" if k == 2 else "categorical_crossentropy"
        model.compile(loss=loss, optimizer=opt)
        return model


def _moons(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    return ml.datasets.make_moons(500, noise=0.2, seed=0)


def _xor(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array(
        [0, 1, 1, 0]
    )


def _standardized(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)


def _digits(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data / 16.0, d.target


def _breast_cancer(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    return _standardized(d.data), d.target


def _mnist_like(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    """60000 x 784 float32 in [0, 1) with labels from a random teacher network."""
    rng = np.random.default_rng(0)
    n = 6000 if quick else 60000
    X = rng.random((n, 784), dtype=np.float32)
    teacher = rng.standard_normal((784, 10)).astype(np.float32)
    y = np.argmax((X - 0.5) @ teacher, axis=1)
    return X, y


WORKLOADS = [
    Workload(
        "tutorial",
        "two-moons 500, 2-5-1 tanh/sigmoid, full-batch GD",
        _moons,
        [(5, "tanh")],
        "sgd",
        0.5,
        epochs=5000,
        quick_epochs=50,
    ),
    Workload(
        "xor",
        "XOR (4 rows), 2-3-1 sigmoid, full-batch GD",
        _xor,
        [(3, "sigmoid")],
        "sgd",
        1.0,
        epochs=5000,
        quick_epochs=50,
    ),
    Workload(
        "digits",
        "digits 1797, 64-64-10 relu/softmax, Adam, batch 32",
        _digits,
        [(64, "relu")],
        "adam",
        1e-3,
        epochs=20,
        quick_epochs=1,
        batch_size=32,
        init="he_uniform",
    ),
    Workload(
        "breast_cancer",
        "breast cancer 569, 30-32-1 relu/sigmoid, Adam, batch 32",
        _breast_cancer,
        [(32, "relu")],
        "adam",
        1e-3,
        epochs=50,
        quick_epochs=1,
        batch_size=32,
        init="he_uniform",
    ),
    Workload(
        "mnist",
        "MNIST-scale synthetic 60000x784, 784-256-10 relu/softmax, float32, "
        "SGD momentum 0.9, batch 128",
        _mnist_like,
        [(256, "relu")],
        "sgd",
        0.01,
        epochs=1,
        quick_epochs=1,
        batch_size=128,
        momentum=0.9,
        dtype="float32",
        init="he_uniform",
        floor=True,
    ),
]


# -- one run of each implementation: (seconds, final loss) ------------------------


def run_mlplab(wl: Workload, X, y, epochs: int) -> tuple[float, float]:
    model = wl.model(X, y)
    start = time.perf_counter()
    history = model.fit(X, y, epochs=epochs, batch_size=wl.batch_size, seed=1)
    return time.perf_counter() - start, history.history["loss"][-1]


def _init_weights(wl: Workload, X, y) -> list[np.ndarray]:
    return wl.model(X, y).get_weights()


def run_reference(wl: Workload, X, y, epochs: int) -> tuple[float, float]:
    weights = _init_weights(wl, X, y)
    k = weights[-1].shape[0]
    Y = y.reshape(-1, 1) if k == 1 else np.eye(k)[y]
    X = X.astype(wl.dtype)
    Y = Y.astype(wl.dtype)
    start = time.perf_counter()
    _, history = reference.train(
        X,
        Y,
        weights,
        [a for _, a in wl.hidden],
        optimizer=wl.optimizer,
        learning_rate=wl.learning_rate,
        momentum=wl.momentum,
        epochs=epochs,
        batch_size=wl.batch_size,
        seed=1,
    )
    return time.perf_counter() - start, history[-1]


def _competitor_args(wl: Workload, X, y, epochs: int) -> tuple[tuple, dict]:
    args = (X.astype(wl.dtype), y, _init_weights(wl, X, y), [a for _, a in wl.hidden])
    kwargs = {
        "optimizer": wl.optimizer,
        "learning_rate": wl.learning_rate,
        "momentum": wl.momentum,
        "epochs": epochs,
        "batch_size": wl.batch_size,
    }
    return args, kwargs


def run_sklearn(wl: Workload, X, y, epochs: int) -> tuple[float, float]:
    args, kwargs = _competitor_args(wl, X, y, epochs)
    return competitors.sklearn_train(*args, **kwargs)


def run_torch(wl: Workload, X, y, epochs: int) -> tuple[float, float]:
    args, kwargs = _competitor_args(wl, X, y, epochs)
    return competitors.torch_train(*args, **kwargs, seed=1)


def run_floor(wl: Workload, X, y, epochs: int) -> tuple[float, float]:
    weights = _init_weights(wl, X, y)
    X = X.astype(wl.dtype)
    start = time.perf_counter()
    for _ in range(epochs):
        reference.matmul_floor(X, weights, wl.batch_size or X.shape[0])
    return time.perf_counter() - start, float("nan")


IMPLEMENTATIONS = {
    "mlplab": run_mlplab,
    "numpy": run_reference,
    "sklearn": run_sklearn,
    "torch": run_torch,
    "floor": run_floor,
}


def bench_workload(
    wl: Workload, rounds: int, quick: bool, impls: list[str]
) -> dict[str, Any]:
    X, y = wl.data(quick)
    X = X.astype(wl.dtype)
    epochs = wl.quick_epochs if quick else wl.epochs
    n = X.shape[0]
    steps = epochs * (1 if wl.batch_size is None else -(-n // wl.batch_size))
    names = [i for i in impls if i != "floor" or wl.floor]
    times: dict[str, list[float]] = {name: [] for name in names}
    losses: dict[str, float] = {}
    for name in names:  # warm-up: imports, BLAS threads, first allocations
        IMPLEMENTATIONS[name](wl, X, y, 1)
    for _ in range(rounds):  # interleaved, so drifts hit every implementation
        for name in names:
            seconds, loss = IMPLEMENTATIONS[name](wl, X, y, epochs)
            times[name].append(seconds)
            losses[name] = loss
    return {
        "workload": wl,
        "steps": steps,
        "epochs": epochs,
        "seconds": {k: statistics.median(v) for k, v in times.items()},
        "loss": losses,
    }


# -- scaling and memory ----------------------------------------------------------


def _moons_model(hidden: int) -> ml.Sequential:
    model = ml.Sequential(
        [ml.Dense(hidden, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.1))
    return model


def scaling(quick: bool, rounds: int) -> dict[str, list[tuple[int, float]]]:
    """Seconds per epoch (mini-batches of 256) against samples, hidden width
    and number of epochs."""

    def timed(n: int, hidden: int, epochs: int) -> float:
        X, y = ml.datasets.make_moons(n, noise=0.2, seed=0)
        samples = []
        for _ in range(rounds):
            model = _moons_model(hidden)
            start = time.perf_counter()
            model.fit(X, y, epochs=epochs, batch_size=256, seed=0)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    widths = [2, 32] if quick else [2, 8, 32, 128, 512, 1024]
    epochs = [1, 2] if quick else [1, 2, 4, 8]
    return {
        "samples": [(n, timed(n, 16, 1)) for n in sizes],
        "width": [(w, timed(10_000, w, 1)) for w in widths],
        "epochs": [(e, timed(10_000, 16, e)) for e in epochs],
    }


def _big_fit(quick: bool) -> tuple[str, float, float, float]:
    """One epoch of mini-batch training on 10^6 samples x 100 features
    (float32): the peak against the data plus one batch's working set."""
    n, d, units, bs = (100_000 if quick else 1_000_000), 100, 32, 256
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d), dtype=np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int8)
    model = ml.Sequential(
        [ml.Dense(units, activation="relu"), ml.Dense(1, activation="sigmoid")],
        input_dim=d,
        seed=0,
        dtype="float32",
    )
    model.compile("binary_crossentropy", ml.SGD(0.01, momentum=0.9))
    item = 4
    baseline = (
        X.nbytes  # data
        + n * item  # encoded targets
        + model.count_params() * item * 3  # parameters, gradients, momentum
        + bs * (d + 2 * (units + 1)) * item * 2  # one batch: X, Z, A and grads
    )
    tracemalloc.reset_peak()
    model.fit(X, y, epochs=1, batch_size=bs, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    return (
        f"fit, {n:,} x {d} (float32), batch {bs}, 1 epoch",
        peak / 1e6,
        baseline / 1e6,
        peak / baseline,
    )


def memory(quick: bool) -> list[tuple[str, float, float, float]]:
    """Traced peaks (MB) against what the work needs at least:
    ``(case, peak, baseline, peak / baseline)``."""
    rows = []
    wl = WORKLOADS[-1]  # MNIST scale, float32
    tracemalloc.start()
    try:
        X, y = wl.data(quick)
        model = wl.model(X, y)
        item = np.dtype(wl.dtype).itemsize
        n_params = model.count_params()
        k = model.output_dim or 1
        bs = wl.batch_size or X.shape[0]
        units = [u for u, _ in wl.hidden] + [k]
        baseline = (
            X.nbytes  # data
            + X.shape[0] * k * item  # encoded targets
            + n_params * item * 2  # parameters and momentum
            + bs * sum(units) * item * 2  # one batch's Z and A
        )
        peaks = []
        for epochs in (1, 3):
            tracemalloc.reset_peak()
            model.fit(X, y, epochs=epochs, batch_size=bs, seed=1)
            peaks.append(tracemalloc.get_traced_memory()[1])
        rows.append(
            ("fit, 1 epoch", peaks[0] / 1e6, baseline / 1e6, peaks[0] / baseline)
        )
        rows.append(
            ("fit, 3 epochs", peaks[1] / 1e6, baseline / 1e6, peaks[1] / baseline)
        )
        del X, y, model
        rows.append(_big_fit(quick))
        n = 100_000 if quick else 1_000_000
        Xp, _ = ml.datasets.make_moons(n, noise=0.2, seed=0)
        small = _moons_model(16)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = small.predict(Xp)
        peak = tracemalloc.get_traced_memory()[1] - base + Xp.nbytes
        need = Xp.nbytes + out.nbytes
        rows.append((f"predict, {n:,} rows", peak / 1e6, need / 1e6, peak / need))
    finally:
        tracemalloc.stop()
    return rows


# -- tables ----------------------------------------------------------------------


def _fmt_time(seconds: float, steps: int, epochs: int, per_step: bool) -> str:
    if per_step:
        return f"{seconds / steps * 1e6:.1f} µs"
    return f"{seconds / epochs * 1e3:.0f} ms"


def _row(r: dict[str, Any]) -> str:
    wl, sec, loss = r["workload"], r["seconds"], r["loss"]
    per_step = wl.batch_size is None

    def cell(name: str) -> str:
        if name not in sec:
            return "—"
        return _fmt_time(sec[name], r["steps"], r["epochs"], per_step)

    def ratio(a: str, b: str) -> str:
        return f"{sec[a] / sec[b]:.2f}×" if a in sec and b in sec else "—"

    losses = ", ".join(
        f"{loss[name]:.5g}" if name in loss else "—"
        for name in ("mlplab", "numpy", "sklearn", "torch")
    )
    return (
        f"| {wl.name}: {wl.title} | {'per step' if per_step else 'per epoch'} "
        f"| {cell('mlplab')} | {cell('numpy')} | {cell('sklearn')} "
        f"| {cell('torch')} | {cell('floor')} | {ratio('mlplab', 'numpy')} "
        f"| {ratio('sklearn', 'mlplab')} | {ratio('torch', 'mlplab')} | {losses} |"
    )


def results_table(results: list[dict[str, Any]]) -> str:
    head = (
        "| workload | unit | mlplab | NumPy by hand | scikit-learn | PyTorch | "
        "matmul floor | mlplab / by hand | scikit-learn / mlplab | "
        "PyTorch / mlplab | final loss: mlplab, by hand, scikit-learn, PyTorch |"
    )
    lines = [head, "|" + "---|" * 11] + [_row(r) for r in results]
    for r in results:
        sec = r["seconds"]
        if "floor" in sec:
            lines.append("")
            lines.append(
                f"{r['workload'].name}: mlplab / matmul floor = "
                f"{sec['mlplab'] / sec['floor']:.2f}×, NumPy by hand / matmul "
                f"floor = {sec['numpy'] / sec['floor']:.2f}×"
            )
    return "\n".join(lines)


def scaling_table(scale: dict[str, list[tuple[int, float]]]) -> str:
    lines = []
    for key, label, per in (
        ("samples", "samples (2-16-1, batch 256, 1 epoch)", "µs per sample"),
        ("width", "hidden units (10,000 samples, batch 256, 1 epoch)", "ms per epoch"),
        ("epochs", "epochs (10,000 samples, 2-16-1, batch 256)", "ms per epoch"),
    ):
        rows = scale[key]
        lines.append(f"| {label} | " + " | ".join(f"{x:,}" for x, _ in rows) + " |")
        lines.append("|---|" + "---|" * len(rows))
        if key == "samples":
            vals = [f"{s / x * 1e6:.2f}" for x, s in rows]
        elif key == "epochs":
            vals = [f"{s / x * 1e3:.1f}" for x, s in rows]
        else:
            vals = [f"{s * 1e3:.1f}" for _, s in rows]
        lines.append(f"| {per} | " + " | ".join(vals) + " |")
        lines.append("")
    return "\n".join(lines).rstrip()


def memory_table(rows: list[tuple[str, float, float, float]]) -> str:
    lines = [
        "| case | traced peak | needed at least | ratio |",
        "|---|---|---|---|",
    ]
    for case, peak, base, ratio in rows:
        lines.append(f"| {case} | {peak:.1f} MB | {base:.1f} MB | {ratio:.2f}× |")
    return "\n".join(lines)


def machine() -> str:
    import sklearn

    parts = [
        f"{os.cpu_count()} CPU cores ({platform.machine()})",
        f"Python {platform.python_version()}",
        f"NumPy {np.__version__}",
        f"scikit-learn {sklearn.__version__}",
    ]
    if competitors.torch_available():
        import torch

        parts.append(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)")
    else:
        parts.append("PyTorch not installed")
    return ", ".join(parts)


def plot(scale: dict[str, list[tuple[int, float]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, key, xlabel in zip(
        axes,
        ("samples", "width", "epochs"),
        ("samples", "hidden units", "epochs"),
        strict=True,
    ):
        xs, ys = zip(*scale[key], strict=True)
        ax.plot(xs, ys, "o-")
        if key != "epochs":
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("seconds")
        ax.grid(True, alpha=0.3)
    axes[0].set_title("time against samples (1 epoch)")
    axes[1].set_title("time against hidden width")
    axes[2].set_title("time against epochs")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_readme(path: str, text: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace what lies between the markers ``begin`` and ``end`` in ``path``."""
    readme = Path(path).read_text()
    if begin not in readme or end not in readme:
        raise SystemExit(f"{path} has no {begin} ... {end} section to replace")
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    Path(path).write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--only", default=None, help="comma-separated workload names")
    parser.add_argument("--no-sklearn", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--readme", default=None, help="write the tables into it")
    parser.add_argument("--plot", default=None, help="draw the scaling curves here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 5)
    impls = ["mlplab", "numpy", "floor"]
    if not args.no_sklearn:
        impls.append("sklearn")
    if not args.no_torch and competitors.torch_available():
        impls.append("torch")
    known = [w.name for w in WORKLOADS]
    wanted = args.only.split(",") if args.only else known
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; valid: {', '.join(known)}")
    chosen = [w for w in WORKLOADS if w.name in wanted]

    results = []
    for wl in chosen:
        print(f"running {wl.name} ...", file=sys.stderr, flush=True)
        results.append(bench_workload(wl, rounds, args.quick, impls))
    parts = [
        f"Measured by `benchmarks/run.py` on {machine()}; medians of {rounds} "
        "round(s), each implementation timed side by side in one process.",
        "",
        results_table(results),
    ]
    if not args.no_scaling:
        print("running the scaling series ...", file=sys.stderr, flush=True)
        scale = scaling(args.quick, max(1, min(rounds, 3)))
        parts += ["", "Scaling (mlplab):", "", scaling_table(scale)]
        if args.plot:
            plot(scale, args.plot)
            parts += ["", f"![scaling curves]({args.plot})"]
    if not args.no_memory:
        print("measuring memory ...", file=sys.stderr, flush=True)
        parts += [
            "",
            "Memory (tracemalloc; MNIST scale, float32; baseline = data + encoded "
            "targets + parameters + optimizer state + one batch's Z and A):",
            "",
            memory_table(memory(args.quick)),
        ]
    text = "\n".join(parts)
    print(text)
    if args.readme:
        write_readme(args.readme, text)
    return text


if __name__ == "__main__":
    main()
