"""The compiled engine against the NumPy engine and its peers, per training step.

Tutorial scale: two-moons 500 (noise 0.2), a 2-5-1 tanh/sigmoid network,
full-batch gradient descent (SGD 0.5, binary cross-entropy), the tutorial
workload of ``benchmarks/run.py``, all from the same initial weights, timed
side by side in one process in interleaved rounds (medians):

* the NumPy engine, with its BLAS rule (OpenBLAS on one thread for products
  this small, see :mod:`mlplab.training`) and with BLAS left at its default
  threads (``Trainer(..., limit_blas=False)``): the effect both ways;
* the compiled engine (``engine="numba"``);
* the hand-written NumPy loop of ``benchmarks/reference.py``, on one BLAS
  thread and on the default threads;
* scikit-learn's ``MLPClassifier`` (``max_iter`` epochs, full batch) and
  PyTorch when installed (``benchmarks/competitors.py``);
* the floor estimate: what one step cannot avoid on this machine, one core.
  Its arithmetic is counted -- the products ``2 n (d h + h k)`` flops forward,
  the same for the weight gradients, ``2 n h k`` for the hidden layer's input
  gradient, and about 16 flops per hidden unit and sample and 12 per output
  for the elementwise work (bias, derivative, loss, update) -- and divided by
  a measured peak: the rate of a vectorized polynomial loop (eight fused
  multiply-adds per value, compute-bound) compiled by Numba over data in
  cache. The transcendentals (``n h`` tanh, ``n k`` sigmoid and ``n k`` log for
  the loss) are charged at the measured per-value cost of the compiled
  engine's own vectorized tanh, sigmoid and log on 2048 values in cache.
  Python's call into the kernel is not counted.

Sweeps: the per-model-step time of a 32- and a 128-configuration sweep
(``mlplab.sweep.run``, two-moons 500 with its 20% test split, one hidden tanh
layer of 2 to 9 or 1 to 16 units by 4 or 8 learning rates, full-batch GD,
validation and accuracy every epoch, as ``mlplab sweep`` trains them):
sequential with the NumPy engine against ``backend="numba"`` on one thread and
on every core; wall time over (configurations x steps), the runs' set-up and
measurement included.

Also the first-use time of the compiled engine (compiling its kernels, in a
fresh process with an empty cache) and the cached-load time (a second fresh
process, kernels loaded from that cache), and an MNIST-scale line: 784-128-10
relu/softmax, float32, 10,000 random samples, batches of 256 (40 steps), NumPy
engine against compiled.

The script prints; it asserts nothing. Not part of ``make test``.

    python benchmarks/engine.py [--steps N] [--rounds N] [--readme README.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import competitors
import run as bench_run

import mlplab as ml
from mlplab import engine, training

BEGIN, END = "<!-- engine-bench:begin -->", "<!-- engine-bench:end -->"
TUTORIAL = bench_run.WORKLOADS[0]  # two-moons 500, 2-5-1, full-batch GD


def make_model(name: str, n_in: int = 2, hidden: int = 5) -> ml.Sequential:
    model = ml.Sequential(
        [ml.Dense(hidden, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=n_in,
        seed=0,
        engine=name,
    )
    model.compile("binary_crossentropy", ml.SGD(0.5))
    return model


def _fit_timer(model: ml.Sequential, X, y, limit_blas: bool | None) -> Callable:
    def timed(steps: int) -> float:
        trainer = training.Trainer(model, X, y, limit_blas=limit_blas)
        start = time.perf_counter()
        trainer.fit(steps)
        return time.perf_counter() - start

    return timed


def _reference_timer(X, y, one_thread: bool) -> Callable:
    def timed(steps: int) -> float:
        if not one_thread:
            return bench_run.run_reference(TUTORIAL, X, y, steps)[0]
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            return bench_run.run_reference(TUTORIAL, X, y, steps)[0]

    return timed


def tutorial(steps: int, rounds: int) -> tuple[dict[str, float], float]:
    """Seconds per step of each implementation (medians), and the largest
    weight difference between the two engines relative to each array's
    largest magnitude."""
    X, y = bench_run._moons(False)
    numpy_model, numba_model = make_model("numpy"), make_model("numba")
    threaded = make_model("numpy")
    timers: dict[str, Callable] = {
        "NumPy engine (BLAS rule: 1 thread)": _fit_timer(numpy_model, X, y, None),
        "NumPy engine (BLAS default threads)": _fit_timer(threaded, X, y, False),
        "compiled engine (numba)": _fit_timer(numba_model, X, y, None),
        "hand-written NumPy loop (1 BLAS thread)": _reference_timer(X, y, True),
        "hand-written NumPy loop (default threads)": _reference_timer(X, y, False),
        "scikit-learn MLPClassifier": lambda s: bench_run.run_sklearn(
            TUTORIAL, X, y, s
        )[0],
    }
    if competitors.torch_available():
        timers["PyTorch"] = lambda s: bench_run.run_torch(TUTORIAL, X, y, s)[0]
    for timed in timers.values():  # warm-up: imports, compilation, buffers
        timed(2)
    times: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(rounds):
        for name, timed in timers.items():
            times[name].append(timed(steps) / steps)
    gap = max(
        float(np.abs(a - b).max() / np.abs(a).max())
        for a, b in zip(
            numpy_model.get_weights(), numba_model.get_weights(), strict=True
        )
    )
    return {k: statistics.median(v) for k, v in times.items()}, gap


def floor_estimate(n: int = 500, d: int = 2, h: int = 5, k: int = 1) -> float:
    """Seconds per step that the arithmetic and transcendentals of one
    full-batch step cannot go below on one core (see the module notes)."""
    import numba

    from mlplab import _numba_kernels as kernels

    @numba.njit(cache=False, error_model="numpy", fastmath={"contract"})
    def horner(x, y, reps):  # pragma: no cover - compiled
        for _ in range(reps):
            for i in range(x.shape[0]):
                v = x[i]
                y[i] = (
                    (
                        (((((v + 1.0) * v + 2.0) * v + 3.0) * v + 4.0) * v + 5.0) * v
                        + 6.0
                    )
                    * v
                    + 7.0
                ) * v + 8.0

    x, out = np.full(512, 0.5), np.zeros(512)
    horner(x, out, 1)
    reps = 20_000
    flop_rate = (
        16 * 512 * reps / min(_timed(lambda: horner(x, out, reps)) for _ in range(3))
    )
    z = np.random.default_rng(0).normal(size=2048)  # in cache, as in a step
    res, k1, k2 = np.empty_like(z), np.empty_like(z), np.empty_like(z)

    def per_value(f: Callable) -> float:
        f()
        calls = 200
        best = min(_timed(lambda: [f() for _ in range(calls)]) for _ in range(5))
        return best / calls / z.size

    t_tanh = per_value(lambda: kernels.vtanh(z, res, k1, k2))
    t_sig = per_value(lambda: kernels.vsigmoid(z, res, k1, k2, 709.78))
    positive = np.abs(z)
    t_log = per_value(lambda: kernels.vlog(positive, res, k1, k2))
    flops = 2 * n * (d * h + h * k) * 2 + 2 * n * h * k + 16 * n * h + 12 * n * k
    return flops / flop_rate + n * h * t_tanh + n * k * (t_sig + t_log)


def _timed(f: Callable) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


_FIRST_USE = """
import time, numpy as np, mlplab as ml
X, y = ml.datasets.make_moons(50, seed=0)
for dtype in ("float64", "float32"):
    m = ml.Sequential([ml.Dense(5, activation="tanh"),
                       ml.Dense(1, activation="sigmoid")],
                      input_dim=2, seed=0, engine="numba", dtype=dtype)
    m.compile("binary_crossentropy", ml.SGD(0.5))
    start = time.perf_counter()
    m.fit(X, y, epochs=1)
    print(dtype, time.perf_counter() - start)
"""


def first_use() -> tuple[dict[str, float], dict[str, float]]:
    """Seconds of the first training step per dtype in a fresh process with an
    empty kernel cache (compilation), then in another fresh process using
    that cache (loading)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        found = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_USE],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            found.append({out[i]: float(out[i + 1]) for i in range(0, len(out), 2)})
    return found[0], found[1]


def mnist_scale(rounds: int) -> dict[str, float]:
    """Seconds per step, 784-128-10 relu/softmax, float32, batches of 256."""
    rng = np.random.default_rng(0)
    X = rng.random((10_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 10_000)
    times: dict[str, list[float]] = {"numpy": [], "numba": []}
    models = {}
    for name in times:
        model = ml.Sequential(
            [ml.Dense(128, activation="relu"), ml.Dense(10, activation="softmax")],
            input_dim=784,
            seed=0,
            dtype="float32",
            engine=name,
        )
        model.compile("categorical_crossentropy", ml.SGD(0.01, momentum=0.9))
        model.fit(X[:512], y[:512], batch_size=256, epochs=1)  # warm-up
        models[name] = model
    steps = -(-X.shape[0] // 256)
    for _ in range(rounds):
        for name, model in models.items():
            seconds = _timed(lambda m=model: m.fit(X, y, batch_size=256, epochs=1))
            times[name].append(seconds / steps)
    return {k: statistics.median(v) for k, v in times.items()}


SWEEP_EPOCHS = 300


def sweep_grids() -> dict[int, dict[str, list]]:
    """The two grids: 8 hidden sizes x 4 learning rates, 16 x 8."""
    return {
        32: {"hidden": [(h,) for h in range(2, 10)], "lr": [0.1, 0.3, 0.5, 1.0]},
        128: {
            "hidden": [(h,) for h in range(1, 17)],
            "lr": [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5],
        },
    }


def sweeps(rounds: int) -> dict[int, dict[str, float]]:
    """Seconds per model-step of each grid: sequential NumPy engine, compiled
    stack on one thread and on every core (medians of interleaved rounds)."""
    from mlplab import sweep
    from mlplab.config import RunConfig

    base = RunConfig(
        dataset="moons", samples=500, noise=0.2, activation="tanh",
        epochs=SWEEP_EPOCHS, test_size=0.2,
    )  # fmt: skip
    ways = {
        "sequential, NumPy engine": {"backend": "sequential"},
        "numba backend, 1 thread": {"backend": "numba", "n_jobs": 1},
        "numba backend, every core": {"backend": "numba"},
    }
    sweep.run(base.replace(epochs=2), {"hidden": [(3,)]}, backend="numba")  # warm
    found: dict[int, dict[str, float]] = {}
    for size, grid in sweep_grids().items():
        steps = size * SWEEP_EPOCHS
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(rounds):
            for name, how in ways.items():
                times[name].append(
                    _timed(lambda g=grid, h=how: sweep.run(base, g, **h)) / steps
                )
        found[size] = {k: statistics.median(v) for k, v in times.items()}
    return found


def table(
    tut: dict[str, float],
    floor: float,
    gap: float,
    compile_s: dict[str, float],
    load_s: dict[str, float],
    mnist: dict[str, float],
    steps: int,
    rounds: int,
    swept: dict[int, dict[str, float]],
) -> str:
    numba_t = tut["compiled engine (numba)"]
    lines = [
        f"Measured by `benchmarks/engine.py` on {bench_run.machine()}, Numba "
        f"{_numba_version()}; medians of {rounds} interleaved rounds of {steps} "
        "steps.",
        "",
        f"| {TUTORIAL.title}, float64 | µs per step | vs compiled |",
        "|---|---:|---:|",
    ]
    for name, t in tut.items():
        lines.append(f"| {name} | {t * 1e6:.1f} | {t / numba_t:.2f}× |")
    lines.append(
        f"| floor estimate (arithmetic + transcendentals, one core) | "
        f"{floor * 1e6:.1f} | {floor / numba_t:.2f}× |"
    )
    lines += [
        "",
        f"Largest weight difference between the engines after these steps: "
        f"{gap:.1e} of each array's largest magnitude.",
        "",
        f"| sweep of two-moons 500, one tanh hidden layer, {SWEEP_EPOCHS} epochs "
        "with validation, float64 | 32 configurations: µs per model-step | "
        "throughput vs NumPy | 128 configurations: µs per model-step | "
        "throughput vs NumPy |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in next(iter(swept.values())):
        cells = []
        for size in sorted(swept):
            t, ref = swept[size][name], swept[size]["sequential, NumPy engine"]
            cells += [f"{t * 1e6:.1f}", f"{ref / t:.1f}×"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| first use of the compiled engine | float64 | float32 |",
        "|---|---:|---:|",
        f"| compile (empty cache) | {compile_s['float64']:.1f} s | "
        f"{compile_s['float32']:.1f} s |",
        f"| load from the disk cache (Numba's import included) | "
        f"{load_s['float64']:.2f} s | "
        f"{load_s['float32']:.2f} s |",
        "",
        "| MNIST scale: 784-128-10 relu/softmax, float32, 10,000 samples, "
        "batches of 256 | ms per step |",
        "|---|---:|",
        f"| NumPy engine | {mnist['numpy'] * 1e3:.2f} |",
        f"| compiled engine | {mnist['numba'] * 1e3:.2f} |",
    ]
    return "\n".join(lines)


def _numba_version() -> str:
    import numba

    return str(numba.__version__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--readme", default=None, help="write the tables into it")
    args = parser.parse_args(argv)
    if not engine.numba_available():
        print("Numba is not installed: pip install mlplab[fast]")
        return 0
    print("first use (two fresh processes) ...", file=sys.stderr, flush=True)
    compile_s, load_s = first_use()
    print("tutorial scale ...", file=sys.stderr, flush=True)
    tut, gap = tutorial(args.steps, args.rounds)
    floor = floor_estimate()
    print("MNIST scale ...", file=sys.stderr, flush=True)
    mnist = mnist_scale(max(1, min(args.rounds, 3)))
    print("sweeps ...", file=sys.stderr, flush=True)
    swept = sweeps(max(1, min(args.rounds, 3)))
    text = table(
        tut, floor, gap, compile_s, load_s, mnist, args.steps, args.rounds, swept
    )
    print(text)
    if args.readme:
        bench_run.write_readme(args.readme, text, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
