"""A run trained on some columns of a file (``feature_columns``) is evaluated
on the same columns of a file given with ``--data``, and predicts from the
same columns of ``--input`` when it has them."""

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


def _train(tmp_path, columns):
    data = tmp_path / "points.csv"
    _write(data, 0)
    run = tmp_path / "run"
    args = ["train", "--data", str(data), "--label-column", "kind"]
    args += ["--feature-columns", columns, "--hidden", "3", "--epochs", "50"]
    args += ["--test-size", "0", "--out", str(run)]
    assert main(args) == 0
    return data, run


def _predicted(run, path, capsys, *extra):
    capsys.readouterr()
    assert main(["predict", "--model", str(run), "--input", str(path), *extra]) == 0
    lines = capsys.readouterr().out.splitlines()
    return [line.split(",")[0] for line in lines[1:]]


def _expected(run, data):
    from mlplab import load
    from mlplab.datasets import load_file

    X, _ = load_file(data, label_column="kind", feature_columns=("a", "b"))
    return [str(c) for c in load(run / "model.npz").predict_classes(X).tolist()]


def test_predict_reads_the_runs_named_columns(tmp_path, capsys):
    data, run = _train(tmp_path, "a,b")
    expected = _expected(run, data)
    assert len(set(expected)) == 2  # both classes: the check can tell columns apart
    assert _predicted(run, data, capsys) == expected  # the training file itself
    rows = [line.split(",") for line in data.read_text().splitlines()]
    named = tmp_path / "named.csv"
    named.write_text("".join(f"{r[3]},{r[1]}\n" for r in rows))  # b, a: reordered
    assert _predicted(run, named, capsys) == expected
    bare = tmp_path / "bare.csv"  # no header: the columns as they are
    bare.write_text("".join(f"{r[1]},{r[3]}\n" for r in rows[1:]))
    assert _predicted(run, bare, capsys, "--header", "no") == expected


def test_predict_reads_the_runs_column_indices(tmp_path, capsys):
    data, run = _train(tmp_path, "1,3")
    expected = _expected(run, data)
    assert _predicted(run, data, capsys) == expected
    rows = [line.split(",") for line in data.read_text().splitlines()[1:]]
    bare = tmp_path / "bare.csv"  # only the two features: read as they are
    bare.write_text("".join(f"{r[1]},{r[3]}\n" for r in rows))
    assert _predicted(run, bare, capsys, "--header", "no") == expected
