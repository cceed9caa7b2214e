"""The compiled engine against the NumPy engine, per training step.

Two-moons 500 (noise 0.2), a 2-5-1 tanh/sigmoid network, full-batch gradient
descent (SGD 0.5, binary cross-entropy): the tutorial workload of
``benchmarks/run.py``. Both engines train the same model from the same
weights side by side in one process, in interleaved rounds; the script prints
the median time per step of each, their ratio, the largest difference of
their final weights relative to each weight array's largest magnitude, and the
first-use time of the compiled engine (compilation, or loading the kernel
from Numba's disk cache when an earlier process compiled it).

The script prints; it asserts nothing. Not part of ``make test``.

    python benchmarks/engine.py [--steps N] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

import mlplab as ml
from mlplab import engine


def make_model(name: str) -> ml.Sequential:
    model = ml.Sequential(
        [ml.Dense(5, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
        engine=name,
    )
    model.compile("binary_crossentropy", ml.SGD(0.5))
    return model


def per_step(model: ml.Sequential, X: np.ndarray, y: np.ndarray, steps: int) -> float:
    """Seconds per step of ``fit`` over ``steps`` full-batch epochs."""
    start = time.perf_counter()
    model.fit(X, y, epochs=steps)
    return (time.perf_counter() - start) / steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not engine.numba_available():
        print("Numba is not installed: pip install mlplab[fast]")
        return 0
    X, y = ml.datasets.make_moons(500, noise=0.2, seed=0)
    numpy_model, numba_model = make_model("numpy"), make_model("numba")
    start = time.perf_counter()
    numba_model.fit(X, y, epochs=1)  # first use: compile or load from the cache
    first_use = time.perf_counter() - start
    numpy_model.fit(X, y, epochs=1)
    times: dict[str, list[float]] = {"numpy": [], "numba": []}
    for _ in range(args.rounds):
        times["numpy"].append(per_step(numpy_model, X, y, args.steps))
        times["numba"].append(per_step(numba_model, X, y, args.steps))
    med = {k: statistics.median(v) for k, v in times.items()}
    gap = max(
        float(np.abs(a - b).max() / np.abs(a).max())
        for a, b in zip(
            numpy_model.get_weights(), numba_model.get_weights(), strict=True
        )
    )
    steps = 1 + args.rounds * args.steps
    print(
        f"two-moons 500, 2-5-1 tanh/sigmoid, full-batch GD, {steps} steps each; "
        f"medians of {args.rounds} rounds"
    )
    print(f"numpy engine: {med['numpy'] * 1e6:8.1f} µs per step")
    print(f"numba engine: {med['numba'] * 1e6:8.1f} µs per step")
    print(f"numpy / numba: {med['numpy'] / med['numba']:.2f}×")
    print(f"largest weight difference (relative to each array's largest): {gap:.1e}")
    print(f"first use of the numba engine (compile or cache load): {first_use:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
