"""Sparse input: training on a TF-IDF-like matrix without densifying it.

A 20,000 x 50,000 CSR matrix with 0.1% non-zeros (about 50 terms per row,
positive weights, each row scaled to unit length, seeded), labels from a
random linear rule, and an MLP 50000-64-1 (relu, sigmoid output) trained with
Adam for 2 epochs in batches of 200. Dense, the matrix would take 8 GB.

Peak memory is measured with tracemalloc, which traces NumPy's (and so
scipy's) array allocations, from just before the model is made to the end of
``fit``; the matrix, made before, is added to it. It is printed against

* the memory training needs at the least: the sparse matrix (``data`` +
  ``indices`` + ``indptr``), the weights, their gradients, the optimizer's
  state (Adam's two moments) and one batch's activations (each Dense layer's
  ``Z``, ``A`` and ``dZ``), as a ratio (goal: at most 1.5);
* the 8 GB of the dense matrix.

Besides those, training holds two more arrays the size of the weights: the
snapshot of the weights kept against divergence and the optimizer's scratch
array; the first layer's gradient is computed on the features each batch uses,
so no third one is made.

The script prints the ratios; it asserts nothing. Not part of ``make test``.

    python benchmarks/sparse.py [--rows N] [--cols N] [--density F]
                                [--epochs N] [--batch-size N] [--units N]
                                [--readme README.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
from typing import Any

import numpy as np
import scipy
import scipy.sparse as sp

import mlplab as ml

MB = 1024.0**2
BEGIN, END = "<!-- sparse-bench:begin -->", "<!-- sparse-bench:end -->"


def make_tfidf(
    rows: int, cols: int, density: float, seed: int = 0
) -> tuple[Any, np.ndarray]:
    """A CSR matrix of ``rows`` documents over ``cols`` terms, about
    ``density * cols`` distinct terms per row with positive weights, each row
    of unit L2 norm; and 0/1 labels from a random linear rule (the sign of a
    random direction's score against its median)."""
    rng = np.random.default_rng(seed)
    per_row = max(1, round(density * cols))
    indices = np.sort(rng.integers(0, cols, size=(rows, per_row)), axis=1)
    data = rng.exponential(size=(rows, per_row)) + 0.1
    indptr = np.arange(0, rows * per_row + 1, per_row)
    X = sp.csr_matrix((data.ravel(), indices.ravel(), indptr), shape=(rows, cols))
    X.sum_duplicates()  # a term drawn twice in a row: one entry
    norms = np.sqrt(np.add.reduceat(X.data**2, X.indptr[:-1]))
    X.data /= np.repeat(norms, np.diff(X.indptr))
    score = X @ rng.normal(size=cols)
    y = (score > np.median(score)).astype(np.int64)
    return X, y


def sparse_bytes(X: Any) -> int:
    return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)


def train(
    X: Any, y: np.ndarray, units: int, epochs: int, batch_size: int
) -> tuple[ml.Sequential, dict[str, float], float, int]:
    """Make and train the model under tracemalloc; returns the model, the
    last epoch's logs, the seconds ``fit`` took and the traced peak (bytes
    above what was allocated when tracing began)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        model = ml.Sequential(
            [ml.Dense(units, activation="relu"), ml.Dense(1, activation="sigmoid")],
            seed=0,
        )
        model.compile("binary_crossentropy", ml.Adam(1e-3), metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(X, y, epochs=epochs, batch_size=batch_size, seed=0)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    logs = {k: v[-1] for k, v in history.history.items()}
    return model, logs, seconds, peak


def needed_bytes(model: ml.Sequential, X: Any, batch_size: int) -> dict[str, int]:
    """The least memory training needs, part by part."""
    assert model.optimizer is not None
    slots = model.optimizer.get_state()["slots"] or []
    activations = sum(
        3 * batch_size * layer.units * model.dtype.itemsize  # Z, A, dZ
        for layer in model.layers
        if isinstance(layer, ml.Dense)
    )
    return {
        "sparse X (data + indices + indptr)": sparse_bytes(X),
        "weights": model.flat_params.nbytes,
        "gradients": model.flat_grads.nbytes,
        "optimizer state": sum(a.nbytes for s in slots for a in s.values()),
        "one batch's activations": activations,
    }


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--cols", type=int, default=50_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--readme", default=None, help="write the result into it")
    args = parser.parse_args(argv)

    X, y = make_tfidf(args.rows, args.cols, args.density)
    model, logs, seconds, traced = train(X, y, args.units, args.epochs, args.batch_size)
    peak = traced + sparse_bytes(X)  # the matrix was made before tracing began
    parts = needed_bytes(model, X, args.batch_size)
    needed = sum(parts.values())
    dense = args.rows * args.cols * np.dtype(np.float64).itemsize

    lines = [
        f"sparse input: {args.rows:,} x {args.cols:,} CSR, {X.nnz:,} non-zeros "
        f"({X.nnz / (args.rows * args.cols):.3%}); MLP {args.cols}-{args.units}-1, "
        f"adam, batch {args.batch_size}, {args.epochs} epochs",
        f"fit: {seconds:.2f} s; last epoch: "
        + ", ".join(f"{k} {v:.4f}" for k, v in logs.items()),
        "least memory training needs:",
        *(f"  {name:<36} {b / MB:9.1f} MB" for name, b in parts.items()),
        f"  {'total':<36} {needed / MB:9.1f} MB",
        f"peak memory (tracemalloc, X included): {peak / MB:.1f} MB; of the "
        f"excess, {2 * model.flat_params.nbytes / MB:.1f} MB are two more copies "
        "of the weights' size (the snapshot kept against divergence, Adam's "
        "scratch array)",
        f"peak / least needed: {peak / needed:.2f} (goal: at most 1.5)",
        f"peak / dense X ({dense / 1e9:.1f} GB as float64): {peak / dense:.4f}",
    ]
    text = "\n".join(lines)
    print(text)
    if args.readme:
        sys.path.insert(0, os.path.dirname(__file__))
        from run import write_readme

        block = (
            f"Measured by `benchmarks/sparse.py` on {os.cpu_count()} CPU cores "
            f"({platform.machine()}), Python {platform.python_version()}, NumPy "
            f"{np.__version__}, SciPy {scipy.__version__}:\n\n```text\n{text}\n```"
        )
        write_readme(args.readme, block, BEGIN, END)
    return text


if __name__ == "__main__":
    main(sys.argv[1:])
