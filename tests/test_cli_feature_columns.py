"""A run trained on some columns of a file (``feature_columns``) is evaluated
on the same columns of a file given with ``--data``."""

from __future__ import annotations

import json

import numpy as np

from mlplab.cli import main


def _write(path, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 2))
    label = (X[:, 0] * X[:, 1] > 0).astype(int)
    junk = rng.normal(size=(80, 2)) * 100
    rows = ["kind,a,junk1,b,junk2"]
    rows += [
        f"{k},{x[0]:.5f},{j[0]:.3f},{x[1]:.5f},{j[1]:.3f}"
        for k, x, j in zip(label, X, junk, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")


def test_evaluate_reads_the_runs_feature_columns(tmp_path, capsys):
    data = tmp_path / "points.csv"
    _write(data, 0)
    run = tmp_path / "run"
    args = ["train", "--data", str(data), "--label-column", "kind"]
    args += ["--feature-columns", "a,b", "--features", "x1,x2,x1*x2", "--hidden", "0"]
    args += ["--epochs", "300", "--lr", "1", "--test-size", "0", "--out", str(run)]
    assert main(args) == 0
    trained = json.loads((run / "metrics.json").read_text())["train_accuracy"]
    capsys.readouterr()
    assert main(["evaluate", str(run), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"{100 * trained:.1f}%" in out
